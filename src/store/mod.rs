//! SQLite, the source of truth: migrations, queries, transactions and the catalog-wide revision
//! counter that the search index catches up on.
//!
//! Every connection runs in WAL mode with foreign keys on and a busy timeout; writes take the write
//! lock up front (`BEGIN IMMEDIATE`) so two writers queue instead of failing half-way.

mod backup;
mod catalog_rows;
mod evaluations;
mod followups;
mod import;
mod learners;
mod moderation;
mod offerings;
mod reports;
mod sessions;
mod streamed_import;
mod users;

pub use backup::restore;
pub use evaluations::{EvaluationLink, LinkKind, MAX_BATCH, NewFollowup};
pub use followups::{DueFollowup, FollowupLink, FollowupQueue};
pub use import::{Counts, ImportSummary};
pub use learners::{Completion, NewCompletion, PlannedOffering, Proof};
pub use moderation::{
    AuditEntry, Duplicate, Submission, SubmissionKind, SubmissionStatus, UNDO_WITHDRAWAL, Uploaded,
    can_undo_withdrawal,
};
pub use offerings::{Rating, StoredOffering};
pub use reports::{Asked, CostFacts, LoggedSearch, SEARCH_LOG_DAYS, SnapshotRow, Which};
pub use sessions::random_token;
pub use users::{MIN_PASSWORD, Role, User};

use crate::bundle::Problem;
use r2d2::PooledConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("other writers kept the database busy for longer than {} s", BUSY_TIMEOUT.as_secs())]
    Busy,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database {path} is corrupt or not a clearinghouse database: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidOffering(Vec<crate::catalog::FieldError>),
    #[error("{0}")]
    Account(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(
        "your organisation has {pending} submissions waiting for review, and at most {limit} may \
         wait at once: submit more once an administrator has reviewed some"
    )]
    QueueFull { pending: usize, limit: usize },
    #[error("item {0}: {1}")]
    Batch(usize, Box<StoreError>),
    #[error("the bundle has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl StoreError {
    /// Whether the database could not do it just now (another writer held it past the busy
    /// timeout, the disk is full or failing): the request was sound and may be tried again, so
    /// the answer is a 503, never the user's error.
    pub fn is_unavailable(&self) -> bool {
        use rusqlite::ErrorCode::{
            CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, SystemIoFailure,
        };
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
                failure.code,
                DatabaseBusy | DatabaseLocked | DiskFull | SystemIoFailure | CannotOpen
            ),
            StoreError::Pool(_) | StoreError::Io { .. } | StoreError::Busy => true,
            StoreError::Batch(_, inner) => inner.is_unavailable(),
            _ => false,
        }
    }
}

/// The schema's steps, in order; a database records how many it has taken (`user_version`).
const MIGRATION_STEPS: [&str; 9] = [
    include_str!("migrations/001_catalog.sql"),
    include_str!("migrations/002_moderation.sql"),
    include_str!("migrations/003_sessions.sql"),
    include_str!("migrations/004_applications.sql"),
    include_str!("migrations/005_review_queue.sql"),
    include_str!("migrations/006_reports.sql"),
    include_str!("migrations/007_evaluations.sql"),
    include_str!("migrations/008_followups.sql"),
    include_str!("migrations/009_learners.sql"),
];

/// Steps that rebuild a table others refer to: they run with foreign keys off (as SQLite's
/// "other kinds of table schema changes" asks) and are checked before their commit.
const REBUILDS: [&str; 1] = ["009_learners.sql"];

fn migrations() -> Migrations<'static> {
    Migrations::new(
        MIGRATION_STEPS
            .iter()
            .map(|step| {
                let rebuild = REBUILDS
                    .iter()
                    .any(|name| step.contains(&format!("-- step: {name}")));
                if rebuild {
                    M::up(step).foreign_key_check()
                } else {
                    M::up(step)
                }
            })
            .collect(),
    )
}

/// The catalog database: a pool of connections to one SQLite file.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<SqliteConnectionManager>,
    /// This process's writers take turns here before asking SQLite for its write lock. SQLite
    /// makes a waiting writer sleep and retry with growing pauses (up to 100 ms), so under steady
    /// writes one can keep losing for seconds; a queue in the process gives each its turn at
    /// once (fairly: parking_lot hands the lock on in turn when waiters starve). Each waits at
    /// most the busy timeout here too. Other processes (the command line) meet SQLite's.
    writers: std::sync::Arc<parking_lot::Mutex<()>>,
    /// How many submissions one provider may have waiting for review at once.
    max_pending: usize,
}

/// Pending submissions a provider may have unless the server is told otherwise: more than a
/// reviewer can work through in weeks, far fewer than it takes to bury the queue.
pub const DEFAULT_MAX_PENDING: usize = 2_000;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("connections", &self.pool.state().connections)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // A folder not made yet is made, as the index's is. And the file is opened once here:
        // one that cannot be (no permission) fails at once with SQLite's reason, where the pool
        // would retry for 30 s and then report only that it timed out.
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::Io {
                path: folder.to_owned(),
                source,
            })?;
        }
        drop(Connection::open(path)?);
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        let pool = r2d2::Pool::builder().max_size(8).build(manager)?;
        let mut connection = pool.get()?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|error| StoreError::Corrupt {
                path: path.to_owned(),
                message: error.to_string(),
            })?;
        // A step that rebuilds a table others refer to needs foreign keys off while it runs (a
        // pragma that cannot change inside the step's transaction); each such step checks them.
        connection.pragma_update(None, "foreign_keys", false)?;
        let migrated = migrations().to_latest(&mut connection);
        connection.pragma_update(None, "foreign_keys", true)?;
        migrated?;
        Ok(Store {
            pool,
            writers: Default::default(),
            max_pending: DEFAULT_MAX_PENDING,
        })
    }

    /// The same store, allowing each provider `max_pending` submissions waiting for review.
    pub fn with_max_pending(self, max_pending: usize) -> Self {
        Store {
            max_pending,
            ..self
        }
    }

    pub(crate) fn connection(
        &self,
    ) -> Result<PooledConnection<SqliteConnectionManager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs `work` in one write transaction: all of it is committed, or none.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // The turn first: a writer waiting for it holds no pooled connection readers need.
        let _turn = self
            .writers
            .try_lock_for(BUSY_TIMEOUT)
            .ok_or(StoreError::Busy)?;
        let mut connection = self.connection()?;
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// The highest revision any offering write has taken.
    pub fn revision(&self) -> Result<i64, StoreError> {
        let connection = self.connection()?;
        Ok(current_revision(&connection)?)
    }

    /// True when the catalog holds no offering at all (a new database).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        let count: i64 =
            self.connection()?
                .query_row("SELECT count(*) FROM offerings", [], |row| row.get(0))?;
        Ok(count == 0)
    }

    /// Everything an index at `revision` needs to catch up, consistently: revisions are taken
    /// under SQLite's single write lock, so none below the snapshot's can still appear later.
    /// The offerings written since come to `each` a batch at a time, in revision order, so that
    /// indexing a million holds one batch in memory, not the catalog.
    pub fn changes_since<E: From<StoreError>>(
        &self,
        revision: i64,
        mut each: impl FnMut(&Changes, Vec<StoredOffering>) -> Result<(), E>,
    ) -> Result<Changes, E> {
        let mut connection = self.connection()?;
        let snapshot = connection.transaction().map_err(StoreError::from)?;
        let changes = Changes::read(&snapshot, revision)?;
        let mut after = revision;
        loop {
            let batch = offerings::read_batch_after(&snapshot, after, CHANGES_BATCH)?;
            let Some(last) = batch.iter().map(|stored| stored.revision).max() else {
                break;
            };
            after = last;
            each(&changes, batch)?;
        }
        snapshot.finish().map_err(StoreError::from)?;
        Ok(changes)
    }

    /// One offering by id, whatever its status.
    pub fn offering(&self, id: &str) -> Result<Option<StoredOffering>, StoreError> {
        let connection = self.connection()?;
        offerings::read_one(&connection, id)
    }

    /// An offering as the public may see it: only while it is published.
    pub fn published_offering(&self, id: &str) -> Result<Option<StoredOffering>, StoreError> {
        Ok(self
            .offering(id)?
            .filter(|stored| stored.status == crate::catalog::OfferingStatus::Published))
    }

    /// Ids and revisions of published offerings, for comparing with the index.
    pub fn published_revisions(
        &self,
    ) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
        let connection = self.connection()?;
        let mut statement =
            connection.prepare("SELECT id, revision FROM offerings WHERE status = 'published'")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// All providers, in id order.
    pub fn providers(&self) -> Result<Vec<crate::catalog::Provider>, StoreError> {
        let connection = self.connection()?;
        catalog_rows::read_providers(&connection)
    }

    /// One listed (active) provider, by id.
    pub fn provider(&self, id: &str) -> Result<Option<crate::catalog::Provider>, StoreError> {
        let connection = self.connection()?;
        catalog_rows::read_provider(&connection, id)
    }

    /// All frameworks with their trees.
    pub fn frameworks(&self) -> Result<crate::catalog::Frameworks, StoreError> {
        let connection = self.connection()?;
        catalog_rows::read_frameworks(&connection)
    }

    /// The published parts of a series, in order: (id, title, position).
    pub fn series(&self, series_id: &str) -> Result<Vec<(String, String, i64)>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT id, title, series_position FROM offerings \
             WHERE series_id = ?1 AND status = 'published' ORDER BY series_position, id",
        )?;
        let rows = statement.query_map([series_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Published offerings with these ids, in the order given (ids not published are left out).
    pub fn published_by_ids(&self, ids: &[String]) -> Result<Vec<StoredOffering>, StoreError> {
        let connection = self.connection()?;
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let found = offerings::read_where(
            &connection,
            "status = 'published' AND id IN (SELECT value FROM json_each(?1))",
            [list.as_str()],
        )?;
        let mut by_id: std::collections::HashMap<String, StoredOffering> = found
            .into_iter()
            .map(|stored| (stored.offering.id.clone(), stored))
            .collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

fn configure(connection: &mut Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    // A cleared value is overwritten in its page, not left in the page's free space: a
    // participant's follow-up address, once deleted, is gone from the file too (FAST: at no
    // extra I/O, so not in pages that are freed whole).
    connection.pragma_update(None, "secure_delete", "FAST")?;
    // A statement that may fail part way (a foreign key, a conflict) keeps the pages it changes
    // in a statement journal, so that it can be undone alone. In a file, as by default, that
    // journal once past 64 KiB stays a file for the connection's life, and a large import wrote
    // each page it changed there as well: 1.7 million small writes for 100,000 offerings, a
    // quarter of the time it spent storing. In memory it is as small as one statement's changes.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.pragma_update(None, "synchronous", "NORMAL")
}

fn current_revision(connection: &Connection) -> rusqlite::Result<i64> {
    connection.query_row(
        "SELECT value FROM catalog_revision WHERE id = 1",
        [],
        |row| row.get(0),
    )
}

/// Takes the next catalog revision; call inside the transaction that writes the offering.
/// Takes the next `count` revisions of the counter at once: the range to give out, in order.
pub(crate) fn reserve_revisions(
    connection: &Connection,
    count: usize,
) -> rusqlite::Result<std::ops::RangeInclusive<i64>> {
    let last: i64 = connection.query_row(
        "UPDATE catalog_revision SET value = value + ?1 WHERE id = 1 RETURNING value",
        [count as i64],
        |row| row.get(0),
    )?;
    Ok(last - count as i64 + 1..=last)
}

pub(crate) fn next_revision(connection: &Connection) -> rusqlite::Result<i64> {
    connection
        .prepare_cached(
            "UPDATE catalog_revision SET value = value + 1 WHERE id = 1 RETURNING value",
        )?
        .query_row([], |row| row.get(0))
}

/// The current time as stored: RFC 3339 in UTC.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// The learners' step rebuilds `users`: a catalog from before it keeps its accounts, their
    /// sessions and submissions, with the same ids, and then takes learners.
    #[test]
    fn a_catalog_from_before_learners_keeps_its_accounts_sessions_and_submissions() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("old.db");
        {
            let mut old = rusqlite::Connection::open(&path).unwrap();
            old.pragma_update(None, "foreign_keys", true).unwrap();
            let before: Vec<_> = super::MIGRATION_STEPS[..7]
                .iter()
                .map(|s| super::M::up(s))
                .collect();
            super::Migrations::new(before).to_latest(&mut old).unwrap();
            old.execute_batch(
                "INSERT INTO providers (id, name, kind, created_at, updated_at) VALUES ('p', 'P', 'other', 'x', 'x');
                 INSERT INTO users (id, email, role, provider, password_hash, created_at) VALUES (7, 'e@x.org', 'provider', 'p', 'h', 'x');
                 INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ('t', 7, 'c', 'x', 9999999999);
                 INSERT INTO submissions (offering_id, provider, payload, kind, status, submitted_by, submitted_at) VALUES ('o', 'p', '{}', 'new', 'pending', 7, 'x');",
            )
            .unwrap();
        }
        let store = super::Store::open(&path).unwrap();
        let connection = store.connection().unwrap();
        let counts: (i64, i64, i64) = connection
            .query_row(
                "SELECT (SELECT count(*) FROM users WHERE id = 7), (SELECT count(*) FROM sessions WHERE user_id = 7), \
                 (SELECT count(*) FROM submissions WHERE submitted_by = 7)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(counts, (1, 1, 1));
        let foreign_keys: bool = connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert!(foreign_keys, "foreign keys are back on after migrating");
        drop(connection);
        assert!(
            store
                .join("learner@x.org", "a long enough password")
                .unwrap()
                .is_some()
        );
    }
}

/// Offerings read at a time when catching up or reindexing.
const CHANGES_BATCH: usize = 2_000;

/// What changed in the catalog after some revision, read in one snapshot: the offerings
/// themselves come in batches (`Store::changes_since`).
#[derive(Debug, Default)]
pub struct Changes {
    /// How many offerings were written after the revision, whatever their status.
    pub offerings: usize,
    /// How many of them are published.
    pub published: usize,
    pub providers: Vec<crate::catalog::Provider>,
    pub frameworks: crate::catalog::Frameworks,
    /// The catalog's revision in the same snapshot: every offering up to it is in the batches.
    pub revision: i64,
}

impl Changes {
    fn read(snapshot: &Connection, after: i64) -> Result<Self, StoreError> {
        let (offerings, published): (i64, i64) = snapshot.query_row(
            "SELECT count(*), count(*) FILTER (WHERE status = 'published') \
             FROM offerings WHERE revision > ?1",
            [after],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(Changes {
            offerings: offerings as usize,
            published: published as usize,
            providers: catalog_rows::read_providers(snapshot)?,
            frameworks: catalog_rows::read_frameworks(snapshot)?,
            revision: current_revision(snapshot)?,
        })
    }
}
