//! Customer portal accounts and the confirmation of their addresses: an account is written
//! unconfirmed with its confirmation link and the mail that carries it, in one transaction;
//! confirming spends the link and marks the account in another. Only digests of links are kept.

use chrono::{DateTime, Utc};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{Job, OutboundEmail, StoreError};
use sea_orm::{
    ActiveModelTrait as _, ConnectionTrait, IntoActiveModel as _, TransactionTrait as _, Value,
};

use crate::Database;
use crate::accounts::{AccountError, statement};
use crate::error::{corrupt, is_unique_violation};
use crate::jobs::queued_row;
use crate::repository::db;

/// A customer's portal account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAccount {
    pub email: EmailAddress,
    pub password_hash: String,
    pub active: bool,
    /// When the address was proven; an unconfirmed account sees nothing and cannot sign in.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl CustomerAccount {
    /// Whether the account may sign in and see its address's tickets.
    #[must_use]
    pub fn usable(&self) -> bool {
        self.active && self.confirmed_at.is_some()
    }
}

const COLUMNS: &str = "email, password_hash, active, verified_at, created_at";

fn account(row: &sea_orm::QueryResult) -> Result<CustomerAccount, StoreError> {
    let stored: String = row.try_get("", "email").map_err(db)?;
    Ok(CustomerAccount {
        email: EmailAddress::parse(&stored).map_err(|e| corrupt("customer account", e))?,
        password_hash: row.try_get("", "password_hash").map_err(db)?,
        active: row.try_get("", "active").map_err(db)?,
        confirmed_at: row.try_get("", "verified_at").map_err(db)?,
        created_at: row.try_get("", "created_at").map_err(db)?,
    })
}

impl Database {
    /// A customer's portal account.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn customer_account(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<CustomerAccount>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM customer_accounts WHERE email = $1");
        self.reader
            .query_one_raw(statement(
                self.backend(),
                &sql,
                [Value::from(email.normalized())],
            ))
            .await
            .map_err(db)?
            .as_ref()
            .map(account)
            .transpose()
    }

    /// Every customer account, newest first, at most `limit` (admins' list).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn customer_accounts(&self, limit: u64) -> Result<Vec<CustomerAccount>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customer_accounts ORDER BY created_at DESC, email LIMIT $1"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.reader
            .query_all_raw(statement(self.backend(), &sql, [Value::from(limit)]))
            .await
            .map_err(db)?
            .iter()
            .map(account)
            .collect()
    }

    /// Opens a confirmed customer account directly (imports, tests); registration goes through
    /// [`Database::begin_registration`].
    ///
    /// # Errors
    /// [`AccountError::Exists`] for an address that has one, [`AccountError::Store`].
    pub async fn create_customer_account(
        &self,
        email: &EmailAddress,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        let sql = "INSERT INTO customer_accounts (email, password_hash, active, verified_at, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)";
        let values = [
            Value::from(email.normalized()),
            Value::from(password_hash.to_owned()),
            Value::from(true),
            Value::from(now),
        ];
        match self
            .writer
            .execute_raw(statement(self.backend(), sql, values))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(AccountError::Exists),
            Err(e) => Err(AccountError::Store(db(e))),
        }
    }

    /// Writes an unconfirmed account for `email` (or rewrites the password of one never
    /// confirmed), replaces its confirmation links by the one whose digest is `token_hash`, and
    /// queues `mail`, all in one transaction. `false`, with nothing written, when the address
    /// has a confirmed account by now.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing was written.
    pub async fn begin_registration(
        &self,
        email: &EmailAddress,
        password_hash: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: OutboundEmail,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let address = email.normalized();
        let written = txn
            .execute_raw(statement(
                backend,
                "INSERT INTO customer_accounts (email, password_hash, active, verified_at, \
                 created_at, updated_at) VALUES ($1, $2, $3, NULL, $4, $4) \
                 ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, \
                 updated_at = excluded.updated_at WHERE customer_accounts.verified_at IS NULL",
                [
                    Value::from(address.clone()),
                    Value::from(password_hash.to_owned()),
                    Value::from(true),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        if written.rows_affected() == 0 {
            txn.rollback().await.map_err(db)?;
            return Ok(false);
        }
        txn.execute_raw(statement(
            backend,
            "DELETE FROM account_verifications WHERE email = $1",
            [Value::from(address.clone())],
        ))
        .await
        .map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "INSERT INTO account_verifications (token_hash, email, expires_at, used_at, \
             created_at) VALUES ($1, $2, $3, NULL, $4)",
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
        Ok(true)
    }

    /// Queues one mail that belongs to no ticket (a notice about an account).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn queue_mail(
        &self,
        mail: OutboundEmail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        queued_row(&Job::SendEmail(Box::new(mail)), now)
            .into_active_model()
            .reset_all()
            .insert(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The address a confirmation link is for, while the link is unspent and unexpired.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn pending_confirmation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailAddress>, StoreError> {
        let row = self
            .writer
            .query_one_raw(statement(
                self.backend(),
                "SELECT email FROM account_verifications WHERE token_hash = $1 \
                 AND used_at IS NULL AND expires_at > $2",
                [Value::from(token_hash.to_owned()), Value::from(now)],
            ))
            .await
            .map_err(db)?;
        row.map(|r| {
            let email: String = r.try_get("", "email").map_err(db)?;
            EmailAddress::parse(&email).map_err(|e| corrupt("account verification", e))
        })
        .transpose()
    }

    /// Spends a confirmation link and marks its account confirmed, in one transaction. `None`
    /// when the link was spent, expired or replaced meanwhile (two clicks race: one wins).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn confirm_customer(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailAddress>, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let spent = txn
            .query_one_raw(statement(
                backend,
                "UPDATE account_verifications SET used_at = $1 WHERE token_hash = $2 \
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
            "UPDATE customer_accounts SET verified_at = $1, updated_at = $1 \
             WHERE email = $2 AND verified_at IS NULL",
            [Value::from(now), Value::from(email.clone())],
        ))
        .await
        .map_err(db)?;
        txn.commit().await.map_err(db)?;
        EmailAddress::parse(&email)
            .map(Some)
            .map_err(|e| corrupt("account verification", e))
    }

    /// Activates or deactivates a customer account. `false` for an unknown address.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn set_customer_active(
        &self,
        email: &EmailAddress,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE customer_accounts SET active = $1, updated_at = $2 WHERE email = $3",
                [
                    Value::from(active),
                    Value::from(now),
                    Value::from(email.normalized()),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a customer account, its confirmation links and its sign-ins. The address's
    /// tickets stay: they belong to the helpdesk's history, not to the account. `false` for an
    /// unknown address.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_customer_account(&self, email: &EmailAddress) -> Result<bool, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let address = email.normalized();
        for sql in [
            "DELETE FROM account_verifications WHERE email = $1",
            "DELETE FROM refresh_tokens WHERE subject = 'customer:' || $1",
            "DELETE FROM web_sessions WHERE subject = 'customer:' || $1",
        ] {
            txn.execute_raw(statement(backend, sql, [Value::from(address.clone())]))
                .await
                .map_err(db)?;
        }
        let done = txn
            .execute_raw(statement(
                backend,
                "DELETE FROM customer_accounts WHERE email = $1",
                [Value::from(address)],
            ))
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(done.rows_affected() > 0)
    }
}
