//! What the console's mail page reads: how each mailbox's last pass went (written by whichever
//! process read it), its cursor and lease; and the quarantine's dismissals.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::StoreError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::Database;
use crate::entity::{mailbox_cursors, mailbox_leases, mailbox_status, quarantine};
use crate::repository::db;

/// A mailbox as the mail page shows it.
#[derive(Debug, Clone, Default)]
pub struct MailboxState {
    pub mailbox: String,
    /// From the last pass recorded; empty before the first.
    pub kind: String,
    pub last_pass_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Messages the last successful pass read, and every pass together.
    pub last_read: u64,
    pub total_read: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The mail source's own position (opaque), and when it moved.
    pub cursor: Option<String>,
    pub cursor_at: Option<DateTime<Utc>>,
    /// Which process holds the mailbox, until when.
    pub lease: Option<(String, DateTime<Utc>)>,
}

impl Database {
    /// Records a pass over `mailbox`: the messages it read, or why it failed.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn record_mailbox_pass(
        &self,
        mailbox: &str,
        kind: &str,
        at: DateTime<Utc>,
        outcome: Result<u64, &str>,
    ) -> Result<(), StoreError> {
        let before = mailbox_status::Entity::find_by_id(mailbox.to_owned())
            .one(&self.writer)
            .await
            .map_err(db)?;
        let mut row = before.clone().unwrap_or(mailbox_status::Model {
            mailbox: mailbox.to_owned(),
            kind: kind.to_owned(),
            last_pass_at: at,
            last_success_at: None,
            last_read: 0,
            total_read: 0,
            last_error: None,
            last_error_at: None,
        });
        row.kind = kind.to_owned();
        row.last_pass_at = at;
        match outcome {
            Ok(read) => {
                let read = i64::try_from(read).unwrap_or(i64::MAX);
                row.last_success_at = Some(at);
                row.last_read = read;
                row.total_read = row.total_read.saturating_add(read);
            }
            Err(e) => {
                // A mailbox's error can carry what a server said: kept short, one line.
                row.last_error = Some(e.chars().filter(|c| !c.is_control()).take(500).collect());
                row.last_error_at = Some(at);
            }
        }
        let active: mailbox_status::ActiveModel = sea_orm::IntoActiveModel::into_active_model(row);
        let active = active.reset_all();
        let on_conflict = sea_orm::sea_query::OnConflict::column(mailbox_status::Column::Mailbox)
            .update_columns([
                mailbox_status::Column::Kind,
                mailbox_status::Column::LastPassAt,
                mailbox_status::Column::LastSuccessAt,
                mailbox_status::Column::LastRead,
                mailbox_status::Column::TotalRead,
                mailbox_status::Column::LastError,
                mailbox_status::Column::LastErrorAt,
            ])
            .to_owned();
        mailbox_status::Entity::insert(active)
            .on_conflict(on_conflict)
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Each of `mailboxes` with its last pass, cursor and lease (in the order given).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn mailbox_states(
        &self,
        mailboxes: &[String],
    ) -> Result<Vec<MailboxState>, StoreError> {
        let names = mailboxes.to_vec();
        let status = mailbox_status::Entity::find()
            .filter(mailbox_status::Column::Mailbox.is_in(names.clone()))
            .all(&self.reader)
            .await
            .map_err(db)?;
        let cursors = mailbox_cursors::Entity::find()
            .filter(mailbox_cursors::Column::Mailbox.is_in(names.clone()))
            .all(&self.reader)
            .await
            .map_err(db)?;
        let leases = mailbox_leases::Entity::find()
            .filter(mailbox_leases::Column::Mailbox.is_in(names))
            .all(&self.reader)
            .await
            .map_err(db)?;
        Ok(mailboxes
            .iter()
            .map(|name| {
                let mut m = MailboxState {
                    mailbox: name.clone(),
                    ..MailboxState::default()
                };
                if let Some(s) = status.iter().find(|s| &s.mailbox == name) {
                    m.kind.clone_from(&s.kind);
                    m.last_pass_at = Some(s.last_pass_at);
                    m.last_success_at = s.last_success_at;
                    m.last_read = u64::try_from(s.last_read).unwrap_or(0);
                    m.total_read = u64::try_from(s.total_read).unwrap_or(0);
                    m.last_error.clone_from(&s.last_error);
                    m.last_error_at = s.last_error_at;
                }
                if let Some(c) = cursors.iter().find(|c| &c.mailbox == name) {
                    m.cursor = Some(c.position.clone());
                    m.cursor_at = Some(c.updated_at);
                }
                if let Some(l) = leases.iter().find(|l| &l.mailbox == name) {
                    m.lease = Some((l.holder.clone(), l.lease_until));
                }
                m
            })
            .collect())
    }

    /// Dismisses quarantined mail `id` with `reason`, by `by`; `false` when there is no such
    /// open entry (unknown, or already resolved).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn dismiss_quarantined(
        &self,
        id: Uuid,
        reason: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = quarantine::Entity::update_many()
            .col_expr(quarantine::Column::ResolvedAt, Some(now).into())
            .col_expr(quarantine::Column::UpdatedAt, now.into())
            .col_expr(
                quarantine::Column::DismissedReason,
                Some(reason.to_owned()).into(),
            )
            .col_expr(quarantine::Column::DismissedBy, Some(by.to_owned()).into())
            .filter(quarantine::Column::Id.eq(id))
            .filter(quarantine::Column::ResolvedAt.is_null())
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(result.rows_affected == 1)
    }

    /// Why and by whom each of `ids` was dismissed, for those that were.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn dismissals(
        &self,
        ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, (String, Option<String>)>, StoreError> {
        let rows = quarantine::Entity::find()
            .filter(quarantine::Column::Id.is_in(ids.iter().copied()))
            .filter(quarantine::Column::DismissedReason.is_not_null())
            .all(&self.reader)
            .await
            .map_err(db)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.id, (r.dismissed_reason?, r.dismissed_by))))
            .collect())
    }
}
