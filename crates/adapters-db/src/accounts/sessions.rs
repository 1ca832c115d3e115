//! Sign-ins: refresh tokens, spent once, revoked by family or by subject; and the web
//! workspace's sessions, ended by sign-out, idle time, their lifetime or the same revocation.

use super::*;

impl Database {
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
        let mut revoked = 0;
        for sql in [
            "DELETE FROM refresh_tokens WHERE subject = $1",
            "DELETE FROM web_sessions WHERE subject = $1",
        ] {
            let done = self
                .writer
                .execute_raw(statement(
                    self.backend(),
                    sql,
                    [Value::from(subject.to_owned())],
                ))
                .await
                .map_err(db)?;
            revoked += done.rows_affected();
        }
        Ok(revoked)
    }

    /// Stores a new web session (its token's digest), and forgets sessions that have ended
    /// (past their lifetime, or idle since `idle_since`).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn create_web_session(
        &self,
        token_hash: &str,
        session: &WebSession,
        idle_since: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let backend = self.backend();
        self.writer
            .execute_raw(statement(
                backend,
                "DELETE FROM web_sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                [Value::from(session.created_at), Value::from(idle_since)],
            ))
            .await
            .map_err(db)?;
        self.writer
            .execute_raw(statement(
                backend,
                "INSERT INTO web_sessions (token_hash, subject, csrf, created_at, last_seen_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    Value::from(token_hash.to_owned()),
                    Value::from(session.subject.clone()),
                    Value::from(session.csrf.clone()),
                    Value::from(session.created_at),
                    Value::from(session.last_seen_at),
                    Value::from(session.expires_at),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The session a token's digest names, if it has not ended: before its lifetime and seen
    /// after `idle_since`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<Option<WebSession>, StoreError> {
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                "SELECT subject, csrf, created_at, last_seen_at, expires_at FROM web_sessions \
                 WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
                [
                    Value::from(token_hash.to_owned()),
                    Value::from(now),
                    Value::from(idle_since),
                ],
            ))
            .await
            .map_err(db)?;
        row.map(|r| {
            Ok(WebSession {
                subject: text(&r, "subject")?,
                csrf: text(&r, "csrf")?,
                created_at: r.try_get("", "created_at").map_err(db)?,
                last_seen_at: r.try_get("", "last_seen_at").map_err(db)?,
                expires_at: r.try_get("", "expires_at").map_err(db)?,
            })
        })
        .transpose()
    }

    /// Records that a session was used at `now` (its idle time starts again).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn touch_web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE web_sessions SET last_seen_at = $1 WHERE token_hash = $2",
                [Value::from(now), Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Ends a session (sign-out).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn end_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM web_sessions WHERE token_hash = $1",
                [Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }
}
