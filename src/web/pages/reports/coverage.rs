//! `/reports/coverage`: each framework a foldable part, each of its top competencies a foldable
//! table of itself and the finer ones within, one column a value of the chosen dimension.

use super::{Choice, Params, asset_version, render, run, window_choices, window_query};
use crate::reports::coverage::{ACROSS, Ask, Column, Coverage, Row, coverage};
use crate::reports::{Cell, Window};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

/// A top competency and the finer ones under it, shown as one table.
pub struct Branch {
    pub label: String,
    pub all: Cell,
    /// How many of its rows have no offering, and only one.
    pub none: usize,
    pub one: usize,
    pub rows: Vec<Row>,
}

/// A framework's part of the page.
pub struct FrameworkView {
    pub id: String,
    pub label: String,
    pub all: Cell,
    pub branches: Vec<Branch>,
}

/// A framework's gaps, for the brief.
pub struct FrameworkGaps {
    pub label: String,
    pub competencies: usize,
    pub none: usize,
    pub one: usize,
    pub url: String,
}

#[derive(Template)]
#[template(path = "reports_coverage.html")]
struct CoveragePage {
    asset_version: &'static str,
    window: Window,
    windows: Vec<Choice>,
    by: Vec<Choice>,
    by_label: String,
    frameworks: Vec<Choice>,
    total: Cell,
    columns: Vec<Column>,
    parts: Vec<FrameworkView>,
    keep: String,
    export: String,
}

/// `/reports/coverage?window=&by=&framework=`.
#[route("/reports/coverage", method = "GET", method = "HEAD")]
pub async fn coverage_page(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let params = Params::read(&query);
    let window = params.window()?;
    let asked = params.clone();
    let (report, frameworks) = run(&state, move |store, index| {
        let frameworks = store.frameworks()?;
        let ask = Ask::new(
            window,
            asked.by.as_deref(),
            asked.framework.as_deref(),
            &frameworks,
        )?;
        Ok((
            coverage(index, &frameworks, &ask, chrono::Utc::now())?,
            frameworks,
        ))
    })
    .await?;
    let mut framework_choices: Vec<Choice> = vec![(
        String::new(),
        "All frameworks".to_owned(),
        report.framework.is_none(),
    )];
    framework_choices.extend(frameworks.frameworks.iter().map(|f| {
        let chosen = report.framework.as_deref() == Some(f.id.as_str());
        (f.id.clone(), f.name.clone(), chosen)
    }));
    let keep = window_query(&report.window);
    let page = CoveragePage {
        asset_version: asset_version(),
        windows: window_choices(&report.window),
        by: ACROSS
            .iter()
            .map(|(name, label)| ((*name).to_owned(), (*label).to_owned(), *name == report.by))
            .collect(),
        by_label: ACROSS
            .iter()
            .find(|(name, _)| *name == report.by)
            .map_or_else(String::new, |(_, label)| (*label).to_owned()),
        frameworks: framework_choices,
        total: report.total.clone(),
        columns: report.columns.clone(),
        export: export_query(&keep, &report),
        parts: parts(report.rows.clone()),
        window: report.window,
        keep,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The export's parameters: the window, the dimension and the framework.
fn export_query(keep: &str, report: &Coverage) -> String {
    let mut query = format!("{keep}&by={}", report.by);
    if let Some(framework) = &report.framework {
        query.push_str("&framework=");
        query.push_str(framework);
    }
    query
}

/// The rows grouped as the page shows them: by framework, then by top competency.
fn parts(rows: Vec<Row>) -> Vec<FrameworkView> {
    let mut parts: Vec<FrameworkView> = Vec::new();
    for row in rows {
        match (row.depth, parts.last_mut()) {
            (0, _) => parts.push(FrameworkView {
                id: row.competency.clone(),
                label: row.label.clone(),
                all: row.all.clone(),
                branches: Vec::new(),
            }),
            (1, Some(part)) => part.branches.push(Branch {
                label: row.label.clone(),
                all: row.all.clone(),
                none: 0,
                one: 0,
                rows: vec![row],
            }),
            (_, Some(part)) => {
                if let Some(branch) = part.branches.last_mut() {
                    branch.rows.push(row);
                }
            }
            (_, None) => {}
        }
    }
    for branch in parts.iter_mut().flat_map(|part| part.branches.iter_mut()) {
        branch.none = branch.rows.iter().filter(|r| r.all.count == 0).count();
        branch.one = branch.rows.iter().filter(|r| r.all.count == 1).count();
    }
    parts
}

/// Each framework's competencies with no offering and with one, for the brief.
pub fn gaps_by_framework(report: &Coverage) -> Vec<FrameworkGaps> {
    let keep = window_query(&report.window);
    parts(report.rows.clone())
        .into_iter()
        .map(|part| {
            let rows = part.branches.iter().flat_map(|b| b.rows.iter());
            let counts: Vec<u64> = rows.map(|r| r.all.count).collect();
            FrameworkGaps {
                url: format!("/reports/coverage{keep}&framework={}", part.id),
                label: part.label,
                competencies: counts.len(),
                none: counts.iter().filter(|c| **c == 0).count(),
                one: counts.iter().filter(|c| **c == 1).count(),
            }
        })
        .collect()
}
