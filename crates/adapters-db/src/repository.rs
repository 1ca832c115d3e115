//! Reading tickets and messages, and the sets background work walks through.

use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::ai::AiDraftRecord;
use frontdesk_domain::ports::{
    ChangeSet, CommitError, Committed, StoreError, TicketQueries, TicketRepository,
};
use frontdesk_domain::ticket::{Message, Status, Ticket, TicketId, TicketNumber};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    QueryFilter, QueryOrder, QueryResult, QuerySelect,
};

use crate::Database;
use crate::accounts::statement;
use crate::entity::{ai_drafts, message_attachments, messages, tickets};
use crate::error::store_error;
use crate::mapping::{ai_draft_from_row, message_from_row, ticket_from_row};

/// How a ticket is named: its id or its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKey {
    Id(TicketId),
    Number(TicketNumber),
}

/// A ticket with what its page shows.
#[derive(Debug, Clone)]
pub struct WholeTicket {
    pub ticket: Ticket,
    /// The newest AI analysis and draft, if the assistant ran.
    pub latest_draft: Option<AiDraftRecord>,
    /// Messages and notes, oldest first, with their attachments.
    pub messages: Vec<Message>,
}

/// `"alias"."column" AS "alias_column"` for each column of `E`.
fn aliased<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|c| {
            let name = c.as_str();
            format!("\"{alias}\".\"{name}\" AS \"{alias}_{name}\"")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The query of [`Database::ticket_whole`], the ticket chosen by `by = $1`.
fn whole_sql(by: &str) -> String {
    format!(
        "SELECT {}, {}, {}, {} FROM tickets t \
         LEFT JOIN ai_drafts d ON d.id = (SELECT id FROM ai_drafts WHERE ticket_id = t.id \
             ORDER BY created_at DESC, id DESC LIMIT 1) \
         LEFT JOIN messages m ON m.ticket_id = t.id \
         LEFT JOIN message_attachments a ON a.message_id = m.id \
         WHERE {by} = $1 \
         ORDER BY m.created_at, m.id, a.position",
        aliased::<tickets::Entity>("t"),
        aliased::<ai_drafts::Entity>("d"),
        aliased::<messages::Entity>("m"),
        aliased::<message_attachments::Entity>("a"),
    )
}

static WHOLE_BY_ID: LazyLock<String> = LazyLock::new(|| whole_sql("t.id"));
static WHOLE_BY_NUMBER: LazyLock<String> = LazyLock::new(|| whole_sql("t.number"));

pub(crate) fn db(e: DbErr) -> StoreError {
    store_error(e)
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

    /// A ticket by id or number with what its page shows — its latest AI draft, its messages
    /// and their attachments — in one query: each query costs a round trip to a connection's
    /// thread, which was most of the time a ticket's page took.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a row does not map.
    pub async fn ticket_whole(&self, key: TicketKey) -> Result<Option<WholeTicket>, StoreError> {
        let (sql, value): (&str, sea_orm::Value) = match key {
            TicketKey::Id(id) => (&WHOLE_BY_ID, id.as_uuid().into()),
            TicketKey::Number(n) => (
                &WHOLE_BY_NUMBER,
                i64::try_from(n.value()).unwrap_or(i64::MAX).into(),
            ),
        };
        let rows = self
            .reader
            .query_all_raw(statement(self.backend(), sql, [value]))
            .await
            .map_err(db)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let present = |row: &QueryResult, key: &str| -> Result<bool, StoreError> {
            Ok(row
                .try_get::<Option<uuid::Uuid>>("", key)
                .map_err(db)?
                .is_some())
        };
        let ticket = ticket_from_row(tickets::Model::from_query_result(first, "t_").map_err(db)?)?;
        let latest_draft = if present(first, "d_id")? {
            Some(ai_draft_from_row(
                ai_drafts::Model::from_query_result(first, "d_").map_err(db)?,
            )?)
        } else {
            None
        };
        // One row per attachment (or per message without any), in order.
        let mut found: Vec<(messages::Model, Vec<message_attachments::Model>)> = Vec::new();
        for row in &rows {
            if !present(row, "m_id")? {
                continue;
            }
            let message = messages::Model::from_query_result(row, "m_").map_err(db)?;
            if found.last().map(|(m, _)| m.id) != Some(message.id) {
                found.push((message, Vec::new()));
            }
            if present(row, "a_message_id")? {
                let attachment =
                    message_attachments::Model::from_query_result(row, "a_").map_err(db)?;
                if let Some((_, attachments)) = found.last_mut() {
                    attachments.push(attachment);
                }
            }
        }
        let messages = found
            .into_iter()
            .map(|(m, attachments)| message_from_row(m, attachments))
            .collect::<Result<_, _>>()?;
        Ok(Some(WholeTicket {
            ticket,
            latest_draft,
            messages,
        }))
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
            .ok_or_else(|| CommitError::Store(StoreError::other("commit returned nothing")))
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
