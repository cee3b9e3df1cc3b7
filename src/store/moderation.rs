//! Submissions and their review: a provider proposes a new offering or an edit; an administrator
//! approves (it is published, with a new revision, so search catches up), or rejects it with a
//! reason. Every decision is written to the audit log in the same transaction.

use super::{Store, StoreError, catalog_rows, next_revision, now, offerings};
use crate::catalog::{FieldError, Offering, OfferingStatus, validate_offering};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// An offering a submission may duplicate: its id and title.
pub type Duplicate = (String, String);

crate::catalog::string_enum! {
    /// What a submission proposes.
    SubmissionKind {
        New = "new": "New offering",
        Edit = "edit": "Edit",
    }
}

crate::catalog::string_enum! {
    /// Where a submission is in its review.
    SubmissionStatus {
        Pending = "pending": "Pending review",
        Approved = "approved": "Approved",
        Rejected = "rejected": "Rejected",
        Returned = "returned": "Changes requested",
    }
}

/// A submission as the review queue lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Submission {
    pub id: i64,
    pub offering: Offering,
    pub kind: SubmissionKind,
    pub status: SubmissionStatus,
    pub reason: Option<String>,
    pub submitted_at: String,
    /// What it may duplicate, as found when it was submitted; `None` for submissions made
    /// before duplicates were kept.
    pub duplicates: Option<Vec<Duplicate>>,
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
    connection
        .prepare_cached(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![now(), actor, action, subject, detail])?;
    Ok(())
}

const SUBMISSION_COLUMNS: &str = "id, payload, kind, status, reason, submitted_at, duplicates";

fn submission_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    let id: i64 = row.get(0)?;
    let unreadable = |error: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("submission {id} cannot be read: {error}").into(),
        )
    };
    let vocabulary = |column: usize, message: String| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            message.into(),
        )
    };
    let payload: String = row.get(1)?;
    let duplicates: Option<String> = row.get(6)?;
    Ok(Submission {
        id,
        offering: serde_json::from_str(&payload).map_err(unreadable)?,
        kind: row
            .get::<_, String>(2)?
            .parse()
            .map_err(|m| vocabulary(2, m))?,
        status: row
            .get::<_, String>(3)?
            .parse()
            .map_err(|m| vocabulary(3, m))?,
        reason: row.get(4)?,
        submitted_at: row.get(5)?,
        duplicates: duplicates
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(unreadable)?,
    })
}

/// The submission a form with this idempotency key made, if any.
fn submission_by_key(connection: &Connection, key: &str) -> Result<Option<Submission>, StoreError> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE idempotency_key = ?1"
        ))?
        .query_row([key], submission_from_row)
        .optional()?)
}

fn read_submission(connection: &Connection, id: i64) -> Result<Option<Submission>, StoreError> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = ?1"
        ))?
        .query_row([id], submission_from_row)
        .optional()?)
}

/// The most offerings compared with a submission's title: a provider may run hundreds of sessions
/// at one time (a conference), and the review queue needs a hint, not an exhaustive list.
const DUPLICATE_CANDIDATES: i64 = 200;

/// Offerings (published or pending) `offering` may duplicate: the same registration address, or
/// the same provider and start with a very similar title. Indexed look-ups only: this runs for
/// every submission, and one provider may have thousands.
fn find_duplicates(
    connection: &Connection,
    offering: &Offering,
) -> Result<Vec<Duplicate>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, title, url FROM offerings WHERE status IN ('published', 'pending') \
         AND id != ?1 AND (url = ?2 OR (provider = ?3 AND start = ?4)) LIMIT ?5",
    )?;
    let rows = statement.query_map(
        params![
            offering.id,
            offering.url,
            offering.provider,
            offering.start,
            DUPLICATE_CANDIDATES
        ],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        },
    )?;
    let title = offering.title.to_lowercase();
    let mut found = Vec::new();
    for row in rows {
        let (id, other_title, url) = row?;
        let same_url = offering.url.is_some() && url == offering.url;
        let similar = similar_titles(&title, &other_title.to_lowercase());
        if same_url || similar {
            found.push((id, other_title));
        }
    }
    Ok(found)
}

/// The stored offering `offering_id`, which must be `provider`'s when one is given.
fn stored_of(
    connection: &Connection,
    offering_id: &str,
    provider: Option<&str>,
) -> Result<offerings::StoredOffering, StoreError> {
    let stored = offerings::read_one(connection, offering_id)?
        .ok_or_else(|| StoreError::NotFound(format!("offering {offering_id}")))?;
    if provider.is_some_and(|p| p != stored.offering.provider) {
        return Err(StoreError::Forbidden(format!(
            "offering {offering_id} belongs to another provider"
        )));
    }
    Ok(stored)
}

/// What became of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploaded {
    /// Its rows were submitted: this many.
    Submitted(usize),
    /// The same file was uploaded before, and this many of its rows still wait for review.
    Waiting(usize),
}

/// How many submissions of the upload keyed `key` wait for review (rows are keyed `key:N`).
fn waiting_from_upload(connection: &Connection, key: &str) -> Result<usize, StoreError> {
    // `;` follows `:`: the range holds exactly the keys that start with `key:`.
    let count: i64 = connection.query_row(
        "SELECT count(*) FROM submissions WHERE idempotency_key >= ?1 || ':' \
         AND idempotency_key < ?1 || ';' AND status = 'pending'",
        [key],
        |row| row.get(0),
    )?;
    Ok(count as usize)
}

/// How long a provider can take back a withdrawal.
pub const UNDO_WITHDRAWAL: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Whether `stored` was withdrawn recently enough, as of `now`, to be put back.
pub fn can_undo_withdrawal(
    stored: &offerings::StoredOffering,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let withdrawn_at = chrono::DateTime::parse_from_rfc3339(&stored.updated_at);
    stored.status == OfferingStatus::Withdrawn
        && withdrawn_at.is_ok_and(|at| now.signed_duration_since(at) <= UNDO_WITHDRAWAL)
}

/// Whether two lowercased titles read as one: nearly the same letters, and the same numbers
/// ("Part 1" and "Part 2" of a series, or a conference's numbered sessions, are distinct).
fn similar_titles(one: &str, other: &str) -> bool {
    let numbers = |title: &str| -> Vec<String> {
        title
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| !run.is_empty())
            .map(str::to_owned)
            .collect()
    };
    numbers(one) == numbers(other) && strsim::normalized_levenshtein(one, other) >= 0.8
}

/// Refuses `adding` more submissions from `provider` when that would take its pending ones past
/// `limit`.
fn check_room(
    connection: &Connection,
    provider: &str,
    adding: usize,
    limit: usize,
) -> Result<(), StoreError> {
    let pending: usize = connection
        .prepare_cached(
            "SELECT count(*) FROM submissions WHERE provider = ?1 AND status = 'pending'",
        )?
        .query_row([provider], |row| row.get::<_, i64>(0))? as usize;
    if pending + adding > limit {
        return Err(StoreError::QueueFull { pending, limit });
    }
    Ok(())
}

/// What a provider proposes, with what it may duplicate.
struct Proposal<'a> {
    offering: &'a Offering,
    provider: &'a str,
    actor: &'a str,
    idempotency_key: Option<&'a str>,
    duplicates: &'a [Duplicate],
}

impl Proposal<'_> {
    /// Stores it for review (a new offering as pending), with its line in the audit log;
    /// `existing` is the stored offering of the same id. Returns the submission's id.
    fn record(
        &self,
        transaction: &Transaction<'_>,
        existing: Option<&offerings::StoredOffering>,
    ) -> Result<i64, StoreError> {
        let kind = store_pending(transaction, self.offering, self.provider, existing)?;
        let id = insert_submission(
            transaction,
            self.offering,
            kind,
            self.idempotency_key,
            self.duplicates,
        )?;
        let subject = &self.offering.id;
        audit(
            transaction,
            self.actor,
            "submitted",
            subject,
            Some(kind.as_str()),
        )?;
        Ok(id)
    }
}

/// Stores `offering` as a submission of `kind`, with what it may duplicate; returns its id.
fn insert_submission(
    connection: &Connection,
    offering: &Offering,
    kind: SubmissionKind,
    idempotency_key: Option<&str>,
    duplicates: &[Duplicate],
) -> Result<i64, StoreError> {
    let payload = serde_json::to_string(offering).unwrap_or_default();
    let duplicates = serde_json::to_string(duplicates).unwrap_or_else(|_| "[]".into());
    connection
        .prepare_cached(
            "INSERT INTO submissions (offering_id, provider, payload, kind, status, submitted_at, \
             idempotency_key, duplicates) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7)",
        )?
        .execute(params![
            offering.id,
            offering.provider,
            payload,
            kind.as_str(),
            now(),
            idempotency_key,
            duplicates
        ])?;
    Ok(connection.last_insert_rowid())
}

/// Writes a new offering as pending and says whether the submission is `new` or an `edit` of a
/// published one (which stays published until approved).
fn store_pending(
    connection: &Connection,
    offering: &Offering,
    provider: &str,
    existing: Option<&offerings::StoredOffering>,
) -> Result<SubmissionKind, StoreError> {
    match existing {
        Some(stored) if stored.offering.provider != provider => Err(StoreError::Forbidden(
            format!("offering {} belongs to another provider", offering.id),
        )),
        Some(stored) if stored.status == OfferingStatus::Published => Ok(SubmissionKind::Edit),
        _ => {
            let revision = next_revision(connection)?;
            offerings::write(
                connection,
                offering,
                OfferingStatus::Pending,
                revision,
                &now(),
            )?;
            Ok(SubmissionKind::New)
        }
    }
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
        self.write(|transaction| {
            submit_in(
                transaction,
                offering,
                provider,
                actor,
                idempotency_key,
                self.max_pending,
            )
        })
    }

    /// Submits many offerings at once (a bulk upload): all of them, or, if any is refused, none.
    /// The offerings must have passed `check_upload`; what may have changed since (who owns an
    /// id, room in the queue) is checked again inside the transaction, which only writes, so
    /// thousands of rows hold the write lock for a moment. A refused offering is reported as
    /// `StoreError::Batch` with its position (from 1).
    pub fn submit_all(
        &self,
        offerings: &[Offering],
        provider: &str,
        actor: &str,
    ) -> Result<usize, StoreError> {
        match self.submit_upload(offerings, provider, actor, None)? {
            Uploaded::Submitted(count) | Uploaded::Waiting(count) => Ok(count),
        }
    }

    /// `submit_all` for a file whose content is summed up in `upload_key`: each row's
    /// submission keeps the key, so the same file sent again while its rows wait for review
    /// stores nothing and says so.
    pub fn submit_upload(
        &self,
        offerings: &[Offering],
        provider: &str,
        actor: &str,
        upload_key: Option<&str>,
    ) -> Result<Uploaded, StoreError> {
        self.write(|transaction| {
            if let Some(key) = upload_key {
                let waiting = waiting_from_upload(transaction, key)?;
                if waiting > 0 {
                    return Ok(Uploaded::Waiting(waiting));
                }
            }
            check_room(transaction, provider, offerings.len(), self.max_pending)?;
            let ids: Vec<&str> = offerings.iter().map(|o| o.id.as_str()).collect();
            let existing = offerings::read_many(transaction, &ids)?;
            for (index, offering) in offerings.iter().enumerate() {
                let at_row = |error| StoreError::Batch(index + 1, Box::new(error));
                if offering.provider != provider {
                    return Err(at_row(StoreError::Forbidden(format!(
                        "offering {} belongs to another provider",
                        offering.id
                    ))));
                }
                // Looked up row by row in the transaction, so two alike rows flag each other.
                let duplicates = find_duplicates(transaction, offering).map_err(at_row)?;
                let row_key = upload_key.map(|key| format!("{key}:{}", index + 1));
                let submission = Proposal {
                    offering,
                    provider,
                    actor,
                    idempotency_key: row_key.as_deref(),
                    duplicates: &duplicates,
                };
                submission
                    .record(transaction, existing.get(&offering.id))
                    .map_err(at_row)?;
            }
            Ok(Uploaded::Submitted(offerings.len()))
        })
    }

    /// Pending submissions, oldest first.
    pub fn pending_submissions(&self) -> Result<Vec<Submission>, StoreError> {
        self.pending_page(0, usize::MAX).map(|(page, _)| page)
    }

    /// One page of the review queue, oldest first: `limit` pending submissions from `offset`,
    /// and how many are pending in all.
    pub fn pending_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Submission>, usize), StoreError> {
        let connection = self.connection()?;
        let page = connection
            .prepare(&format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE status = 'pending' \
                 ORDER BY id LIMIT ?1 OFFSET ?2"
            ))?
            .query_map(
                [
                    limit.min(i64::MAX as usize) as i64,
                    offset.min(i64::MAX as usize) as i64,
                ],
                submission_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let total: i64 = connection.query_row(
            "SELECT count(*) FROM submissions WHERE status = 'pending'",
            [],
            |row| row.get(0),
        )?;
        Ok((page, total as usize))
    }

    fn pending(transaction: &Transaction<'_>, id: i64) -> Result<Submission, StoreError> {
        match read_submission(transaction, id)? {
            Some(submission) if submission.status == SubmissionStatus::Pending => Ok(submission),
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
            Ok(Submission { status: SubmissionStatus::Approved, ..submission })
        })
    }

    /// Rejects a pending submission with a reason the provider will see. A rejected edit leaves
    /// the published version as it was.
    pub fn reject(&self, id: i64, reason: &str, actor: &str) -> Result<Submission, StoreError> {
        self.decline(id, reason, actor, SubmissionStatus::Rejected)
    }

    /// Returns a pending submission for changes: like a rejection, but the provider is asked to
    /// fix and resubmit, and a new offering stays pending rather than rejected.
    pub fn return_for_changes(
        &self,
        id: i64,
        reason: &str,
        actor: &str,
    ) -> Result<Submission, StoreError> {
        self.decline(id, reason, actor, SubmissionStatus::Returned)
    }

    fn decline(
        &self,
        id: i64,
        reason: &str,
        actor: &str,
        outcome: SubmissionStatus,
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
            if submission.kind == SubmissionKind::New && outcome == SubmissionStatus::Rejected {
                let revision = next_revision(transaction)?;
                transaction.execute(
                    "UPDATE offerings SET status = 'rejected', revision = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'pending'",
                    params![submission.offering.id, revision, now()],
                )?;
            }
            transaction.execute(
                "UPDATE submissions SET status = ?5, reason = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1",
                params![id, reason, actor, now(), outcome.as_str()],
            )?;
            let action = match outcome {
                SubmissionStatus::Returned => "requested changes",
                _ => outcome.as_str(),
            };
            audit(transaction, actor, action, &submission.offering.id, Some(reason))?;
            Ok(Submission { status: outcome, reason: Some(reason.to_owned()), ..submission })
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
            let stored = stored_of(transaction, offering_id, provider)?;
            if stored.status != OfferingStatus::Published {
                return Err(StoreError::Conflict(format!("offering {offering_id} is not published")));
            }
            let revision = next_revision(transaction)?;
            transaction.execute(
                "UPDATE offerings SET status = 'withdrawn', revision = ?2, updated_at = ?3 WHERE id = ?1",
                params![offering_id, revision, now()],
            )?;
            audit(transaction, actor, "withdrew", offering_id, None)
        })
    }

    /// Puts back an offering its provider withdrew within `UNDO_WITHDRAWAL` of `now`: published
    /// again, with a new revision so search catches up. Later, it must be submitted again.
    pub fn undo_withdrawal(
        &self,
        offering_id: &str,
        provider: Option<&str>,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            let stored = stored_of(transaction, offering_id, provider)?;
            if !can_undo_withdrawal(&stored, now) {
                return Err(StoreError::Conflict(format!(
                    "“{}” was not withdrawn within the last day: submit it again through the form",
                    stored.offering.title
                )));
            }
            let revision = next_revision(transaction)?;
            transaction.execute(
                "UPDATE offerings SET status = 'published', revision = ?2, updated_at = ?3 WHERE id = ?1",
                params![offering_id, revision, super::now()],
            )?;
            audit(transaction, actor, "undid withdrawal", offering_id, None)
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

    /// A provider's offerings, whatever their status, by id.
    pub fn offerings_of(
        &self,
        provider: &str,
    ) -> Result<Vec<crate::store::StoredOffering>, StoreError> {
        let connection = self.connection()?;
        offerings::read_where(&connection, "provider = ?1", [provider])
    }

    /// The submission of an offering that waits for review, if one does (the newest).
    pub fn pending_submission_of(
        &self,
        offering_id: &str,
    ) -> Result<Option<Submission>, StoreError> {
        let connection = self.connection()?;
        Ok(connection
            .prepare_cached(&format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE offering_id = ?1 \
                 AND status = 'pending' ORDER BY id DESC LIMIT 1"
            ))?
            .query_row([offering_id], submission_from_row)
            .optional()?)
    }

    /// A provider's submissions, newest first (the last 200).
    pub fn submissions_of(&self, provider: &str) -> Result<Vec<Submission>, StoreError> {
        let connection = self.connection()?;
        let submissions = connection
            .prepare(&format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE provider = ?1 \
                 ORDER BY id DESC LIMIT 200"
            ))?
            .query_map([provider], submission_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(submissions)
    }

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
        let ids: Vec<&str> = offerings.iter().map(|o| o.id.as_str()).collect();
        let existing = offerings::read_many(&connection, &ids)?;
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
            } else if let Some(existing) = existing.get(&offering.id)
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

    /// Checks one offering a provider sends through the form, as `check_upload` checks a row:
    /// every problem, by field.
    pub fn check_offering(
        &self,
        offering: &Offering,
        provider: &str,
    ) -> Result<Vec<FieldError>, StoreError> {
        let problems = self.check_upload(std::slice::from_ref(offering), provider)?;
        Ok(problems
            .into_iter()
            .flat_map(|(_, errors)| errors)
            .collect())
    }

    /// Offerings (published or pending) this one may duplicate: the same registration address,
    /// or the same provider and start with a very similar title. Returns (id, title).
    pub fn possible_duplicates(&self, offering: &Offering) -> Result<Vec<Duplicate>, StoreError> {
        let connection = self.connection()?;
        find_duplicates(&connection, offering)
    }

    /// The submission a form with this idempotency key already made, if any.
    pub fn submission_by_key(&self, key: &str) -> Result<Option<Submission>, StoreError> {
        let connection = self.connection()?;
        submission_by_key(&connection, key)
    }
}

/// `Store::submit` inside a transaction.
fn submit_in(
    transaction: &Transaction<'_>,
    offering: &Offering,
    provider: &str,
    actor: &str,
    idempotency_key: Option<&str>,
    max_pending: usize,
) -> Result<Submission, StoreError> {
    // The same form sent again (a double click, a reload): the first submission stands.
    if let Some(key) = idempotency_key
        && let Some(first) = submission_by_key(transaction, key)?
    {
        return Ok(first);
    }
    if offering.provider != provider {
        return Err(StoreError::Forbidden(format!(
            "offering {} belongs to another provider",
            offering.id
        )));
    }
    check_room(transaction, provider, 1, max_pending)?;
    let known = catalog_rows::read_known(transaction)?;
    validate_offering(offering, &known).map_err(StoreError::InvalidOffering)?;
    let existing = offerings::read_one(transaction, &offering.id)?;
    // Looked up under the write lock, so of two alike submissions sent together the second
    // sees the first.
    let duplicates = find_duplicates(transaction, offering)?;
    let proposal = Proposal {
        offering,
        provider,
        actor,
        idempotency_key,
        duplicates: &duplicates,
    };
    let id = proposal.record(transaction, existing.as_ref())?;
    read_submission(transaction, id)?.ok_or(StoreError::NotFound(format!("submission {id}")))
}
