//! The follow-up queue of participants' evaluations (#15): an answer may leave an e-mail address
//! for one follow-up 60–90 days later ("did you apply it? what changed for your users?").
//!
//! The address is the only personal datum kept, and only until the follow-up goes out: marking
//! a follow-up sent (by SMTP), exporting it for a mail merge, or its lapsing unsent after its
//! last day clears the address in the same transaction, keeping when and how. A follow-up's token
//! is made when its mail is made; only its SHA-256 is kept, and the answer through it is stored
//! once, against the original response.

use super::sessions::{digest, random_token};
use super::{Store, StoreError, now};
use crate::participant_evaluations::FollowupAnswer;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

/// A follow-up ready to go out: where, about what, and its link's token (not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct DueFollowup {
    pub id: i64,
    pub email: String,
    pub offering_title: String,
    /// The follow-up page's address: the site the participant answered on, `/followup/TOKEN`.
    pub link: String,
}

/// A follow-up as its link finds it.
#[derive(Debug, Clone)]
pub struct FollowupLink {
    pub offering_id: String,
    pub offering_title: String,
    pub answered: bool,
}

/// How the queue stands, for administrators and the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowupQueue {
    /// Addresses waiting for their follow-up.
    pub waiting: usize,
    /// Of those, due now and tried at least once without success.
    pub failing: usize,
    pub sent: usize,
    pub answered: usize,
}

/// Clears the addresses whose follow-up can no longer go out in time (past the last day).
fn lapse(transaction: &Transaction<'_>, today: NaiveDate) -> Result<usize, StoreError> {
    Ok(transaction.execute(
        "UPDATE evaluation_followups SET email = NULL, sent_at = ?2, sent_by = 'lapsed' \
         WHERE email IS NOT NULL AND last_day < ?1",
        params![today.to_string(), now()],
    )?)
}

/// The follow-ups due by `due_by` (whose retry time, if any, has come by `at`), each with a
/// new token whose hash replaces any earlier one, at most `limit`.
fn due(
    transaction: &Transaction<'_>,
    due_by: NaiveDate,
    at: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<DueFollowup>, StoreError> {
    let at = at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let found: Vec<(i64, String, String, String)> = {
        let mut statement = transaction.prepare(
            "SELECT f.id, f.email, f.site, o.title FROM evaluation_followups f \
             JOIN evaluation_responses r ON r.id = f.response_id \
             JOIN offerings o ON o.id = r.offering_id \
             WHERE f.email IS NOT NULL AND f.due_day <= ?1 \
               AND (?2 IS NULL OR f.retry_after IS NULL OR f.retry_after <= ?2) \
             ORDER BY f.due_day, f.id LIMIT ?3",
        )?;
        let rows = statement.query_map(params![due_by.to_string(), at, limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut update = transaction
        .prepare_cached("UPDATE evaluation_followups SET token_hash = ?2 WHERE id = ?1")?;
    found
        .into_iter()
        .map(|(id, email, site, offering_title)| {
            let token = random_token();
            update.execute(params![id, digest(&token)])?;
            Ok(DueFollowup {
                id,
                email,
                offering_title,
                link: format!("{}/followup/{token}", site.trim_end_matches('/')),
            })
        })
        .collect()
}

impl Store {
    /// Takes up to `limit` follow-ups due on `today` and ready to be tried at `at`, each with a
    /// fresh link, for the mail sender; first clears the addresses past their last day. The
    /// addresses stay until `followup_sent`.
    pub fn claim_due_followups(
        &self,
        today: NaiveDate,
        at: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DueFollowup>, StoreError> {
        self.write(|transaction| {
            let lapsed = lapse(transaction, today)?;
            if lapsed > 0 {
                tracing::warn!(
                    lapsed,
                    "follow-ups past their last day were not sent: their addresses are deleted"
                );
            }
            due(transaction, today, Some(at), limit)
        })
    }

    /// A follow-up's mail went out: its address is deleted, the time kept.
    pub fn followup_sent(&self, id: i64) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE evaluation_followups SET email = NULL, sent_at = ?2, sent_by = 'smtp', \
                 last_error = NULL, retry_after = NULL WHERE id = ?1 AND email IS NOT NULL",
                params![id, now()],
            )?;
            Ok(())
        })
    }

    /// A follow-up's mail failed: it stays queued, to be tried again from `retry_after`.
    pub fn followup_failed(
        &self,
        id: i64,
        error: &str,
        retry_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE evaluation_followups SET attempts = attempts + 1, last_error = ?2, \
                 retry_after = ?3 WHERE id = ?1 AND email IS NOT NULL",
                params![
                    id,
                    error,
                    retry_after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ],
            )?;
            Ok(())
        })
    }

    /// The follow-ups due by `due_by`, for a mail merge: `write` gets them (with fresh links)
    /// inside the transaction that deletes their addresses, which commits only if `write`
    /// succeeds, so an export that could not be written deletes nothing. Addresses past their
    /// last day on `today` are deleted unexported first.
    pub fn export_followups<E: From<StoreError>>(
        &self,
        due_by: NaiveDate,
        today: NaiveDate,
        write: impl FnOnce(&[DueFollowup]) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut outcome: Result<(), E> = Ok(());
        let exported = self.write(|transaction| {
            lapse(transaction, today)?;
            let due = due(transaction, due_by, None, usize::MAX >> 1)?;
            let mut clear = transaction.prepare_cached(
                "UPDATE evaluation_followups SET email = NULL, sent_at = ?2, sent_by = 'export', \
                 last_error = NULL, retry_after = NULL WHERE id = ?1",
            )?;
            let at = now();
            for followup in &due {
                clear.execute(params![followup.id, at])?;
            }
            outcome = write(&due);
            if outcome.is_err() {
                // Roll back: nothing is deleted when the list could not be written.
                return Err(StoreError::Conflict(
                    "the follow-up list could not be written".into(),
                ));
            }
            Ok(due.len())
        });
        outcome?;
        Ok(exported?)
    }

    /// The follow-up a token opens, if any.
    pub fn followup_link(&self, token: &str) -> Result<Option<FollowupLink>, StoreError> {
        Ok(self
            .connection()?
            .query_row(
                "SELECT o.id, o.title, f.applied IS NOT NULL FROM evaluation_followups f \
                 JOIN evaluation_responses r ON r.id = f.response_id \
                 JOIN offerings o ON o.id = r.offering_id WHERE f.token_hash = ?1",
                [digest(token)],
                |row| {
                    Ok(FollowupLink {
                        offering_id: row.get(0)?,
                        offering_title: row.get(1)?,
                        answered: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores the answer to the follow-up of `token`, against the original response, once: a
    /// token no follow-up has is `NotFound`, one answered already a `Conflict`. The offering
    /// takes a new revision (its public summary may change), as with an answer.
    pub fn answer_followup(&self, token: &str, answer: &FollowupAnswer) -> Result<(), StoreError> {
        self.write(|transaction| {
            let offering: Option<String> = transaction
                .query_row(
                    "UPDATE evaluation_followups SET applied = ?2, changed = ?3, answered_day = ?4 \
                     WHERE token_hash = ?1 AND applied IS NULL \
                     RETURNING (SELECT offering_id FROM evaluation_responses r \
                                WHERE r.id = response_id)",
                    params![
                        digest(token),
                        answer.applied.as_str(),
                        answer.changed,
                        Utc::now().format("%Y-%m-%d").to_string()
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(offering) = offering {
                let revision = super::next_revision(transaction)?;
                transaction.execute(
                    "UPDATE offerings SET revision = ?2 WHERE id = ?1",
                    params![offering, revision],
                )?;
                return Ok(());
            }
            let exists: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM evaluation_followups WHERE token_hash = ?1)",
                [digest(token)],
                |row| row.get(0),
            )?;
            Err(if exists {
                StoreError::Conflict("This follow-up has been answered already.".into())
            } else {
                StoreError::NotFound("follow-up link".into())
            })
        })
    }

    /// How the follow-up queue stands on `today`.
    pub fn followup_queue(&self, today: NaiveDate) -> Result<FollowupQueue, StoreError> {
        Ok(self.connection()?.query_row(
            "SELECT count(*) FILTER (WHERE email IS NOT NULL), \
                    count(*) FILTER (WHERE email IS NOT NULL AND due_day <= ?1 AND attempts > 0), \
                    count(*) FILTER (WHERE sent_by IN ('smtp', 'export')), \
                    count(*) FILTER (WHERE applied IS NOT NULL) \
             FROM evaluation_followups",
            [today.to_string()],
            |row| {
                let count = |i: usize| row.get::<_, i64>(i).map(|n| n as usize);
                Ok(FollowupQueue {
                    waiting: count(0)?,
                    failing: count(1)?,
                    sent: count(2)?,
                    answered: count(3)?,
                })
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participant_evaluations::{Answer, Applied, FOLLOWUP_WINDOW_DAYS};
    use crate::store::NewFollowup;

    /// A store with the seed's first offering and one answer about it that left `email`,
    /// due `after_days` later.
    fn store_with_answer(folder: &std::path::Path, email: &str, after_days: u32) -> Store {
        let store = Store::open(&folder.join("catalog.db")).unwrap();
        let mut bundle = crate::seed::bundle().unwrap();
        bundle.offerings.truncate(1);
        bundle.certifications.clear(); // their approvals name seed offerings left out here
        let offering = bundle.offerings[0].clone();
        store.import(&bundle, &|| {}).unwrap();
        let token = store.shared_evaluation_token(&offering.id).unwrap();
        let answer = Answer {
            overall: 4,
            relevance: 4,
            instructor: None,
            recommend: true,
            role: crate::catalog::Audience::Librarians,
            outcomes: Vec::new(),
            different: String::new(),
        };
        let followup = NewFollowup {
            email: email.to_owned(),
            site: "http://catalog.example.org/".to_owned(),
            after_days,
        };
        store
            .answer_evaluation(&token, &answer, false, Some(&followup))
            .unwrap();
        store
    }

    fn today() -> NaiveDate {
        Utc::now().date_naive()
    }

    fn days(n: u64) -> chrono::Days {
        chrono::Days::new(n)
    }

    #[test]
    fn a_follow_up_is_claimed_when_due_retried_after_a_failure_and_cleared_once_sent() {
        let folder = tempfile::tempdir().unwrap();
        let store = store_with_answer(folder.path(), "reader@example.org", 60);
        let now = Utc::now();
        assert!(
            store
                .claim_due_followups(today(), now, 10)
                .unwrap()
                .is_empty(),
            "not yet due"
        );
        let due_day = today() + days(60);
        let claimed = store.claim_due_followups(due_day, now, 10).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].email, "reader@example.org");
        assert!(
            claimed[0]
                .link
                .starts_with("http://catalog.example.org/followup/")
        );
        let token = claimed[0].link.rsplit('/').next().unwrap().to_owned();
        assert!(store.followup_link(&token).unwrap().is_some());

        // A failure: not claimed again before its retry time, then claimed with a new token.
        let later = now + chrono::Duration::minutes(5);
        store
            .followup_failed(claimed[0].id, "connection refused", later)
            .unwrap();
        assert!(
            store
                .claim_due_followups(due_day, now, 10)
                .unwrap()
                .is_empty()
        );
        let again = store.claim_due_followups(due_day, later, 10).unwrap();
        assert_eq!(again.len(), 1);
        assert!(
            store.followup_link(&token).unwrap().is_none(),
            "the old token is gone"
        );
        assert_eq!(
            store.followup_queue(due_day).unwrap(),
            FollowupQueue {
                waiting: 1,
                failing: 1,
                sent: 0,
                answered: 0
            }
        );

        store.followup_sent(again[0].id).unwrap();
        assert!(
            store
                .claim_due_followups(due_day, later, 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.followup_queue(due_day).unwrap(),
            FollowupQueue {
                waiting: 0,
                failing: 0,
                sent: 1,
                answered: 0
            }
        );
        let new_token = again[0].link.rsplit('/').next().unwrap();
        let answer = FollowupAnswer {
            applied: Applied::Yes,
            changed: "More visits".into(),
        };
        store.answer_followup(new_token, &answer).unwrap();
        assert!(matches!(
            store.answer_followup(new_token, &answer),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.answer_followup(&"0".repeat(64), &answer),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn an_address_not_sent_by_its_last_day_is_deleted_unsent() {
        let folder = tempfile::tempdir().unwrap();
        let store = store_with_answer(folder.path(), "late@example.org", 0);
        let last_day = today() + days(u64::from(FOLLOWUP_WINDOW_DAYS));
        // On its last day it is kept (and would be sent)…
        let now = Utc::now();
        assert_eq!(
            store.claim_due_followups(last_day, now, 0).unwrap().len(),
            0
        );
        assert_eq!(store.followup_queue(last_day).unwrap().waiting, 1);
        // …the day after, it lapses: the address is deleted, nothing is sent or exported.
        let after = last_day + days(1);
        assert!(
            store
                .claim_due_followups(after, now, 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.followup_queue(after).unwrap().waiting, 0);
        let exported = store
            .export_followups(after, after, |due| {
                assert!(due.is_empty());
                Ok::<(), StoreError>(())
            })
            .unwrap();
        assert_eq!(exported, 0);
        let left: i64 = store
            .connection()
            .unwrap()
            .query_row(
                "SELECT count(*) FROM evaluation_followups WHERE email IS NULL AND sent_by = 'lapsed'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(left, 1);
    }

    #[test]
    fn an_export_that_cannot_be_written_deletes_nothing() {
        let folder = tempfile::tempdir().unwrap();
        let store = store_with_answer(folder.path(), "kept@example.org", 0);
        let failed = store.export_followups(today(), today(), |due| {
            assert_eq!(due.len(), 1);
            Err(StoreError::Conflict("disk full".into()))
        });
        assert!(failed.is_err());
        assert_eq!(
            store.followup_queue(today()).unwrap().waiting,
            1,
            "still queued"
        );
        let mut listed = Vec::new();
        store
            .export_followups(today(), today(), |due| {
                listed.extend(due.iter().map(|d| d.email.clone()));
                Ok::<(), StoreError>(())
            })
            .unwrap();
        assert_eq!(listed, ["kept@example.org"]);
        assert_eq!(store.followup_queue(today()).unwrap().waiting, 0);
    }
}
