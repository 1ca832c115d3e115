//! The audit trail as a feed: events after a given one, with what deciding who may see them
//! needs (the ticket's customer and assignee); the domain's [`FeedEvent`] says how each is
//! published. Server-sent events read it, so events written by
//! any process (a separate poller included) reach every API server.

use frontdesk_domain::ports::StoreError;
use frontdesk_domain::ticket::TicketNumber;
pub use frontdesk_domain::webhook::FeedEvent;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Database;
use crate::entity::{ticket_events, tickets};
use crate::repository::db;

impl Database {
    /// Up to `limit` events with an id above `after`, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn events_after(&self, after: i64, limit: u64) -> Result<Vec<FeedEvent>, StoreError> {
        events_after(&self.reader, after, limit).await
    }

    /// The first `limit` events of one ticket, oldest first: its trail on the ticket page.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn events_of(
        &self,
        ticket: frontdesk_domain::TicketId,
        limit: u64,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        events_where(
            &self.reader,
            ticket_events::Column::TicketId.eq(ticket.as_uuid()),
            limit,
        )
        .await
    }
}

pub(crate) async fn events_after(
    conn: &impl sea_orm::ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<FeedEvent>, StoreError> {
    events_where(conn, ticket_events::Column::Id.gt(after), limit).await
}

async fn events_where(
    conn: &impl sea_orm::ConnectionTrait,
    condition: sea_orm::sea_query::SimpleExpr,
    limit: u64,
) -> Result<Vec<FeedEvent>, StoreError> {
    let events = ticket_events::Entity::find()
        .filter(condition)
        .order_by_asc(ticket_events::Column::Id)
        .limit(limit)
        .all(conn)
        .await
        .map_err(db)?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = events.iter().map(|e| e.ticket_id).collect();
    let owners: std::collections::HashMap<Uuid, (i64, String, Option<Uuid>)> =
        tickets::Entity::find()
            .select_only()
            .columns([
                tickets::Column::Id,
                tickets::Column::Number,
                tickets::Column::CustomerEmail,
                tickets::Column::Assignee,
            ])
            .filter(tickets::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, i64, String, Option<Uuid>)>()
            .all(conn)
            .await
            .map_err(db)?
            .into_iter()
            .map(|(id, n, c, a)| (id, (n, c, a)))
            .collect();
    Ok(events
        .into_iter()
        .filter_map(|e| {
            let (number, customer, assignee) = owners.get(&e.ticket_id)?.clone();
            Some(FeedEvent {
                id: e.id,
                ticket_id: e.ticket_id,
                number: u64::try_from(number)
                    .ok()
                    .and_then(|n| TicketNumber::new(n).ok())?
                    .to_string(),
                customer,
                assignee,
                at: e.at,
                kind: e.kind,
                data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect())
}

impl Database {
    /// The id of the newest event, 0 when there is none.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn last_event_id(&self) -> Result<i64, StoreError> {
        Ok(ticket_events::Entity::find()
            .select_only()
            .column(ticket_events::Column::Id)
            .order_by_desc(ticket_events::Column::Id)
            .limit(1)
            .into_tuple::<i64>()
            .one(&self.reader)
            .await
            .map_err(db)?
            .unwrap_or(0))
    }
}

/// Which events of the audit trail to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub ticket: Option<Uuid>,
    /// Events a staff member caused.
    pub staff: Option<frontdesk_domain::staff::StaffId>,
    /// `created`, `status_changed`, … (the stored names).
    pub kind: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events older than this one (the next page).
    pub before: Option<i64>,
    pub limit: u64,
}

/// One event of the audit trail, with who caused it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub ticket_id: Uuid,
    /// `TKT-000042`; empty when the ticket is gone.
    pub number: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `system`, `staff` or `customer`.
    pub actor_kind: String,
    /// The staff member's id or the customer's address.
    pub actor: Option<String>,
    pub kind: String,
    pub data: serde_json::Value,
}

impl Database {
    /// Events of the audit trail matching `query`, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn audit_trail(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        use ticket_events::Column as E;
        let mut find = ticket_events::Entity::find();
        if let Some(t) = query.ticket {
            find = find.filter(E::TicketId.eq(t));
        }
        if let Some(s) = query.staff {
            find = find
                .filter(E::ActorKind.eq("staff"))
                .filter(E::Actor.eq(s.to_string()));
        }
        if let Some(k) = &query.kind {
            find = find.filter(E::Kind.eq(k.as_str()));
        }
        if let Some(from) = query.from {
            find = find.filter(E::At.gte(from));
        }
        if let Some(to) = query.to {
            find = find.filter(E::At.lt(to));
        }
        if let Some(before) = query.before {
            find = find.filter(E::Id.lt(before));
        }
        let events = find
            .order_by_desc(E::Id)
            .limit(query.limit)
            .all(&self.reader)
            .await
            .map_err(db)?;
        let ids: Vec<Uuid> = events.iter().map(|e| e.ticket_id).collect();
        let numbers: std::collections::HashMap<Uuid, i64> = tickets::Entity::find()
            .select_only()
            .columns([tickets::Column::Id, tickets::Column::Number])
            .filter(tickets::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, i64)>()
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
        Ok(events
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                ticket_id: e.ticket_id,
                number: numbers
                    .get(&e.ticket_id)
                    .and_then(|n| u64::try_from(*n).ok())
                    .and_then(|n| TicketNumber::new(n).ok())
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                at: e.at,
                actor_kind: e.actor_kind,
                actor: e.actor,
                kind: e.kind,
                data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}
