//! Unmet demand: what searchers ask for, and what finds nothing.
//!
//! Every first page of a search (the page and the JSON API) is recorded: its words normalised, its
//! filters, how many offerings it found, and the day; never an address, an account, a cookie or a
//! time of day. Recording is off the request's path: the handler hands the search to a bounded
//! channel (`Recorder::record` never waits; when the channel is full the search is not recorded)
//! and a thread of its own writes what has come in, one transaction per batch. A failed write is
//! logged and the batch dropped; a search never fails for it. The store keeps `SEARCH_LOG_DAYS`.
//!
//! The public summary lists only searches asked on at least `PUBLIC_MIN_DAYS` different days, so
//! no one person's searches can be read back; administrators see everything.

use super::{ReportError, Window};
use crate::search::{SearchRequest, SearchResults};
use crate::store::{Asked, LoggedSearch, SEARCH_LOG_DAYS, Store, Which};
use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

/// The public summary shows a search only when it was asked on at least this many days.
pub const PUBLIC_MIN_DAYS: u64 = 5;
/// Searches finding fewer than this many offerings count as unmet.
pub const FEW: u64 = 3;
/// Searches waiting to be written at most; more are dropped rather than slow a search.
const QUEUE: usize = 4096;
/// Searches written in one transaction at most.
const BATCH: usize = 512;
/// Lines of each list of the report.
const LIMIT: usize = 50;

/// Hands searches to the writer thread.
#[derive(Debug, Clone)]
pub struct Recorder {
    sender: SyncSender<LoggedSearch>,
}

impl Recorder {
    /// Starts the writer thread on `store`; it ends when the last `Recorder` is dropped.
    pub fn start(store: Store) -> Recorder {
        let (sender, receiver) = sync_channel(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("search-log".into())
            .spawn(move || write_batches(&store, &receiver));
        if let Err(error) = spawned {
            tracing::warn!(%error, "searches will not be recorded: no thread for the log");
        }
        Recorder { sender }
    }

    /// Records a search, unless it is a later page of one (its first page was recorded). Never
    /// waits and never fails: a full queue or a stopped writer loses the record only.
    pub fn record(&self, request: &SearchRequest, results: &SearchResults, day: NaiveDate) {
        if request.page != 1 {
            return;
        }
        // What the words as typed found: when only a corrected query found something, nothing;
        // offerings added as related to what they found are not counted.
        let total = match results.corrected_query {
            Some(_) => 0,
            None => (results.total - results.related) as u64,
        };
        let search = LoggedSearch {
            day,
            words: normalise(&request.query),
            filters: filters_of(request),
            total,
        };
        match self.sender.try_send(search) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::debug!("search log queue full; one not recorded")
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

/// The writer thread: waits for a search, takes what else has come in (up to a batch), writes.
fn write_batches(store: &Store, receiver: &Receiver<LoggedSearch>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(search) => batch.push(search),
                Err(_) => break,
            }
        }
        if let Err(error) = store.log_searches(&batch) {
            tracing::warn!(%error, searches = batch.len(), "searches could not be recorded");
        }
    }
}

/// Words as the log keeps them: lowercase, letters, digits and inner dashes, one space apart,
/// at most 200 characters; so "Teen  Services!" and "teen services" count as one search.
pub fn normalise(query: &str) -> String {
    let words: Vec<String> = query
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map(|word| word.trim_matches(['-', '\'']).to_lowercase())
        .filter(|word| !word.is_empty())
        .collect();
    words.join(" ").chars().take(200).collect()
}

/// The filters of a search as a query string in a fixed order, without words, paging or order.
fn filters_of(request: &SearchRequest) -> String {
    let mut pairs: Vec<(String, String)> = request
        .to_pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "page" | "per_page" | "sort"))
        .collect();
    pairs.sort();
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish()
}

/// One search of the report: what was asked, how often, what it found last, and the search
/// now (to see whether it still finds nothing).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AskedSearch {
    pub words: String,
    /// The filters as a query string (`format=online_live&free=true`).
    pub filters: String,
    pub searches: u64,
    pub days: u64,
    pub last_total: u64,
    /// The search page for the same words and filters.
    pub search: String,
}

impl AskedSearch {
    fn new(asked: Asked) -> AskedSearch {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if !asked.words.is_empty() {
            pairs.push(("q".into(), asked.words.clone()));
        }
        pairs.extend(url::form_urlencoded::parse(asked.filters.as_bytes()).into_owned());
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        AskedSearch {
            search: if query.is_empty() {
                "/search".to_owned()
            } else {
                format!("/search?{query}")
            },
            words: asked.words,
            filters: asked.filters,
            searches: asked.searches,
            days: asked.days,
            last_total: asked.last_total,
        }
    }

    /// The filters as people read them: `format: online_live; free: true`.
    pub fn filters_text(&self) -> String {
        url::form_urlencoded::parse(self.filters.as_bytes())
            .map(|(name, value)| format!("{name}: {value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The demand report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Demand {
    /// The days of searches it covers (the window's length, back from today).
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Whether this is the public summary (searches asked on fewer than `min_days` days left out).
    pub public: bool,
    pub min_days: u64,
    /// How many days searches are kept.
    pub retention_days: i64,
    /// Searches recorded in the period (all of them, even in the public summary).
    pub searches: u64,
    pub most_asked: Vec<AskedSearch>,
    /// Searches whose last answer held fewer than 3 offerings.
    pub unmet: Vec<AskedSearch>,
    /// Searches by filters alone (no words) that found nothing.
    pub empty_combinations: Vec<AskedSearch>,
}

/// The period of searches a window stands for: as many months back from today as it spans
/// ahead (a past window is itself).
pub fn period(window: &Window, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    if window.include_past {
        return (window.from, window.to.min(today));
    }
    let months = (window.to.year_month() - window.from.year_month()).max(1) as u32;
    let from = today
        .checked_sub_months(Months::new(months))
        .unwrap_or(today);
    (from, today)
}

trait YearMonth {
    fn year_month(&self) -> i64;
}

impl YearMonth for NaiveDate {
    fn year_month(&self) -> i64 {
        use chrono::Datelike;
        i64::from(self.year()) * 12 + i64::from(self.month0())
    }
}

/// Builds the report: `public` leaves out what fewer than `PUBLIC_MIN_DAYS` days asked.
pub fn demand(
    store: &Store,
    window: &Window,
    public: bool,
    today: NaiveDate,
) -> Result<Demand, ReportError> {
    let (from, to) = period(window, today);
    let min_days = if public { PUBLIC_MIN_DAYS } else { 1 };
    let list = |which| -> Result<Vec<AskedSearch>, ReportError> {
        Ok(store
            .asked(from, to, min_days, which, LIMIT)?
            .into_iter()
            .map(AskedSearch::new)
            .collect())
    };
    Ok(Demand {
        from,
        to,
        public,
        min_days,
        retention_days: SEARCH_LOG_DAYS,
        searches: store.searches_asked(from, to)?,
        most_asked: list(Which::All)?,
        unmet: list(Which::FoundFewerThan(FEW))?,
        empty_combinations: list(Which::FiltersFoundNothing)?,
    })
}

/// The report as CSV: one line a search of each list, the list named first.
pub fn to_csv(report: &Demand) -> String {
    let lists = [
        ("most_asked", &report.most_asked),
        ("unmet", &report.unmet),
        ("empty_combination", &report.empty_combinations),
    ];
    let rows = lists.into_iter().flat_map(|(list, searches)| {
        searches.iter().map(move |s| {
            vec![
                list.to_owned(),
                s.words.clone(),
                s.filters.clone(),
                s.searches.to_string(),
                s.days.to_string(),
                s.last_total.to_string(),
            ]
        })
    });
    super::csv(
        &["list", "words", "filters", "searches", "days", "last_total"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_normalised_and_filters_kept_in_order() {
        assert_eq!(normalise("  Teen   Services!! "), "teen services");
        assert_eq!(normalise("\"Front-line\" -fees"), "front-line fees");
        let request = SearchRequest::from_pairs([
            ("q", "x"),
            ("free", "true"),
            ("format", "hybrid"),
            ("page", "1"),
        ])
        .unwrap();
        assert_eq!(filters_of(&request), "format=hybrid&free=true");
    }
}
