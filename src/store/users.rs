//! Accounts: administrators, provider users and learners, with argon2id password hashes.

use super::{Store, StoreError, now};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rusqlite::{OptionalExtension, params};
use std::sync::OnceLock;

crate::catalog::string_enum! {
    /// What a user may do.
    Role {
        Admin = "admin": "Administrator",
        Provider = "provider": "Provider",
        Learner = "learner": "Learner",
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// The provider a provider user belongs to.
    pub provider: Option<String>,
    pub active: bool,
}

/// The smallest password accepted.
pub const MIN_PASSWORD: usize = 12;

/// An argon2id hash with a fresh random salt, in PHC form (`$argon2id$…`).
pub(super) fn hash(password: &str) -> Result<String, StoreError> {
    let hashed: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hashed
        .map(|hash| hash.to_string())
        .map_err(|error| StoreError::Account(format!("cannot hash the password: {error}")))
}

/// A hash of a random password, made once with the same parameters as real ones. An address with
/// no account (or no password) is checked against it, so that a failed sign-in takes as long
/// whether or not the account exists, and the time tells nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::random_token()).unwrap_or_default())
}

/// The longest address the audit log keeps of a failed sign-in (RFC 5321's limit): what was typed
/// is not checked, and a row must not hold a megabyte.
const LONGEST_ADDRESS: usize = 254;

/// A user from the columns id, email, role, provider, active.
pub(super) fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = row.get(2)?;
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        role: role.parse().unwrap_or(Role::Provider),
        provider: row.get(3)?,
        active: row.get(4)?,
    })
}

/// Checks an address and a password before an account is made.
pub(super) fn check_credentials(email: &str, password: &str) -> Result<(), StoreError> {
    if !email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
    {
        return Err(StoreError::Account(format!(
            "`{email}` is not an email address"
        )));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Account(format!(
            "the password must be at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

impl Store {
    /// Creates an account; a provider user names an existing provider.
    pub fn add_user(
        &self,
        email: &str,
        role: Role,
        provider: Option<&str>,
        password: &str,
    ) -> Result<User, StoreError> {
        let email = email.trim();
        check_credentials(email, password)?;
        let provider = match (role, provider) {
            (Role::Provider, None) => {
                return Err(StoreError::Account(
                    "a provider user needs --provider ID".into(),
                ));
            }
            (Role::Admin | Role::Learner, Some(_)) => {
                return Err(StoreError::Account(
                    "an administrator belongs to no provider".into(),
                ));
            }
            (_, provider) => provider,
        };
        let password_hash = hash(password)?;
        self.write(|transaction| {
            if let Some(provider) = provider {
                let known: Option<i64> = transaction
                    .query_row("SELECT 1 FROM providers WHERE id = ?1", [provider], |row| row.get(0))
                    .optional()?;
                if known.is_none() {
                    return Err(StoreError::Account(format!("unknown provider {provider}")));
                }
            }
            let taken: Option<i64> =
                transaction.query_row("SELECT id FROM users WHERE email = ?1", [email], |row| row.get(0)).optional()?;
            if taken.is_some() {
                return Err(StoreError::Account(format!("an account for {email} exists already")));
            }
            transaction.execute(
                "INSERT INTO users (email, role, provider, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![email, role.as_str(), provider, password_hash, now()],
            )?;
            let id = transaction.last_insert_rowid();
            super::moderation::audit(transaction, "command line", "user added", email, Some(role.as_str()))?;
            Ok(User { id, email: email.to_owned(), role, provider: provider.map(str::to_owned), active: true })
        })
    }

    /// Every account, by email.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection
            .prepare("SELECT id, email, role, provider, active FROM users ORDER BY email")?;
        let rows = statement.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Disables an account: it can no longer sign in.
    pub fn disable_user(&self, email: &str, actor: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            let changed =
                transaction.execute("UPDATE users SET active = 0 WHERE email = ?1", [email])?;
            if changed == 0 {
                return Err(StoreError::Account(format!("no account for {email}")));
            }
            super::moderation::audit(transaction, actor, "user disabled", email, None)
        })
    }

    /// The active account with this email and password, if they match. The same work is done
    /// whatever the outcome: a password is always checked against a hash, a dummy one when the
    /// address has no account, and a disabled or pending account is refused only after its check.
    pub fn authenticate(&self, email: &str, password: &str) -> Result<Option<User>, StoreError> {
        let connection = self.connection()?;
        let found = connection
            .query_row(
                "SELECT id, email, role, provider, active, password_hash FROM users WHERE email = ?1",
                [email.trim()],
                |row| Ok((user_from_row(row)?, row.get::<_, Option<String>>(5)?)),
            )
            .optional()?;
        let (user, stored) = match found {
            Some((user, Some(stored))) => (Some(user), stored),
            _ => (None, dummy_hash().to_owned()),
        };
        let verified = Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok();
        Ok(user.filter(|user| verified && user.active))
    }

    /// Writes a failed sign-in to the audit log: the address tried and the client, never the
    /// password.
    pub fn record_failed_sign_in(&self, email: &str, client: &str) -> Result<(), StoreError> {
        let tried: String = email.chars().take(LONGEST_ADDRESS).collect();
        self.write(|transaction| {
            super::moderation::audit(transaction, client, "failed sign-in", &tried, None)
        })
    }

    /// An organisation applies to be a provider, with its first user: both wait, inactive, until
    /// an administrator approves the application. When the address has an account already, the
    /// application is stored without a user and the audit log says so: the applicant is told the
    /// same as anyone, so the form does not reveal which addresses have accounts, and the
    /// organisation's name is taken either way, so applying again does not reveal it either.
    pub fn register(
        &self,
        provider: &crate::catalog::Provider,
        email: &str,
        password: &str,
    ) -> Result<(), StoreError> {
        let field = |field: &str, message: String| {
            StoreError::InvalidOffering(vec![crate::catalog::FieldError {
                field: field.into(),
                message,
            }])
        };
        let email = email.trim();
        check_credentials(email, password).map_err(|error| {
            let on = if error.to_string().contains("password") {
                "password"
            } else {
                "user_email"
            };
            field(on, error.to_string())
        })?;
        crate::catalog::validate_provider(provider).map_err(StoreError::InvalidOffering)?;
        let password_hash = hash(password)?;
        self.write(|transaction| {
            let listed: Option<i64> =
                transaction.query_row("SELECT 1 FROM providers WHERE id = ?1", [&provider.id], |row| row.get(0)).optional()?;
            if listed.is_some() {
                return Err(field("name", "an organisation with this name is listed or has applied already".into()));
            }
            let taken: Option<i64> =
                transaction.query_row("SELECT 1 FROM users WHERE email = ?1", [email], |row| row.get(0)).optional()?;
            super::catalog_rows::upsert_provider(transaction, provider, &now())?;
            transaction.execute("UPDATE providers SET active = 0 WHERE id = ?1", [&provider.id])?;
            if taken.is_some() {
                return super::moderation::audit(
                    transaction,
                    email,
                    "applied with an address that has an account already; no user added",
                    &provider.id,
                    Some(&provider.name),
                );
            }
            transaction.execute(
                "INSERT INTO users (email, role, provider, password_hash, active, created_at) VALUES (?1, 'provider', ?2, ?3, 0, ?4)",
                params![email, provider.id, password_hash, now()],
            )?;
            super::moderation::audit(transaction, email, "applied", &provider.id, Some(&provider.name))
        })
    }

    /// Organisations waiting for approval, each with the addresses of its users.
    pub fn applications(&self) -> Result<Vec<(crate::catalog::Provider, Vec<String>)>, StoreError> {
        let connection = self.connection()?;
        let applicants = super::catalog_rows::read_applicants(&connection)?;
        let mut statement =
            connection.prepare("SELECT email FROM users WHERE provider = ?1 ORDER BY email")?;
        let mut out = Vec::new();
        for provider in applicants {
            let emails = statement
                .query_map([&provider.id], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            out.push((provider, emails));
        }
        Ok(out)
    }

    /// Approves an application (the provider and its users become active) or declines it (both
    /// are removed).
    pub fn decide_application(
        &self,
        provider_id: &str,
        approve: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            let waiting: Option<i64> = transaction
                .query_row(
                    "SELECT 1 FROM providers WHERE id = ?1 AND active = 0",
                    [provider_id],
                    |row| row.get(0),
                )
                .optional()?;
            if waiting.is_none() {
                return Err(StoreError::NotFound(format!(
                    "application from {provider_id}"
                )));
            }
            if approve {
                transaction.execute(
                    "UPDATE providers SET active = 1 WHERE id = ?1",
                    [provider_id],
                )?;
                transaction.execute(
                    "UPDATE users SET active = 1 WHERE provider = ?1",
                    [provider_id],
                )?;
                // A new provider changes what pages list: a new revision makes the index and the
                // pages' ETags move on, though no offering changed.
                super::next_revision(transaction)?;
            } else {
                transaction.execute("DELETE FROM users WHERE provider = ?1", [provider_id])?;
                transaction.execute("DELETE FROM providers WHERE id = ?1", [provider_id])?;
            }
            let action = if approve {
                "approved application"
            } else {
                "declined application"
            };
            super::moderation::audit(transaction, actor, action, provider_id, None)
        })
    }

    /// A provider updates its own profile: validated, audited, and its offerings take new
    /// revisions so search shows the new name.
    pub fn update_provider(
        &self,
        provider: &crate::catalog::Provider,
        actor: &str,
    ) -> Result<(), StoreError> {
        crate::catalog::validate_provider(provider).map_err(StoreError::InvalidOffering)?;
        self.write(|transaction| {
            super::catalog_rows::upsert_provider(transaction, provider, &now())?;
            super::offerings::touch_where(transaction, "provider = ?1", [&provider.id])?;
            super::moderation::audit(
                transaction,
                actor,
                "updated provider profile",
                &provider.id,
                None,
            )
        })
    }
}
