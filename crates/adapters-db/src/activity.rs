//! How much a customer's mail made us do lately, for the domain's per-sender caps: tickets
//! opened (index `tickets_customer`) and the assistant's jobs on their tickets (from the
//! customer's tickets through `jobs_ticket`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{SenderActivity, StoreError};
use sea_orm::{ColumnTrait, ConnectionTrait as _, EntityTrait, PaginatorTrait as _, QueryFilter};

use crate::Database;
use crate::accounts::statement;
use crate::entity::tickets;
use crate::repository::db;

/// The stored kind of [`frontdesk_domain::ports::Job::DraftReply`].
const DRAFT_REPLY: &str = "draft_reply";

fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

#[async_trait]
impl SenderActivity for Database {
    async fn tickets_opened_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let n = tickets::Entity::find()
            .filter(tickets::Column::CustomerEmail.eq(customer.normalized()))
            .filter(tickets::Column::CreatedAt.gte(since))
            .count(&self.reader)
            .await
            .map_err(db)?;
        Ok(count(n))
    }

    async fn assistant_jobs_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let sql = "SELECT COUNT(*) AS n FROM tickets t JOIN jobs j ON j.ticket_id = t.id \
                   WHERE t.customer_email = $1 AND j.kind = $2 AND j.created_at >= $3";
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                sql,
                [
                    customer.normalized().into(),
                    DRAFT_REPLY.to_owned().into(),
                    since.into(),
                ],
            ))
            .await
            .map_err(db)?;
        let n: i64 = match row {
            Some(row) => row.try_get("", "n").map_err(db)?,
            None => 0,
        };
        Ok(count(n))
    }
}
