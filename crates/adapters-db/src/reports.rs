//! What reports read: the facts of the tickets something happened to in a period, and how many
//! replies each staff member sent.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::reports::{SlaOutcome, TicketFacts};
use frontdesk_domain::sla::SlaClock;
use frontdesk_domain::staff::StaffId;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, prelude::DateTimeUtc,
};
use uuid::Uuid;

use crate::Database;
use crate::entity::{messages, tickets};
use crate::error::corrupt;
use crate::repository::db;

#[derive(Debug, FromQueryResult)]
struct FactsRow {
    created_at: DateTimeUtc,
    first_response_at: Option<DateTimeUtc>,
    resolved_at: Option<DateTimeUtc>,
    category: String,
    assignee: Option<Uuid>,
    fr_due_at: DateTimeUtc,
    fr_paused_since: Option<DateTimeUtc>,
    fr_stopped_at: Option<DateTimeUtc>,
    fr_remaining_secs: Option<i64>,
    res_due_at: DateTimeUtc,
    res_paused_since: Option<DateTimeUtc>,
    res_stopped_at: Option<DateTimeUtc>,
    res_remaining_secs: Option<i64>,
}

/// Only what [`SlaOutcome::of`] reads is filled in.
fn clock(
    due_at: DateTime<Utc>,
    paused_since: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
    remaining_secs: Option<i64>,
) -> SlaClock {
    SlaClock {
        target: TimeDelta::zero(),
        started_at: due_at,
        due_at,
        paused_since,
        stopped_at,
        remaining_at_stop: remaining_secs.map(TimeDelta::seconds),
        warning_notified: false,
        breach_escalated: false,
    }
}

impl FactsRow {
    fn facts(self, now: DateTime<Utc>) -> Result<TicketFacts, StoreError> {
        let fr = clock(
            self.fr_due_at,
            self.fr_paused_since,
            self.fr_stopped_at,
            self.fr_remaining_secs,
        );
        let res = clock(
            self.res_due_at,
            self.res_paused_since,
            self.res_stopped_at,
            self.res_remaining_secs,
        );
        Ok(TicketFacts {
            created_at: self.created_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            category: self
                .category
                .parse()
                .map_err(|e| corrupt("ticket category", e))?,
            assignee: self.assignee.map(StaffId::from_uuid),
            first_response: SlaOutcome::of(&fr, now),
            resolution: SlaOutcome::of(&res, now),
        })
    }
}

impl Database {
    /// The facts of every ticket opened before `to` that something a report counts happened to
    /// in `[from, to)` — opened, answered, resolved, an SLA clock stopped or fell due — optionally
    /// only those assigned to `assignee`. SLA outcomes are judged as of `now`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a row is corrupt.
    pub async fn ticket_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        assignee: Option<StaffId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketFacts>, StoreError> {
        use tickets::Column as C;
        let since = Condition::any()
            .add(C::CreatedAt.gte(from))
            .add(C::FirstResponseAt.gte(from))
            .add(C::ResolvedAt.gte(from))
            .add(C::FrStoppedAt.gte(from))
            .add(C::ResStoppedAt.gte(from))
            .add(C::FrDueAt.gte(from))
            .add(C::ResDueAt.gte(from));
        let mut query = tickets::Entity::find()
            .select_only()
            .columns([
                C::CreatedAt,
                C::FirstResponseAt,
                C::ResolvedAt,
                C::Category,
                C::Assignee,
                C::FrDueAt,
                C::FrPausedSince,
                C::FrStoppedAt,
                C::FrRemainingSecs,
                C::ResDueAt,
                C::ResPausedSince,
                C::ResStoppedAt,
                C::ResRemainingSecs,
            ])
            .filter(C::CreatedAt.lt(to))
            // A merged duplicate is not work of its own; its conversation counts where it went.
            .filter(C::MergedInto.is_null())
            .filter(since);
        if let Some(staff) = assignee {
            query = query.filter(C::Assignee.eq(staff.as_uuid()));
        }
        query
            .into_model::<FactsRow>()
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(|row| row.facts(now))
            .collect()
    }

    /// How many replies to customers each staff member wrote in `[from, to)`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn replies_by_staff(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<StaffId, u64>, StoreError> {
        use messages::Column as M;
        let rows: Vec<(Option<Uuid>, i64)> = messages::Entity::find()
            .select_only()
            .column(M::AuthorStaff)
            .column_as(M::Id.count(), "replies")
            .filter(M::Kind.eq("agent"))
            .filter(M::AuthorStaff.is_not_null())
            .filter(M::CreatedAt.gte(from))
            .filter(M::CreatedAt.lt(to))
            .group_by(M::AuthorStaff)
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db)?;
        Ok(rows
            .into_iter()
            .filter_map(|(staff, n)| Some((StaffId::from_uuid(staff?), n.max(0) as u64)))
            .collect())
    }
}
