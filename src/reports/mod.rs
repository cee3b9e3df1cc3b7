//! Reports for the people who plan CE: which competencies have no upcoming training (`coverage`),
//! where in-person CE takes place (`places`), how the catalog moves over time (`trends`), and what
//! searchers ask for and do not find (`demand`).
//!
//! Counts of offerings are asked of the search index itself, with the same `SearchRequest` a
//! reader gets by following the count's link (`Cell::search`): a count is a search's `total`, or a
//! facet count of a search, which the engine computes exactly as that search with the facet's value
//! chosen would find (`tests/facets.rs`). So every number on a report can be checked by a person,
//! and `tests/reports.rs` checks random ones. Facts only the database knows (when offerings were
//! added, costs' medians, the search log) come from the store.

pub mod coverage;
pub mod demand;
pub mod places;
pub mod trends;

use crate::search::{ParameterError, SearchError, SearchIndex, SearchRequest, SearchResults};
use crate::store::StoreError;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A parameter the reader gave (a window, a framework, a dimension): a 400 naming it.
    #[error(transparent)]
    BadParameter(#[from] ParameterError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The thread the work ran on was lost (a server shutting down).
    #[error("the report was interrupted: {0}")]
    Interrupted(String),
}

/// A parameter error naming `parameter`.
pub fn bad(parameter: &str, message: impl Into<String>) -> ReportError {
    ReportError::BadParameter(ParameterError {
        parameter: parameter.to_owned(),
        message: message.into(),
        suggestions: Vec::new(),
    })
}

/// The windows a reader may choose (`window=`), and the one used when none is given.
pub const WINDOWS: [(&str, &str); 5] = [
    ("3m", "Next 3 months"),
    ("6m", "Next 6 months"),
    ("12m", "Next 12 months"),
    ("24m", "Next 24 months"),
    ("past-year", "Past year"),
];
pub const DEFAULT_WINDOW: &str = "12m";

/// The dates a report covers: offerings taking place between `from` and `to` (both included), as
/// the search's `from` and `to` parameters have it. A window in the past counts past offerings too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Window {
    /// `3m` … `past-year`, or `custom` for dates given on the command line or in the API.
    pub name: String,
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Whether offerings that have ended count (a window starting before today).
    pub include_past: bool,
}

impl Window {
    /// The window a request names (`window`), or the dates it gives (`from` and `to`, which win),
    /// seen from `today`. An unknown window, a bad date or a `to` before `from` is an error
    /// naming the parameter.
    pub fn read(
        window: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Window, ReportError> {
        if from.is_some() || to.is_some() {
            let date = |name: &str, value: Option<&str>| -> Result<NaiveDate, ReportError> {
                let value = value.ok_or_else(|| bad(name, "give both `from` and `to`"))?;
                NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| bad(name, format!("`{value}` is not a date (YYYY-MM-DD)")))
            };
            let (from, to) = (date("from", from)?, date("to", to)?);
            if to < from {
                return Err(bad("to", "is before `from`"));
            }
            // A report reads every month of its window: a century is more than anyone plans.
            if to.years_since(from).unwrap_or(0) > 100 {
                return Err(bad("to", "is more than 100 years after `from`"));
            }
            return Ok(Window {
                name: "custom".to_owned(),
                label: format!("{from} to {to}"),
                from,
                to,
                include_past: from < today,
            });
        }
        let name = window.unwrap_or(DEFAULT_WINDOW);
        let Some((name, label)) = WINDOWS.iter().find(|(known, _)| *known == name) else {
            let known: Vec<&str> = WINDOWS.iter().map(|(name, _)| *name).collect();
            return Err(bad(
                "window",
                format!(
                    "unknown window `{name}`, expected one of: {}",
                    known.join(", ")
                ),
            ));
        };
        let months = |n: u32, date: NaiveDate| date.checked_add_months(Months::new(n));
        let (from, to, include_past) = match *name {
            "past-year" => (today.checked_sub_months(Months::new(12)), Some(today), true),
            months_ahead => {
                let n = months_ahead.trim_end_matches('m').parse().unwrap_or(12);
                (Some(today), months(n, today), false)
            }
        };
        let unreachable = || bad("window", "reaches past the calendar");
        Ok(Window {
            name: (*name).to_owned(),
            label: (*label).to_owned(),
            from: from.ok_or_else(unreachable)?,
            to: to.ok_or_else(unreachable)?,
            include_past,
        })
    }

    /// The search of every offering in the window: no words, no filters.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            from: Some(self.from),
            to: Some(self.to),
            include_past: self.include_past,
            per_page: 1,
            ..SearchRequest::default()
        }
    }
}

/// A count of offerings and the search that finds exactly them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Cell {
    pub count: u64,
    /// The search page listing these offerings (`/search?…`); the same parameters give the same
    /// `total` from `/api/v1/search`.
    pub search: String,
}

impl Cell {
    pub fn new(count: u64, request: &SearchRequest) -> Cell {
        Cell {
            count,
            search: search_link(request),
        }
    }

    /// A gap worth marking: no offering (`none`) or only one (`one`).
    pub fn gap(&self) -> Option<&'static str> {
        match self.count {
            0 => Some("none"),
            1 => Some("one"),
            _ => None,
        }
    }
}

/// The search page's address for a request (as `web::pages::search_url` writes it).
pub fn search_link(request: &SearchRequest) -> String {
    let mut request = request.clone();
    request.per_page = 20;
    let pairs = request.to_pairs();
    if pairs.is_empty() {
        return "/search".to_owned();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    format!("/search?{query}")
}

/// Runs a search for its counts only (one hit, the smallest page), counting only the facets
/// named (`None`: every one): a report runs dozens of searches.
pub fn count(
    index: &SearchIndex,
    request: &SearchRequest,
    facets: Option<&[&'static str]>,
    now: DateTime<Utc>,
) -> Result<SearchResults, ReportError> {
    let request = SearchRequest {
        per_page: 1,
        page: 1,
        facets: facets.map(<[_]>::to_vec),
        ..request.clone()
    };
    Ok(index.search(&request, now)?)
}

/// The count a search's facet gives a value (0 when the facet does not list it).
pub fn facet_count(results: &SearchResults, dimension: &str, value: &str) -> u64 {
    results
        .facets
        .get(dimension)
        .and_then(|values| values.iter().find(|v| v.value == value))
        .map_or(0, |v| v.count)
}

/// Writes rows as CSV (RFC 4180), a header first; cells that a spreadsheet would run as a formula
/// are quoted as `formats::table` does.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let defuse = |cell: String| {
        if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            cell
        }
    };
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row.into_iter().map(defuse));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows_are_read_from_today() {
        let today = day("2026-11-29");
        let window = Window::read(None, None, None, today).unwrap();
        assert_eq!((window.from, window.to), (today, day("2027-11-29")));
        assert!(!window.include_past);
        let past = Window::read(Some("past-year"), None, None, today).unwrap();
        assert_eq!((past.from, past.to), (day("2025-11-29"), today));
        assert!(past.include_past);
        let custom = Window::read(None, Some("2027-01-01"), Some("2027-03-31"), today).unwrap();
        assert_eq!(custom.name, "custom");
        for (window, from, to, parameter) in [
            (Some("5m"), None, None, "window"),
            (None, Some("2027-01-01"), None, "to"),
            (None, Some("soon"), Some("2027-01-01"), "from"),
            (None, Some("2027-02-01"), Some("2027-01-01"), "to"),
            (None, Some("1900-01-01"), Some("2100-01-01"), "to"),
        ] {
            match Window::read(window, from, to, today) {
                Err(ReportError::BadParameter(error)) => assert_eq!(error.parameter, parameter),
                other => panic!("{window:?} {from:?} {to:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        let text = csv(&["a", "b"], [vec!["=1+1".to_owned(), "x, y".to_owned()]]);
        assert_eq!(text, "a,b\n'=1+1,\"x, y\"\n");
    }
}
