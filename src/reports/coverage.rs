//! Coverage: every competency of every framework (as its tree) against one dimension of the
//! offerings (format unless the reader switches to level, audience, region, language, cost or
//! credits). A cell is the number of offerings in the window building that competency with that
//! value, and the search listing them.
//!
//! One search per column: its competency facet gives the whole column at once (a facet ignores
//! only its own filter, so the count of `ala-core:5A` in the search `format=hybrid` is the total of
//! the search `format=hybrid&competency=ala-core:5A`). The "All" column is the window's search.

use super::{Cell, ReportError, Window, bad, count, facet_count};
use crate::catalog::Frameworks;
use crate::search::{Dimension, SearchIndex, SearchRequest, SearchResults};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the columns may be (`by=`): (name, heading).
pub const ACROSS: [(&str, &str); 7] = [
    ("format", "Format"),
    ("level", "Level"),
    ("audience", "Audience"),
    ("region", "State or province"),
    ("language", "Language"),
    ("cost", "Cost"),
    ("credits", "Credits"),
];

/// One column: a value of the dimension, as a change to the window's search.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Column {
    /// The value (`hybrid`, `IL`, `free`, `at-most-50`).
    pub key: String,
    pub label: String,
    /// How many offerings in the window the column holds, whatever their competencies.
    pub total: Cell,
}

/// One competency (or a whole framework, at depth 0) and its cells, one per column.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Row {
    /// `FRAMEWORK` or `FRAMEWORK:CODE`, as the search's `competency` parameter takes it.
    pub competency: String,
    pub label: String,
    /// 0 for a framework, 1 for its top competencies, and so on.
    pub depth: usize,
    /// Offerings in the window building it, whatever the column.
    pub all: Cell,
    pub cells: Vec<Cell>,
}

/// The coverage report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub window: Window,
    /// The dimension across the columns.
    pub by: String,
    /// The framework asked for, if only one.
    pub framework: Option<String>,
    /// Offerings in the window.
    pub total: Cell,
    pub columns: Vec<Column>,
    /// Frameworks and their competencies, parents before children.
    pub rows: Vec<Row>,
}

/// What a report of coverage is asked for.
#[derive(Debug, Clone)]
pub struct Ask {
    pub window: Window,
    pub by: String,
    pub framework: Option<String>,
}

impl Ask {
    /// Checks `by` and `framework` against what exists; an unknown one is a 400 naming it.
    pub fn new(
        window: Window,
        by: Option<&str>,
        framework: Option<&str>,
        frameworks: &Frameworks,
    ) -> Result<Ask, ReportError> {
        let by = by.unwrap_or("format");
        if !ACROSS.iter().any(|(name, _)| *name == by) {
            let known: Vec<&str> = ACROSS.iter().map(|(name, _)| *name).collect();
            return Err(bad(
                "by",
                format!(
                    "unknown dimension `{by}`, expected one of: {}",
                    known.join(", ")
                ),
            ));
        }
        let framework = framework.filter(|f| !f.is_empty());
        if let Some(id) = framework
            && !frameworks.frameworks.iter().any(|f| f.id == id)
        {
            let known: Vec<&str> = frameworks
                .frameworks
                .iter()
                .map(|f| f.id.as_str())
                .collect();
            return Err(bad(
                "framework",
                format!(
                    "unknown framework `{id}`, expected one of: {}",
                    known.join(", ")
                ),
            ));
        }
        Ok(Ask {
            window,
            by: by.to_owned(),
            framework: framework.map(str::to_owned),
        })
    }
}

/// Builds the report: one search for the window, one per column.
pub fn coverage(
    index: &SearchIndex,
    frameworks: &Frameworks,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Coverage, ReportError> {
    build(index, frameworks, ask, true, now)
}

/// The report's "All" column alone (no other column), from one search: for the brief.
pub fn totals(
    index: &SearchIndex,
    frameworks: &Frameworks,
    ask: &Ask,
    now: DateTime<Utc>,
) -> Result<Coverage, ReportError> {
    build(index, frameworks, ask, false, now)
}

fn build(
    index: &SearchIndex,
    frameworks: &Frameworks,
    ask: &Ask,
    with_columns: bool,
    now: DateTime<Utc>,
) -> Result<Coverage, ReportError> {
    let base = ask.window.request();
    let everything = count(index, &base, None, now)?;
    let mut columns = Vec::new();
    let mut counted = Vec::new();
    let wanted = if with_columns {
        columns_of(&ask.by, &base, &everything)
    } else {
        Vec::new()
    };
    for (key, label, request) in wanted {
        let results = count(index, &request, Some(&["competency"]), now)?;
        columns.push(Column {
            key,
            label,
            total: Cell::new(results.total as u64, &request),
        });
        counted.push((request, results));
    }
    let rows = tree(frameworks, ask.framework.as_deref())
        .into_iter()
        .map(|(competency, label, depth)| {
            let cell = |request: &SearchRequest, results: &SearchResults| {
                let mut narrowed = request.clone();
                narrowed
                    .filters
                    .insert("competency", vec![competency.clone()]);
                Cell::new(facet_count(results, "competency", &competency), &narrowed)
            };
            Row {
                all: cell(&base, &everything),
                cells: counted.iter().map(|(r, found)| cell(r, found)).collect(),
                competency,
                label,
                depth,
            }
        })
        .collect();
    Ok(Coverage {
        window: ask.window.clone(),
        by: ask.by.clone(),
        framework: ask.framework.clone(),
        total: Cell::new(everything.total as u64, &base),
        columns,
        rows,
    })
}

/// Each competency's offerings in the window, for `report snapshot` (the "All" column).
pub fn snapshot_rows(
    index: &SearchIndex,
    frameworks: &Frameworks,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<Vec<crate::store::SnapshotRow>, ReportError> {
    let ask = Ask {
        window: window.clone(),
        by: "format".to_owned(),
        framework: None,
    };
    Ok(totals(index, frameworks, &ask, now)?
        .rows
        .into_iter()
        .map(|row| crate::store::SnapshotRow {
            competency: row.competency,
            label: row.label,
            offerings: row.all.count,
        })
        .collect())
}

/// The frameworks' competencies in tree order: (competency value, label, depth).
fn tree(frameworks: &Frameworks, only: Option<&str>) -> Vec<(String, String, usize)> {
    let mut rows = Vec::new();
    for framework in &frameworks.frameworks {
        if only.is_some_and(|id| id != framework.id) {
            continue;
        }
        rows.push((framework.id.clone(), framework.name.clone(), 0));
        let mut depths = std::collections::HashMap::new();
        for flat in framework.flatten() {
            let depth = flat.parent.and_then(|p| depths.get(p)).map_or(1, |d| d + 1);
            depths.insert(flat.competency.code.as_str(), depth);
            rows.push((
                format!("{}:{}", framework.id, flat.competency.code),
                format!("{} {}", flat.competency.code, flat.competency.title),
                depth,
            ));
        }
    }
    rows
}

/// Narrows a search to prices in US dollars above `over` and up to `max`: the bands do not
/// overlap, and free offerings are only in "Free".
fn price_band(request: &mut SearchRequest, over: f64, max: Option<f64>) {
    request.cost_over = Some(over);
    request.cost_max = max;
}

/// The columns of a dimension: (key, label, the window's search narrowed to it). Open
/// dimensions (regions, languages) list the values the window's offerings have.
fn columns_of(
    by: &str,
    base: &SearchRequest,
    everything: &SearchResults,
) -> Vec<(String, String, SearchRequest)> {
    let with = |change: &dyn Fn(&mut SearchRequest)| {
        let mut request = base.clone();
        change(&mut request);
        request
    };
    match by {
        "cost" => vec![
            ("free", "Free", with(&|r| r.free = true)),
            (
                "under-50",
                "Up to $50",
                with(&|r| price_band(r, 0.0, Some(50.0))),
            ),
            (
                "50-200",
                "Over $50, up to $200",
                with(&|r| price_band(r, 50.0, Some(200.0))),
            ),
            (
                "over-200",
                "Over $200",
                with(&|r| price_band(r, 200.0, None)),
            ),
        ]
        .into_iter()
        .map(|(key, label, request)| (key.to_owned(), label.to_owned(), request))
        .collect(),
        "credits" => vec![
            ("any", "Any credits", with(&|r| r.has_credits = true)),
            (
                "3h",
                "3 contact hours or more",
                with(&|r| r.credits_min = Some(3.0)),
            ),
            (
                "1ceu",
                "1 CEU (10 hours) or more",
                with(&|r| r.credits_min = Some(10.0)),
            ),
        ]
        .into_iter()
        .map(|(key, label, request)| (key.to_owned(), label.to_owned(), request))
        .collect(),
        name => {
            let Some(dimension) = Dimension::named(name) else {
                return Vec::new();
            };
            let values: Vec<(String, String)> = match dimension.closed_values() {
                Some(values) => values
                    .into_iter()
                    .map(|v| (v.to_owned(), dimension.fixed_label(v).unwrap_or_default()))
                    .collect(),
                None => open_values(everything, name),
            };
            values
                .into_iter()
                .map(|(value, label)| {
                    let request = with(&|r| {
                        r.filters.insert(dimension.spec().name, vec![value.clone()]);
                    });
                    (value, label, request)
                })
                .collect()
        }
    }
}

/// The values an open dimension's facet lists for the window, by label.
fn open_values(everything: &SearchResults, name: &str) -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = everything
        .facets
        .get(name)
        .into_iter()
        .flatten()
        .filter(|v| v.count > 0)
        .map(|v| (v.value.clone(), v.label.clone()))
        .collect();
    values.sort_by(|a, b| a.1.cmp(&b.1));
    values
}

/// The report as CSV: one line a competency, a column per value.
pub fn to_csv(report: &Coverage) -> String {
    let mut header = vec!["competency", "label", "depth", "all"];
    header.extend(report.columns.iter().map(|c| c.key.as_str()));
    let rows = report.rows.iter().map(|row| {
        let mut line = vec![
            row.competency.clone(),
            row.label.clone(),
            row.depth.to_string(),
            row.all.count.to_string(),
        ];
        line.extend(row.cells.iter().map(|c| c.count.to_string()));
        line
    });
    super::csv(&header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_dimensions_and_frameworks_name_their_parameter() {
        let frameworks = Frameworks::default();
        let window = Window::read(None, None, None, chrono::Utc::now().date_naive()).unwrap();
        for (by, framework, parameter) in [
            (Some("colour"), None, "by"),
            (None, Some("no-such"), "framework"),
        ] {
            match Ask::new(window.clone(), by, framework, &frameworks) {
                Err(ReportError::BadParameter(error)) => assert_eq!(error.parameter, parameter),
                other => panic!("{other:?}"),
            }
        }
        assert!(Ask::new(window, Some("region"), Some(""), &frameworks).is_ok());
    }
}
