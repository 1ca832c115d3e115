//! Merge suggestions: written with the change set that opens their ticket, read for a ticket's
//! page in both directions.

use frontdesk_domain::TicketId;
use frontdesk_domain::ports::{CommitError, StoreError};
use frontdesk_domain::threading::{MergeSuggestion, SuggestedLink};
use frontdesk_domain::ticket::TicketNumber;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, Condition, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use sea_orm::sea_query::OnConflict;

use crate::Database;
use crate::entity::{merge_suggestions, tickets};
use crate::error::{corrupt, store_error};
use crate::mapping::clean;
use crate::repository::db;

/// Inserts the suggestions of committed change sets (their tickets are written already).
pub(crate) async fn write_suggestions(
    txn: &DatabaseTransaction,
    suggestions: Vec<&MergeSuggestion>,
) -> Result<(), CommitError> {
    if suggestions.is_empty() {
        return Ok(());
    }
    let rows: Vec<merge_suggestions::ActiveModel> = suggestions
        .into_iter()
        .map(|s| {
            merge_suggestions::Model {
                id: s.id,
                ticket_id: s.ticket.as_uuid(),
                other_id: s.other.as_uuid(),
                reason: clean(&s.reason),
                evidence: clean(&s.evidence),
                created_at: s.created_at,
            }
            .into_active_model()
            .reset_all()
        })
        .collect();
    // Few per commit (one per mail kept apart), far under any variable limit per statement.
    // A pair already suggested keeps its first suggestion (one per pair, by a unique key).
    for chunk in rows.chunks(1000) {
        merge_suggestions::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    merge_suggestions::Column::TicketId,
                    merge_suggestions::Column::OtherId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .map_err(|e| CommitError::Store(store_error(e)))?;
    }
    Ok(())
}

impl Database {
    /// The merge suggestions a ticket takes part in, either side, oldest first, each naming the
    /// other ticket. Staff only: callers keep them from customers.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn merge_suggestions(
        &self,
        ticket: TicketId,
    ) -> Result<Vec<SuggestedLink>, StoreError> {
        let id = ticket.as_uuid();
        let rows = merge_suggestions::Entity::find()
            .filter(
                Condition::any()
                    .add(merge_suggestions::Column::TicketId.eq(id))
                    .add(merge_suggestions::Column::OtherId.eq(id)),
            )
            .order_by_asc(merge_suggestions::Column::CreatedAt)
            .order_by_asc(merge_suggestions::Column::Id)
            .all(&self.reader)
            .await
            .map_err(db)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let other = |r: &merge_suggestions::Model| {
            if r.ticket_id == id {
                r.other_id
            } else {
                r.ticket_id
            }
        };
        let numbers: std::collections::HashMap<uuid::Uuid, i64> = tickets::Entity::find()
            .filter(tickets::Column::Id.is_in(rows.iter().map(other).collect::<Vec<_>>()))
            .select_only()
            .column(tickets::Column::Id)
            .column(tickets::Column::Number)
            .into_tuple::<(uuid::Uuid, i64)>()
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
        rows.iter()
            .map(|r| {
                let other_id = other(r);
                let number = numbers
                    .get(&other_id)
                    .and_then(|n| u64::try_from(*n).ok())
                    .and_then(|n| TicketNumber::new(n).ok())
                    .ok_or_else(|| corrupt("merge suggestion's ticket", other_id))?;
                Ok(SuggestedLink {
                    other: TicketId::from_uuid(other_id),
                    other_number: number,
                    reason: r.reason.clone(),
                    evidence: r.evidence.clone(),
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}
