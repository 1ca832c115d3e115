//! Intake form storage: each version of a form (its definition as JSON), the active one unique
//! by a partial index, and the answers each ticket was opened with.

use chrono::{DateTime, Utc};
use frontdesk_domain::journey::{Definition, IntakeRecord, Journey, JourneyStatus};
use frontdesk_domain::ports::{CommitError, StoreError};
use frontdesk_domain::ticket::TicketId;
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult, TransactionTrait, Value};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::corrupt;
use crate::repository::db;

const COLUMNS: &str =
    "id, version, status, definition, created_at, updated_at, published_at, archived_at";

fn journey(r: &QueryResult) -> Result<Journey, StoreError> {
    let status: String = r.try_get("", "status").map_err(db)?;
    let version: i64 = r.try_get("", "version").map_err(db)?;
    let definition: String = r.try_get("", "definition").map_err(db)?;
    Ok(Journey {
        id: r.try_get("", "id").map_err(db)?,
        version: u32::try_from(version).map_err(|e| corrupt("journey version", e))?,
        status: JourneyStatus::parse(&status)
            .ok_or_else(|| corrupt("journey", format!("status {status:?}")))?,
        definition: serde_json::from_str(&definition).map_err(|e| corrupt("journey", e))?,
        created_at: r.try_get("", "created_at").map_err(db)?,
        updated_at: r.try_get("", "updated_at").map_err(db)?,
        published_at: r.try_get("", "published_at").map_err(db)?,
        archived_at: r.try_get("", "archived_at").map_err(db)?,
    })
}

fn json(d: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(d).map_err(|e| StoreError::other(e.to_string()))
}

/// Stores the answers a ticket was opened with, in the transaction that opens it.
pub(crate) async fn write_intake(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    intake: &IntakeRecord,
) -> Result<(), CommitError> {
    txn.execute_raw(statement(
        txn.get_database_backend(),
        "INSERT INTO ticket_intake (ticket_id, journey_id, version, answers) \
         VALUES ($1, $2, $3, $4)",
        [
            ticket.as_uuid().into(),
            intake.journey_id.into(),
            i64::from(intake.version).into(),
            json(&intake.answers)?.into(),
        ],
    ))
    .await
    .map_err(db)?;
    Ok(())
}

impl Database {
    /// Every version, the newest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn journeys(&self) -> Result<Vec<Journey>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM journeys ORDER BY version DESC");
        let rows = self
            .writer
            .query_all_raw(statement(self.backend(), &sql, []))
            .await
            .map_err(db)?;
        rows.iter().map(journey).collect()
    }

    /// One version.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn journey(&self, id: Uuid) -> Result<Option<Journey>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM journeys WHERE id = $1");
        let row = self
            .writer
            .query_one_raw(statement(self.backend(), &sql, [id.into()]))
            .await
            .map_err(db)?;
        row.as_ref().map(journey).transpose()
    }

    /// The version the portal asks, if any.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn active_journey(&self) -> Result<Option<Journey>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM journeys WHERE status = 'active'");
        let row = self
            .writer
            .query_one_raw(statement(self.backend(), &sql, []))
            .await
            .map_err(db)?;
        row.as_ref().map(journey).transpose()
    }

    /// A new draft with the next version number.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn create_journey(
        &self,
        id: Uuid,
        definition: &Definition,
        now: DateTime<Utc>,
    ) -> Result<Journey, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        let row = txn
            .query_one_raw(statement(
                backend,
                "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM journeys",
                [],
            ))
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::other("no next version".to_owned()))?;
        let next: i64 = row.try_get("", "next").map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "INSERT INTO journeys (id, version, status, name, definition, created_at, \
             updated_at) VALUES ($1, $2, 'draft', $3, $4, $5, $5)",
            [
                id.into(),
                next.into(),
                definition.name.trim().to_owned().into(),
                json(definition)?.into(),
                now.into(),
            ],
        ))
        .await
        .map_err(db)?;
        txn.commit().await.map_err(db)?;
        self.journey(id)
            .await?
            .ok_or_else(|| StoreError::other("the new journey vanished".to_owned()))
    }

    /// Replaces a draft's definition; `false` when `id` is no draft (any more).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn update_journey_draft(
        &self,
        id: Uuid,
        definition: &Definition,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE journeys SET name = $2, definition = $3, updated_at = $4 \
                 WHERE id = $1 AND status = 'draft'",
                [
                    id.into(),
                    definition.name.trim().to_owned().into(),
                    json(definition)?.into(),
                    now.into(),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    /// Makes `id` the active version, archiving the one active before, in one transaction;
    /// `false` when `id` is archived or gone.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn publish_journey(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let backend = txn.get_database_backend();
        txn.execute_raw(statement(
            backend,
            "UPDATE journeys SET status = 'archived', archived_at = $2, updated_at = $2 \
             WHERE status = 'active' AND id <> $1",
            [id.into(), now.into()],
        ))
        .await
        .map_err(db)?;
        let done = txn
            .execute_raw(statement(
                backend,
                "UPDATE journeys SET status = 'active', published_at = $2, updated_at = $2 \
                 WHERE id = $1 AND status = 'draft'",
                [id.into(), now.into()],
            ))
            .await
            .map_err(db)?;
        let active: Vec<Value> = vec![id.into()];
        let still = txn
            .query_one_raw(statement(
                backend,
                "SELECT status FROM journeys WHERE id = $1",
                active,
            ))
            .await
            .map_err(db)?;
        let is_active = match &still {
            Some(r) => r.try_get::<String>("", "status").map_err(db)? == "active",
            None => false,
        };
        if done.rows_affected() == 0 && !is_active {
            txn.rollback().await.map_err(db)?;
            return Ok(false);
        }
        txn.commit().await.map_err(db)?;
        Ok(true)
    }

    /// Retires the active version `id` (the portal falls back to its plain form); `false` when
    /// it is not the active one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn archive_journey(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE journeys SET status = 'archived', archived_at = $2, updated_at = $2 \
                 WHERE id = $1 AND status = 'active'",
                [id.into(), now.into()],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    /// How many tickets were opened with each version.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn journey_ticket_counts(&self) -> Result<Vec<(Uuid, u64)>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT journey_id, COUNT(*) AS n FROM ticket_intake GROUP BY journey_id",
                [],
            ))
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("", "n").map_err(db)?;
                Ok((
                    r.try_get("", "journey_id").map_err(db)?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// The answers `ticket` was opened with, if it came through a form.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn intake_of(&self, ticket: TicketId) -> Result<Option<IntakeRecord>, StoreError> {
        let row = self
            .writer
            .query_one_raw(statement(
                self.backend(),
                "SELECT i.journey_id, i.version, i.answers, j.name FROM ticket_intake i \
                 JOIN journeys j ON j.id = i.journey_id WHERE i.ticket_id = $1",
                [ticket.as_uuid().into()],
            ))
            .await
            .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let version: i64 = r.try_get("", "version").map_err(db)?;
        let answers: String = r.try_get("", "answers").map_err(db)?;
        Ok(Some(IntakeRecord {
            journey_id: r.try_get("", "journey_id").map_err(db)?,
            version: u32::try_from(version).map_err(|e| corrupt("intake version", e))?,
            name: r.try_get("", "name").map_err(db)?,
            answers: serde_json::from_str(&answers).map_err(|e| corrupt("intake answers", e))?,
        }))
    }
}
