//! Staff links: the single-use, expiring links mailed to a staff member to choose a password
//! (an invitation or a reset). Only each token's digest is kept; a new link for a member
//! replaces their unused ones.

use frontdesk_domain::access::{StaffLink, StaffLinkPurpose};
use frontdesk_domain::ports::{Job, OutboundEmail};
use sea_orm::{ActiveModelTrait as _, IntoActiveModel as _, TransactionTrait as _};

use super::*;
use crate::error::corrupt;
use crate::jobs::queued_row;

/// How a staff member can sign in, for the staff list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccess {
    pub staff_id: StaffId,
    /// A password has been set.
    pub has_password: bool,
    /// The unused link, if one was sent (it may have expired).
    pub link: Option<StaffLink>,
}

fn link_from(purpose: &str, expires_at: DateTime<Utc>) -> Result<StaffLink, StoreError> {
    Ok(StaffLink {
        purpose: StaffLinkPurpose::parse(purpose)
            .ok_or_else(|| corrupt("staff link", format!("unknown purpose {purpose:?}")))?,
        expires_at,
        used_at: None,
    })
}

impl Database {
    /// Stores a link (its token's `token_hash`) for `member`, forgets the member's unused links,
    /// and queues `mail` with it, all in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing was written.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_staff_link(
        &self,
        member: StaffId,
        link: &StaffLink,
        token_hash: &str,
        created_by: Option<StaffId>,
        mail: OutboundEmail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        txn.execute_raw(statement(
            backend,
            "DELETE FROM staff_links WHERE staff_id = $1 AND used_at IS NULL",
            [Value::from(member.as_uuid())],
        ))
        .await
        .map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "INSERT INTO staff_links (token_hash, staff_id, purpose, expires_at, used_at, \
             created_by, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
            [
                Value::from(token_hash.to_owned()),
                Value::from(member.as_uuid()),
                Value::from(link.purpose.as_str()),
                Value::from(link.expires_at),
                Value::from(created_by.map(StaffId::as_uuid)),
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

    /// The member and link a token's digest names, used or not.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Staff, StaffLink)>, StoreError> {
        let row = self
            .writer
            .query_one_raw(statement(
                self.backend(),
                "SELECT staff_id, purpose, expires_at, used_at FROM staff_links \
                 WHERE token_hash = $1",
                [Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let id: Uuid = row.try_get("", "staff_id").map_err(db)?;
        let purpose: String = row.try_get("", "purpose").map_err(db)?;
        let mut link = link_from(&purpose, row.try_get("", "expires_at").map_err(db)?)?;
        link.used_at = row.try_get("", "used_at").map_err(db)?;
        Ok(self
            .staff(StaffId::from_uuid(id))
            .await?
            .map(|member| (member, link)))
    }

    /// Spends the link `token_hash` and sets its member's password to `password_hash`, in one
    /// transaction. `None`, with nothing written, when the link was spent, expired or replaced
    /// meanwhile, or its member deactivated (two clicks race: one wins).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn use_staff_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffId>, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let spent = txn
            .query_one_raw(statement(
                backend,
                "UPDATE staff_links SET used_at = $1 WHERE token_hash = $2 \
                 AND used_at IS NULL AND expires_at > $1 RETURNING staff_id",
                [Value::from(now), Value::from(token_hash.to_owned())],
            ))
            .await
            .map_err(db)?;
        let Some(row) = spent else {
            txn.rollback().await.map_err(db)?;
            return Ok(None);
        };
        let id: Uuid = row.try_get("", "staff_id").map_err(db)?;
        let set = txn
            .execute_raw(statement(
                backend,
                "UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3 AND active",
                [
                    Value::from(password_hash.to_owned()),
                    Value::from(now),
                    Value::from(id),
                ],
            ))
            .await
            .map_err(db)?;
        if set.rows_affected() == 0 {
            txn.rollback().await.map_err(db)?;
            return Ok(None);
        }
        txn.execute_raw(statement(
            backend,
            "DELETE FROM staff_links WHERE staff_id = $1 AND used_at IS NULL",
            [Value::from(id)],
        ))
        .await
        .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(Some(StaffId::from_uuid(id)))
    }

    /// For every staff member: whether a password is set, and the unused link sent, if any.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_access(&self) -> Result<Vec<StaffAccess>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT s.id, CASE WHEN s.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
                 l.purpose, l.expires_at FROM staff s \
                 LEFT JOIN staff_links l ON l.staff_id = s.id AND l.used_at IS NULL",
                [],
            ))
            .await
            .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                let id: Uuid = r.try_get("", "id").map_err(db)?;
                let has: i32 = r.try_get("", "has_password").map_err(db)?;
                let purpose: Option<String> = r.try_get("", "purpose").map_err(db)?;
                let expires: Option<DateTime<Utc>> = r.try_get("", "expires_at").map_err(db)?;
                Ok(StaffAccess {
                    staff_id: StaffId::from_uuid(id),
                    has_password: has != 0,
                    link: match (purpose, expires) {
                        (Some(p), Some(at)) => Some(link_from(&p, at)?),
                        _ => None,
                    },
                })
            })
            .collect()
    }
}
