//! Import and export of whole bundles. Import validates everything first, then upserts in one
//! transaction: a bundle lands whole or not at all.

use super::catalog_rows::{self, Change};
use super::{Store, StoreError, now, offerings, reserve_revisions};
use crate::bundle::{Bundle, BundleError};
use crate::catalog::{Offering, OfferingStatus, Provider};
use rusqlite::Transaction;
use std::collections::HashSet;
use std::fmt;

/// Created, updated and unchanged counts for one kind of item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Counts {
    fn add(&mut self, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

impl Counts {
    /// Items in the bundle: created, updated and unchanged.
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub competencies: Counts,
    pub providers: Counts,
    pub offerings: Counts,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "competencies: {}", self.competencies)?;
        writeln!(f, "providers:    {}", self.providers)?;
        write!(f, "offerings:    {}", self.offerings)
    }
}

/// Pages a large import may keep in memory (negative: in KiB), so that one transaction of
/// 100,000 offerings (about 120 MB of database) is written once at commit rather than spilled to
/// the WAL and read back as the default cache (2 MB) overflows. A larger import spills past it,
/// which keeps an import of a million offerings within about 400 MB.
const IMPORT_CACHE_KIB: i64 = 128 * 1024;
/// SQLite's default, restored afterwards for the pooled connection's other work.
const DEFAULT_CACHE_KIB: i64 = 2000;

/// The import's page cache on one connection, set back when dropped.
pub(super) struct LargeCache<'a>(&'a Transaction<'a>);

impl<'a> LargeCache<'a> {
    pub(super) fn set(transaction: &'a Transaction<'a>) -> Result<Self, StoreError> {
        transaction.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        Ok(LargeCache(transaction))
    }
}

impl Drop for LargeCache<'_> {
    fn drop(&mut self) {
        let _ = self.0.pragma_update(None, "cache_size", -DEFAULT_CACHE_KIB);
    }
}

impl Store {
    /// Validates `bundle` against itself and the catalog, then upserts all of it in one
    /// transaction. Imported offerings are published. `progress` is called after each item.
    pub fn import(
        &self,
        bundle: &Bundle,
        progress: &dyn Fn(),
    ) -> Result<ImportSummary, StoreError> {
        self.write(|transaction| {
            let _cache = LargeCache::set(transaction)?;
            let known = catalog_rows::read_known(transaction)?;
            if let Err(BundleError::Invalid(problems)) = bundle.validate(&known) {
                return Err(StoreError::Invalid(problems));
            }
            let now = now();
            let mut summary = ImportSummary::default();
            import_frameworks(transaction, bundle, &mut summary, progress)?;
            import_providers(transaction, &bundle.providers, &now, &mut summary, progress)?;
            for batch in bundle.offerings.chunks(IMPORT_BATCH) {
                import_offerings(transaction, batch, &now, &mut summary)?;
                batch.iter().for_each(|_| progress());
            }
            super::learners::import_certifications(transaction, &bundle.certifications)?;
            Ok(summary)
        })
    }

    /// The published catalog as a bundle: every framework and provider, published offerings only.
    pub fn export(&self) -> Result<Bundle, StoreError> {
        let connection = self.connection()?;
        let frameworks = catalog_rows::read_frameworks(&connection)?;
        let providers = catalog_rows::read_providers(&connection)?;
        let mut offerings: Vec<_> = offerings::read_where(&connection, "status = 'published'", [])?
            .into_iter()
            .map(|stored| stored.offering)
            .collect();
        // A prerequisite still in review is not in the export; naming it would break the import.
        let exported: HashSet<String> = offerings.iter().map(|o| o.id.clone()).collect();
        for offering in &mut offerings {
            offering.prerequisites.retain(|id| exported.contains(id));
        }
        // Likewise an approval of an offering not published.
        let mut certifications = super::learners::read_certifications(&connection)?;
        for certification in &mut certifications {
            for requirement in &mut certification.requirements {
                requirement
                    .approved_offerings
                    .retain(|id| exported.contains(id));
            }
        }
        Ok(Bundle {
            frameworks,
            providers,
            offerings,
            offerings_file: crate::bundle::OFFERINGS_FILE,
            certifications,
        })
    }

    /// A bundle of these published offerings and all they reference: their prerequisites (and
    /// theirs), their providers, and the whole frameworks their competencies belong to, so it
    /// imports into an empty catalog unchanged.
    pub fn export_selection(&self, ids: &[String]) -> Result<Bundle, StoreError> {
        let connection = self.connection()?;
        let mut wanted: Vec<String> = ids.to_vec();
        let mut offerings = Vec::new();
        let mut seen = HashSet::new();
        while !wanted.is_empty() {
            let list = serde_json::to_string(&wanted).unwrap_or_else(|_| "[]".into());
            let found = offerings::read_where(
                &connection,
                "status = 'published' AND id IN (SELECT value FROM json_each(?1))",
                [list.as_str()],
            )?;
            wanted.clear();
            for stored in found {
                if seen.insert(stored.offering.id.clone()) {
                    wanted.extend(
                        stored
                            .offering
                            .prerequisites
                            .iter()
                            .filter(|id| !seen.contains(*id))
                            .cloned(),
                    );
                    offerings.push(stored.offering);
                }
            }
        }
        let exported: HashSet<String> = offerings.iter().map(|o| o.id.clone()).collect();
        for offering in &mut offerings {
            offering.prerequisites.retain(|id| exported.contains(id));
        }
        offerings.sort_by(|a, b| a.id.cmp(&b.id));
        let providers_used: HashSet<&str> = offerings.iter().map(|o| o.provider.as_str()).collect();
        let frameworks_used: HashSet<&str> = offerings
            .iter()
            .flat_map(|o| o.competencies.iter().filter_map(|c| c.split(':').next()))
            .collect();
        let providers = catalog_rows::read_providers(&connection)?
            .into_iter()
            .filter(|p| providers_used.contains(p.id.as_str()))
            .collect();
        let mut frameworks = catalog_rows::read_frameworks(&connection)?;
        frameworks
            .frameworks
            .retain(|f| frameworks_used.contains(f.id.as_str()));
        Ok(Bundle {
            frameworks,
            providers,
            offerings,
            offerings_file: crate::bundle::OFFERINGS_FILE,
            certifications: Vec::new(),
        })
    }
}

pub(super) fn import_frameworks(
    transaction: &Transaction<'_>,
    bundle: &Bundle,
    summary: &mut ImportSummary,
    progress: &dyn Fn(),
) -> Result<(), StoreError> {
    for framework in &bundle.frameworks.frameworks {
        catalog_rows::upsert_framework(transaction, framework)?;
        for (position, flat) in framework.flatten().into_iter().enumerate() {
            let change = catalog_rows::upsert_competency(
                transaction,
                &framework.id,
                flat.parent,
                flat.competency,
                position as i64,
            )?;
            if change == Change::Updated {
                // Its offerings show its title in search: have the index read them again.
                offerings::touch_where(
                    transaction,
                    "id IN (SELECT offering_id FROM offering_competencies WHERE framework = ?1 AND code = ?2)",
                    [&framework.id, &flat.competency.code],
                )?;
            }
            summary.competencies.add(change);
            progress();
        }
    }
    Ok(())
}

/// Offerings checked and written at a time: their current versions are read in one query and
/// their revisions taken in one step.
pub(super) const IMPORT_BATCH: usize = 1_000;

/// Upserts a batch of offerings, published. What changes is known before writing, so the
/// revisions are taken from the counter in one step rather than one statement an offering.
pub(super) fn import_offerings(
    transaction: &Transaction<'_>,
    batch: &[Offering],
    now: &str,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let ids: Vec<&str> = batch.iter().map(|o| o.id.as_str()).collect();
    let existing = offerings::read_many(transaction, &ids)?;
    let changes: Vec<Change> = batch
        .iter()
        .map(|offering| match existing.get(&offering.id) {
            Some(stored)
                if stored.status == OfferingStatus::Published && stored.offering == *offering =>
            {
                Change::Unchanged
            }
            Some(_) => Change::Updated,
            None => Change::Created,
        })
        .collect();
    let writes = changes.iter().filter(|c| **c != Change::Unchanged).count();
    let mut revisions = reserve_revisions(transaction, writes)?;
    let published = OfferingStatus::Published;
    for (offering, change) in batch.iter().zip(changes) {
        match change {
            Change::Unchanged => {}
            Change::Created => {
                let revision = revisions.next().unwrap_or_default();
                offerings::write_created(transaction, offering, published, revision, now)?
            }
            Change::Updated => {
                let revision = revisions.next().unwrap_or_default();
                offerings::write(transaction, offering, published, revision, now)?
            }
        }
        summary.offerings.add(change);
    }
    Ok(())
}

pub(super) fn import_providers(
    transaction: &Transaction<'_>,
    providers: &[Provider],
    now: &str,
    summary: &mut ImportSummary,
    progress: &dyn Fn(),
) -> Result<(), StoreError> {
    for provider in providers {
        let change = catalog_rows::upsert_provider(transaction, provider, now)?;
        if change == Change::Updated {
            offerings::touch_where(transaction, "provider = ?1", [&provider.id])?;
        }
        summary.providers.add(change);
        progress();
    }
    Ok(())
}
