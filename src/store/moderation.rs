//! Submissions and their review: a provider proposes a new offering or an edit; an administrator
//! approves (it is published, with a new revision, so search catches up), or rejects it with a
//! reason. Every decision is written to the audit log in the same transaction.

use super::{Store, StoreError, catalog_rows, next_revision, now, offerings};
use crate::catalog::{FieldError, Offering, OfferingStatus, validate_offering};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// A submission as the review queue lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Submission {
    pub id: i64,
    pub offering: Offering,
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub submitted_at: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: Option<String>,
}

/// Writes who did what, in the caller's transaction.
pub(crate) fn audit(
    connection: &Connection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    connection.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now(), actor, action, subject, detail],
    )?;
    Ok(())
}

fn read_submission(connection: &Connection, id: i64) -> Result<Option<Submission>, StoreError> {
    let row: Option<(i64, String, String, String, Option<String>, String)> = connection
        .query_row(
            "SELECT id, payload, kind, status, reason, submitted_at FROM submissions WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((id, payload, kind, status, reason, submitted_at)) = row else {
        return Ok(None);
    };
    let offering = serde_json::from_str(&payload)
        .map_err(|error| StoreError::Account(format!("submission {id} cannot be read: {error}")))?;
    Ok(Some(Submission {
        id,
        offering,
        kind,
        status,
        reason,
        submitted_at,
    }))
}

impl Store {
    /// Takes a provider's offering for review. A new offering is stored as pending (not
    /// searchable); an edit of a published one leaves it published until approved. The same
    /// idempotency key twice gives the first submission back, so a resubmitted form stores one.
    pub fn submit(
        &self,
        offering: &Offering,
        provider: &str,
        actor: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Submission, StoreError> {
        self.write(|transaction| submit_in(transaction, offering, provider, actor, idempotency_key))
    }

    /// Submits many offerings at once (a bulk upload): all of them, or, if any is refused, none.
    /// The error names the offering at fault by its position (from 1).
    pub fn submit_all(
        &self,
        offerings: &[Offering],
        provider: &str,
        actor: &str,
    ) -> Result<usize, (usize, StoreError)> {
        let result = self.write(|transaction| {
            for (index, offering) in offerings.iter().enumerate() {
                submit_in(transaction, offering, provider, actor, None)
                    .map_err(|error| StoreError::Batch(index + 1, Box::new(error)))?;
            }
            Ok(offerings.len())
        });
        result.map_err(|error| match error {
            StoreError::Batch(row, inner) => (row, *inner),
            other => (0, other),
        })
    }
}

/// `Store::submit` inside a transaction.
fn submit_in(
    transaction: &Transaction<'_>,
    offering: &Offering,
    provider: &str,
    actor: &str,
    idempotency_key: Option<&str>,
) -> Result<Submission, StoreError> {
    if let Some(key) = idempotency_key {
        let existing: Option<i64> = transaction
            .query_row(
                "SELECT id FROM submissions WHERE idempotency_key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return read_submission(transaction, id)?
                .ok_or(StoreError::NotFound(format!("submission {id}")));
        }
    }
    if offering.provider != provider {
        return Err(StoreError::Forbidden(format!(
            "offering {} belongs to another provider",
            offering.id
        )));
    }
    let known = catalog_rows::read_known(transaction)?;
    validate_offering(offering, &known).map_err(StoreError::InvalidOffering)?;
    let existing = offerings::read_one(transaction, &offering.id)?;
    let kind = match &existing {
        Some(stored) if stored.offering.provider != provider => {
            return Err(StoreError::Forbidden(format!(
                "offering {} belongs to another provider",
                offering.id
            )));
        }
        Some(stored) if stored.status == OfferingStatus::Published => "edit",
        _ => {
            let revision = next_revision(transaction)?;
            offerings::write(
                transaction,
                offering,
                OfferingStatus::Pending,
                revision,
                &now(),
            )?;
            "new"
        }
    };
    let payload = serde_json::to_string(offering).unwrap_or_default();
    transaction.execute(
        "INSERT INTO submissions (offering_id, provider, payload, kind, status, submitted_at, idempotency_key) \
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
        params![offering.id, provider, payload, kind, now(), idempotency_key],
    )?;
    let id = transaction.last_insert_rowid();
    audit(transaction, actor, "submitted", &offering.id, Some(kind))?;
    read_submission(transaction, id)?.ok_or(StoreError::NotFound(format!("submission {id}")))
}

impl Store {
    /// Pending submissions, oldest first.
    pub fn pending_submissions(&self) -> Result<Vec<Submission>, StoreError> {
        let connection = self.connection()?;
        let ids: Vec<i64> = connection
            .prepare("SELECT id FROM submissions WHERE status = 'pending' ORDER BY id")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter()
            .filter_map(|id| read_submission(&connection, id).transpose())
            .collect()
    }

    fn pending(transaction: &Transaction<'_>, id: i64) -> Result<Submission, StoreError> {
        match read_submission(transaction, id)? {
            Some(submission) if submission.status == "pending" => Ok(submission),
            Some(submission) => Err(StoreError::Conflict(format!(
                "submission {id} is {} already",
                submission.status
            ))),
            None => Err(StoreError::NotFound(format!("submission {id}"))),
        }
    }

    /// Publishes a pending submission (its offering takes a new revision, so search catches up).
    pub fn approve(&self, id: i64, actor: &str) -> Result<Submission, StoreError> {
        self.write(|transaction| {
            let submission = Self::pending(transaction, id)?;
            // The catalog may have changed since it was submitted: check it again.
            let known = catalog_rows::read_known(transaction)?;
            validate_offering(&submission.offering, &known).map_err(StoreError::InvalidOffering)?;
            let revision = next_revision(transaction)?;
            offerings::write(transaction, &submission.offering, OfferingStatus::Published, revision, &now())?;
            transaction.execute(
                "UPDATE submissions SET status = 'approved', decided_by = ?2, decided_at = ?3 WHERE id = ?1",
                params![id, actor, now()],
            )?;
            audit(transaction, actor, "approved", &submission.offering.id, None)?;
            Ok(Submission { status: "approved".into(), ..submission })
        })
    }

    /// Rejects a pending submission with a reason the provider will see. A rejected edit leaves
    /// the published version as it was.
    pub fn reject(&self, id: i64, reason: &str, actor: &str) -> Result<Submission, StoreError> {
        self.decline(id, reason, actor, "rejected")
    }

    /// Returns a pending submission for changes: like a rejection, but the provider is asked to
    /// fix and resubmit, and a new offering stays pending rather than rejected.
    pub fn return_for_changes(
        &self,
        id: i64,
        reason: &str,
        actor: &str,
    ) -> Result<Submission, StoreError> {
        self.decline(id, reason, actor, "returned")
    }

    fn decline(
        &self,
        id: i64,
        reason: &str,
        actor: &str,
        outcome: &str,
    ) -> Result<Submission, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::InvalidOffering(vec![FieldError {
                field: "reason".into(),
                message: "say why, so the provider can fix it".into(),
            }]));
        }
        self.write(|transaction| {
            let submission = Self::pending(transaction, id)?;
            if submission.kind == "new" && outcome == "rejected" {
                let revision = next_revision(transaction)?;
                transaction.execute(
                    "UPDATE offerings SET status = 'rejected', revision = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'pending'",
                    params![submission.offering.id, revision, now()],
                )?;
            }
            transaction.execute(
                "UPDATE submissions SET status = ?5, reason = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1",
                params![id, reason, actor, now(), outcome],
            )?;
            audit(transaction, actor, outcome, &submission.offering.id, Some(reason))?;
            Ok(Submission { status: outcome.to_owned(), reason: Some(reason.to_owned()), ..submission })
        })
    }

    /// Takes an offering out of the catalog at once (it leaves search on the next catch-up).
    pub fn withdraw(
        &self,
        offering_id: &str,
        provider: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            let stored = offerings::read_one(transaction, offering_id)?
                .ok_or_else(|| StoreError::NotFound(format!("offering {offering_id}")))?;
            if provider.is_some_and(|p| p != stored.offering.provider) {
                return Err(StoreError::Forbidden(format!("offering {offering_id} belongs to another provider")));
            }
            let revision = next_revision(transaction)?;
            transaction.execute(
                "UPDATE offerings SET status = 'withdrawn', revision = ?2, updated_at = ?3 WHERE id = ?1",
                params![offering_id, revision, now()],
            )?;
            audit(transaction, actor, "withdrew", offering_id, None)
        })
    }

    /// The audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok(AuditEntry {
                at: row.get(0)?,
                actor: row.get(1)?,
                action: row.get(2)?,
                subject: row.get(3)?,
                detail: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// A provider's offerings, whatever their status, by id.
    pub fn offerings_of(
        &self,
        provider: &str,
    ) -> Result<Vec<crate::store::StoredOffering>, StoreError> {
        let connection = self.connection()?;
        offerings::read_where(&connection, "provider = ?1", [provider])
    }

    /// A provider's submissions, newest first.
    pub fn submissions_of(&self, provider: &str) -> Result<Vec<Submission>, StoreError> {
        let connection = self.connection()?;
        let ids: Vec<i64> = connection
            .prepare("SELECT id FROM submissions WHERE provider = ?1 ORDER BY id DESC LIMIT 200")?
            .query_map([provider], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter()
            .filter_map(|id| read_submission(&connection, id).transpose())
            .collect()
    }
}

impl Store {
    /// Checks offerings a provider uploads, each against the catalog and the others in the
    /// upload (a prerequisite may be another row); returns every row's problems by position.
    pub fn check_upload(
        &self,
        offerings: &[Offering],
        provider: &str,
    ) -> Result<Vec<(usize, Vec<FieldError>)>, StoreError> {
        let connection = self.connection()?;
        let mut known = catalog_rows::read_known(&connection)?;
        known
            .offerings
            .extend(offerings.iter().map(|o| o.id.clone()));
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (index, offering) in offerings.iter().enumerate() {
            let mut errors = validate_offering(offering, &known)
                .err()
                .unwrap_or_default();
            if offering.provider != provider {
                errors.push(FieldError {
                    field: "provider".into(),
                    message: format!("must be your own provider, {provider}"),
                });
            } else if let Some(existing) = offerings::read_one(&connection, &offering.id)?
                && existing.offering.provider != provider
            {
                errors.push(FieldError {
                    field: "id".into(),
                    message: format!("{} belongs to another provider", offering.id),
                });
            }
            if !seen.insert(offering.id.as_str()) {
                errors.push(FieldError {
                    field: "id".into(),
                    message: format!("{} appears twice in the upload", offering.id),
                });
            }
            if !errors.is_empty() {
                problems.push((index + 1, errors));
            }
        }
        Ok(problems)
    }
}

impl Store {
    /// Offerings (published or pending) this one may duplicate: the same registration address,
    /// or the same provider and start with a very similar title. Returns (id, title).
    pub fn possible_duplicates(
        &self,
        offering: &Offering,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let connection = self.connection()?;
        let candidates = offerings::read_where(
            &connection,
            "status IN ('published', 'pending') AND id != ?1 AND (url = ?2 OR provider = ?3)",
            params![
                offering.id,
                offering.url.as_deref().unwrap_or("\u{0}"),
                offering.provider
            ],
        )?;
        let title = offering.title.to_lowercase();
        Ok(candidates
            .into_iter()
            .filter(|stored| {
                let other = &stored.offering;
                let same_url = offering.url.is_some() && other.url == offering.url;
                let same_start = offering.start.is_some() && other.start == offering.start;
                same_url
                    || (same_start
                        && strsim::normalized_levenshtein(&title, &other.title.to_lowercase())
                            >= 0.8)
            })
            .map(|stored| (stored.offering.id, stored.offering.title))
            .collect())
    }
}

impl Store {
    /// The submission a form with this idempotency key already made, if any.
    pub fn submission_by_key(&self, key: &str) -> Result<Option<Submission>, StoreError> {
        let connection = self.connection()?;
        let id: Option<i64> = connection
            .query_row(
                "SELECT id FROM submissions WHERE idempotency_key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?;
        match id {
            Some(id) => read_submission(&connection, id),
            None => Ok(None),
        }
    }
}
