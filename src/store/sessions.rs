//! Signed-in sessions and the key that signs their cookies. A session is a random token held in
//! the (signed, HttpOnly) cookie; the database keeps only its SHA-256, with a CSRF token for the
//! forms of that session. Signing out deletes the row, so the cookie is worthless after.

use super::users::User;
use super::{Store, StoreError, now};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

/// How long a session lasts without signing in again.
const SESSION_HOURS: i64 = 12;

/// A random value, hex-encoded: 32 bytes from the operating system's generator.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A token's SHA-256, hex-encoded: what the database keeps and looks tokens up by.
pub(crate) fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Starts a session for a user: returns its token (for the cookie).
    pub fn start_session(&self, user: &User) -> Result<String, StoreError> {
        let token = random_token();
        let expires = chrono::Utc::now().timestamp() + SESSION_HOURS * 3600;
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![digest(&token), user.id, random_token(), now(), expires],
            )?;
            super::moderation::audit(transaction, &user.email, "signed in", &user.email, None)
        })?;
        Ok(token)
    }

    /// The user and CSRF token of a live session of an active account.
    pub fn session(&self, token: &str) -> Result<Option<(User, String)>, StoreError> {
        let connection = self.connection()?;
        Ok(connection
            .query_row(
                "SELECT u.id, u.email, u.role, u.provider, u.active, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
                params![digest(token), chrono::Utc::now().timestamp()],
                |row| Ok((super::users::user_from_row(row)?, row.get::<_, String>(5)?)),
            )
            .optional()?)
    }

    /// Ends a session: its cookie signs no one in any more.
    pub fn end_session(&self, token: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                [digest(token)],
            )?;
            Ok(())
        })
    }

    /// The key that signs cookies: made once, kept in the database so restarts keep sessions.
    pub fn cookie_key(&self) -> Result<Vec<u8>, StoreError> {
        self.write(|transaction| {
            let existing: Option<String> = transaction
                .query_row(
                    "SELECT value FROM settings WHERE name = 'cookie_key'",
                    [],
                    |row| row.get(0),
                )
                .optional()?;
            let key = match existing {
                Some(key) => key,
                None => {
                    let key = format!("{}{}", random_token(), random_token());
                    transaction.execute(
                        "INSERT INTO settings (name, value) VALUES ('cookie_key', ?1)",
                        [&key],
                    )?;
                    key
                }
            };
            Ok(key.into_bytes())
        })
    }
}
