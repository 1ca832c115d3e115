//! Outbound webhook subscriptions stored, and the dispatcher that turns new audit events into
//! one delivery job per subscription that wants them (the domain's [`Subscription::wants`]). Deliveries then go through the jobs queue
//! (leases, retries with backoff), like outbound mail.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{Job, StoreError, WebhookDelivery};
use frontdesk_domain::ticket::TicketId;
use frontdesk_domain::webhook::{EventSelection, Subscription};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::entity::webhooks;
use crate::error::corrupt;
use crate::feed::events_after;
use crate::jobs as job_json;
use crate::repository::db;

/// The counter row holding the id of the last event dispatched.
const CURSOR: &str = "webhook_events";

fn from_row(m: webhooks::Model) -> Result<Subscription, StoreError> {
    let names: Vec<String> =
        serde_json::from_str(&m.events).map_err(|e| corrupt("webhook events", e))?;
    Ok(Subscription {
        id: m.id,
        url: m.url,
        secret: m.secret,
        events: EventSelection::parse(&names).map_err(|e| corrupt("webhook events", e))?,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn row(w: &Subscription) -> webhooks::Model {
    webhooks::Model {
        id: w.id,
        url: w.url.clone(),
        secret: w.secret.clone(),
        events: serde_json::Value::from(w.events.names()).to_string(),
        active: w.active,
        created_at: w.created_at,
        updated_at: w.updated_at,
    }
}

impl Database {
    /// Every subscription, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn webhooks(&self) -> Result<Vec<Subscription>, StoreError> {
        webhooks::Entity::find()
            .order_by_asc(webhooks::Column::CreatedAt)
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn webhook(&self, id: Uuid) -> Result<Option<Subscription>, StoreError> {
        webhooks::Entity::find_by_id(id)
            .one(&self.reader)
            .await
            .map_err(db)?
            .map(from_row)
            .transpose()
    }

    /// Inserts a new one or replaces the one with the same id (one statement).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn save_webhook(&self, w: &Subscription) -> Result<(), StoreError> {
        use webhooks::Column as C;
        webhooks::Entity::insert(row(w).into_active_model().reset_all())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([C::Url, C::Secret, C::Events, C::Active, C::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Whether it existed. Deliveries already queued for it are dropped when they run.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_webhook(&self, id: Uuid) -> Result<bool, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        txn.execute_raw(statement(
            txn.get_database_backend(),
            "DELETE FROM webhook_deliveries WHERE webhook_id = $1",
            [id.into()],
        ))
        .await
        .map_err(db)?;
        let result = webhooks::Entity::delete_by_id(id)
            .exec(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(result.rows_affected > 0)
    }

    /// Queues a delivery of each audit event written since the last call to every active
    /// subscription that wants it (at most `limit` events a call), and moves the cursor past
    /// them in the same transaction: each event is queued once, even with two pollers. Events
    /// from before the first subscription are skipped, not sent later. Returns the deliveries
    /// queued.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing is queued then.
    pub async fn dispatch_webhook_events(
        &self,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let cursor = lock_cursor(&txn).await?;
        let hooks: Vec<Subscription> = webhooks::Entity::find()
            .filter(webhooks::Column::Active.eq(true))
            .all(&txn)
            .await
            .map_err(db)?
            .into_iter()
            .map(from_row)
            .collect::<Result<_, _>>()?;
        let (last, queued) = if hooks.is_empty() {
            // Nobody listens: skip what happened so far, a new subscription starts from now.
            (newest_event(&txn, cursor).await?, 0)
        } else {
            queue_deliveries(&txn, &hooks, cursor, limit, now).await?
        };
        if last != cursor {
            txn.execute_raw(statement(
                backend,
                "UPDATE counters SET value = $1 WHERE name = $2",
                [last.into(), CURSOR.into()],
            ))
            .await
            .map_err(db)?;
        }
        txn.commit().await.map_err(db)?;
        Ok(queued)
    }
}

/// The dispatch cursor, created at 0 on first use and locked for this transaction: a concurrent
/// first call waits for the insert and then does nothing; taking the row's lock serialises
/// dispatchers on PostgreSQL (SQLite has one writer anyway).
async fn lock_cursor(txn: &DatabaseTransaction) -> Result<i64, StoreError> {
    let backend = txn.get_database_backend();
    txn.execute_raw(statement(
        backend,
        "INSERT INTO counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
        [CURSOR.into()],
    ))
    .await
    .map_err(db)?;
    txn.execute_raw(statement(
        backend,
        "UPDATE counters SET value = value WHERE name = $1",
        [CURSOR.into()],
    ))
    .await
    .map_err(db)?;
    Ok(txn
        .query_one_raw(statement(
            backend,
            "SELECT value FROM counters WHERE name = $1",
            [CURSOR.into()],
        ))
        .await
        .map_err(db)?
        .map(|r| r.try_get::<i64>("", "value"))
        .transpose()
        .map_err(db)?
        .unwrap_or(0))
}

/// The id of the newest event (or `cursor` when there is none).
async fn newest_event(txn: &DatabaseTransaction, cursor: i64) -> Result<i64, StoreError> {
    Ok(txn
        .query_one_raw(statement(
            txn.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) AS id FROM ticket_events",
            [],
        ))
        .await
        .map_err(db)?
        .map(|r| r.try_get::<i64>("", "id"))
        .transpose()
        .map_err(db)?
        .unwrap_or(cursor))
}

/// Queues one delivery per event after `cursor` (at most `limit`) and subscription that wants
/// it; the id of the last event read and the deliveries queued.
async fn queue_deliveries(
    txn: &DatabaseTransaction,
    hooks: &[Subscription],
    cursor: i64,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<(i64, usize), StoreError> {
    let events = events_after(txn, cursor, limit).await?;
    let mut queued = 0;
    let mut last = cursor;
    for e in &events {
        last = e.id;
        let body = e.to_json().to_string();
        for h in hooks.iter().filter(|h| h.wants(e)) {
            let job = Job::DeliverWebhook(Box::new(WebhookDelivery {
                webhook: h.id,
                ticket_id: TicketId::from_uuid(e.ticket_id),
                event_id: e.id,
                event: e.name().to_owned(),
                body: body.clone(),
            }));
            let queued_job = job_json::queued_row(&job, now);
            let job_id = queued_job.id;
            queued_job
                .into_active_model()
                .reset_all()
                .insert(txn)
                .await
                .map_err(db)?;
            crate::webhook_log::log_delivery(txn, job_id, &job, None, now).await?;
            queued += 1;
        }
    }
    Ok((last, queued))
}
