//! `/reports`: the state of CE in the catalog, for the people who plan it (see `crate::reports`).
//! One module per report; this one reads the parameters they share (`window`, `from`, `to`, `by`,
//! `framework`), runs a report off the async threads, and holds the index page that prints as a
//! brief. The JSON and CSV exports are `web::routes::reports`.

pub mod charts;
mod coverage;
mod demand;
mod places;
mod trends;

pub use coverage::coverage_page;
pub use demand::demand_page;
pub use places::places_page;
pub use trends::trends_page;

use super::{asset_version, render};
use crate::reports::{ReportError, WINDOWS, Window};
use crate::search::SearchIndex;
use crate::store::Store;
use crate::web::{ApiError, AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

impl From<ReportError> for PageError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::BadParameter(error) => PageError::BadParameter(error),
            ReportError::Search(error) => error.into(),
            ReportError::Store(error) => error.into(),
            error => PageError::internal(error),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::BadParameter(error) => error.into(),
            ReportError::Search(error) => error.into(),
            ReportError::Store(error) => error.into(),
            error => ApiError::internal(error),
        }
    }
}

/// The parameters the reports share, as given (the first of each; others are ignored).
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub window: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
    pub framework: Option<String>,
    /// `csv` or `json`, for the exports.
    pub format: Option<String>,
}

impl Params {
    pub fn read(pairs: &[(String, String)]) -> Params {
        let first = |name: &str| {
            pairs
                .iter()
                .find(|(key, value)| key == name && !value.is_empty())
                .map(|(_, value)| value.clone())
        };
        Params {
            window: first("window"),
            from: first("from"),
            to: first("to"),
            by: first("by"),
            framework: first("framework"),
            format: first("format"),
        }
    }

    /// The same, read as the API reads a program's parameters: exactly, so a known parameter
    /// given empty is an error naming it (a form's empty field means "not set").
    pub fn read_exact(pairs: &[(String, String)]) -> Result<Params, ReportError> {
        const KNOWN: [&str; 6] = ["window", "from", "to", "by", "framework", "format"];
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, value)| value.is_empty() && KNOWN.contains(&name.as_str()))
        {
            return Err(crate::reports::bad(name, "must not be empty"));
        }
        Ok(Params::read(pairs))
    }

    /// The window these parameters name, seen from today.
    pub fn window(&self) -> Result<Window, ReportError> {
        Window::read(
            self.window.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
            chrono::Utc::now().date_naive(),
        )
    }
}

/// Runs report work with the store and the index off the async threads.
pub async fn run<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Store, &SearchIndex) -> Result<T, ReportError> + Send + 'static,
) -> Result<T, ReportError> {
    let (store, index) = (state.store.clone(), state.index.clone());
    match web::block(move || work(&store, &index)).await {
        Ok(result) => result,
        Err(error) => Err(ReportError::Interrupted(error.to_string())),
    }
}

/// A choice of a select menu: (value, label, selected).
pub type Choice = (String, String, bool);

/// The window menu, with `chosen` selected.
pub fn window_choices(chosen: &Window) -> Vec<Choice> {
    WINDOWS
        .iter()
        .map(|(name, label)| {
            (
                (*name).to_owned(),
                (*label).to_owned(),
                *name == chosen.name,
            )
        })
        .collect()
}

/// A section of the brief: a report's name, what it answers, its address.
pub struct Section {
    pub title: &'static str,
    pub question: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    asset_version: &'static str,
    window: Window,
    windows: Vec<Choice>,
    sections: Vec<Section>,
    coverage: Vec<coverage::FrameworkGaps>,
    places: places::MapView,
    trends: trends::TrendsView,
    demand: crate::reports::demand::Demand,
}

/// `/reports`: every report in brief, printable as a "state of CE" brief.
#[route("/reports", method = "GET", method = "HEAD")]
pub async fn reports_page(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let params = Params::read(&query);
    let window = params.window()?;
    let asked = window.clone();
    let (coverage, places, trends, demand) = run(&state, move |store, index| {
        let now = chrono::Utc::now();
        let frameworks = store.frameworks()?;
        let ask = crate::reports::coverage::Ask::new(asked.clone(), None, None, &frameworks)?;
        Ok((
            crate::reports::coverage::totals(index, &frameworks, &ask, now)?,
            crate::reports::places::places(index, &asked, now)?,
            crate::reports::trends::trends(index, store, &asked, now)?,
            crate::reports::demand::demand(store, &asked, true, now.date_naive())?,
        ))
    })
    .await?;
    let keep = window_query(&window);
    let page = ReportsPage {
        asset_version: asset_version(),
        windows: window_choices(&window),
        sections: vec![
            section(
                "Coverage",
                "Which competencies have no upcoming training?",
                "coverage",
                &keep,
            ),
            section(
                "Places",
                "Where is there no in-person CE within reach?",
                "places",
                &keep,
            ),
            section(
                "Trends",
                "Is the field moving online? What does CE cost?",
                "trends",
                &keep,
            ),
            section(
                "Unmet demand",
                "What do people search for and not find?",
                "demand",
                &keep,
            ),
        ],
        coverage: coverage::gaps_by_framework(&coverage),
        places: places::MapView::new(&places),
        trends: trends::TrendsView::new(&trends),
        demand,
        window,
    };
    Ok(render(StatusCode::OK, &page))
}

fn section(title: &'static str, question: &'static str, path: &str, keep: &str) -> Section {
    Section {
        title,
        question,
        url: format!("/reports/{path}{keep}"),
    }
}

/// `?window=…` (or the custom dates) to carry the window from one report to another.
pub fn window_query(window: &Window) -> String {
    let pairs: Vec<(&str, String)> = if window.name == "custom" {
        vec![
            ("from", window.from.to_string()),
            ("to", window.to.to_string()),
        ]
    } else {
        vec![("window", window.name.clone())]
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("?{query}")
}
