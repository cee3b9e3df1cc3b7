//! Backups while serving, and restoring one. Copying the database file is not a backup: the
//! newest writes live in the `-wal` file beside it until a checkpoint. SQLite's online backup API
//! copies the database as one transaction sees it, WAL included, while others keep writing.

use super::{MIGRATION_STEPS, Store, StoreError, configure};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long to wait between tries while another connection holds a lock the copy needs.
const LOCKED_PAUSE: Duration = Duration::from_millis(50);

impl Store {
    /// Writes a consistent copy of the catalog database to `path`, replacing it only once the
    /// copy is complete (a half-written backup never takes the name of a good one).
    pub fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let partial = tempfile::NamedTempFile::new_in(folder).map_err(|e| io(folder, e))?;
        {
            let source = self.connection()?;
            let mut copy = Connection::open(partial.path())?;
            copy_all(&source, &mut copy)?;
        }
        partial.as_file().sync_all().map_err(|e| io(path, e))?;
        partial.persist(path).map_err(|e| io(path, e.error))?;
        Ok(())
    }
}

/// Replaces the database at `db` with the backup at `backup`, after checking the backup is a
/// sound clearinghouse database no newer than this program. Runs through SQLite, so a server
/// on `db` sees the restored catalog rather than a file swapped under it.
pub fn restore(db: &Path, backup: &Path) -> Result<(), StoreError> {
    let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check_backup(backup, &source)?;
    let mut live = Connection::open(db)?;
    configure(&mut live)?;
    copy_all(&source, &mut live)?;
    drop(live);
    // A backup from an older version takes this version's schema now.
    Store::open(db).map(drop)
}

fn check_backup(path: &Path, source: &Connection) -> Result<(), StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        path: path.to_owned(),
        message,
    };
    let check: String = source
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if check != "ok" {
        return Err(corrupt(check));
    }
    let has_catalog: bool = source.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'catalog_revision'",
        [],
        |row| row.get(0),
    )?;
    if !has_catalog {
        return Err(corrupt("it holds no catalog".into()));
    }
    let version: i64 = source.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATION_STEPS.len() as i64;
    if version > known {
        return Err(corrupt(format!(
            "it was written by a newer version (schema {version}, this one knows {known})"
        )));
    }
    Ok(())
}

/// Copies every page of `source` into `target` in one step: in steps, a write by another
/// connection between two of them would restart the copy, and under steady writes it might
/// never finish.
fn copy_all(source: &Connection, target: &mut Connection) -> Result<(), StoreError> {
    let backup = Backup::new(source, target)?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // Busy or locked by another connection: wait and try again.
            _ => std::thread::sleep(LOCKED_PAUSE),
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_owned(),
        source,
    }
}
