//! Sign-in storage for the API: staff passwords, customer portal accounts, refresh tokens,
//! API tokens and process-wide secrets. Only hashes are stored: password hashes (argon2id,
//! made by the caller) and SHA-256 digests of tokens.

use chrono::{DateTime, Utc};
use frontdesk_domain::access::TokenScope;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::staff::{Staff, StaffId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement, Value,
};
use uuid::Uuid;

use crate::Database;
use crate::entity::staff;
use crate::error::is_unique_violation;
use crate::mapping::staff_from_row;
use crate::repository::db;

mod api_tokens;
mod portal_links;
mod sessions;
mod staff_links;
mod staff_records;

pub use staff_links::StaffAccess;

/// A statement written with PostgreSQL's `$n` placeholders, as SQLite's numbered `?n` there.
pub(crate) fn statement(
    backend: DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let sql = if backend == DbBackend::Sqlite {
        sql.replace('$', "?")
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A refresh token as stored, looked up by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub subject: String,
    pub family: Uuid,
    pub expires_at: DateTime<Utc>,
    /// Set once the token was exchanged; a second use is a replay.
    pub used_at: Option<DateTime<Utc>>,
}

/// A web workspace session as stored, looked up by its token's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// `staff:<id>` or `customer:<address>`, as tokens name accounts.
    pub subject: String,
    /// The token the session's forms and requests must carry.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: Uuid,
    pub name: String,
    pub staff_id: StaffId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub scope: TokenScope,
    /// After this the token no longer works; `None` for no expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this address exists already")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn text(row: &sea_orm::QueryResult, column: &str) -> Result<String, StoreError> {
    row.try_get("", column).map_err(db)
}

impl Database {
    /// The secret called `name`, created with `generate` on first use. Concurrent first uses
    /// agree on one value: the insert does nothing when another process stored one first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn secret(
        &self,
        name: &str,
        generate: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let backend = self.backend();
        self.writer
            .execute_raw(statement(
                backend,
                "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
                [
                    Value::from(name.to_owned()),
                    Value::from(generate()),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        let row = self
            .writer
            .query_one_raw(statement(
                backend,
                "SELECT value FROM app_secrets WHERE name = $1",
                [Value::from(name.to_owned())],
            ))
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::other(format!("secret {name} vanished")))?;
        text(&row, "value")
    }
}
