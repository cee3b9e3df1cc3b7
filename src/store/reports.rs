//! What the reports need from the database: the search log (written in batches by the search
//! recorder, read by the demand report), coverage snapshots, and facts of the catalog the index
//! does not hold (when offerings were added, costs and credits for medians).

use super::{Store, StoreError};
use chrono::{Duration, NaiveDate};
use rusqlite::params;

/// How long searches are kept: a little over a year, so a whole year's searches can always be
/// compared with the year before's last month. Older ones are deleted as new ones are written.
pub const SEARCH_LOG_DAYS: i64 = 400;

/// One search as the log keeps it: nothing about who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedSearch {
    pub day: NaiveDate,
    /// Normalised words, `""` for a search by filters only.
    pub words: String,
    /// The filters as a query string, `""` for none.
    pub filters: String,
    pub total: u64,
}

/// A search asked in a period, with how often and on how many days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub words: String,
    pub filters: String,
    pub searches: u64,
    pub days: u64,
    /// What it found the last time it was asked.
    pub last_total: u64,
}

/// One competency's figure in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub competency: String,
    pub label: String,
    pub offerings: u64,
}

/// Costs (free ones as 0) and credits (in contact hours) of published offerings in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostFacts {
    /// In US dollars only: other currencies are not converted.
    pub costs_usd: Vec<f64>,
    pub contact_hours: Vec<f64>,
}

/// Which searches a demand query keeps: all, only those that found fewer than some, or only
/// searches by filters alone that found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    All,
    FoundFewerThan(u64),
    FiltersFoundNothing,
}

impl Store {
    /// Writes a batch of searches in one transaction and prunes those past the retention period
    /// (`SEARCH_LOG_DAYS` before the newest day written).
    pub fn log_searches(&self, batch: &[LoggedSearch]) -> Result<(), StoreError> {
        let Some(newest) = batch.iter().map(|s| s.day).max() else {
            return Ok(());
        };
        self.write(|transaction| {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO search_log (day, words, filters, total) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for search in batch {
                insert.execute(params![
                    search.day.to_string(),
                    search.words,
                    search.filters,
                    search.total as i64
                ])?;
            }
            let oldest = newest - Duration::days(SEARCH_LOG_DAYS);
            transaction.execute(
                "DELETE FROM search_log WHERE day < ?1",
                [oldest.to_string()],
            )?;
            Ok(())
        })
    }

    /// Searches asked between `from` and `to` (days, included), grouped by words and filters,
    /// asked on at least `min_days` different days, most asked first (at most `limit`).
    pub fn asked(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        min_days: u64,
        which: Which,
        limit: usize,
    ) -> Result<Vec<Asked>, StoreError> {
        let (condition, having) = match which {
            Which::All => ("1", "1"),
            Which::FoundFewerThan(_) => ("1", "total < ?4"),
            Which::FiltersFoundNothing => ("words = '' AND filters != ''", "total = 0"),
        };
        let fewer = match which {
            Which::FoundFewerThan(n) => n as i64,
            _ => 0,
        };
        // `total` is a bare column beside `max(id)`: SQLite takes it from the newest row.
        let sql = format!(
            "SELECT words, filters, count(*), count(DISTINCT day), total, max(id) FROM search_log \
             WHERE day BETWEEN ?1 AND ?2 AND {condition} GROUP BY words, filters \
             HAVING count(DISTINCT day) >= ?3 AND {having} \
             ORDER BY count(*) DESC, count(DISTINCT day) DESC, words, filters LIMIT ?5"
        );
        let connection = self.connection()?;
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(
            params![
                from.to_string(),
                to.to_string(),
                min_days as i64,
                fewer,
                limit as i64
            ],
            |row| {
                Ok(Asked {
                    words: row.get(0)?,
                    filters: row.get(1)?,
                    searches: row.get::<_, i64>(2)? as u64,
                    days: row.get::<_, i64>(3)? as u64,
                    last_total: row.get::<_, i64>(4)? as u64,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many searches were asked between `from` and `to` (days, included).
    pub fn searches_asked(&self, from: NaiveDate, to: NaiveDate) -> Result<u64, StoreError> {
        let connection = self.connection()?;
        let count: i64 = connection.query_row(
            "SELECT count(*) FROM search_log WHERE day BETWEEN ?1 AND ?2",
            [from.to_string(), to.to_string()],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }

    /// Stores a snapshot of coverage taken on `day`, replacing one taken the same day.
    pub fn save_snapshot(&self, day: NaiveDate, rows: &[SnapshotRow]) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "DELETE FROM coverage_snapshots WHERE taken_on = ?1",
                [day.to_string()],
            )?;
            let mut insert = transaction.prepare_cached(
                "INSERT INTO coverage_snapshots (taken_on, competency, label, offerings) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for row in rows {
                insert.execute(params![
                    day.to_string(),
                    row.competency,
                    row.label,
                    row.offerings as i64
                ])?;
            }
            Ok(())
        })
    }

    /// The last `count` snapshots, newest first: (day, rows in the order they were saved).
    pub fn snapshots(&self, count: usize) -> Result<Vec<(String, Vec<SnapshotRow>)>, StoreError> {
        let connection = self.connection()?;
        let mut days = connection.prepare(
            "SELECT DISTINCT taken_on FROM coverage_snapshots ORDER BY taken_on DESC LIMIT ?1",
        )?;
        let days: Vec<String> = days
            .query_map([count as i64], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut rows = connection.prepare(
            "SELECT competency, label, offerings FROM coverage_snapshots WHERE taken_on = ?1 \
             ORDER BY rowid",
        )?;
        let mut snapshots = Vec::new();
        for day in days {
            let figures = rows
                .query_map([&day], |row| {
                    Ok(SnapshotRow {
                        competency: row.get(0)?,
                        label: row.get(1)?,
                        offerings: row.get::<_, i64>(2)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
            snapshots.push((day, figures));
        }
        Ok(snapshots)
    }

    /// Published offerings added to the catalog per month (`YYYY-MM`), from `from` to `to`.
    pub fn added_per_month(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT substr(created_at, 1, 7) AS month, count(*) FROM offerings \
             WHERE status = 'published' AND substr(created_at, 1, 10) BETWEEN ?1 AND ?2 \
             GROUP BY month ORDER BY month",
        )?;
        let rows = statement.query_map([from.to_string(), to.to_string()], |row| {
            Ok((row.get(0)?, row.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Costs and credits of published offerings taking place between `from` and `to` (as the
    /// search's dates have it: ending on or after `from`, starting before the day after `to`).
    pub fn cost_facts(&self, from: NaiveDate, to: NaiveDate) -> Result<CostFacts, StoreError> {
        let start = |day: NaiveDate| day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
        let (from, after) = (start(from), start(to.succ_opt().unwrap_or(to)));
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT cost_amount, cost_currency, credits_amount, credits_unit FROM offerings \
             WHERE status = 'published' AND ends_at >= ?1 AND starts_at < ?2",
        )?;
        let mut facts = CostFacts::default();
        let rows = statement.query_map([from, after], |row| {
            Ok((
                row.get::<_, Option<f64>>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<f64>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        for row in rows {
            let (cost, currency, credits, unit) = row?;
            match (cost, currency.as_deref()) {
                (Some(0.0), _) => facts.costs_usd.push(0.0),
                (Some(amount), Some("USD") | None) => facts.costs_usd.push(amount),
                _ => {}
            }
            if let Some(amount) = credits {
                let hours = if unit.as_deref() == Some("ceu") {
                    amount * 10.0
                } else {
                    amount
                };
                facts.contact_hours.push(hours);
            }
        }
        Ok(facts)
    }
}
