//! Index generations: each reindex builds a new folder under the index directory, and a pointer
//! file (`CURRENT`) names the one that serves. The pointer is replaced atomically (written to a
//! temporary name, then renamed), so a reindex killed half-way leaves the old generation serving.

use super::SearchError;
use super::fields::{Fields, register_analyzers, schema};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy};

/// The pointer file naming the serving generation.
const POINTER: &str = "CURRENT";
/// The file a reindex holds locked while it builds: two reindexes never build at once, and
/// clearing out old generations never removes one that is being built.
const REINDEX_LOCK: &str = "reindex.lock";
/// Building a generation takes up to about twice its final size on disk (segments are written,
/// then merged into new ones before the old are deleted).
const BUILD_SPACE_FACTOR: u64 = 2;
/// What one offering takes in a generation, for estimating a first build (measured on the seed:
/// about 3.4 KB).
const BYTES_PER_OFFERING: u64 = 4 * 1024;
/// What each offering's document holds, beyond the schema: raise the number whenever indexing
/// changes (a new word source, another analyzer), so that a server started on an index built
/// the old way builds a new generation instead of serving documents that lack the new words. It
/// carries the fingerprint of the shipped vocabulary's terms of several words, which are indexed
/// as tokens (`phrases.rs`): an index built with other terms is rebuilt the same way.
fn indexed_as() -> String {
    format!("4 {:016x}", super::phrases::SHIPPED.fingerprint())
}
/// The file in each generation naming how its documents were made.
const INDEXED_AS_FILE: &str = "indexed-as";

/// Memory for the index writer of a serving generation, which writes what changes.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Bytes of stored documents compressed together. A page's hits are read from the store, each
/// by decompressing the whole block that holds it: in blocks of 4 KiB (about three offerings)
/// rather than tantivy's 16, a hit costs a quarter of the decompression.
const DOCSTORE_BLOCK: usize = 4 * 1024;
/// Memory for the writer of a generation being built whole (`reindex`).
/// It flushes a segment when full: at 100,000 offerings 256 MB makes 2 segments where 64 MB
/// made 6, and each search works per segment (11% fewer instructions on two, callgrind).
/// It is taken only as documents fill it, and freed as each segment is written.
const BUILD_MEMORY: usize = 256 * 1024 * 1024;

/// One generation of the index, open.
pub struct Generation {
    pub name: String,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Whether this generation may be written (`check` opens one only to read).
    writable: bool,
    /// The writer, while it works: a writer that failed (a full disk kills tantivy's indexing
    /// threads for good) is dropped, and the next catch-up opens a fresh one.
    writer: Mutex<Option<IndexWriter>>,
    /// Facet bitmaps of this generation's segments (shared with the queries that read them).
    pub facets: std::sync::Arc<super::facets::FacetCache>,
}

impl std::fmt::Debug for Generation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generation")
            .field("name", &self.name)
            .finish()
    }
}

/// The generation the pointer names, if any.
pub fn current_name(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(root.join(POINTER)).ok()?;
    let name = name.trim();
    (!name.is_empty() && !name.contains(['/', '\\']) && name != "..").then(|| name.to_owned())
}

/// Points the index at generation `name`, atomically.
pub fn point_to(root: &Path, name: &str) -> Result<(), SearchError> {
    let io = |source| SearchError::Io {
        path: root.join(POINTER),
        source,
    };
    let mut file = tempfile::NamedTempFile::new_in(root).map_err(io)?;
    file.write_all(name.as_bytes()).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    file.persist(root.join(POINTER))
        .map_err(|error| io(error.error))?;
    if let Ok(dir) = std::fs::File::open(root) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A fresh, unused generation name: ordered by creation time.
pub fn new_name() -> String {
    format!(
        "gen-{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
        std::process::id()
    )
}

impl Generation {
    /// Creates an empty generation in a new folder under `root`, to serve and catch up.
    pub fn create(root: &Path, name: &str) -> Result<Generation, SearchError> {
        Self::create_with(root, name, WRITER_MEMORY)
    }

    /// The same, to be built whole from the store (`BUILD_MEMORY`).
    pub fn create_to_build(root: &Path, name: &str) -> Result<Generation, SearchError> {
        Self::create_with(root, name, BUILD_MEMORY)
    }

    fn create_with(root: &Path, name: &str, memory: usize) -> Result<Generation, SearchError> {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).map_err(|source| SearchError::Io {
            path: dir.clone(),
            source,
        })?;
        let settings = IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK,
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema())
            .settings(settings)
            .create_in_dir(&dir)?;
        let marker = dir.join(INDEXED_AS_FILE);
        std::fs::write(&marker, indexed_as()).map_err(|source| SearchError::Io {
            path: marker,
            source,
        })?;
        Generation::from_index(name, index, Some(memory))
    }

    /// Opens an existing generation; `writable` takes its writer lock.
    pub fn open(root: &Path, name: &str, writable: bool) -> Result<Generation, SearchError> {
        let dir = root.join(name);
        let directory = MmapDirectory::open(&dir)?;
        let index = Index::open(directory)?;
        let marker = std::fs::read_to_string(dir.join(INDEXED_AS_FILE)).unwrap_or_default();
        if index.schema() != schema() || marker != indexed_as() {
            return Err(SearchError::Stale(dir));
        }
        Generation::from_index(name, index, writable.then_some(WRITER_MEMORY))
    }

    /// `memory`: the writer's, for a writable generation.
    fn from_index(
        name: &str,
        index: Index,
        memory: Option<usize>,
    ) -> Result<Generation, SearchError> {
        register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = match memory.map(|memory| open_writer(&index, memory)) {
            Some(Ok(writer)) => Some(writer),
            Some(Err(SearchError::Busy)) => return Err(SearchError::Busy),
            // Serve what this generation holds; the next catch-up tries the writer again.
            Some(Err(error)) => {
                tracing::error!(%error, "cannot open the index writer yet");
                None
            }
            None => None,
        };
        Ok(Generation {
            name: name.to_owned(),
            fields: Fields::resolve(&index.schema())?,
            index,
            reader,
            writable: memory.is_some(),
            writer: Mutex::new(writer),
            facets: Default::default(),
        })
    }

    /// Runs `write` with this generation's writer, opening a fresh one when the last one failed.
    /// When `write` fails, the writer is dropped (and its lock released): after an I/O error a
    /// tantivy writer stays dead, and what it held uncommitted is written again from the store.
    /// `None` when the generation was opened only to read.
    pub fn with_writer<T>(
        &self,
        write: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Option<Result<T, SearchError>> {
        if !self.writable {
            return None;
        }
        let mut slot = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let writer = match slot.as_mut() {
            Some(writer) => writer,
            None => match open_writer(&self.index, WRITER_MEMORY) {
                Ok(writer) => slot.insert(writer),
                Err(error) => return Some(Err(error)),
            },
        };
        let result = write(writer);
        if result.is_err() {
            *slot = None;
        }
        Some(result)
    }

    /// Drops the writer and what it holds uncommitted; the next write opens a fresh one.
    pub fn discard_writer(&self) {
        *self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// The catalog revision the last commit holds (its payload), 0 for a new generation.
    pub fn revision(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|metas| metas.payload)
            .and_then(|payload| payload.parse().ok())
            .unwrap_or(0)
    }
}

fn open_writer(index: &Index, memory: usize) -> Result<IndexWriter, SearchError> {
    index.writer(memory).map_err(|error| match error {
        tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
        other => SearchError::Index(other),
    })
}

/// The reindex lock, held until dropped.
#[derive(Debug)]
pub struct ReindexLock(#[allow(dead_code)] std::fs::File);

/// Takes the reindex lock of `root`, or `None` when a reindex holds it.
pub fn try_reindex_lock(root: &Path) -> Result<Option<ReindexLock>, SearchError> {
    use fs4::fs_std::FileExt;
    let path = root.join(REINDEX_LOCK);
    let io = |source| SearchError::Io {
        path: path.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    Ok(file
        .try_lock_exclusive()
        .map_err(io)?
        .then_some(ReindexLock(file)))
}

/// Removes every generation but the serving one: what a killed or failed reindex left, which on
/// a small disk would take the space the next reindex needs. Only while no reindex is building.
pub fn remove_partial(root: &Path) -> Result<(), SearchError> {
    if let Some(_lock) = try_reindex_lock(root)? {
        let current = current_name(root);
        remove_others(
            root,
            &current.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    Ok(())
}

/// Refuses to start building a generation of `offerings` when the disk of `root` has clearly
/// too little room for it, rather than fill the disk and fail half-way.
pub fn ensure_room(root: &Path, offerings: usize) -> Result<(), SearchError> {
    let serving = current_name(root).map_or(0, |name| folder_size(&root.join(name)));
    let needed = BUILD_SPACE_FACTOR * serving.max(offerings as u64 * BYTES_PER_OFFERING);
    let available = fs4::available_space(root).map_err(|source| SearchError::Io {
        path: root.to_owned(),
        source,
    })?;
    if available < needed {
        return Err(SearchError::NoRoom {
            root: root.to_owned(),
            needed,
            available,
        });
    }
    Ok(())
}

fn folder_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => folder_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Removes generation folders other than `keep`: what a killed reindex or an older switch left.
pub fn remove_others(root: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("gen-")
            && !keep.contains(&name.as_str())
            && entry.path().is_dir()
            && let Err(error) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(%error, generation = %name, "could not remove an old index generation");
        }
    }
}
