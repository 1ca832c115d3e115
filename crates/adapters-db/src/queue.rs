//! The jobs queue: claiming with leases (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite's single
//! writer), completion, and retry bookkeeping.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::ports::{ClaimedJob, JobQueue, StoreError};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement, TransactionTrait, Value,
};

use crate::Database;
use crate::entity::jobs;
use crate::error::corrupt;
use crate::jobs::from_stored;
use crate::repository::db;

const CLAIM_POSTGRES: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $2, updated_at = $1 \
     WHERE id IN (SELECT id FROM jobs \
         WHERE (state = 'queued' AND run_after <= $1) OR (state = 'running' AND lease_until < $1) \
         ORDER BY run_after LIMIT $3 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, payload, attempts, lease_until";

// SQLite has one writer at a time, so selecting and updating inside the write transaction is
// already exclusive.
const CLAIM_SQLITE: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?2, updated_at = ?1 \
     WHERE id IN (SELECT id FROM jobs \
         WHERE (state = 'queued' AND run_after <= ?1) OR (state = 'running' AND lease_until < ?1) \
         ORDER BY run_after LIMIT ?3) \
     RETURNING id, kind, payload, attempts, lease_until";

#[async_trait]
impl JobQueue for Database {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let backend = self.backend();
        let sql = if backend == DbBackend::Postgres {
            CLAIM_POSTGRES
        } else {
            CLAIM_SQLITE
        };
        let values: [Value; 3] = [now.into(), (now + lease).into(), i64::from(limit).into()];
        let txn = self.writer.begin().await.map_err(db)?;
        let rows = sea_orm::ConnectionTrait::query_all_raw(
            &txn,
            Statement::from_sql_and_values(backend, sql, values),
        )
        .await
        .map_err(db)?;
        txn.commit().await.map_err(db)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id").map_err(db)?;
            let kind: String = row.try_get("", "kind").map_err(db)?;
            let payload: String = row.try_get("", "payload").map_err(db)?;
            let attempts: i64 = row.try_get("", "attempts").map_err(db)?;
            let lease_until: DateTime<Utc> = row.try_get("", "lease_until").map_err(db)?;
            claimed.push(ClaimedJob {
                id,
                job: from_stored(&kind, &payload)?,
                attempts: u32::try_from(attempts).map_err(|e| corrupt("job attempts", e))?,
                lease_until,
            });
        }
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    async fn complete(&self, id: uuid::Uuid) -> Result<(), StoreError> {
        jobs::Entity::update_many()
            .col_expr(jobs::Column::State, "done".into())
            .col_expr(
                jobs::Column::LeaseUntil,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(jobs::Column::UpdatedAt, Utc::now().into())
            .filter(jobs::Column::Id.eq(id))
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn fail(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let mut update = jobs::Entity::update_many()
            .col_expr(jobs::Column::LastError, Some(error.to_owned()).into())
            .col_expr(
                jobs::Column::LeaseUntil,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(jobs::Column::UpdatedAt, Utc::now().into());
        update = match retry_at {
            Some(at) => update
                .col_expr(jobs::Column::State, "queued".into())
                .col_expr(jobs::Column::RunAfter, at.into()),
            None => update.col_expr(jobs::Column::State, "failed".into()),
        };
        update
            .filter(jobs::Column::Id.eq(id))
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}
