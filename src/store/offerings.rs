//! Offerings in SQL: one row per offering plus real link tables for audiences, competencies,
//! prerequisites and certifications.

use super::{Store, StoreError};
use crate::catalog::{Cost, Credits, Location, Offering, OfferingStatus, Series};
use rusqlite::{Connection, Row, params};
use std::collections::{HashMap, HashSet};

/// An offering with what the store knows about it beyond the bundle format.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOffering {
    pub offering: Offering,
    pub status: OfferingStatus,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    /// What its participants rated it overall, once public (`PUBLIC_MIN_RESPONSES` answers).
    pub rating: Option<Rating>,
}

/// An offering's participants' overall rating, as search sorts and filters by it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// The mean overall rating, 1–5.
    pub mean: f64,
    /// How many answered.
    pub count: u64,
}

/// The columns `from_row` reads, in the order it reads them.
const COLUMNS: &str = "id, provider, title, description, format, level, start, \"end\", timezone, \
    registration_deadline, venue, city, region, country, cost_amount, cost_currency, credits_amount, \
    credits_unit, learning_outcomes, instructors, url, language, series_id, series_title, series_position, \
    accessibility, status, revision, created_at, updated_at, \
    (SELECT count(*) FROM evaluation_responses r WHERE r.offering_id = offerings.id) AS rating_count, \
    (SELECT avg(overall) FROM evaluation_responses r WHERE r.offering_id = offerings.id) AS rating_mean";

/// A stored value that does not parse back: the file was edited by hand or by a newer version.
fn corrupt(message: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, message.into())
}

/// A row's columns read one after another, by position. Read by name, each column's name was
/// compared with those before it: a sixth of a reindex's reading of the database. Builds with
/// debug assertions (the tests) check that each is the column named.
struct Columns<'a, 'row> {
    row: &'a Row<'row>,
    at: usize,
}

impl<'a, 'row> Columns<'a, 'row> {
    fn of(row: &'a Row<'row>) -> Self {
        Columns { row, at: 0 }
    }

    fn next<T: rusqlite::types::FromSql>(&mut self, name: &str) -> rusqlite::Result<T> {
        let at = self.at;
        self.at += 1;
        debug_assert_eq!(self.row.as_ref().column_name(at).ok(), Some(name));
        self.row.get(at)
    }

    fn parsed<T: std::str::FromStr<Err = String>>(&mut self, name: &str) -> rusqlite::Result<T> {
        self.next::<String>(name)?.parse().map_err(corrupt)
    }

    fn json_list(&mut self, name: &str) -> rusqlite::Result<Vec<String>> {
        serde_json::from_str(&self.next::<String>(name)?).map_err(corrupt)
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredOffering> {
    let mut column = Columns::of(row);
    let id = column.next("id")?;
    let provider = column.next("provider")?;
    let title = column.next("title")?;
    let description = column.next("description")?;
    let format = column.parsed("format")?;
    let level = column.parsed("level")?;
    let start = column.next("start")?;
    let end = column.next("end")?;
    let timezone = column.next("timezone")?;
    let registration_deadline = column.next("registration_deadline")?;
    let venue = column.next("venue")?;
    let city: Option<String> = column.next("city")?;
    let region = column.next("region")?;
    let country: Option<String> = column.next("country")?;
    let location = match (city, country) {
        (Some(city), Some(country)) => Some(Location {
            venue,
            city,
            region,
            country,
        }),
        _ => None,
    };
    let cost = match (
        column.next::<Option<f64>>("cost_amount")?,
        column.next::<Option<String>>("cost_currency")?,
    ) {
        (Some(amount), Some(currency)) => Some(Cost { amount, currency }),
        _ => None,
    };
    let credits_amount: Option<f64> = column.next("credits_amount")?;
    let credits_unit: Option<String> = column.next("credits_unit")?;
    let credits = match (credits_amount, credits_unit) {
        (Some(amount), Some(unit)) => Some(Credits {
            amount,
            unit: unit.parse().map_err(corrupt)?,
        }),
        (Some(_), None) => return Err(corrupt("credits without a unit")),
        _ => None,
    };
    let learning_outcomes = column.json_list("learning_outcomes")?;
    let instructors = column.json_list("instructors")?;
    let url = column.next("url")?;
    let language = column.next("language")?;
    let series_id: Option<String> = column.next("series_id")?;
    let series_title = column.next("series_title")?;
    let series_position: Option<i64> = column.next("series_position")?;
    let series = match (series_id, series_position) {
        (Some(id), Some(position)) => Some(Series {
            id,
            title: series_title,
            position,
        }),
        (Some(_), None) => return Err(corrupt("a series without a position")),
        _ => None,
    };
    let accessibility = column.next("accessibility")?;
    let offering = Offering {
        id,
        title,
        description,
        provider,
        format,
        audiences: Vec::new(),
        level,
        competencies: Vec::new(),
        start,
        end,
        timezone,
        registration_deadline,
        location,
        cost,
        credits,
        learning_outcomes,
        instructors,
        url,
        language,
        series,
        prerequisites: Vec::new(),
        certifications: Vec::new(),
        accessibility,
    };
    Ok(StoredOffering {
        offering,
        status: column.parsed("status")?,
        revision: column.next("revision")?,
        created_at: column.next("created_at")?,
        updated_at: column.next("updated_at")?,
        rating: match (
            column.next::<i64>("rating_count")?,
            column.next::<Option<f64>>("rating_mean")?,
        ) {
            (count, Some(mean))
                if count as usize >= crate::participant_evaluations::PUBLIC_MIN_RESPONSES =>
            {
                Some(Rating {
                    mean,
                    count: count as u64,
                })
            }
            _ => None,
        },
    })
}

/// Reads offerings matching `filter` (an SQL condition on `offerings`, written by this module's
/// callers, never by users) with all their links, in id order.
pub(crate) fn read_where(
    connection: &Connection,
    filter: &str,
    parameters: impl rusqlite::Params + Copy,
) -> Result<Vec<StoredOffering>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM offerings WHERE {filter} ORDER BY id");
    let mut statement = connection.prepare(&sql)?;
    let mut offerings: Vec<StoredOffering> = statement
        .query_map(parameters, from_row)?
        .collect::<Result<_, _>>()?;
    let positions: HashMap<String, usize> = offerings
        .iter()
        .enumerate()
        .map(|(index, stored)| (stored.offering.id.clone(), index))
        .collect();
    let links = [
        ("offering_audiences", "audience"),
        ("offering_competencies", "framework || ':' || code"),
        ("offering_prerequisites", "prerequisite_id"),
        ("offering_certifications", "certification"),
    ];
    for (table, value) in links {
        let sql = format!(
            "SELECT offering_id, {value} FROM {table} WHERE offering_id IN \
             (SELECT id FROM offerings WHERE {filter}) ORDER BY offering_id, position"
        );
        let mut statement = connection.prepare(&sql)?;
        let mut rows = statement.query(parameters)?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let Some(&index) = positions.get(&id) else {
                continue;
            };
            let value: String = row.get(1)?;
            let offering = &mut offerings[index].offering;
            match table {
                "offering_audiences" => offering.audiences.push(value.parse().map_err(corrupt)?),
                "offering_competencies" => offering.competencies.push(value),
                "offering_prerequisites" => offering.prerequisites.push(value),
                _ => offering.certifications.push(value),
            }
        }
    }
    Ok(offerings)
}

/// The next `limit` offerings written after revision `after`, whatever their status, with all
/// their links. Each write takes a revision of its own, so the revisions page through them.
pub(crate) fn read_batch_after(
    connection: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<StoredOffering>, StoreError> {
    let last: Option<i64> = connection.query_row(
        "SELECT max(revision) FROM \
         (SELECT revision FROM offerings WHERE revision > ?1 ORDER BY revision LIMIT ?2)",
        rusqlite::params![after, limit as i64],
        |row| row.get(0),
    )?;
    match last {
        None => Ok(Vec::new()),
        Some(last) => read_where(
            connection,
            "revision > ?1 AND revision <= ?2",
            [after, last],
        ),
    }
}

/// The offerings among `ids` that exist, whatever their status, by id: one query for a whole
/// bundle rather than one per offering.
pub(crate) fn read_many(
    connection: &Connection,
    ids: &[&str],
) -> Result<HashMap<String, StoredOffering>, StoreError> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    Ok(read_where(
        connection,
        "id IN (SELECT value FROM json_each(?1))",
        [list.as_str()],
    )?
    .into_iter()
    .map(|stored| (stored.offering.id.clone(), stored))
    .collect())
}

/// One offering by id, whatever its status.
pub(crate) fn read_one(
    connection: &Connection,
    id: &str,
) -> Result<Option<StoredOffering>, StoreError> {
    Ok(read_where(connection, "id = ?1", [id])?.pop())
}

/// Inserts or replaces an offering and its links with the given status and revision.
pub(crate) fn write(
    connection: &Connection,
    offering: &Offering,
    status: OfferingStatus,
    revision: i64,
    now: &str,
) -> Result<(), StoreError> {
    delete_links(connection, &offering.id)?;
    write_row(connection, offering, status, revision, now, true)?;
    insert_links(connection, offering)
}

/// Like `write`, for an offering known not to be stored yet (it has no links to clear): an
/// import of 100,000 new offerings skips 400,000 look-ups.
pub(crate) fn write_created(
    connection: &Connection,
    offering: &Offering,
    status: OfferingStatus,
    revision: i64,
    now: &str,
) -> Result<(), StoreError> {
    write_row(connection, offering, status, revision, now, false)?;
    insert_links(connection, offering)
}

/// The statement writing an offering's row, new (a macro, so that the upsert extends it).
macro_rules! insert_offering {
    () => {
        "INSERT INTO offerings (id, provider, title, description, format, level, start, \"end\", timezone, \
             registration_deadline, venue, city, region, country, cost_amount, cost_currency, credits_amount, \
             credits_unit, learning_outcomes, instructors, url, language, series_id, series_title, \
             series_position, accessibility, starts_at, ends_at, status, revision, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, \
             ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?31)"
    };
}
/// The row of an offering, written new.
const INSERT_OFFERING: &str = insert_offering!();
/// The same, or its changes when the offering is stored already.
const UPSERT_OFFERING: &str = concat!(
    insert_offering!(),
    " ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, title = excluded.title, \
             description = excluded.description, format = excluded.format, level = excluded.level, \
             start = excluded.start, \"end\" = excluded.\"end\", timezone = excluded.timezone, \
             registration_deadline = excluded.registration_deadline, venue = excluded.venue, \
             city = excluded.city, region = excluded.region, country = excluded.country, \
             cost_amount = excluded.cost_amount, cost_currency = excluded.cost_currency, \
             credits_amount = excluded.credits_amount, credits_unit = excluded.credits_unit, \
             learning_outcomes = excluded.learning_outcomes, instructors = excluded.instructors, \
             url = excluded.url, language = excluded.language, series_id = excluded.series_id, \
             series_title = excluded.series_title, series_position = excluded.series_position, \
             accessibility = excluded.accessibility, starts_at = excluded.starts_at, \
             ends_at = excluded.ends_at, status = excluded.status, revision = excluded.revision, \
             updated_at = excluded.updated_at"
);

fn write_row(
    connection: &Connection,
    offering: &Offering,
    status: OfferingStatus,
    revision: i64,
    now: &str,
    upsert: bool,
) -> Result<(), StoreError> {
    let (starts_at, ends_at) = offering.instants();
    let location = offering.location.as_ref();
    // Cached: an import writes thousands in a row. An offering known to be new is written
    // without the upsert, whose possible update made SQLite keep a statement journal of every
    // page the statement changes (a tenth of an import's writing).
    let sql = if upsert {
        UPSERT_OFFERING
    } else {
        INSERT_OFFERING
    };
    connection.prepare_cached(sql)?.execute(params![
        offering.id,
        offering.provider,
        offering.title,
        offering.description,
        offering.format.as_str(),
        offering.level.as_str(),
        offering.start,
        offering.end,
        offering.timezone,
        offering.registration_deadline,
        location.and_then(|l| l.venue.as_deref()),
        location.map(|l| l.city.as_str()),
        location.and_then(|l| l.region.as_deref()),
        location.map(|l| l.country.as_str()),
        offering.cost.as_ref().map(|c| c.amount),
        offering.cost.as_ref().map(|c| c.currency.as_str()),
        offering.credits.as_ref().map(|c| c.amount),
        offering.credits.as_ref().map(|c| c.unit.as_str()),
        serde_json::to_string(&offering.learning_outcomes).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&offering.instructors).unwrap_or_else(|_| "[]".into()),
        offering.url,
        offering.language,
        offering.series.as_ref().map(|s| s.id.as_str()),
        offering.series.as_ref().and_then(|s| s.title.as_deref()),
        offering.series.as_ref().map(|s| s.position),
        offering.accessibility,
        starts_at,
        ends_at,
        status.as_str(),
        revision,
        now,
    ])?;
    Ok(())
}

fn delete_links(connection: &Connection, id: &str) -> Result<(), StoreError> {
    for delete in [
        "DELETE FROM offering_audiences WHERE offering_id = ?1",
        "DELETE FROM offering_competencies WHERE offering_id = ?1",
        "DELETE FROM offering_prerequisites WHERE offering_id = ?1",
        "DELETE FROM offering_certifications WHERE offering_id = ?1",
    ] {
        connection.prepare_cached(delete)?.execute([id])?;
    }
    Ok(())
}

fn insert_links(connection: &Connection, offering: &Offering) -> Result<(), StoreError> {
    let mut audience = connection.prepare_cached(
        "INSERT INTO offering_audiences (offering_id, audience, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, value) in offering.audiences.iter().enumerate() {
        audience.execute(params![offering.id, value.as_str(), position as i64])?;
    }
    let mut competency = connection.prepare_cached(
        "INSERT INTO offering_competencies (offering_id, framework, code, position) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, value) in offering.competencies.iter().enumerate() {
        let (framework, code) = value.split_once(':').unwrap_or((value, ""));
        competency.execute(params![offering.id, framework, code, position as i64])?;
    }
    let mut prerequisite = connection.prepare_cached(
        "INSERT INTO offering_prerequisites (offering_id, prerequisite_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, value) in offering.prerequisites.iter().enumerate() {
        prerequisite.execute(params![offering.id, value, position as i64])?;
    }
    let mut certification = connection.prepare_cached(
        "INSERT INTO offering_certifications (offering_id, certification, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, value) in offering.certifications.iter().enumerate() {
        certification.execute(params![offering.id, value, position as i64])?;
    }
    Ok(())
}

/// Gives every offering matching `filter` a new revision, so the index re-reads them (after a
/// provider or competency they show is renamed).
pub(crate) fn touch_where(
    connection: &Connection,
    filter: &str,
    parameters: impl rusqlite::Params + Copy,
) -> Result<usize, StoreError> {
    let ids: Vec<String> = connection
        .prepare(&format!("SELECT id FROM offerings WHERE {filter}"))?
        .query_map(parameters, |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let revision = super::next_revision(connection)?;
        connection.execute(
            "UPDATE offerings SET revision = ?1 WHERE id = ?2",
            params![revision, id],
        )?;
    }
    Ok(ids.len())
}

impl Store {
    /// `base`, or the first of `base-2`, `base-3`, … that no offering has, whatever its status:
    /// an id derived from a title must not replace another offering. The ids that could collide
    /// are read in one query, a range on the primary key (`'.'` follows `'-'` in the binary
    /// collation), rather than one look-up per candidate.
    pub fn unused_offering_id(&self, base: &str) -> Result<String, StoreError> {
        self.unused_offering_id_besides(base, &HashSet::new())
    }

    /// `unused_offering_id`, also avoiding the ids in `also_taken` (those of an upload's other
    /// rows).
    pub fn unused_offering_id_besides(
        &self,
        base: &str,
        also_taken: &HashSet<String>,
    ) -> Result<String, StoreError> {
        let connection = self.connection()?;
        let mut taken: HashSet<String> = connection
            .prepare(
                "SELECT id FROM offerings \
                 WHERE id = ?1 OR (id >= ?1 || '-' AND id < ?1 || '.')",
            )?
            .query_map([base], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        taken.extend(also_taken.iter().cloned());
        Ok(first_unused(base, &taken))
    }
}

/// The first of `base`, `base-2`, `base-3`, … not in `taken` (found, as `taken` is finite).
fn first_unused(base: &str, taken: &HashSet<String>) -> String {
    std::iter::once(base.to_owned())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Store;
    use crate::catalog::OfferingStatus;

    /// A store holding one seed offering under each of `ids`, the last one withdrawn.
    fn store_with(folder: &std::path::Path, ids: &[&str]) -> Store {
        let store = Store::open(&folder.join("catalog.db")).unwrap();
        let mut bundle = crate::seed::bundle().unwrap();
        let model = bundle.offerings[0].clone();
        bundle.certifications.clear(); // their approvals name seed offerings left out here
        bundle.offerings = ids
            .iter()
            .map(|id| {
                let mut offering = model.clone();
                offering.id = (*id).to_owned();
                offering
            })
            .collect();
        store.import(&bundle, &|| {}).unwrap();
        let withdrawn = bundle.offerings.last().unwrap().clone();
        store
            .write(|t| super::write(t, &withdrawn, OfferingStatus::Withdrawn, 99, "2027-01-01"))
            .unwrap();
        store
    }

    #[test]
    fn an_unused_id_skips_every_taken_number_whatever_its_status() {
        let folder = tempfile::tempdir().unwrap();
        let ids = [
            "grant-writing",
            "grant-writing-2",
            "grant-writing-basics",
            "grant-writing-3",
        ];
        let store = store_with(folder.path(), &ids);
        assert_eq!(
            store.unused_offering_id("grant-writing").unwrap(),
            "grant-writing-4"
        );
        assert_eq!(store.unused_offering_id("grant").unwrap(), "grant");
        assert_eq!(
            store.unused_offering_id("grant-writing-basics").unwrap(),
            "grant-writing-basics-2"
        );
    }

    #[test]
    fn the_first_gap_is_taken() {
        let taken = ["a", "a-2", "a-4"].map(str::to_owned).into();
        assert_eq!(super::first_unused("a", &taken), "a-3");
        assert_eq!(super::first_unused("b", &taken), "b");
    }
}
