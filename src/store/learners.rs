//! Learners (#16): accounts of their own (`Role::Learner`, made at `/join`), their plans, the CE
//! they completed (from the catalog or entered by hand) with proofs, the private token of their
//! plan's calendar feed; and the certifications' rules from the bundle.
//!
//! Every read and write here names the learner's user id, and the web layer passes only the
//! signed-in learner's own: no query reads another learner's rows. Deleting an account deletes
//! every row that was the learner's, in one transaction (`delete_learner`).

use super::users::{Role, User, check_credentials, hash};
use super::{Store, StoreError, now, offerings};
use crate::catalog::{Certification, FieldError, OfferingStatus};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The learner-owned tables, each with the column naming the learner: what `delete_learner`
/// empties and what the tests check is empty afterwards.
pub const LEARNER_TABLES: [(&str, &str); 5] = [
    ("learner_plans", "user_id"),
    ("learner_proofs", "user_id"),
    ("learner_completions", "user_id"),
    ("learner_calendar_tokens", "user_id"),
    ("sessions", "user_id"),
];

/// An offering saved to a plan.
#[derive(Debug, Clone)]
pub struct PlannedOffering {
    pub stored: super::StoredOffering,
    pub added_at: String,
}

/// A completion as the record shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub id: i64,
    /// The catalog offering; none for CE entered by hand.
    pub offering_id: Option<String>,
    pub title: String,
    pub provider: String,
    /// `YYYY-MM-DD`.
    pub completed_on: String,
    pub credits: Option<crate::catalog::Credits>,
    /// `FRAMEWORK:CODE`: the catalog offering's, or those typed for CE entered by hand.
    pub competencies: Vec<String>,
    /// The proof's type (`application/pdf`, `image/png`, `image/jpeg`), when one was uploaded.
    pub proof: Option<String>,
}

/// A file proving a completion, already checked (type by content, size).
#[derive(Debug, Clone)]
pub struct Proof {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What a learner sends to record a completion.
#[derive(Debug, Clone)]
pub struct NewCompletion {
    /// A catalog offering (its title, provider and competencies come from the catalog), or none
    /// for CE entered by hand (then `title` and `provider` are required).
    pub offering_id: Option<String>,
    pub title: String,
    pub provider: String,
    pub completed_on: chrono::NaiveDate,
    /// Credits earned; none: the offering's own.
    pub credits: Option<crate::catalog::Credits>,
    /// Only for CE entered by hand.
    pub competencies: Vec<String>,
    pub proof: Option<Proof>,
}

fn field_error(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::InvalidOffering(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

fn published(connection: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(connection
        .query_row(
            "SELECT 1 FROM offerings WHERE id = ?1 AND status = 'published'",
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

impl Store {
    /// Makes a learner account. Returns none, having made nothing, when the address has an
    /// account already: the page says the same either way (the audit log notes it), so joining
    /// does not tell anyone which addresses have accounts.
    pub fn join(&self, email: &str, password: &str) -> Result<Option<User>, StoreError> {
        let email = email.trim();
        check_credentials(email, password).map_err(|error| {
            let on = if error.to_string().contains("password") {
                "password"
            } else {
                "email"
            };
            field_error(on, error.to_string())
        })?;
        let password_hash = hash(password)?;
        self.write(|transaction| {
            let taken: Option<i64> = transaction
                .query_row("SELECT 1 FROM users WHERE email = ?1", [email], |row| row.get(0))
                .optional()?;
            if taken.is_some() {
                super::moderation::audit(
                    transaction,
                    email,
                    "joined with an address that has an account already; no learner added",
                    email,
                    None,
                )?;
                return Ok(None);
            }
            transaction.execute(
                "INSERT INTO users (email, role, password_hash, created_at) VALUES (?1, 'learner', ?2, ?3)",
                params![email, password_hash, now()],
            )?;
            Ok(Some(User {
                id: transaction.last_insert_rowid(),
                email: email.to_owned(),
                role: Role::Learner,
                provider: None,
                active: true,
            }))
        })
    }

    /// Saves a published offering to a learner's plan (again: no change).
    pub fn plan_add(&self, user: i64, offering_id: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            if !published(transaction, offering_id)? {
                return Err(StoreError::NotFound(format!("offering {offering_id}")));
            }
            transaction.execute(
                "INSERT OR IGNORE INTO learner_plans (user_id, offering_id, added_at) VALUES (?1, ?2, ?3)",
                params![user, offering_id, now()],
            )?;
            Ok(())
        })
    }

    /// Takes an offering off a learner's plan.
    pub fn plan_remove(&self, user: i64, offering_id: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "DELETE FROM learner_plans WHERE user_id = ?1 AND offering_id = ?2",
                params![user, offering_id],
            )?;
            Ok(())
        })
    }

    /// A learner's plan, soonest first (self-paced last).
    pub fn plan(&self, user: i64) -> Result<Vec<PlannedOffering>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT offering_id, added_at FROM learner_plans WHERE user_id = ?1 ORDER BY added_at, offering_id",
        )?;
        let rows: Vec<(String, String)> = statement
            .query_map([user], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut planned = Vec::new();
        for (id, added_at) in rows {
            if let Some(stored) = offerings::read_one(&connection, &id)? {
                planned.push(PlannedOffering { stored, added_at });
            }
        }
        planned.sort_by_key(|p| {
            let start = p.stored.offering.start.clone();
            (start.is_none(), start)
        });
        Ok(planned)
    }

    /// How many learners have this offering in their plans: the page shows it only from
    /// `PUBLIC_MIN_LEARNERS` up.
    pub fn planned_count(&self, offering_id: &str) -> Result<i64, StoreError> {
        let connection = self.connection()?;
        Ok(connection.query_row(
            "SELECT count(*) FROM learner_plans WHERE offering_id = ?1",
            [offering_id],
            |row| row.get(0),
        )?)
    }

    /// Published offerings that name `offering_id` as a prerequisite: (id, title), soonest first.
    pub fn offerings_requiring(
        &self,
        offering_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT o.id, o.title FROM offering_prerequisites p JOIN offerings o ON o.id = p.offering_id \
             WHERE p.prerequisite_id = ?1 AND o.status = 'published' ORDER BY o.starts_at, o.id",
        )?;
        let rows = statement.query_map([offering_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a completion (and takes the offering off the plan); returns its id.
    pub fn complete(&self, user: i64, completion: &NewCompletion) -> Result<i64, StoreError> {
        self.write(|transaction| {
            let (title, provider, credits, competencies) = match &completion.offering_id {
                Some(id) => {
                    // Published, or published once and since withdrawn: never an offering still
                    // in review, whose title is not public.
                    let Some(stored) = offerings::read_one(transaction, id)?.filter(|s| {
                        matches!(s.status, OfferingStatus::Published | OfferingStatus::Withdrawn)
                    }) else {
                        return Err(field_error("offering", format!("there is no offering {id}")));
                    };
                    let provider: String = transaction
                        .query_row("SELECT name FROM providers WHERE id = ?1", [&stored.offering.provider], |row| row.get(0))
                        .optional()?
                        .unwrap_or_else(|| stored.offering.provider.clone());
                    let credits = completion.credits.clone().or(stored.offering.credits.clone());
                    (stored.offering.title, provider, credits, Vec::new())
                }
                None => (
                    completion.title.clone(),
                    completion.provider.clone(),
                    completion.credits.clone(),
                    completion.competencies.clone(),
                ),
            };
            transaction.execute(
                "INSERT INTO learner_completions (user_id, offering_id, title, provider, completed_on, credits_amount, credits_unit, competencies, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    user,
                    completion.offering_id,
                    title,
                    provider,
                    completion.completed_on.format("%Y-%m-%d").to_string(),
                    credits.as_ref().map(|c| c.amount),
                    credits.as_ref().map(|c| c.unit.as_str()),
                    serde_json::to_string(&competencies).unwrap_or_else(|_| "[]".into()),
                    now(),
                ],
            )?;
            let id = transaction.last_insert_rowid();
            if let Some(proof) = &completion.proof {
                transaction.execute(
                    "INSERT INTO learner_proofs (completion_id, user_id, content_type, file_name, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, user, proof.content_type, proof.file_name, proof.bytes],
                )?;
            }
            if let Some(offering) = &completion.offering_id {
                transaction.execute(
                    "DELETE FROM learner_plans WHERE user_id = ?1 AND offering_id = ?2",
                    params![user, offering],
                )?;
            }
            Ok(id)
        })
    }

    /// A learner's completions, newest first; a catalog offering's competencies come from the
    /// catalog.
    pub fn completions(&self, user: i64) -> Result<Vec<Completion>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT c.id, c.offering_id, c.title, c.provider, c.completed_on, c.credits_amount, c.credits_unit, c.competencies, p.content_type, \
                    (SELECT json_group_array(oc.framework || ':' || oc.code) FROM offering_competencies oc WHERE oc.offering_id = c.offering_id) \
             FROM learner_completions c LEFT JOIN learner_proofs p ON p.completion_id = c.id \
             WHERE c.user_id = ?1 ORDER BY c.completed_on DESC, c.id DESC",
        )?;
        let rows = statement.query_map([user], |row| {
            let offering_id: Option<String> = row.get(1)?;
            let typed: String = row.get(7)?;
            let from_catalog: Option<String> = row.get(9)?;
            let competencies = match (&offering_id, from_catalog) {
                (Some(_), Some(list)) => serde_json::from_str(&list).unwrap_or_default(),
                _ => serde_json::from_str(&typed).unwrap_or_default(),
            };
            let credits = match (
                row.get::<_, Option<f64>>(5)?,
                row.get::<_, Option<String>>(6)?,
            ) {
                (Some(amount), Some(unit)) => unit
                    .parse()
                    .ok()
                    .map(|unit| crate::catalog::Credits { amount, unit }),
                _ => None,
            };
            Ok(Completion {
                id: row.get(0)?,
                offering_id,
                title: row.get(2)?,
                provider: row.get(3)?,
                completed_on: row.get(4)?,
                credits,
                competencies,
                proof: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The proof of one of the learner's own completions: (type, file name, bytes).
    pub fn proof(
        &self,
        user: i64,
        completion: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        let connection = self.connection()?;
        Ok(connection
            .query_row(
                "SELECT content_type, file_name, bytes FROM learner_proofs WHERE completion_id = ?1 AND user_id = ?2",
                params![completion, user],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?)
    }

    /// Deletes one of the learner's own completions (and its proof).
    pub fn delete_completion(&self, user: i64, completion: i64) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "DELETE FROM learner_proofs WHERE completion_id = ?1 AND user_id = ?2",
                params![completion, user],
            )?;
            let deleted = transaction.execute(
                "DELETE FROM learner_completions WHERE id = ?1 AND user_id = ?2",
                params![completion, user],
            )?;
            if deleted == 0 {
                return Err(StoreError::NotFound(
                    "such completion in your record".into(),
                ));
            }
            Ok(())
        })
    }

    /// The private token of the learner's calendar feed, made the first time it is asked for.
    pub fn calendar_token(&self, user: i64) -> Result<String, StoreError> {
        self.write(|transaction| {
            let existing: Option<String> = transaction
                .query_row(
                    "SELECT token FROM learner_calendar_tokens WHERE user_id = ?1",
                    [user],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(token) = existing {
                return Ok(token);
            }
            let token = super::random_token();
            transaction.execute(
                "INSERT INTO learner_calendar_tokens (user_id, token_hash, token) VALUES (?1, ?2, ?3)",
                params![user, super::sessions::digest(&token), token],
            )?;
            Ok(token)
        })
    }

    /// The learner whose calendar feed this token opens (looked up by its SHA-256).
    pub fn calendar_owner(&self, token: &str) -> Result<Option<i64>, StoreError> {
        let connection = self.connection()?;
        Ok(connection
            .query_row(
                "SELECT t.user_id FROM learner_calendar_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = ?1 AND u.active = 1 AND u.role = 'learner'",
                [super::sessions::digest(token)],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Deletes a learner's account and every row that was theirs: plan, completions, proofs,
    /// calendar token, sessions, the audit log's lines about them, and the account itself.
    pub fn delete_learner(&self, user: &User) -> Result<(), StoreError> {
        if user.role != Role::Learner {
            return Err(StoreError::Forbidden(
                "only a learner's account is deleted here".into(),
            ));
        }
        self.write(|transaction| delete_learner_rows(transaction, user))
    }

    /// The catalog's certifications, in the bundle's order.
    pub fn certifications(&self) -> Result<Vec<Certification>, StoreError> {
        let connection = self.connection()?;
        read_certifications(&connection)
    }

    /// One certification by id.
    pub fn certification(&self, id: &str) -> Result<Option<Certification>, StoreError> {
        Ok(self.certifications()?.into_iter().find(|c| c.id == id))
    }
}

fn delete_learner_rows(transaction: &Transaction<'_>, user: &User) -> Result<(), StoreError> {
    for (table, column) in LEARNER_TABLES {
        transaction.execute(
            &format!("DELETE FROM {table} WHERE {column} = ?1"),
            [user.id],
        )?;
    }
    transaction.execute(
        "DELETE FROM audit_log WHERE actor = ?1 COLLATE NOCASE OR subject = ?1 COLLATE NOCASE",
        [&user.email],
    )?;
    transaction.execute(
        "DELETE FROM users WHERE id = ?1 AND role = 'learner'",
        [user.id],
    )?;
    Ok(())
}

pub(super) fn read_certifications(
    connection: &Connection,
) -> Result<Vec<Certification>, StoreError> {
    let mut statement =
        connection.prepare("SELECT id, body FROM certifications ORDER BY position, id")?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, body) = row?;
        let certification = serde_json::from_str(&body).map_err(|error| {
            StoreError::Conflict(format!(
                "the stored certification {id} does not parse: {error}"
            ))
        })?;
        out.push(certification);
    }
    Ok(out)
}

/// Upserts the bundle's certifications (already validated), after those the catalog has.
pub(super) fn import_certifications(
    transaction: &Transaction<'_>,
    certifications: &[Certification],
) -> Result<(), StoreError> {
    let first: i64 = transaction.query_row(
        "SELECT coalesce(max(position), -1) + 1 FROM certifications",
        [],
        |row| row.get(0),
    )?;
    for (index, certification) in certifications.iter().enumerate() {
        let body = serde_json::to_string(certification)
            .map_err(|error| StoreError::Conflict(error.to_string()))?;
        transaction.execute(
            "INSERT INTO certifications (id, position, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![certification.id, first + index as i64, body],
        )?;
    }
    Ok(())
}
