//! Import of a bundle folder whose offerings file may be larger than memory. The file is read
//! twice: once for its ids, before the write starts, so that a prerequisite may name an offering
//! further on; then to check each item and write it. Checking runs on a thread of its own
//! beside the writer, a batch at a time, and the whole import is one transaction: it lands
//! whole or not at all, as `Store::import` does.

use super::catalog_rows;
use super::import::{
    IMPORT_BATCH, ImportSummary, LargeCache, import_frameworks, import_offerings, import_providers,
};
use super::{Store, StoreError, now};
use crate::bundle::{
    BundleError, ItemsError, OfferingsFile, Problem, RawItem, StreamedBundle, id_of,
    offering_problems,
};
use crate::catalog::{Known, Offering};
use std::collections::HashSet;
use std::sync::mpsc::{SyncSender, sync_channel};

/// Checked batches that may wait for the writer: enough to keep it busy, few enough to keep
/// the memory of a million-offering import to a few batches.
const BATCHES_AHEAD: usize = 4;

impl Store {
    /// Imports the bundle; every problem (to the first thousand) is reported and nothing is
    /// written when there is one. `progress(done, total)` follows the offerings written.
    pub fn import_streamed(
        &self,
        bundle: &StreamedBundle,
        progress: &dyn Fn(usize, usize),
    ) -> Result<ImportSummary, StoreError> {
        let ids = read_ids(bundle)?;
        let total = ids.total;
        self.write(move |transaction| {
            let _cache = LargeCache::set(transaction)?;
            let mut known = catalog_rows::read_known(transaction)?;
            known.offerings.extend(ids.unique);
            known
                .providers
                .extend(bundle.head.unparsed_ids.iter().cloned());
            let (head_problems, known) = bundle.head.bundle.validate_head(known);
            let mut head = bundle.head.problems.clone();
            head.extend(head_problems);
            let now = now();
            let mut summary = ImportSummary::default();
            if head.is_empty() {
                import_frameworks(transaction, &bundle.head.bundle, &mut summary, &|| {})?;
                let providers = &bundle.head.bundle.providers;
                import_providers(transaction, providers, &now, &mut summary, &|| {})?;
            }
            let (sender, batches) = sync_channel(BATCHES_AHEAD);
            let checked = std::thread::scope(|scope| {
                let checker =
                    scope.spawn(|| check(&bundle.offerings, &known, &ids.again, head, sender));
                let mut done = 0;
                for batch in batches {
                    import_offerings(transaction, &batch.offerings, &now, &mut summary)?;
                    done += batch.read;
                    progress(done, total);
                }
                checker.join().map_err(|_| {
                    StoreError::Conflict("checking the offerings failed unexpectedly".into())
                })
            })?;
            let problems = checked.map_err(|error| items_error(error, &[]))?;
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems.into_list()));
            }
            let certifications = &bundle.head.bundle.certifications;
            super::learners::import_certifications(transaction, certifications)?;
            Ok(summary)
        })
    }
}

/// What the first reading of the offerings file found.
struct Ids {
    /// Every id in it.
    unique: HashSet<String>,
    /// The positions of items whose id came earlier in the file (usually none).
    again: HashSet<usize>,
    /// How many items it has.
    total: usize,
}

/// Reads every id of the offerings file; a file that is not JSON is refused here, with the
/// problems of the rest of the bundle, before anything is written.
fn read_ids(bundle: &StreamedBundle) -> Result<Ids, StoreError> {
    let started = std::time::Instant::now();
    let mut ids = Ids {
        unique: HashSet::new(),
        again: HashSet::new(),
        total: 0,
    };
    let counted = bundle.offerings.each_item_unnumbered(|item| {
        if let Some(id) = id_of(&item.text)
            && !ids.unique.insert(id)
        {
            ids.again.insert(item.index);
        }
        ids.total += 1;
        Ok::<_, StoreError>(())
    });
    if let Err(error) = counted {
        return Err(items_error(error, &bundle.head.problems));
    }
    tracing::debug!(took = ?started.elapsed(), total = ids.total, "offerings counted");
    Ok(ids)
}

/// A batch of checked offerings for the writer; empty once a problem is found (nothing more
/// is written), still counting what was read.
struct Checked {
    offerings: Vec<Offering>,
    read: usize,
}

/// The writer stopped taking batches (it failed), so checking stops too.
struct WriterGone;

/// Reads, parses and checks every offering against `known`, sending the good ones on in
/// batches while no problem has been found. Returns the problems.
///
/// The file is read without counting its lines, which costs serde_json's fast path; an item that
/// is not an offering at all is named by its line, so when there is one the file is read once
/// more, counting lines, for the problems alone (nothing is written then anyway).
fn check(
    file: &OfferingsFile,
    known: &Known,
    again: &HashSet<usize>,
    head: Vec<Problem>,
    batches: SyncSender<Checked>,
) -> Result<Problems, ItemsError<WriterGone>> {
    let mut pass = Pass::new(known, again, head.clone(), Some(batches));
    file.each_item_unnumbered(|item| pass.take(file.name, item))?;
    pass.send().map_err(ItemsError::Stopped)?;
    if !pass.unparsed {
        return Ok(pass.problems);
    }
    let mut pass = Pass::new(known, again, head, None);
    file.each_item(|item| pass.take(file.name, item))?;
    Ok(pass.problems)
}

/// One reading of the offerings file by `check`.
struct Pass<'a> {
    known: &'a Known,
    again: &'a HashSet<usize>,
    problems: Problems,
    /// Where checked batches go; none when the reading is only for the problems.
    batches: Option<SyncSender<Checked>>,
    batch: Vec<Offering>,
    read: usize,
    /// Whether an item could not be parsed as an offering.
    unparsed: bool,
}

impl<'a> Pass<'a> {
    fn new(
        known: &'a Known,
        again: &'a HashSet<usize>,
        head: Vec<Problem>,
        batches: Option<SyncSender<Checked>>,
    ) -> Self {
        Pass {
            known,
            again,
            problems: Problems::new(head),
            batches,
            batch: Vec::with_capacity(IMPORT_BATCH),
            read: 0,
            unparsed: false,
        }
    }

    fn take(&mut self, file: &str, item: RawItem) -> Result<(), WriterGone> {
        match item.parse::<Offering>(file) {
            Ok(offering) => {
                self.problems.extend(offering_problems(
                    file,
                    item.index,
                    &offering,
                    self.known,
                    self.again.contains(&item.index),
                ));
                if self.batches.is_some() {
                    self.batch.push(offering);
                }
            }
            Err(problem) => {
                self.unparsed = true;
                self.problems.push(problem);
            }
        }
        self.read += 1;
        if self.read == IMPORT_BATCH {
            self.send()?;
        }
        Ok(())
    }

    /// Hands the batch read so far to the writer: empty once a problem is found (nothing
    /// more is written), still counting what was read.
    fn send(&mut self) -> Result<(), WriterGone> {
        let offerings = std::mem::take(&mut self.batch);
        let read = std::mem::take(&mut self.read);
        let Some(batches) = &self.batches else {
            return Ok(());
        };
        let offerings = if self.problems.is_empty() {
            offerings
        } else {
            Vec::new()
        };
        let checked = Checked { offerings, read };
        batches.send(checked).map_err(|_| WriterGone)
    }
}

/// Problems found so far, the first thousand kept: a file broken on every line of a million
/// still reports in memory and on one screen.
struct Problems {
    listed: Vec<Problem>,
    more: usize,
}

impl Problems {
    const LISTED: usize = 1_000;

    fn new(listed: Vec<Problem>) -> Self {
        Problems { listed, more: 0 }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn push(&mut self, problem: Problem) {
        if self.listed.len() < Self::LISTED {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        problems.into_iter().for_each(|problem| self.push(problem));
    }

    fn into_list(mut self) -> Vec<Problem> {
        if self.more > 0 {
            let file = self
                .listed
                .last()
                .map(|p| p.file.clone())
                .unwrap_or_default();
            self.listed.push(Problem {
                file,
                item: None,
                message: format!("and {} more problems, not listed", self.more),
            });
        }
        self.listed
    }
}

/// An offerings file that could not be read, as the store reports it: with `others`, the
/// problems of the rest of the bundle, when the file is not JSON.
fn items_error<E>(error: ItemsError<E>, others: &[Problem]) -> StoreError
where
    StoreError: From<E>,
{
    match error {
        ItemsError::Stopped(error) => error.into(),
        ItemsError::Unreadable(BundleError::Io { path, source }) => StoreError::Io { path, source },
        ItemsError::Unreadable(BundleError::Invalid(problems)) => {
            StoreError::Invalid(others.iter().cloned().chain(problems).collect())
        }
    }
}

impl From<WriterGone> for StoreError {
    fn from(_: WriterGone) -> Self {
        StoreError::Conflict("the import stopped while writing".into())
    }
}
