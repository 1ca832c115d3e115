//! Portal sign-in links: single use, 15 minutes, mailed to an address; using one proves the
//! address and signs its customer in (making a password-free portal account on first use).

use frontdesk_domain::ports::{Job, OutboundEmail};
use sea_orm::{ActiveModelTrait as _, IntoActiveModel as _, TransactionTrait as _};

use super::*;
use crate::error::corrupt;
use crate::jobs::queued_row;

impl Database {
    /// Stores a sign-in link (its token's `token_hash`) for `email`, forgets the address's
    /// unused ones, and queues `mail`, in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing was written.
    pub async fn issue_portal_link(
        &self,
        email: &EmailAddress,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: OutboundEmail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let address = email.normalized();
        txn.execute_raw(statement(
            backend,
            "DELETE FROM portal_links WHERE email = $1 AND used_at IS NULL",
            [Value::from(address.clone())],
        ))
        .await
        .map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "INSERT INTO portal_links (token_hash, email, expires_at, used_at, created_at) \
             VALUES ($1, $2, $3, NULL, $4)",
            [
                Value::from(token_hash.to_owned()),
                Value::from(address),
                Value::from(expires_at),
                Value::from(now),
            ],
        ))
        .await
        .map_err(db)?;
        queued_row(&Job::SendEmail(Box::new(mail)), now)
            .into_active_model()
            .reset_all()
            .insert(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(())
    }

    /// Spends the sign-in link `token_hash` and makes sure its address has a usable portal
    /// account, in one transaction: a new one has no password; one never confirmed is confirmed
    /// now (the link proves the address) and loses the password it was registered with, since
    /// whoever registered it never proved the address. `None`, with nothing written, for an unknown, spent or
    /// expired link, or an address whose account an admin deactivated.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn use_portal_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailAddress>, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let spent = txn
            .query_one_raw(statement(
                backend,
                "UPDATE portal_links SET used_at = $1 WHERE token_hash = $2 \
                 AND used_at IS NULL AND expires_at > $1 RETURNING email",
                [Value::from(now), Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        let Some(row) = spent else {
            txn.rollback().await.map_err(db)?;
            return Ok(None);
        };
        let email: String = row.try_get("", "email").map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "INSERT INTO customer_accounts (email, password_hash, active, verified_at, \
             created_at, updated_at) VALUES ($1, '', $2, $3, $3, $3) \
             ON CONFLICT (email) DO UPDATE SET verified_at = $3, updated_at = $3, \
             password_hash = '' WHERE customer_accounts.verified_at IS NULL",
            [
                Value::from(email.clone()),
                Value::from(true),
                Value::from(now),
            ],
        ))
        .await
        .map_err(db)?;
        let active = txn
            .query_one_raw(statement(
                backend,
                "SELECT active FROM customer_accounts WHERE email = $1",
                [Value::from(email.clone())],
            ))
            .await
            .map_err(db)?
            .map(|r| r.try_get::<bool>("", "active"))
            .transpose()
            .map_err(db)?;
        if active != Some(true) {
            txn.rollback().await.map_err(db)?;
            return Ok(None);
        }
        txn.commit().await.map_err(db)?;
        EmailAddress::parse(&email)
            .map(Some)
            .map_err(|e| corrupt("portal link", e))
    }
}
