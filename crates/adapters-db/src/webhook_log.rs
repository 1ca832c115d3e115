//! The outbound webhooks' delivery log: a row per delivery (per job), written when it is queued
//! and updated by each attempt, read per subscription newest first; "redeliver" queues a copy.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{Job, StoreError, WebhookDelivery};
use frontdesk_domain::ticket::TicketNumber;
use frontdesk_domain::webhook::DeliveryState;
use sea_orm::{
    ActiveModelTrait as _, ConnectionTrait, IntoActiveModel as _, TransactionTrait as _,
};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::corrupt;
use crate::jobs::{from_stored, queued_row};
use crate::repository::db;

/// One delivery as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The delivery's job.
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: i64,
    /// `ticket.created`, …
    pub event: String,
    pub ticket_id: Option<Uuid>,
    /// `TKT-000042`, while the ticket exists.
    pub ticket_number: Option<String>,
    /// The delivery this one sends again.
    pub redelivery_of: Option<Uuid>,
    pub state: DeliveryState,
    pub attempts: u32,
    /// The receiver's HTTP status at the last attempt (none before one, or without an answer).
    pub http_status: Option<u16>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What one attempt came to, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord<'a> {
    /// Attempts made so far, this one included.
    pub attempts: u32,
    pub http_status: Option<u16>,
    pub error: Option<&'a str>,
    pub state: DeliveryState,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Writes the log row of a delivery queued as job `job_id` (nothing for other jobs).
pub(crate) async fn log_delivery(
    conn: &impl ConnectionTrait,
    job_id: Uuid,
    job: &Job,
    redelivery_of: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Job::DeliverWebhook(d) = job else {
        return Ok(());
    };
    let WebhookDelivery {
        webhook,
        ticket_id,
        event_id,
        event,
        ..
    } = d.as_ref();
    conn.execute_raw(statement(
        conn.get_database_backend(),
        "INSERT INTO webhook_deliveries (job_id, webhook_id, event_id, event, ticket_id, \
         redelivery_of, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)",
        [
            job_id.into(),
            (*webhook).into(),
            (*event_id).into(),
            event.clone().into(),
            ticket_id.as_uuid().into(),
            redelivery_of.into(),
            DeliveryState::Pending.as_str().into(),
            now.into(),
        ],
    ))
    .await
    .map_err(db)?;
    Ok(())
}

fn record(r: &sea_orm::QueryResult) -> Result<DeliveryRecord, StoreError> {
    let state: String = r.try_get("", "state").map_err(db)?;
    let attempts: i64 = r.try_get("", "attempts").map_err(db)?;
    let status: Option<i64> = r.try_get("", "http_status").map_err(db)?;
    let number: Option<i64> = r.try_get("", "ticket_number").map_err(db)?;
    Ok(DeliveryRecord {
        id: r.try_get("", "job_id").map_err(db)?,
        webhook_id: r.try_get("", "webhook_id").map_err(db)?,
        event_id: r.try_get("", "event_id").map_err(db)?,
        event: r.try_get("", "event").map_err(db)?,
        ticket_id: r.try_get("", "ticket_id").map_err(db)?,
        ticket_number: number
            .map(|n| {
                let n = u64::try_from(n).map_err(|e| corrupt("ticket number", e))?;
                TicketNumber::new(n)
                    .map(|n| n.to_string())
                    .map_err(|e| corrupt("ticket number", e))
            })
            .transpose()?,
        redelivery_of: r.try_get("", "redelivery_of").map_err(db)?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| corrupt("webhook delivery", format!("state {state:?}")))?,
        attempts: u32::try_from(attempts).map_err(|e| corrupt("webhook delivery", e))?,
        http_status: status
            .map(u16::try_from)
            .transpose()
            .map_err(|e| corrupt("webhook delivery", e))?,
        last_error: r.try_get("", "last_error").map_err(db)?,
        last_attempt_at: r.try_get("", "last_attempt_at").map_err(db)?,
        next_attempt_at: r.try_get("", "next_attempt_at").map_err(db)?,
        created_at: r.try_get("", "created_at").map_err(db)?,
    })
}

/// Every column of a delivery, with its ticket's number; `WHERE` follows.
const COLUMNS: &str = "SELECT d.job_id, d.webhook_id, d.event_id, d.event, d.ticket_id, \
                       d.redelivery_of, d.state, d.attempts, d.http_status, d.last_error, \
                       d.last_attempt_at, d.next_attempt_at, d.created_at, t.number AS ticket_number \
                       FROM webhook_deliveries d LEFT JOIN tickets t ON t.id = d.ticket_id";

impl Database {
    /// Records an attempt of the delivery queued as job `job_id` (nothing for other jobs).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn record_webhook_attempt(
        &self,
        job_id: Uuid,
        attempt: &AttemptRecord<'_>,
    ) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE webhook_deliveries SET attempts = $1, http_status = $2, \
                 last_error = $3, state = $4, next_attempt_at = $5, last_attempt_at = $6 \
                 WHERE job_id = $7",
                [
                    i64::from(attempt.attempts).into(),
                    attempt.http_status.map(i64::from).into(),
                    attempt.error.map(str::to_owned).into(),
                    attempt.state.as_str().into(),
                    attempt.next_attempt_at.into(),
                    attempt.at.into(),
                    job_id.into(),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// A subscription's deliveries newest first: at most `limit`, older than delivery `before`
    /// when given (the next page starts after the last one's id). Ids are UUIDv7, so their order
    /// is the order deliveries were queued in, exact even for a batch queued at one instant.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn webhook_deliveries(
        &self,
        webhook: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let (sql, values): (String, Vec<sea_orm::Value>) = match before {
            Some(at) => (
                format!(
                    "{COLUMNS} WHERE d.webhook_id = $1 \
                     AND d.job_id < $2 ORDER BY d.job_id DESC LIMIT $3"
                ),
                vec![webhook.into(), at.into(), i64::from(limit).into()],
            ),
            None => (
                format!(
                    "{COLUMNS} WHERE d.webhook_id = $1 \
                     ORDER BY d.job_id DESC LIMIT $2"
                ),
                vec![webhook.into(), i64::from(limit).into()],
            ),
        };
        let rows = self
            .reader
            .query_all_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(db)?;
        rows.iter().map(record).collect()
    }

    /// One delivery of a subscription.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn webhook_delivery(
        &self,
        webhook: Uuid,
        id: Uuid,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        let sql = format!("{COLUMNS} WHERE d.webhook_id = $1 AND d.job_id = $2");
        let row = self
            .writer
            .query_one_raw(statement(self.backend(), &sql, [webhook.into(), id.into()]))
            .await
            .map_err(db)?;
        row.as_ref().map(record).transpose()
    }

    /// Queues delivery `id` again as a new delivery (same event, same body), logged as its
    /// redelivery; the new delivery's id, or `None` for an unknown one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing is queued then.
    pub async fn redeliver_webhook(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let original = txn
            .query_one_raw(statement(
                backend,
                "SELECT kind, payload FROM jobs WHERE id = $1",
                [id.into()],
            ))
            .await
            .map_err(db)?;
        let Some(original) = original else {
            txn.rollback().await.map_err(db)?;
            return Ok(None);
        };
        let kind: String = original.try_get("", "kind").map_err(db)?;
        let payload: String = original.try_get("", "payload").map_err(db)?;
        let job = from_stored(&kind, &payload)?;
        let row = queued_row(&job, now);
        let new_id = row.id;
        row.into_active_model()
            .reset_all()
            .insert(&txn)
            .await
            .map_err(db)?;
        log_delivery(&txn, new_id, &job, Some(id), now).await?;
        txn.commit().await.map_err(db)?;
        Ok(Some(new_id))
    }
}
