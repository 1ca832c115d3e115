//! Ticket listings: filters, sorts, keyset pagination with totals, and full-text search
//! (PostgreSQL `tsvector` + GIN, SQLite FTS5).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{
    AssigneeFilter, PageCursor, SearchError, SlaFilter, SortKey, TicketFilter, TicketListQuery,
    TicketPage, TicketSearch,
};
use frontdesk_domain::sla::RiskBand;
use frontdesk_domain::ticket::SlaClockName;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::Database;
use crate::commit::search_index::SEARCH_SEQUENCE_BITS;
use crate::entity::{ticket_tags, tickets};
use crate::mapping::ticket_from_row;
use crate::repository::db;

/// An FTS5 query that matches all the words of `text` literally: each word is quoted, so
/// operators and punctuation in user input are inert.
fn fts5_query(text: &str) -> String {
    text.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text_condition(backend: DbBackend, text: &str) -> Option<Condition> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // PostgreSQL: `= ANY (ARRAY (…))` runs the GIN search once, up front. With `IN (…)` the
    // planner, unable to estimate a text query's selectivity, may walk every ticket by date and
    // probe the search table for each (1.4 s for a word that matches nothing at 1M tickets).
    let expr = if backend == DbBackend::Postgres {
        Expr::cust_with_values(
            "\"tickets\".\"id\" = ANY (ARRAY (SELECT ticket_id FROM ticket_search WHERE doc @@ plainto_tsquery('simple', $1)))",
            [text.to_owned()],
        )
    } else {
        // The ticket's number is the search row's key shifted: read from the index alone,
        // without looking up each matching row.
        Expr::cust_with_values(
            format!(
                "\"tickets\".\"number\" IN (SELECT rowid >> {SEARCH_SEQUENCE_BITS} FROM ticket_search WHERE ticket_search MATCH ?)"
            ),
            [fts5_query(text)],
        )
    };
    Some(Condition::all().add(expr))
}

fn filter_condition(backend: DbBackend, f: &TicketFilter, now: DateTime<Utc>) -> Condition {
    use tickets::Column as C;
    let mut c = Condition::all();
    if !f.statuses.is_empty() {
        c = c.add(C::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
    }
    if !f.priorities.is_empty() {
        c = c.add(C::Priority.is_in(f.priorities.iter().map(|p| p.as_str())));
    }
    if !f.categories.is_empty() {
        c = c.add(C::Category.is_in(f.categories.iter().map(|p| p.as_str())));
    }
    match f.assignee {
        Some(AssigneeFilter::Unassigned) => c = c.add(C::Assignee.is_null()),
        Some(AssigneeFilter::Staff(id)) => c = c.add(C::Assignee.eq(id.as_uuid())),
        None => {}
    }
    if let Some(id) = f.own_or_unassigned {
        c = c.add(
            sea_orm::Condition::any()
                .add(C::Assignee.is_null())
                .add(C::Assignee.eq(id.as_uuid())),
        );
    }
    if let Some(customer) = &f.customer {
        c = c.add(C::CustomerEmail.eq(customer.normalized()));
    }
    if let Some(tag) = &f.tag {
        let tagged = Query::select()
            .column(ticket_tags::Column::TicketId)
            .from(ticket_tags::Entity)
            .and_where(ticket_tags::Column::Tag.eq(tag.trim().to_lowercase()))
            .to_owned();
        c = c.add(C::Id.in_subquery(tagged));
    }
    match &f.sla {
        Some(SlaFilter::AtRisk(bands)) => c = c.add(at_risk(bands, now)),
        Some(SlaFilter::Breached) => {
            let active = C::Status.is_in(crate::repository::active_statuses());
            let breached = Condition::any()
                .add(C::SlaNextDue.lte(now))
                .add(C::FrBreachEscalated.eq(true))
                .add(C::ResBreachEscalated.eq(true));
            c = c.add(active).add(breached);
        }
        Some(SlaFilter::DueBefore(t)) => {
            c = c.add(C::SlaNextDue.gt(now)).add(C::SlaNextDue.lte(*t))
        }
        None => {}
    }
    if let Some(from) = f.created_from {
        c = c.add(C::CreatedAt.gte(from));
    }
    if let Some(before) = f.created_before {
        c = c.add(C::CreatedAt.lt(before));
    }
    if let Some(text) = f.text.as_deref().and_then(|t| text_condition(backend, t)) {
        c = c.add(text);
    }
    c
}

/// The domain's "at risk" bands as SQL: per priority, category and clock, the clock runs and
/// falls due after `now` and before the band's end.
fn at_risk(bands: &[RiskBand], now: DateTime<Utc>) -> Condition {
    use tickets::Column as C;
    let mut any = Condition::any();
    for b in bands {
        let (due, paused, stopped) = match b.clock {
            SlaClockName::FirstResponse => (C::FrDueAt, C::FrPausedSince, C::FrStoppedAt),
            SlaClockName::Resolution => (C::ResDueAt, C::ResPausedSince, C::ResStoppedAt),
        };
        any = any.add(
            Condition::all()
                .add(C::Priority.eq(b.priority.as_str()))
                .add(C::Category.eq(b.category.as_str()))
                .add(paused.is_null())
                .add(stopped.is_null())
                .add(due.gt(now))
                .add(due.lt(b.due_before)),
        );
    }
    Condition::all()
        .add(C::Status.is_in(crate::repository::active_statuses()))
        .add(any)
}

/// A position: the sort value (nanoseconds or rank) and the ticket id.
struct Position {
    value: i128,
    id: uuid::Uuid,
}

fn sort_tag(q: &TicketListQuery) -> String {
    let key = match q.sort.key {
        SortKey::Created => "c",
        SortKey::Updated => "u",
        SortKey::SlaDue => "s",
        SortKey::Priority => "p",
    };
    format!("{key}{}", if q.sort.descending { "d" } else { "a" })
}

fn encode(q: &TicketListQuery, row: &tickets::Model) -> PageCursor {
    let value = match q.sort.key {
        SortKey::Created => nanos(row.created_at),
        SortKey::Updated => nanos(row.updated_at),
        SortKey::SlaDue => row.sla_next_due.map_or(i128::MAX, nanos),
        SortKey::Priority => i128::from(row.priority_rank),
    };
    PageCursor(format!("{}.{value}.{}", sort_tag(q), row.id.simple()))
}

fn decode(q: &TicketListQuery, cursor: &PageCursor) -> Result<Position, SearchError> {
    let mut parts = cursor.0.splitn(3, '.');
    let (Some(tag), Some(value), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(SearchError::BadCursor);
    };
    if tag != sort_tag(q) {
        return Err(SearchError::BadCursor);
    }
    let value = value.parse().map_err(|_| SearchError::BadCursor)?;
    let id = uuid::Uuid::try_parse(id).map_err(|_| SearchError::BadCursor)?;
    Ok(Position { value, id })
}

/// Timestamps go into cursors with all their precision: SQLite keeps nanoseconds, and a
/// cursor rounded to microseconds would sort before its own row and repeat it on the next page.
/// (`i128`, as the "no deadline" sentinel date lies beyond `i64` nanoseconds.)
fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

fn instant(v: i128) -> Result<DateTime<Utc>, SearchError> {
    let secs = i64::try_from(v.div_euclid(1_000_000_000)).map_err(|_| SearchError::BadCursor)?;
    let nsec = u32::try_from(v.rem_euclid(1_000_000_000)).map_err(|_| SearchError::BadCursor)?;
    DateTime::from_timestamp(secs, nsec).ok_or(SearchError::BadCursor)
}

fn after_condition(q: &TicketListQuery, p: &Position) -> Result<Condition, SearchError> {
    use tickets::Column as C;
    let (col, value): (C, sea_orm::Value) = match q.sort.key {
        SortKey::Created => (C::CreatedAt, instant(p.value)?.into()),
        SortKey::Updated => (C::UpdatedAt, instant(p.value)?.into()),
        SortKey::SlaDue => (C::SlaNextDue, instant(p.value)?.into()),
        SortKey::Priority => (
            C::PriorityRank,
            i64::try_from(p.value)
                .map_err(|_| SearchError::BadCursor)?
                .into(),
        ),
    };
    let beyond = |v: sea_orm::Value| {
        if q.sort.descending {
            col.lt(v)
        } else {
            col.gt(v)
        }
    };
    let id_beyond = if q.sort.descending {
        C::Id.lt(p.id)
    } else {
        C::Id.gt(p.id)
    };
    Ok(Condition::any()
        .add(beyond(value.clone()))
        .add(Condition::all().add(col.eq(value)).add(id_beyond)))
}

#[async_trait]
impl TicketSearch for Database {
    async fn list(&self, q: &TicketListQuery) -> Result<TicketPage, SearchError> {
        self.page_of(q, true).await
    }

    async fn list_uncounted(&self, q: &TicketListQuery) -> Result<TicketPage, SearchError> {
        self.page_of(q, false).await
    }
}

impl Database {
    /// How many tickets `filter` matches as of `now` (the list's total, without a page).
    ///
    /// # Errors
    /// [`SearchError`] when storage fails.
    pub async fn count_matching(
        &self,
        filter: &frontdesk_domain::ports::TicketFilter,
        now: DateTime<Utc>,
    ) -> Result<u64, SearchError> {
        Ok(tickets::Entity::find()
            .filter(filter_condition(self.backend(), filter, now))
            .count(&self.reader)
            .await
            .map_err(db)?)
    }

    /// One page of `q`, with the count of all matches when `count` is set (else 0).
    async fn page_of(&self, q: &TicketListQuery, count: bool) -> Result<TicketPage, SearchError> {
        let filtered =
            tickets::Entity::find().filter(filter_condition(self.backend(), &q.filter, q.now));
        let total = if count {
            filtered.clone().count(&self.reader).await.map_err(db)?
        } else {
            0
        };
        let mut page = filtered;
        if let Some(cursor) = &q.after {
            page = page.filter(after_condition(q, &decode(q, cursor)?)?);
        }
        let order = if q.sort.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let col = match q.sort.key {
            SortKey::Created => tickets::Column::CreatedAt,
            SortKey::Updated => tickets::Column::UpdatedAt,
            SortKey::SlaDue => tickets::Column::SlaNextDue,
            SortKey::Priority => tickets::Column::PriorityRank,
        };
        let limit = q.limit.clamp(1, 500);
        // Two steps: the page's ids first (a sort, when one is needed, then moves small rows),
        // then the full rows of just those ids.
        let mut ids: Vec<uuid::Uuid> = page
            .select_only()
            .column(tickets::Column::Id)
            .order_by(col, order.clone())
            .order_by(tickets::Column::Id, order)
            .limit(u64::from(limit) + 1)
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db)?;
        let more = ids.len() > limit as usize;
        ids.truncate(limit as usize);
        let mut by_id: std::collections::HashMap<uuid::Uuid, tickets::Model> =
            tickets::Entity::find()
                .filter(tickets::Column::Id.is_in(ids.clone()))
                .all(&self.reader)
                .await
                .map_err(db)?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
        let mut rows: Vec<tickets::Model> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        rows.truncate(limit as usize);
        let next = if more {
            rows.last().map(|r| encode(q, r))
        } else {
            None
        };
        let tickets = rows
            .into_iter()
            .map(ticket_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TicketPage {
            tickets,
            total,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_quote_every_word() {
        assert_eq!(
            fts5_query(r#"refund "now" OR NEAR(x)*"#),
            r#""refund" """now""" "OR" "NEAR(x)*""#
        );
        assert_eq!(fts5_query("  "), "");
    }
}
