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

fn text(row: &sea_orm::QueryResult, column: &str) -> Result<String, StoreError> {
    row.try_get("", column).map_err(db)
}

impl Database {
    /// Every staff member, active or not, by name.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn all_staff(&self) -> Result<Vec<Staff>, StoreError> {
        staff::Entity::find()
            .order_by_asc(staff::Column::Name)
            .order_by_asc(staff::Column::Id)
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(staff_from_row)
            .collect()
    }

    /// A staff member by id, active or not.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff(&self, id: StaffId) -> Result<Option<Staff>, StoreError> {
        staff::Entity::find_by_id(id.as_uuid())
            .one(&self.reader)
            .await
            .map_err(db)?
            .map(staff_from_row)
            .transpose()
    }

    /// A staff member by address with their password hash (none before one was set).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(Staff, Option<String>)>, StoreError> {
        let row = staff::Entity::find()
            .filter(staff::Column::Email.eq(email.normalized()))
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.map(|r| {
            let hash = r.password_hash.clone();
            staff_from_row(r).map(|s| (s, hash))
        })
        .transpose()
    }

    /// Adds a staff member; fails with [`AccountError::Exists`] for a taken address.
    ///
    /// # Errors
    /// [`AccountError`].
    pub async fn create_staff(
        &self,
        member: &Staff,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        use sea_orm::{ActiveModelTrait as _, IntoActiveModel as _};
        let mut row = crate::mapping::staff_row(member, now);
        row.password_hash = password_hash.map(str::to_owned);
        match row
            .into_active_model()
            .reset_all()
            .insert(&self.writer)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(AccountError::Exists),
            Err(e) => Err(AccountError::Store(db(e))),
        }
    }

    /// Sets (or replaces) a staff member's password hash.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn set_staff_password(
        &self,
        id: StaffId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3";
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    Value::from(password_hash.to_owned()),
                    Value::from(now),
                    Value::from(id.as_uuid()),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// How many staff members exist (zero on a new install).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait as _;
        staff::Entity::find().count(&self.reader).await.map_err(db)
    }

    /// Stores a new refresh token's hash.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn save_refresh_token(
        &self,
        token_hash: &str,
        subject: &str,
        family: Uuid,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO refresh_tokens (token_hash, subject, family, expires_at, used_at, \
                   created_at) VALUES ($1, $2, $3, $4, NULL, $5)";
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    Value::from(token_hash.to_owned()),
                    Value::from(subject.to_owned()),
                    Value::from(family),
                    Value::from(expires_at),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Marks a refresh token spent and returns it as it was before. `None` for an unknown
    /// token. Marking is one conditional statement, so two concurrent exchanges of the same
    /// token cannot both see it unspent.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn spend_refresh_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RefreshRecord>, StoreError> {
        let backend = self.backend();
        let spent = self
            .writer
            .query_one_raw(statement(
                backend,
                "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
                 RETURNING subject, family, expires_at",
                [Value::from(now), Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        if let Some(row) = spent {
            return Ok(Some(RefreshRecord {
                subject: text(&row, "subject")?,
                family: row.try_get("", "family").map_err(db)?,
                expires_at: row.try_get("", "expires_at").map_err(db)?,
                used_at: None,
            }));
        }
        let row = self
            .writer
            .query_one_raw(statement(
                backend,
                "SELECT subject, family, expires_at, used_at FROM refresh_tokens \
                 WHERE token_hash = $1",
                [Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        row.map(|r| {
            Ok(RefreshRecord {
                subject: text(&r, "subject")?,
                family: r.try_get("", "family").map_err(db)?,
                expires_at: r.try_get("", "expires_at").map_err(db)?,
                used_at: r.try_get("", "used_at").map_err(db)?,
            })
        })
        .transpose()
    }

    /// Revokes every refresh token of a sign-in (after a replay, or on sign-out).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn revoke_refresh_family(&self, family: Uuid) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM refresh_tokens WHERE family = $1",
                [Value::from(family)],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Revokes every refresh token of an account (`staff:<id>` or `customer:<address>`): after a
    /// password, role or active change, every sign-in of it must start again.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn revoke_sign_ins(&self, subject: &str) -> Result<u64, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM refresh_tokens WHERE subject = $1",
                [Value::from(subject.to_owned())],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    /// Stores a new API token's hash for `staff`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn create_api_token(
        &self,
        id: Uuid,
        name: &str,
        token_hash: &str,
        staff: StaffId,
        access: (TokenScope, Option<DateTime<Utc>>),
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (scope, expires_at) = access;
        let sql = "INSERT INTO api_tokens (id, name, token_hash, staff_id, created_at, \
                   last_used_at, revoked_at, scope, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7)";
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    Value::from(id),
                    Value::from(name.to_owned()),
                    Value::from(token_hash.to_owned()),
                    Value::from(staff.as_uuid()),
                    Value::from(now),
                    Value::from(scope.as_str().to_owned()),
                    Value::from(expires_at),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The staff member an unrevoked, unexpired API token stands for, and its scope; records
    /// its use.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn api_token_staff(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(StaffId, TokenScope)>, StoreError> {
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                "SELECT id, staff_id, last_used_at, scope FROM api_tokens \
                 WHERE token_hash = $1 AND revoked_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > $2)",
                [Value::from(token_hash.to_owned()), Value::from(now)],
            ))
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: Uuid = row.try_get("", "id").map_err(db)?;
        let staff: Uuid = row.try_get("", "staff_id").map_err(db)?;
        let last: Option<DateTime<Utc>> = row.try_get("", "last_used_at").map_err(db)?;
        // Written at most once a minute, so a busy integration does not turn reads into writes.
        if last.is_none_or(|at| now - at > chrono::TimeDelta::minutes(1)) {
            self.writer
                .execute_raw(statement(
                    self.backend(),
                    "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                    [Value::from(now), Value::from(id)],
                ))
                .await
                .map_err(db)?;
        }
        let scope = TokenScope::parse(&text(&row, "scope")?)
            .ok_or_else(|| crate::error::corrupt("API token scope", "unknown scope"))?;
        Ok(Some((StaffId::from_uuid(staff), scope)))
    }

    /// Every API token, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT id, name, staff_id, created_at, last_used_at, revoked_at, scope, \
                 expires_at FROM api_tokens ORDER BY created_at DESC, id",
                [],
            ))
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenRecord {
                    id: r.try_get("", "id").map_err(db)?,
                    name: text(r, "name")?,
                    staff_id: StaffId::from_uuid(r.try_get("", "staff_id").map_err(db)?),
                    created_at: r.try_get("", "created_at").map_err(db)?,
                    last_used_at: r.try_get("", "last_used_at").map_err(db)?,
                    revoked_at: r.try_get("", "revoked_at").map_err(db)?,
                    scope: TokenScope::parse(&text(r, "scope")?)
                        .ok_or_else(|| crate::error::corrupt("API token scope", "unknown scope"))?,
                    expires_at: r.try_get("", "expires_at").map_err(db)?,
                })
            })
            .collect()
    }

    /// Revokes an API token; `false` when there is no such unrevoked token.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn revoke_api_token(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                [Value::from(now), Value::from(id)],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

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
