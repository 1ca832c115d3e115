//! The quarantine and mailbox cursors.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{
    MailboxCursor, MailboxCursors, MailboxLeases, Quarantine, QuarantineKind, QuarantinedMail,
    StoreError,
};
use frontdesk_domain::ticket::Channel;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use crate::Database;

use crate::entity::{mailbox_cursors, mailbox_leases, quarantine, raw_messages};
use crate::error::corrupt;
use crate::mapping::{clean, content_address};
use crate::repository::db;

impl Database {
    async fn with_raw(
        &self,
        rows: Vec<quarantine::Model>,
    ) -> Result<Vec<QuarantinedMail>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for q in rows {
            let raw = raw_messages::Entity::find_by_id(q.raw_sha256.clone())
                .one(&self.reader)
                .await
                .map_err(db)?
                .map(|r| r.content)
                .ok_or_else(|| corrupt("quarantine entry", "raw message missing"))?;
            out.push(QuarantinedMail {
                id: q.id,
                source: q.source,
                channel: q
                    .channel
                    .parse()
                    .map_err(|e| corrupt("quarantine channel", e))?,
                raw,
                error: q.error,
                kind: QuarantineKind::parse(&q.kind)
                    .ok_or_else(|| corrupt("quarantine kind", &q.kind))?,
                attempts: u32::try_from(q.attempts).unwrap_or(u32::MAX),
                created_at: q.created_at,
                updated_at: q.updated_at,
                resolved_at: q.resolved_at,
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl Quarantine for Database {
    async fn quarantine(
        &self,
        source: &str,
        channel: Channel,
        raw: &[u8],
        error: &str,
        kind: QuarantineKind,
        now: DateTime<Utc>,
    ) -> Result<uuid::Uuid, StoreError> {
        let sha = content_address(raw);
        let txn = self.writer.begin().await.map_err(db)?;
        let raw_row = raw_messages::Model {
            sha256: sha.clone(),
            size: i64::try_from(raw.len()).unwrap_or(i64::MAX),
            content: raw.to_vec(),
            created_at: now,
        };
        raw_messages::Entity::insert(raw_row.into_active_model().reset_all())
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await
            .map_err(db)?;
        let open = quarantine::Entity::find()
            .filter(quarantine::Column::RawSha256.eq(sha.clone()))
            .filter(quarantine::Column::ResolvedAt.is_null())
            .one(&txn)
            .await
            .map_err(db)?;
        let id = match open {
            Some(entry) => {
                let id = entry.id;
                let mut entry = entry.into_active_model();
                entry.attempts = sea_orm::ActiveValue::Set(*entry.attempts.as_ref() + 1);
                entry.error = sea_orm::ActiveValue::Set(clean(error));
                entry.kind = sea_orm::ActiveValue::Set(kind.as_str().to_owned());
                entry.updated_at = sea_orm::ActiveValue::Set(now);
                quarantine::Entity::update(entry)
                    .exec(&txn)
                    .await
                    .map_err(db)?;
                id
            }
            None => {
                let id = uuid::Uuid::now_v7();
                let row = quarantine::Model {
                    id,
                    source: clean(source),
                    channel: channel.as_str().to_owned(),
                    raw_sha256: sha,
                    error: clean(error),
                    kind: kind.as_str().to_owned(),
                    attempts: 1,
                    created_at: now,
                    updated_at: now,
                    resolved_at: None,
                    dismissed_reason: None,
                    dismissed_by: None,
                };
                quarantine::Entity::insert(row.into_active_model().reset_all())
                    .exec_without_returning(&txn)
                    .await
                    .map_err(db)?;
                id
            }
        };
        txn.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn quarantined(
        &self,
        include_resolved: bool,
        kind: Option<QuarantineKind>,
        limit: u32,
    ) -> Result<Vec<QuarantinedMail>, StoreError> {
        let mut select = quarantine::Entity::find();
        if !include_resolved {
            select = select.filter(quarantine::Column::ResolvedAt.is_null());
        }
        if let Some(kind) = kind {
            select = select.filter(quarantine::Column::Kind.eq(kind.as_str()));
        }
        let rows = select
            .order_by_desc(quarantine::Column::UpdatedAt)
            .order_by_desc(quarantine::Column::Id)
            .limit(u64::from(limit))
            .all(&self.reader)
            .await
            .map_err(db)?;
        self.with_raw(rows).await
    }

    async fn quarantined_mail(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<QuarantinedMail>, StoreError> {
        let row = quarantine::Entity::find_by_id(id)
            .one(&self.reader)
            .await
            .map_err(db)?;
        Ok(self.with_raw(row.into_iter().collect()).await?.pop())
    }

    async fn resolve(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
        quarantine::Entity::update_many()
            .col_expr(quarantine::Column::ResolvedAt, Some(now).into())
            .col_expr(quarantine::Column::UpdatedAt, now.into())
            .filter(quarantine::Column::Id.eq(id))
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}

#[async_trait]
impl MailboxCursors for Database {
    async fn cursor(&self, mailbox: &str) -> Result<Option<MailboxCursor>, StoreError> {
        let row = mailbox_cursors::Entity::find_by_id(mailbox.to_owned())
            .one(&self.reader)
            .await
            .map_err(db)?;
        Ok(row.map(|r| MailboxCursor::new(r.position)))
    }

    async fn save_cursor(
        &self,
        mailbox: &str,
        cursor: &MailboxCursor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = mailbox_cursors::Model {
            mailbox: mailbox.to_owned(),
            position: cursor.as_str().to_owned(),
            updated_at: now,
        };
        let on_conflict = OnConflict::column(mailbox_cursors::Column::Mailbox)
            .update_columns([
                mailbox_cursors::Column::Position,
                mailbox_cursors::Column::UpdatedAt,
            ])
            .to_owned();
        mailbox_cursors::Entity::insert(row.into_active_model().reset_all())
            .on_conflict(on_conflict)
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}

#[async_trait]
impl MailboxLeases for Database {
    async fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
        // One statement, so two pollers racing for an expired lease cannot both win: the
        // conditional upsert takes the row lock (PostgreSQL) or the write lock (SQLite).
        let sql = "INSERT INTO mailbox_leases (mailbox, holder, lease_until) VALUES ($1, $2, $3) \
                   ON CONFLICT (mailbox) DO UPDATE SET holder = excluded.holder, \
                   lease_until = excluded.lease_until \
                   WHERE mailbox_leases.holder = excluded.holder \
                   OR mailbox_leases.lease_until < $4 \
                   RETURNING holder";
        let backend = self.backend();
        let sql = if backend == DbBackend::Sqlite {
            sql.replace('$', "?")
        } else {
            sql.to_owned()
        };
        let row = self
            .writer
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    Value::from(mailbox.to_owned()),
                    Value::from(holder.to_owned()),
                    Value::from(until),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(row.is_some())
    }

    async fn release(&self, mailbox: &str, holder: &str) -> Result<(), StoreError> {
        mailbox_leases::Entity::delete_many()
            .filter(mailbox_leases::Column::Mailbox.eq(mailbox))
            .filter(mailbox_leases::Column::Holder.eq(holder))
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}
