//! tantivy: the search index of published offerings, derived from the store and always rebuildable.
//!
//! - `fields`: the schema and how an offering becomes a document;
//! - `generation`: index folders and the pointer that says which one serves;
//! - `query`, `vocabulary`, `related_topics`, `compile`: what users type, read forgivingly, into
//!   tantivy queries;
//! - `dimension`: the filter dimensions, in one table every layer reads;
//! - `filters`, `facets`, `labels`: filters and exact facet counts;
//! - `engine`: running a `SearchRequest` into `SearchResults`.
//!
//! Catching up (docs/ARCHITECTURE.md, "The consistency model"): the index's last commit records the highest catalog revision it holds;
//! catching up indexes every offering written since and drops what is no longer published.

mod answers;
mod baseline;
mod compile;
mod correction;
pub mod cost;
mod dimension;
mod doc_bits;
mod engine;
mod facet_filters;
mod facets;
mod feedback;
mod fields;
mod filters;
mod folded_words;
mod generation;
mod labels;
mod language;
mod limiter;
mod phonetic;
mod phrases;
mod plan;
pub mod query;
mod related;
mod related_topics;
pub mod request;
mod rescore;
mod scored_words;
mod sideways;
mod stemming;
mod tiers;
mod top_keys;
pub mod vocabulary;
mod when_docs;
mod word_terms;

pub use dimension::{DIMENSIONS, Dimension};
pub use labels::{certification_label, language_label};
pub use request::{
    FacetValue, Hit, ParameterError, SearchRequest, SearchResults, Sort, WhenBucket,
};
pub use vocabulary::Vocabulary;

use crate::store::{Store, StoreError};
use arc_swap::ArcSwap;
use generation::Generation;
use labels::Labels;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tantivy::Term;
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::schema::Value;

/// Why the index could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("another process is writing this search index (is a server running on it?)")]
    Busy,
    #[error("the search index at {0} was built by another version; run `clearinghouse reindex`")]
    Stale(PathBuf),
    #[error("there is no search index at {0} yet; run `clearinghouse reindex` or `serve`")]
    Missing(PathBuf),
    #[error("another reindex is building in {0}; wait for it to finish (it switches by itself)")]
    ReindexRunning(PathBuf),
    #[error(
        "not enough free space in {root} to build a new index generation: about {} needed, {} free",
        megabytes(*needed),
        megabytes(*available)
    )]
    NoRoom {
        root: PathBuf,
        needed: u64,
        available: u64,
    },
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The live index: the generation that serves, swapped whole when a reindex switches.
pub struct SearchIndex {
    root: PathBuf,
    live: ArcSwap<Generation>,
    labels: ArcSwap<Labels>,
    /// Whether `labels` has been read from the catalog yet.
    labels_loaded: AtomicBool,
    /// The serving generation's revision, kept here so each request need not read it from disk.
    revision: AtomicI64,
    vocabulary: Vocabulary,
    /// One catch-up at a time (the writer is shared).
    catching_up: Mutex<()>,
    /// Answers to searches without words, for the commit being served.
    answers: answers::Answers,
    /// Since when the index has been behind the database without a catch-up closing the gap.
    behind_since: Mutex<Option<Instant>>,
    /// Whether documents fill the fields of the evaluation's plain BM25 baseline.
    baseline_fields: bool,
    /// Searches run one per core at most (`limiter.rs`).
    searching: limiter::Limiter,
}

/// How far the serving index is behind the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// Catalog revisions written but not yet searchable.
    pub revisions: i64,
    /// How long the catch-up has been failing to close the gap.
    pub behind_for: Duration,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("root", &self.root)
            .field("live", &self.live.load().name)
            .finish()
    }
}

/// How far the index is from the database, as `check` reports it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Differences {
    pub missing_from_index: Vec<String>,
    pub not_published: Vec<String>,
    pub stale: Vec<(String, i64, i64)>,
    pub database_count: usize,
    pub index_count: usize,
    pub database_revision: i64,
    pub index_revision: i64,
}

impl Differences {
    pub fn agree(&self) -> bool {
        self.missing_from_index.is_empty() && self.not_published.is_empty() && self.stale.is_empty()
    }
}

impl SearchIndex {
    /// Opens the serving generation under `root` for writing, creating the folder and a first
    /// (empty) generation when there is none or when it cannot be used; `catch_up` fills it.
    pub fn open(root: &Path, vocabulary: Vocabulary) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(root).map_err(|source| SearchError::Io {
            path: root.to_owned(),
            source,
        })?;
        let generation = match generation::current_name(root) {
            Some(name) => match Generation::open(root, &name, true) {
                Ok(generation) => generation,
                Err(SearchError::Busy) => return Err(SearchError::Busy),
                Err(error) => {
                    tracing::warn!(%error, "the serving index generation cannot be used; starting a new one");
                    Self::fresh(root)?
                }
            },
            None => Self::fresh(root)?,
        };
        // Holding the serving generation's writer, this is the only writer of the index: what
        // other generations a killed reindex left can go (unless a reindex is building one).
        generation::remove_partial(root)?;
        Ok(Self::wrap(root, generation, vocabulary))
    }

    /// Whether a running process (a server) holds the serving generation's writer.
    pub fn is_served(root: &Path) -> bool {
        generation::current_name(root).is_some_and(|name| {
            matches!(Generation::open(root, &name, true), Err(SearchError::Busy))
        })
    }

    /// Opens the serving generation to read only (no writer lock), e.g. for `check`.
    pub fn open_read_only(root: &Path, vocabulary: Vocabulary) -> Result<SearchIndex, SearchError> {
        let name =
            generation::current_name(root).ok_or_else(|| SearchError::Missing(root.to_owned()))?;
        let generation = Generation::open(root, &name, false)?;
        Ok(Self::wrap(root, generation, vocabulary))
    }

    fn fresh(root: &Path) -> Result<Generation, SearchError> {
        let name = generation::new_name();
        let generation = Generation::create(root, &name)?;
        generation::point_to(root, &name)?;
        Ok(generation)
    }

    fn wrap(root: &Path, generation: Generation, vocabulary: Vocabulary) -> SearchIndex {
        SearchIndex {
            root: root.to_owned(),
            revision: AtomicI64::new(generation.revision()),
            live: ArcSwap::from_pointee(generation),
            labels: ArcSwap::from_pointee(Labels::default()),
            labels_loaded: AtomicBool::new(false),
            vocabulary,
            catching_up: Mutex::new(()),
            answers: Default::default(),
            behind_since: Mutex::new(None),
            baseline_fields: false,
            searching: limiter::Limiter::per_core(),
        }
    }

    /// Makes catching up fill the fields of the plain BM25 baseline too (`baseline_ids`), for
    /// the relevance evaluation; a catalog's own index leaves them empty.
    pub fn with_baseline_fields(mut self) -> Self {
        self.baseline_fields = true;
        self
    }

    /// The catalog revision the serving generation holds (as of its last commit).
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::Acquire)
    }

    /// Brings the serving generation up to the database: indexes what was written since its
    /// revision, drops what is no longer published. Returns how many offerings it touched.
    /// While it fails (a full disk), the index keeps serving what it last committed and
    /// `lag` says how far behind it is.
    pub fn catch_up(&self, store: &Store) -> Result<usize, SearchError> {
        let _one_at_a_time = self
            .catching_up
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = self.live.load_full();
        // The cheap question first: this runs every 200 ms while serving.
        let committed = generation.revision();
        let labels_loaded = self.labels_loaded.load(Ordering::Acquire);
        if labels_loaded && store.revision()? == committed {
            self.serve_committed(&generation, committed)?;
            return Ok(0);
        }
        self.behind_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get_or_insert_with(Instant::now);
        let fields = &generation.fields;
        let mut context = None;
        // An index at revision 0 holds no offering (every write takes a revision from 1): there
        // is nothing to replace, and a first catch-up of a million keeps no million deletions.
        let replacing = committed > 0;
        let changes = store.changes_since(committed, |changes, batch| {
            let context = context.get_or_insert_with(|| {
                let mut context =
                    fields::Context::new(changes.providers.clone(), &changes.frameworks);
                context.baseline_fields = self.baseline_fields;
                context
            });
            let written = generation
                .with_writer(|writer| write_batch(writer, fields, context, &batch, replacing));
            // A generation opened only to read has no writer: it serves what it holds.
            written.map_or(Ok(()), |added| added.map(|_| ()))
        });
        let changes = match changes {
            Ok(changes) => changes,
            Err(error) => {
                // Batches already added must not be committed without the rest.
                generation.discard_writer();
                return Err(error);
            }
        };
        self.labels_loaded.store(true, Ordering::Release);
        self.labels.store(Arc::new(Labels::new(
            &changes.providers,
            &changes.frameworks,
        )));
        if changes.offerings == 0 && changes.revision == committed {
            self.serve_committed(&generation, committed)?;
            return Ok(0);
        }
        let written = generation.with_writer(|writer| {
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&changes.revision.to_string());
            commit.commit()?;
            Ok(())
        });
        match written {
            None => return Ok(0),
            Some(result) => result?,
        }
        self.serve_committed(&generation, changes.revision)?;
        Ok(changes.offerings)
    }

    /// Makes searches see the generation's commit at `revision`, and marks the index current.
    /// Also repairs a reload that failed after its commit had landed.
    fn serve_committed(&self, generation: &Generation, revision: i64) -> Result<(), SearchError> {
        if self.revision.load(Ordering::Acquire) != revision {
            generation.reader.reload()?;
            self.revision.store(revision, Ordering::Release);
        }
        *self
            .behind_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Ok(())
    }

    /// How far the serving index is behind a database at `database_revision`: in revisions, and
    /// for how long the catch-up has not closed the gap (zero while it keeps up).
    pub fn lag(&self, database_revision: i64) -> Lag {
        let revisions = (database_revision - self.revision()).max(0);
        let since = *self
            .behind_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let behind_for = match since {
            Some(since) if revisions > 0 => since.elapsed(),
            _ => Duration::ZERO,
        };
        Lag {
            revisions,
            behind_for,
        }
    }

    /// Switches to the generation the pointer names if a reindex replaced it, then catches up.
    pub fn refresh(&self, store: &Store) -> Result<(), SearchError> {
        if let Some(name) = generation::current_name(&self.root)
            && name != self.live.load().name
        {
            let generation = Generation::open(&self.root, &name, true)?;
            tracing::info!(generation = %name, "switching to a new index generation");
            let _one_at_a_time = self
                .catching_up
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            self.revision
                .store(generation.revision(), Ordering::Release);
            self.live.store(Arc::new(generation));
        }
        self.catch_up(store).map(|_| ())
    }

    /// Builds a whole new generation from the database while the old one keeps serving, then
    /// points the index at it. `progress(done, total)` is called as offerings are added.
    pub fn reindex(
        root: &Path,
        store: &Store,
        progress: &dyn Fn(usize, usize),
    ) -> Result<String, SearchError> {
        std::fs::create_dir_all(root).map_err(|source| SearchError::Io {
            path: root.to_owned(),
            source,
        })?;
        let _building = generation::try_reindex_lock(root)?
            .ok_or_else(|| SearchError::ReindexRunning(root.to_owned()))?;
        let previous = generation::current_name(root);
        // What a killed reindex left would otherwise take the room this one needs.
        let keep: Vec<&str> = previous.iter().map(String::as_str).collect();
        generation::remove_others(root, &keep);
        let name = generation::new_name();
        let built = Self::build(root, &name, store, progress);
        if built.is_err() {
            generation::remove_others(root, &keep);
        }
        built?;
        generation::point_to(root, &name)?;
        let keep: Vec<&str> = std::iter::once(name.as_str())
            .chain(previous.as_deref())
            .collect();
        generation::remove_others(root, &keep);
        Ok(name)
    }

    /// Writes every published offering into a new generation `name`, a batch at a time, and
    /// commits it at the revision of the snapshot it read. The generation is closed (its writer
    /// lock released) when this returns.
    fn build(
        root: &Path,
        name: &str,
        store: &Store,
        progress: &dyn Fn(usize, usize),
    ) -> Result<(), SearchError> {
        let generation = Generation::create_to_build(root, name)?;
        let mut context = None;
        let mut done = 0;
        let changes = store.changes_since(0, |changes, batch| {
            if context.is_none() {
                generation::ensure_room(root, changes.published)?;
            }
            let context = context.get_or_insert_with(|| {
                fields::Context::new(changes.providers.clone(), &changes.frameworks)
            });
            let fields = &generation.fields;
            done += generation
                .with_writer(|writer| write_batch(writer, fields, context, &batch, false))
                .ok_or(SearchError::Busy)??;
            progress(done, changes.published);
            Ok::<_, SearchError>(())
        })?;
        generation
            .with_writer(|writer| {
                let mut commit = writer.prepare_commit()?;
                commit.set_payload(&changes.revision.to_string());
                commit.commit()?;
                progress(done, done);
                Ok(())
            })
            .ok_or(SearchError::Busy)?
    }

    /// Compares the serving generation with the database: counts, ids and revisions.
    pub fn compare(&self, store: &Store) -> Result<Differences, SearchError> {
        let generation = self.live.load_full();
        // The revision first, then the documents: a commit landing in between (a server
        // catching up) then makes the index look behind, which `check` waits out, never
        // current with documents it does not yet show.
        let index_revision = generation.revision();
        generation.reader.reload()?;
        let searcher = generation.reader.searcher();
        let mut indexed: BTreeMap<String, i64> = BTreeMap::new();
        for address in searcher.search(&AllQuery, &DocSetCollector)? {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            let id = doc
                .get_first(generation.fields.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let revision = doc
                .get_first(generation.fields.revision)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            indexed.insert(id, revision as i64);
        }
        let database = store.published_revisions()?;
        let mut differences = Differences {
            database_count: database.len(),
            index_count: indexed.len(),
            database_revision: store.revision()?,
            index_revision,
            ..Differences::default()
        };
        for (id, revision) in &database {
            match indexed.get(id) {
                None => differences.missing_from_index.push(id.clone()),
                Some(indexed) if indexed != revision => {
                    differences.stale.push((id.clone(), *revision, *indexed))
                }
                Some(_) => {}
            }
        }
        differences.not_published = indexed
            .keys()
            .filter(|id| !database.contains_key(*id))
            .cloned()
            .collect();
        Ok(differences)
    }
}

/// Writes a batch of offerings into the index: the published ones added, and, when
/// `replacing`, every one's earlier document deleted first (an offering no longer published is
/// only deleted). Returns how many were added.
fn write_batch(
    writer: &mut tantivy::IndexWriter,
    fields: &fields::Fields,
    context: &fields::Context,
    batch: &[crate::store::StoredOffering],
    replacing: bool,
) -> Result<usize, SearchError> {
    let mut added = 0;
    for stored in batch {
        if replacing {
            writer.delete_term(Term::from_field_text(fields.id, &stored.offering.id));
        }
        if stored.status == crate::catalog::OfferingStatus::Published {
            writer.add_document(fields::document(fields, stored, context))?;
            added += 1;
        }
    }
    Ok(added)
}
