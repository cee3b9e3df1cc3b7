//! Trends: offerings taking place each month of the window by format and by kind of provider
//! (one search a month: its format and provider-kind facets), the shares online and free, median
//! cost and credits (from the store: the index holds no medians), offerings added per month over
//! the past year (the store's `created_at`), and how coverage of each competency changed between
//! the last two snapshots (`report snapshot`).

use super::{Cell, ReportError, Window, count, facet_count};
use crate::catalog::{ClosedVocabulary, Format, ProviderKind};
use crate::search::SearchIndex;
use crate::store::{SnapshotRow, Store};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;

/// One month of the window.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub offerings: Cell,
    /// One per format, in `Trends::formats` order.
    pub by_format: Vec<Cell>,
    /// One per kind of provider, in `Trends::provider_kinds` order.
    pub by_provider_kind: Vec<Cell>,
}

/// A share of the window's offerings, with the search finding them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub label: String,
    pub offerings: Cell,
    /// Of all offerings in the window, in percent (0 when there are none).
    pub percent: f64,
}

/// A competency whose coverage changed between the last two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub competency: String,
    pub label: String,
    pub before: u64,
    pub after: u64,
}

/// The trends report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trends {
    pub window: Window,
    pub formats: Vec<String>,
    pub provider_kinds: Vec<String>,
    pub months: Vec<Month>,
    pub total: Cell,
    /// Online (live and self-paced), in person (and conferences), hybrid, and free.
    pub shares: Vec<Share>,
    /// Median cost in US dollars of offerings in the window priced in dollars or free.
    pub median_cost_usd: Option<f64>,
    /// Median credits in contact hours (1 CEU = 10) of offerings in the window giving credits.
    pub median_contact_hours: Option<f64>,
    /// Published offerings added to the catalog per month over the past year: (`YYYY-MM`, count).
    pub added: Vec<(String, u64)>,
    /// The days of the two last snapshots compared (older, newer), if there are two.
    pub snapshots: Option<(String, String)>,
    pub changes: Vec<Change>,
}

/// Builds the report.
pub fn trends(
    index: &SearchIndex,
    store: &Store,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<Trends, ReportError> {
    let formats = Format::values();
    let kinds = ProviderKind::values();
    let mut months = Vec::new();
    for (first, last) in months_of(window.from, window.to) {
        let mut request = window.request();
        (request.from, request.to) = (Some(first), Some(last));
        let found = count(index, &request, Some(&["format", "provider_kind"]), now)?;
        let cells = |dimension: &'static str, values: &[&str]| -> Vec<Cell> {
            values
                .iter()
                .map(|value| {
                    let mut narrowed = request.clone();
                    narrowed
                        .filters
                        .insert(dimension, vec![(*value).to_owned()]);
                    Cell::new(facet_count(&found, dimension, value), &narrowed)
                })
                .collect()
        };
        months.push(Month {
            month: format!("{:04}-{:02}", first.year(), first.month()),
            offerings: Cell::new(found.total as u64, &request),
            by_format: cells("format", &formats),
            by_provider_kind: cells("provider_kind", &kinds),
        });
    }
    let (total, shares) = shares(index, window, now)?;
    let facts = store.cost_facts(window.from, window.to)?;
    let today = now.date_naive();
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let (snapshots, changes) = changes(store)?;
    Ok(Trends {
        window: window.clone(),
        formats: formats.iter().map(|f| (*f).to_owned()).collect(),
        provider_kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        months,
        total,
        shares,
        median_cost_usd: median(facts.costs_usd),
        median_contact_hours: median(facts.contact_hours),
        added: store.added_per_month(year_ago, today)?,
        snapshots,
        changes,
    })
}

/// The window's months: (first day, last day), each cut to the window.
fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut months = Vec::new();
    let mut start = from.with_day(1).unwrap_or(from);
    while start <= to && months.len() < 60 {
        let Some(next) = start.checked_add_months(Months::new(1)) else {
            break;
        };
        let last = next.pred_opt().unwrap_or(next);
        months.push((start.max(from), last.min(to)));
        start = next;
    }
    months
}

/// The window's total and its shares online, in person, hybrid and free.
fn shares(
    index: &SearchIndex,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<(Cell, Vec<Share>), ReportError> {
    let base = window.request();
    let everything = count(index, &base, Some(&["format"]), now)?;
    let total = everything.total as u64;
    let percent = |n: u64| {
        if total == 0 {
            0.0
        } else {
            (n as f64 * 1000.0 / total as f64).round() / 10.0
        }
    };
    let mut shares = Vec::new();
    for (label, formats) in [
        ("Online", &["online_live", "online_self_paced"][..]),
        ("In person", &["in_person", "conference"][..]),
        ("Hybrid", &["hybrid"][..]),
    ] {
        let mut request = base.clone();
        request
            .filters
            .insert("format", formats.iter().map(|f| (*f).to_owned()).collect());
        let n: u64 = formats
            .iter()
            .map(|f| facet_count(&everything, "format", f))
            .sum();
        shares.push(Share {
            label: label.to_owned(),
            offerings: Cell::new(n, &request),
            percent: percent(n),
        });
    }
    let free = super::SearchRequest {
        free: true,
        ..base.clone()
    };
    let n = count(index, &free, Some(&[]), now)?.total as u64;
    shares.push(Share {
        label: "Free".to_owned(),
        offerings: Cell::new(n, &free),
        percent: percent(n),
    });
    Ok((Cell::new(total, &base), shares))
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

/// Competencies whose figure differs between the last two snapshots, biggest change first.
type Compared = (Option<(String, String)>, Vec<Change>);

fn changes(store: &Store) -> Result<Compared, ReportError> {
    let snapshots = store.snapshots(2)?;
    let [(newer_day, newer), (older_day, older)] = snapshots.as_slice() else {
        return Ok((None, Vec::new()));
    };
    Ok((
        Some((older_day.clone(), newer_day.clone())),
        compare(older, newer),
    ))
}

fn compare(older: &[SnapshotRow], newer: &[SnapshotRow]) -> Vec<Change> {
    let before: std::collections::HashMap<&str, u64> = older
        .iter()
        .map(|row| (row.competency.as_str(), row.offerings))
        .collect();
    let mut changes: Vec<Change> = newer
        .iter()
        .map(|row| Change {
            competency: row.competency.clone(),
            label: row.label.clone(),
            before: before.get(row.competency.as_str()).copied().unwrap_or(0),
            after: row.offerings,
        })
        .filter(|change| change.before != change.after)
        .collect();
    changes.sort_by_key(|c| std::cmp::Reverse(c.after.abs_diff(c.before)));
    changes
}

/// The report as CSV: one line a month, a column per format and kind of provider.
pub fn to_csv(report: &Trends) -> String {
    let mut header = vec!["month".to_owned(), "offerings".to_owned()];
    header.extend(report.formats.iter().map(|f| format!("format:{f}")));
    header.extend(
        report
            .provider_kinds
            .iter()
            .map(|k| format!("provider_kind:{k}")),
    );
    let rows = report.months.iter().map(|month| {
        let mut line = vec![month.month.clone(), month.offerings.count.to_string()];
        line.extend(month.by_format.iter().map(|c| c.count.to_string()));
        line.extend(month.by_provider_kind.iter().map(|c| c.count.to_string()));
        line
    });
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    super::csv(&header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_are_cut_to_the_window() {
        let months = months_of(day("2026-11-29"), day("2027-02-03"));
        assert_eq!(months.len(), 4);
        assert_eq!(months[0], (day("2026-11-29"), day("2026-11-30")));
        assert_eq!(months[3], (day("2027-02-01"), day("2027-02-03")));
    }

    #[test]
    fn medians_and_changes() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
        let row = |c: &str, n| SnapshotRow {
            competency: c.into(),
            label: c.into(),
            offerings: n,
        };
        let changes = compare(
            &[row("a", 1), row("b", 2)],
            &[row("a", 1), row("b", 5), row("c", 1)],
        );
        let names: Vec<&str> = changes.iter().map(|c| c.competency.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
    }
}
