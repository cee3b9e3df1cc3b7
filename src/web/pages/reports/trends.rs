//! `/reports/trends`: offerings per month by format (a chart and its table) and by kind of
//! provider, the shares online and free, medians, offerings added, and coverage between snapshots.

use super::charts::BarChart;
use super::{Choice, Params, asset_version, render, run, window_choices, window_query};
use crate::catalog::{ClosedVocabulary, Format, ProviderKind};
use crate::reports::Window;
use crate::reports::trends::{Trends, trends};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

/// What the templates show of the trends.
pub struct TrendsView {
    pub report: Trends,
    pub format_labels: Vec<String>,
    pub kind_labels: Vec<String>,
    pub by_format: BarChart,
    pub added: BarChart,
    /// "$45" or "n/a"; "6 h" or "n/a".
    pub median_cost: String,
    pub median_hours: String,
}

impl TrendsView {
    pub fn new(report: &Trends) -> TrendsView {
        let label = |value: &String, of: fn(&str) -> Option<&'static str>| {
            of(value).unwrap_or(value).to_owned()
        };
        let format_labels: Vec<String> = report
            .formats
            .iter()
            .map(|f| label(f, Format::label_of))
            .collect();
        let kind_labels: Vec<String> = report
            .provider_kinds
            .iter()
            .map(|k| label(k, ProviderKind::label_of))
            .collect();
        let months: Vec<(String, Vec<u64>)> = report
            .months
            .iter()
            .map(|m| {
                (
                    m.month.clone(),
                    m.by_format.iter().map(|c| c.count).collect(),
                )
            })
            .collect();
        let added: Vec<(String, Vec<u64>)> = report
            .added
            .iter()
            .map(|(month, n)| (month.clone(), vec![*n]))
            .collect();
        TrendsView {
            by_format: BarChart::new(&format_labels, &months),
            added: BarChart::new(&["Added".to_owned()], &added),
            median_cost: report
                .median_cost_usd
                .map_or_else(|| "n/a".to_owned(), |cost| format!("${cost:.0}")),
            median_hours: report.median_contact_hours.map_or_else(
                || "n/a".to_owned(),
                |hours| format!("{hours:.1} contact hours"),
            ),
            format_labels,
            kind_labels,
            report: report.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "reports_trends.html")]
struct TrendsPage {
    asset_version: &'static str,
    window: Window,
    windows: Vec<Choice>,
    trends: TrendsView,
    keep: String,
}

/// `/reports/trends?window=`.
#[route("/reports/trends", method = "GET", method = "HEAD")]
pub async fn trends_page(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let window = Params::read(&query).window()?;
    let asked = window.clone();
    let report = run(&state, move |store, index| {
        trends(index, store, &asked, chrono::Utc::now())
    })
    .await?;
    let page = TrendsPage {
        asset_version: asset_version(),
        windows: window_choices(&window),
        trends: TrendsView::new(&report),
        keep: window_query(&window),
        window,
    };
    Ok(render(StatusCode::OK, &page))
}
