//! Reading tickets and messages, and the sets background work walks through.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::ai::AiDraftRecord;
use frontdesk_domain::ports::{
    ChangeSet, CommitError, Committed, StoreError, TicketQueries, TicketRepository,
};
use frontdesk_domain::ticket::{Message, Status, Ticket, TicketId, TicketNumber};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Database;
use crate::entity::{ai_drafts, message_attachments, messages, tickets};
use crate::error::store_error;
use crate::mapping::{ai_draft_from_row, message_from_row, ticket_from_row};

pub(crate) fn db(e: DbErr) -> StoreError {
    store_error(&e)
}

/// The stored names of the statuses the domain counts as active (still needing work).
pub(crate) fn active_statuses() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.is_active())
        .map(|s| s.as_str())
        .collect()
}

impl Database {
    pub(crate) async fn ticket_row_by_number(
        &self,
        number: TicketNumber,
    ) -> Result<Option<tickets::Model>, StoreError> {
        let n = i64::try_from(number.value()).unwrap_or(i64::MAX);
        tickets::Entity::find()
            .filter(tickets::Column::Number.eq(n))
            .one(&self.reader)
            .await
            .map_err(db)
    }

    async fn tickets_where(
        &self,
        select: sea_orm::Select<tickets::Entity>,
    ) -> Result<Vec<Ticket>, StoreError> {
        select
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(ticket_from_row)
            .collect()
    }
}

#[async_trait]
impl TicketRepository for Database {
    async fn get(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        let row = tickets::Entity::find_by_id(id.as_uuid())
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.map(ticket_from_row).transpose()
    }

    async fn get_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>, StoreError> {
        self.ticket_row_by_number(number)
            .await?
            .map(ticket_from_row)
            .transpose()
    }

    async fn messages(&self, id: TicketId) -> Result<Vec<Message>, StoreError> {
        // One query: the messages with their attachments joined, in order.
        messages::Entity::find()
            .filter(messages::Column::TicketId.eq(id.as_uuid()))
            .order_by_asc(messages::Column::CreatedAt)
            .order_by_asc(messages::Column::Id)
            .find_with_related(message_attachments::Entity)
            .order_by_asc(message_attachments::Column::Position)
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(|(m, attachments)| message_from_row(m, attachments))
            .collect()
    }

    async fn ai_drafts(&self, id: TicketId) -> Result<Vec<AiDraftRecord>, StoreError> {
        ai_drafts::Entity::find()
            .filter(ai_drafts::Column::TicketId.eq(id.as_uuid()))
            .order_by_asc(ai_drafts::Column::CreatedAt)
            .order_by_asc(ai_drafts::Column::Id)
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(ai_draft_from_row)
            .collect()
    }

    async fn commit(&self, change: ChangeSet) -> Result<Committed, CommitError> {
        let mut committed = self.commit_changes(vec![change]).await?;
        committed
            .pop()
            .ok_or_else(|| CommitError::Store(StoreError::Other("commit returned nothing".into())))
    }

    async fn commit_batch(&self, changes: Vec<ChangeSet>) -> Result<Vec<Committed>, CommitError> {
        self.commit_changes(changes).await
    }
}

#[async_trait]
impl TicketQueries for Database {
    async fn active_page(
        &self,
        after: Option<TicketId>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut select =
            tickets::Entity::find().filter(tickets::Column::Status.is_in(active_statuses()));
        if let Some(after) = after {
            select = select.filter(tickets::Column::Id.gt(after.as_uuid()));
        }
        self.tickets_where(
            select
                .order_by_asc(tickets::Column::Id)
                .limit(u64::from(limit)),
        )
        .await
    }

    async fn unassigned(&self, limit: u32) -> Result<Vec<Ticket>, StoreError> {
        let select = tickets::Entity::find()
            .filter(tickets::Column::Status.is_in(active_statuses()))
            .filter(tickets::Column::Assignee.is_null())
            .order_by_asc(tickets::Column::CreatedAt)
            .limit(u64::from(limit));
        self.tickets_where(select).await
    }

    async fn resolved_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let select = tickets::Entity::find()
            .filter(tickets::Column::Status.eq("resolved"))
            .filter(tickets::Column::ResolvedAt.lte(cutoff))
            .order_by_asc(tickets::Column::ResolvedAt)
            .limit(u64::from(limit));
        self.tickets_where(select).await
    }
}
