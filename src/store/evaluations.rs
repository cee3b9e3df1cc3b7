//! Participants' evaluations: the links (a shared one per offering, rotatable, and single-use
//! ones in batches) and the answers that come through them. Tokens are looked up by their
//! SHA-256 (as sessions are); a single-use link answers once, checked in the answer's own write
//! transaction and backed by a UNIQUE column.

use super::moderation::audit;
use super::sessions::{digest, random_token};
use super::{Store, StoreError, now};
use crate::catalog::Audience;
use crate::participant_evaluations::{
    Answer, Applied, FollowupAnswer, OutcomeRating, Response, followup_days,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// Whether a link is the offering's shared one or one of its single-use ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Shared,
    SingleUse,
}

/// A live evaluation link, as its token finds it.
#[derive(Debug, Clone)]
pub struct EvaluationLink {
    pub id: i64,
    pub offering_id: String,
    pub kind: LinkKind,
    /// A single-use link that has been answered.
    pub answered: bool,
}

/// The most single-use links made at once.
pub const MAX_BATCH: usize = 1_000;

/// The day as stored with an answer: no time of day.
fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// The follow-up a participant asked for with an answer.
#[derive(Debug, Clone)]
pub struct NewFollowup {
    /// Checked by `participant_evaluations::email_address`.
    pub email: String,
    /// The site's address as the participant reached it (`https://host`): the follow-up's link
    /// starts with it.
    pub site: String,
    /// Days after the answer it is due (`FOLLOWUP_AFTER_DAYS` unless a test says otherwise).
    pub after_days: u32,
}

/// The columns `response_from_row` reads, from `evaluation_responses r` left-joined with
/// `evaluation_followups f`.
const RESPONSE_COLUMNS: &str = "r.id, r.day, r.overall, r.relevance, r.instructor, r.recommend, \
    r.role, r.outcomes, r.different, r.hidden, r.burst, f.applied, f.changed";

fn live_link(connection: &Connection, token: &str) -> Result<Option<EvaluationLink>, StoreError> {
    Ok(connection
        .query_row(
            "SELECT l.id, l.offering_id, l.kind, \
                    EXISTS (SELECT 1 FROM evaluation_responses r WHERE r.single_use_link = l.id) \
             FROM evaluation_links l WHERE l.token_hash = ?1 AND l.retired_at IS NULL",
            [digest(token)],
            |row| {
                let kind: String = row.get(2)?;
                Ok(EvaluationLink {
                    id: row.get(0)?,
                    offering_id: row.get(1)?,
                    kind: if kind == "shared" {
                        LinkKind::Shared
                    } else {
                        LinkKind::SingleUse
                    },
                    answered: row.get(3)?,
                })
            },
        )
        .optional()?)
}

/// A new link of `kind` for the offering; its token.
fn insert_link(
    transaction: &Transaction<'_>,
    offering_id: &str,
    kind: LinkKind,
    batch: Option<i64>,
) -> Result<String, StoreError> {
    let token = random_token();
    let (kind, shared) = match kind {
        LinkKind::Shared => ("shared", Some(token.as_str())),
        LinkKind::SingleUse => ("single", None),
    };
    transaction
        .prepare_cached(
            "INSERT INTO evaluation_links (offering_id, token_hash, kind, shared_token, batch, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![offering_id, digest(&token), kind, shared, batch, now()])?;
    Ok(token)
}

fn current_shared(
    connection: &Connection,
    offering_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(connection
        .query_row(
            "SELECT shared_token FROM evaluation_links \
             WHERE offering_id = ?1 AND kind = 'shared' AND retired_at IS NULL",
            [offering_id],
            |row| row.get(0),
        )
        .optional()?)
}

fn response_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Response> {
    let unreadable = |column: usize, message: String| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            message.into(),
        )
    };
    let applied: Option<String> = row.get(11)?;
    let followup = match applied {
        Some(applied) => Some(FollowupAnswer {
            applied: applied.parse::<Applied>().map_err(|e| unreadable(11, e))?,
            changed: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
        None => None,
    };
    let role: String = row.get(6)?;
    let outcomes: String = row.get(7)?;
    let outcomes: Vec<(String, OutcomeRating)> =
        serde_json::from_str(&outcomes).map_err(|e| unreadable(7, e.to_string()))?;
    Ok(Response {
        id: row.get(0)?,
        day: row.get(1)?,
        answer: Answer {
            overall: row.get(2)?,
            relevance: row.get(3)?,
            instructor: row.get(4)?,
            recommend: row.get(5)?,
            role: role.parse::<Audience>().map_err(|e| unreadable(6, e))?,
            outcomes,
            different: row.get(8)?,
        },
        hidden: row.get(9)?,
        burst: row.get(10)?,
        followup,
    })
}

impl Store {
    /// The offering's live shared link's token, made now if it has none.
    pub fn shared_evaluation_token(&self, offering_id: &str) -> Result<String, StoreError> {
        // Read first (most visits find the link), giving the connection back before writing.
        if let Some(token) = current_shared(&*self.connection()?, offering_id)? {
            return Ok(token);
        }
        self.write(
            |transaction| match current_shared(transaction, offering_id)? {
                Some(token) => Ok(token),
                None => insert_link(transaction, offering_id, LinkKind::Shared, None),
            },
        )
    }

    /// Retires the offering's shared link and makes a new one: the old address answers no more.
    pub fn rotate_evaluation_token(
        &self,
        offering_id: &str,
        actor: &str,
    ) -> Result<String, StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE evaluation_links SET retired_at = ?2 \
                 WHERE offering_id = ?1 AND kind = 'shared' AND retired_at IS NULL",
                params![offering_id, now()],
            )?;
            let token = insert_link(transaction, offering_id, LinkKind::Shared, None)?;
            audit(
                transaction,
                actor,
                "rotated the evaluation link of",
                offering_id,
                None,
            )?;
            Ok(token)
        })
    }

    /// Makes `count` single-use links for the offering, in one batch; their tokens, which are
    /// not kept.
    pub fn single_use_evaluation_tokens(
        &self,
        offering_id: &str,
        count: usize,
        actor: &str,
    ) -> Result<Vec<String>, StoreError> {
        let count = count.min(MAX_BATCH);
        self.write(|transaction| {
            let batch: i64 = transaction.query_row(
                "SELECT coalesce(max(batch), 0) + 1 FROM evaluation_links",
                [],
                |row| row.get(0),
            )?;
            let tokens = (0..count)
                .map(|_| insert_link(transaction, offering_id, LinkKind::SingleUse, Some(batch)))
                .collect::<Result<Vec<_>, _>>()?;
            let detail = format!("{count} links");
            audit(
                transaction,
                actor,
                "made single-use evaluation links for",
                offering_id,
                Some(&detail),
            )?;
            Ok(tokens)
        })
    }

    /// The live link a token opens, if any.
    pub fn evaluation_link(&self, token: &str) -> Result<Option<EvaluationLink>, StoreError> {
        let connection = self.connection()?;
        live_link(&connection, token)
    }

    /// Stores an answer through the link of `token`, with the follow-up asked for, if any. A
    /// token no live link has is `NotFound`; a single-use link answered already is a
    /// `Conflict`, decided inside the write (and by the UNIQUE column should two answers race).
    ///
    /// The offering takes a new revision in the same transaction: its public summary (which
    /// search indexes, to sort and filter by rating) may have changed, and catching up re-reads
    /// what changed by revision.
    pub fn answer_evaluation(
        &self,
        token: &str,
        answer: &Answer,
        burst: bool,
        followup: Option<&NewFollowup>,
    ) -> Result<i64, StoreError> {
        // Text and vocabulary values only: serialising cannot fail.
        let outcomes = serde_json::to_string(&answer.outcomes).unwrap_or_else(|_| "[]".into());
        self.write(|transaction| {
            let link = live_link(transaction, token)?
                .ok_or_else(|| StoreError::NotFound("evaluation link".into()))?;
            if link.answered {
                return Err(already_answered());
            }
            let single = (link.kind == LinkKind::SingleUse).then_some(link.id);
            let inserted = transaction.execute(
                "INSERT INTO evaluation_responses (offering_id, link_id, single_use_link, overall, \
                 relevance, instructor, recommend, role, outcomes, different, burst, day) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    link.offering_id,
                    link.id,
                    single,
                    answer.overall,
                    answer.relevance,
                    answer.instructor,
                    answer.recommend,
                    answer.role.as_str(),
                    outcomes,
                    answer.different,
                    burst && link.kind == LinkKind::Shared,
                    today(),
                ],
            );
            match inserted {
                Ok(_) => {
                    let id = transaction.last_insert_rowid();
                    let revision = super::next_revision(transaction)?;
                    transaction.execute(
                        "UPDATE offerings SET revision = ?2 WHERE id = ?1",
                        params![link.offering_id, revision],
                    )?;
                    if let Some(followup) = followup {
                        queue_followup(transaction, id, followup)?;
                    }
                    Ok(id)
                }
                Err(rusqlite::Error::SqliteFailure(failure, _))
                    if failure.code == rusqlite::ErrorCode::ConstraintViolation
                        && single.is_some() =>
                {
                    Err(already_answered())
                }
                Err(error) => Err(error.into()),
            }
        })
    }

    /// The id of the newest answer (0 with none): answers only ever add rows.
    pub fn newest_evaluation_answer(&self) -> Result<i64, StoreError> {
        Ok(self.connection()?.query_row(
            "SELECT coalesce(max(id), 0) FROM evaluation_responses",
            [],
            |row| row.get(0),
        )?)
    }

    /// Every answer about an offering, oldest first (hidden texts included: the caller decides
    /// who sees them).
    pub fn evaluation_responses(&self, offering_id: &str) -> Result<Vec<Response>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(&format!(
            "SELECT {RESPONSE_COLUMNS} FROM evaluation_responses r \
             LEFT JOIN evaluation_followups f ON f.response_id = r.id \
             WHERE r.offering_id = ?1 ORDER BY r.id"
        ))?;
        let rows = statement.query_map([offering_id], response_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every answer about any offering of a provider, oldest first: its overall summary.
    pub fn evaluation_responses_of_provider(
        &self,
        provider: &str,
    ) -> Result<Vec<Response>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(&format!(
            "SELECT {RESPONSE_COLUMNS} FROM evaluation_responses r \
             LEFT JOIN evaluation_followups f ON f.response_id = r.id \
             JOIN offerings o ON o.id = r.offering_id WHERE o.provider = ?1 ORDER BY r.id"
        ))?;
        let rows = statement.query_map([provider], response_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every answer about a published offering that builds the competency `framework:code` or
    /// one within it (as a search for the competency finds them), or any competency of
    /// `framework` when `code` is `None`, oldest first.
    pub fn evaluation_responses_of_competency(
        &self,
        framework: &str,
        code: Option<&str>,
    ) -> Result<Vec<Response>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(&format!(
            "SELECT {RESPONSE_COLUMNS} FROM evaluation_responses r \
             LEFT JOIN evaluation_followups f ON f.response_id = r.id \
             WHERE r.offering_id IN ( \
               WITH RECURSIVE within(code) AS ( \
                 SELECT code FROM competencies \
                   WHERE framework = ?1 AND (?2 IS NULL OR code = ?2) \
                 UNION SELECT c.code FROM competencies c JOIN within w \
                   ON c.framework = ?1 AND c.parent_code = w.code) \
               SELECT c.offering_id FROM offering_competencies c \
               JOIN offerings o ON o.id = c.offering_id AND o.status = 'published' \
               WHERE c.framework = ?1 AND c.code IN (SELECT code FROM within)) \
             ORDER BY r.id"
        ))?;
        let rows = statement.query_map(params![framework, code], response_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Hides an answer's free text (an administrator found it abusive); the offering it is about.
    pub fn hide_evaluation_text(
        &self,
        response_id: i64,
        actor: &str,
    ) -> Result<String, StoreError> {
        self.write(|transaction| {
            let offering: String = transaction
                .query_row(
                    "UPDATE evaluation_responses SET hidden = 1 WHERE id = ?1 RETURNING offering_id",
                    [response_id],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("evaluation answer {response_id}")))?;
            let subject = format!("evaluation answer {response_id} about {offering}");
            audit(transaction, actor, "hid the text of", &subject, None)?;
            Ok(offering)
        })
    }

    /// Offerings with answers that came in bursts through their shared link, for administrators:
    /// (offering id, title, flagged answers), most flagged first.
    pub fn evaluation_bursts(&self) -> Result<Vec<(String, String, usize)>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare(
            "SELECT r.offering_id, o.title, count(*) FROM evaluation_responses r \
             JOIN offerings o ON o.id = r.offering_id WHERE r.burst = 1 \
             GROUP BY r.offering_id ORDER BY count(*) DESC, r.offering_id LIMIT 100",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get::<_, i64>(2)? as usize))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Queues the follow-up of answer `response_id`, due `after_days` after today.
fn queue_followup(
    transaction: &Transaction<'_>,
    response_id: i64,
    followup: &NewFollowup,
) -> Result<(), StoreError> {
    let (due, last) = followup_days(chrono::Utc::now().date_naive(), followup.after_days);
    transaction.execute(
        "INSERT INTO evaluation_followups (response_id, email, site, due_day, last_day) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            response_id,
            followup.email,
            followup.site,
            due.to_string(),
            last.to_string()
        ],
    )?;
    Ok(())
}

fn already_answered() -> StoreError {
    StoreError::Conflict("This evaluation link has been answered already.".into())
}
