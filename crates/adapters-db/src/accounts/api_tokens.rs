//! API tokens: created for a staff member, looked up by hash, listed and revoked.

use super::*;

impl Database {
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
}
