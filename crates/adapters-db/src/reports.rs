//! What reports read: the facts of the tickets something happened to in a period, and how many
//! replies each staff member sent — counted again from the tables, or kept in memory by a
//! [`ReportIndex`] that the trail of ticket events keeps current.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::reports::{ClockFact, Counter, Filter, Period, Report, TicketFacts};
use frontdesk_domain::sla::SlaClock;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Category, Channel};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    prelude::DateTimeUtc,
};
use uuid::Uuid;

use crate::Database;
use crate::entity::{messages, ticket_events, tickets};
use crate::error::corrupt;
use crate::repository::db;

#[derive(Debug, FromQueryResult)]
struct FactsRow {
    id: Uuid,
    created_at: DateTimeUtc,
    first_response_at: Option<DateTimeUtc>,
    resolved_at: Option<DateTimeUtc>,
    closed_at: Option<DateTimeUtc>,
    category: String,
    channel: String,
    assignee: Option<Uuid>,
    fr_started_at: DateTimeUtc,
    fr_due_at: DateTimeUtc,
    fr_paused_since: Option<DateTimeUtc>,
    fr_stopped_at: Option<DateTimeUtc>,
    fr_remaining_secs: Option<i64>,
    res_started_at: DateTimeUtc,
    res_due_at: DateTimeUtc,
    res_paused_since: Option<DateTimeUtc>,
    res_stopped_at: Option<DateTimeUtc>,
    res_remaining_secs: Option<i64>,
}

const FACT_COLUMNS: [tickets::Column; 18] = {
    use tickets::Column as C;
    [
        C::Id,
        C::CreatedAt,
        C::FirstResponseAt,
        C::ResolvedAt,
        C::ClosedAt,
        C::Category,
        C::Channel,
        C::Assignee,
        C::FrStartedAt,
        C::FrDueAt,
        C::FrPausedSince,
        C::FrStoppedAt,
        C::FrRemainingSecs,
        C::ResStartedAt,
        C::ResDueAt,
        C::ResPausedSince,
        C::ResStoppedAt,
        C::ResRemainingSecs,
    ]
};

#[derive(Debug, FromQueryResult)]
struct ReplyRow {
    id: Uuid,
    ticket_id: Uuid,
    author_staff: Option<Uuid>,
    created_at: DateTimeUtc,
}

/// Only what [`ClockFact::of`] reads is filled in.
fn clock(
    started_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    paused_since: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
    remaining_secs: Option<i64>,
) -> SlaClock {
    SlaClock {
        target: TimeDelta::zero(),
        started_at,
        due_at,
        paused_since,
        stopped_at,
        remaining_at_stop: remaining_secs.map(TimeDelta::seconds),
        warning_notified: false,
        breach_escalated: false,
    }
}

/// Reports count in whole seconds from 2000-01-01 (`u32`: until 2136); earlier instants count
/// as that day. Both the recount and the index keep facts this way, so they agree exactly.
const EPOCH: i64 = 946_684_800;
const NONE: u32 = u32::MAX;

fn secs(at: DateTime<Utc>) -> u32 {
    u32::try_from((at.timestamp() - EPOCH).clamp(0, i64::from(NONE - 1))).unwrap_or(0)
}

fn opt_secs(at: Option<DateTime<Utc>>) -> u32 {
    at.map_or(NONE, secs)
}

fn instant(s: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(EPOCH + i64::from(s), 0).unwrap_or_default()
}

fn opt_instant(s: u32) -> Option<DateTime<Utc>> {
    (s != NONE).then(|| instant(s))
}

/// A [`ClockFact`] as a kind and an instant.
fn compact(fact: ClockFact) -> (u8, u32) {
    match fact {
        ClockFact::Pending => (0, 0),
        ClockFact::Met(at) => (1, secs(at)),
        ClockFact::Breached(at) => (2, secs(at)),
        ClockFact::DueAt(at) => (3, secs(at)),
    }
}

fn clock_fact(kind: u8, at: u32) -> ClockFact {
    let at = instant(at);
    match kind {
        1 => ClockFact::Met(at),
        2 => ClockFact::Breached(at),
        3 => ClockFact::DueAt(at),
        _ => ClockFact::Pending,
    }
}

/// Staff members as small numbers, so a fact holds its assignee in two bytes.
#[derive(Debug, Default, Clone)]
struct Staff {
    ids: Vec<StaffId>,
    numbers: HashMap<StaffId, u16>,
}

const NOBODY: u16 = u16::MAX;

impl Staff {
    fn number(&mut self, id: Option<Uuid>) -> Result<u16, StoreError> {
        let Some(id) = id.map(StaffId::from_uuid) else {
            return Ok(NOBODY);
        };
        if let Some(n) = self.numbers.get(&id) {
            return Ok(*n);
        }
        let n = u16::try_from(self.ids.len())
            .ok()
            .filter(|n| *n < NOBODY)
            .ok_or_else(|| StoreError::other("more staff members than reports can tell apart"))?;
        self.ids.push(id);
        self.numbers.insert(id, n);
        Ok(n)
    }

    fn id(&self, n: u16) -> Option<StaffId> {
        self.ids.get(usize::from(n)).copied()
    }
}

fn position<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|v| *v == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

/// One ticket as reports keep it: 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fact {
    created: u32,
    first_response: u32,
    resolved: u32,
    closed: u32,
    fr_at: u32,
    res_at: u32,
    fr_kind: u8,
    res_kind: u8,
    category: u8,
    channel: u8,
    assignee: u16,
}

impl Fact {
    fn of(row: &FactsRow, staff: &mut Staff) -> Result<Self, StoreError> {
        let fr = clock(
            row.fr_started_at,
            row.fr_due_at,
            row.fr_paused_since,
            row.fr_stopped_at,
            row.fr_remaining_secs,
        );
        let res = clock(
            row.res_started_at,
            row.res_due_at,
            row.res_paused_since,
            row.res_stopped_at,
            row.res_remaining_secs,
        );
        let category: Category = row
            .category
            .parse()
            .map_err(|e| corrupt("ticket category", e))?;
        let channel: Channel = row
            .channel
            .parse()
            .map_err(|e| corrupt("ticket channel", e))?;
        let (fr_kind, fr_at) = compact(ClockFact::of(&fr));
        let (res_kind, res_at) = compact(ClockFact::of(&res));
        Ok(Self {
            created: secs(row.created_at),
            first_response: opt_secs(row.first_response_at),
            resolved: opt_secs(row.resolved_at),
            closed: opt_secs(row.closed_at),
            fr_at,
            res_at,
            fr_kind,
            res_kind,
            category: position(Category::ALL, category),
            channel: position(Channel::ALL, channel),
            assignee: staff.number(row.assignee)?,
        })
    }

    /// Whether everything a report counts of this ticket happened before `from` and it was no
    /// longer open then: no report from `from` on counts anything of it (skipping it is only
    /// quicker — the contract test holds the index to the recount).
    fn over_before(&self, from: u32) -> bool {
        let settled = if self.resolved == NONE {
            self.closed
        } else {
            self.resolved
        };
        if settled == NONE || settled >= from {
            return false;
        }
        let seen = |at: u32| at != NONE && at >= from;
        let clock = |kind: u8, at: u32| kind != 0 && at >= from;
        !(seen(self.created)
            || seen(self.first_response)
            || seen(self.resolved)
            || seen(self.closed)
            || clock(self.fr_kind, self.fr_at)
            || clock(self.res_kind, self.res_at))
    }

    fn facts(&self, staff: &Staff, now: DateTime<Utc>) -> TicketFacts {
        TicketFacts {
            created_at: instant(self.created),
            first_response_at: opt_instant(self.first_response),
            resolved_at: opt_instant(self.resolved),
            closed_at: opt_instant(self.closed),
            category: Category::ALL
                .get(usize::from(self.category))
                .copied()
                .unwrap_or(Category::Other),
            channel: Channel::ALL
                .get(usize::from(self.channel))
                .copied()
                .unwrap_or_default(),
            assignee: staff.id(self.assignee),
            first_response: clock_fact(self.fr_kind, self.fr_at).at(now),
            resolution: clock_fact(self.res_kind, self.res_at).at(now),
        }
    }
}

impl Database {
    /// The facts of every ticket opened before `to` that something a report counts happened to
    /// in `[from, to)` — opened, answered, resolved, an SLA clock stopped or fell due — or that
    /// was still open in it; SLA outcomes are judged as of `now`. The recount: it reads every
    /// such ticket, where [`ReportIndex`] answers from memory.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a row is corrupt.
    pub async fn ticket_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketFacts>, StoreError> {
        use tickets::Column as C;
        let since = Condition::any()
            .add(C::CreatedAt.gte(from))
            .add(C::FirstResponseAt.gte(from))
            .add(C::ResolvedAt.gte(from))
            .add(C::ClosedAt.gte(from))
            .add(C::FrStoppedAt.gte(from))
            .add(C::ResStoppedAt.gte(from))
            .add(C::FrDueAt.gte(from))
            .add(C::ResDueAt.gte(from))
            .add(
                Condition::all()
                    .add(C::ResolvedAt.is_null())
                    .add(C::ClosedAt.is_null()),
            );
        let rows = tickets::Entity::find()
            .select_only()
            .columns(FACT_COLUMNS)
            .filter(C::CreatedAt.lt(to))
            // A merged duplicate is not work of its own; its conversation counts where it went.
            .filter(C::MergedInto.is_null())
            .filter(since)
            .into_model::<FactsRow>()
            .all(&self.reader)
            .await
            .map_err(db)?;
        let mut staff = Staff::default();
        rows.iter()
            .map(|row| Ok(Fact::of(row, &mut staff)?.facts(&staff, now)))
            .collect()
    }

    /// The tickets in `statuses`, counted by status, priority and category: `(status, priority,
    /// category, tickets, of which assigned)`. One pass over them, for the realtime report.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn status_breakdown(
        &self,
        statuses: &[frontdesk_domain::ticket::Status],
    ) -> Result<Vec<(String, String, String, u64, u64)>, StoreError> {
        use tickets::Column as C;
        let rows: Vec<(String, String, String, i64, i64)> = tickets::Entity::find()
            .select_only()
            .column(C::Status)
            .column(C::Priority)
            .column(C::Category)
            .column_as(C::Id.count(), "tickets")
            .column_as(C::Assignee.count(), "assigned")
            .filter(C::Status.is_in(statuses.iter().map(|s| s.as_str())))
            .filter(C::MergedInto.is_null())
            .group_by(C::Status)
            .group_by(C::Priority)
            .group_by(C::Category)
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(s, p, c, n, a)| (s, p, c, n.max(0) as u64, a.max(0) as u64))
            .collect())
    }

    /// The facts rows of `ids` that still count (not merged away); missing ones are gone.
    async fn facts_rows(&self, ids: &[Uuid]) -> Result<Vec<FactsRow>, StoreError> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            rows.extend(
                self.facts_where(tickets::Column::Id.is_in(chunk.iter().copied()), None)
                    .await?,
            );
        }
        Ok(rows)
    }

    /// The facts rows of tickets that count (not merged away) matching `condition`, the first
    /// `limit` in id order when given.
    async fn facts_where(
        &self,
        condition: sea_orm::sea_query::SimpleExpr,
        limit: Option<u64>,
    ) -> Result<Vec<FactsRow>, StoreError> {
        use tickets::Column as C;
        let mut query = tickets::Entity::find()
            .select_only()
            .columns(FACT_COLUMNS)
            .filter(C::MergedInto.is_null())
            .filter(condition);
        if let Some(limit) = limit {
            query = query.order_by_asc(C::Id).limit(limit);
        }
        query
            .into_model::<FactsRow>()
            .all(&self.reader)
            .await
            .map_err(db)
    }

    /// Up to `limit` facts rows after `after` in id order: the index's full read, a page at a time.
    async fn facts_page(
        &self,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<FactsRow>, StoreError> {
        let condition = match after {
            Some(after) => tickets::Column::Id.gt(after),
            None => sea_orm::sea_query::Expr::value(true),
        };
        self.facts_where(condition, Some(limit)).await
    }

    /// The replies to customers staff wrote on `tickets` (all of them when `None`, a page after
    /// `after` in message order).
    async fn reply_rows(
        &self,
        tickets: Option<&[Uuid]>,
        after: Option<Uuid>,
        limit: Option<u64>,
    ) -> Result<Vec<ReplyRow>, StoreError> {
        use messages::Column as M;
        let mut query = messages::Entity::find()
            .select_only()
            .columns([M::Id, M::TicketId, M::AuthorStaff, M::CreatedAt])
            .filter(M::Kind.eq("agent"))
            .filter(M::AuthorStaff.is_not_null())
            .order_by_asc(M::Id);
        if let Some(limit) = limit {
            query = query.limit(limit);
        }
        if let Some(tickets) = tickets {
            query = query.filter(M::TicketId.is_in(tickets.iter().copied()));
        }
        if let Some(after) = after {
            query = query.filter(M::Id.gt(after));
        }
        query
            .into_model::<ReplyRow>()
            .all(&self.reader)
            .await
            .map_err(db)
    }

    /// The events after `after` (oldest first, at most `limit`) with their tickets.
    async fn changed_events(&self, after: i64, limit: u64) -> Result<Vec<(i64, Uuid)>, StoreError> {
        use ticket_events::Column as E;
        ticket_events::Entity::find()
            .select_only()
            .column(E::Id)
            .column(E::TicketId)
            .filter(E::Id.gt(after))
            .order_by_asc(E::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db)
    }

    /// How many replies to customers each staff member wrote in `[from, to)` on the tickets
    /// `filter` lets through.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn replies_by_staff(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        filter: &Filter,
    ) -> Result<BTreeMap<StaffId, u64>, StoreError> {
        use messages::Column as M;
        use sea_orm::sea_query::Query;
        use tickets::Column as T;
        // Replies on tickets that count: a merged ticket's conversation moved with it.
        let mut tickets = Query::select();
        tickets
            .column(T::Id)
            .from(tickets::Entity)
            .and_where(T::MergedInto.is_null());
        {
            if let Some(c) = filter.category {
                tickets.and_where(T::Category.eq(c.as_str()));
            }
            if let Some(c) = filter.channel {
                tickets.and_where(T::Channel.eq(c.as_str()));
            }
            if let Some(a) = filter.agent {
                tickets.and_where(T::Assignee.eq(a.as_uuid()));
            }
        }
        let rows: Vec<(Option<Uuid>, i64)> = messages::Entity::find()
            .filter(M::TicketId.in_subquery(tickets.to_owned()))
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

/// Events read again on every refresh before the last one seen: a PostgreSQL transaction can
/// commit after one that took a later id, and its event must not be missed.
const OVERLAP: i64 = 5_000;
/// Events (and facts rows) read per round trip.
const PAGE: u64 = 5_000;

/// Reports from memory: the facts of every ticket in 32 bytes (about 90 MB per million tickets
/// with the id lookup and the replies, measured), read once and kept current from the trail of ticket events — every commit
/// that changes a ticket writes one, whichever process made it. [`Self::report`] gives exactly
/// what [`frontdesk_domain::reports::report`] gives over [`Database::ticket_facts`]; changes made
/// behind the trail's back (an erasure, a bulk repair) need a [`Self::rebuild`].
#[derive(Debug, Default)]
pub struct ReportIndex {
    inner: std::sync::RwLock<Inner>,
    /// One refresh or rebuild at a time.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Inner {
    loaded: bool,
    facts: Vec<Fact>,
    slots: HashMap<Uuid, u32>,
    /// Slots of removed tickets, for reuse (their `created` is [`NONE`]).
    free: Vec<u32>,
    staff: Staff,
    /// The replies to customers on each ticket (by slot): when, and by whom.
    replies: HashMap<u32, Box<[(u32, u16)]>>,
    /// The last event applied, and the events seen within [`OVERLAP`] of it.
    watermark: i64,
    seen: std::collections::BTreeSet<i64>,
}

impl Inner {
    fn upsert(&mut self, id: Uuid, fact: Fact) {
        if let Some(&slot) = self.slots.get(&id) {
            self.facts[slot as usize] = fact;
            return;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.facts[slot as usize] = fact;
                slot
            }
            None => {
                self.facts.push(fact);
                u32::try_from(self.facts.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.slots.insert(id, slot);
    }

    fn remove(&mut self, id: Uuid) {
        if let Some(slot) = self.slots.remove(&id) {
            self.facts[slot as usize].created = NONE;
            self.replies.remove(&slot);
            self.free.push(slot);
        }
    }

    /// Adds `rows` to their tickets' replies; replies on tickets the index does not hold are
    /// left out.
    fn add_replies(&mut self, rows: &[ReplyRow]) -> Result<(), StoreError> {
        let mut by_ticket: HashMap<u32, Vec<(u32, u16)>> = HashMap::new();
        for row in rows {
            let Some(&slot) = self.slots.get(&row.ticket_id) else {
                continue;
            };
            let staff = self.staff.number(row.author_staff)?;
            by_ticket
                .entry(slot)
                .or_default()
                .push((secs(row.created_at), staff));
        }
        for (slot, mut replies) in by_ticket {
            if let Some(before) = self.replies.remove(&slot) {
                replies.extend_from_slice(&before);
            }
            self.replies.insert(slot, replies.into_boxed_slice());
        }
        Ok(())
    }

    /// `filter` in the index's terms; `None` when it can match nothing here (an agent the index
    /// has never seen).
    fn compact_filter(&self, filter: &Filter) -> Option<CompactFilter> {
        let agent = match filter.agent {
            Some(a) => Some(*self.staff.numbers.get(&a)?),
            None => None,
        };
        Some(CompactFilter {
            category: filter.category.map(|c| position(Category::ALL, c)),
            channel: filter.channel.map(|c| position(Channel::ALL, c)),
            agent,
        })
    }
}

struct CompactFilter {
    category: Option<u8>,
    channel: Option<u8>,
    agent: Option<u16>,
}

impl CompactFilter {
    fn matches(&self, f: &Fact) -> bool {
        self.category.is_none_or(|c| c == f.category)
            && self.channel.is_none_or(|c| c == f.channel)
            && self.agent.is_none_or(|a| a == f.assignee)
    }
}

impl ReportIndex {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The write lock if it is free now.
    fn write_now(&self) -> Option<std::sync::RwLockWriteGuard<'_, Inner>> {
        match self.inner.try_write() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the index has been read and can answer.
    #[must_use]
    pub fn is_loaded(&self) -> bool {
        self.read().loaded
    }

    /// How many tickets it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.read().slots.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads every ticket again, a page at a time, and then answers from what it read; returns
    /// how many tickets it holds.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a row is corrupt; the index keeps what it had.
    pub async fn rebuild(&self, db: &Database) -> Result<usize, StoreError> {
        let _one = self.refreshing.lock().await;
        // Changes after this event are applied again by the next refresh (they are idempotent).
        let watermark = db.last_event_id().await?;
        let mut inner = Inner::default();
        let mut after = None;
        loop {
            let rows = db.facts_page(after, PAGE * 4).await?;
            for row in &rows {
                let fact = Fact::of(row, &mut inner.staff)?;
                inner.upsert(row.id, fact);
            }
            match rows.last() {
                Some(last) if rows.len() as u64 == PAGE * 4 => after = Some(last.id),
                _ => break,
            }
        }
        let mut after = None;
        loop {
            let rows = db.reply_rows(None, after, Some(PAGE * 4)).await?;
            inner.add_replies(&rows)?;
            match rows.last() {
                Some(last) if rows.len() as u64 == PAGE * 4 => after = Some(last.id),
                _ => break,
            }
        }
        inner.loaded = true;
        inner.watermark = watermark;
        // Nothing counts as seen: an event in the window that committed after its ticket's page
        // was read is applied by the next refresh (applying one again does no harm).
        inner.seen = std::collections::BTreeSet::new();
        let n = inner.slots.len();
        *self.write() = inner;
        Ok(n)
    }

    /// Applies the events written since the last refresh (nothing before the first rebuild).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a row is corrupt; the index keeps what it applied.
    pub async fn refresh(&self, db: &Database) -> Result<(), StoreError> {
        let one = self.refreshing.lock().await;
        self.refresh_holding(db, one).await
    }

    /// [`Self::refresh`], unless one (or a rebuild) is under way: then the index answers as it
    /// is, at most a refresh behind (a request does not wait for a whole rebuild).
    ///
    /// # Errors
    /// As [`Self::refresh`].
    pub async fn refresh_if_idle(&self, db: &Database) -> Result<(), StoreError> {
        match self.refreshing.try_lock() {
            Ok(one) => self.refresh_holding(db, one).await,
            Err(_) => Ok(()),
        }
    }

    async fn refresh_holding(
        &self,
        db: &Database,
        _one: tokio::sync::MutexGuard<'_, ()>,
    ) -> Result<(), StoreError> {
        let (loaded, watermark) = {
            let inner = self.read();
            (inner.loaded, inner.watermark)
        };
        if !loaded {
            return Ok(());
        }
        let mut after = (watermark - OVERLAP).max(0);
        loop {
            let events = db.changed_events(after, PAGE).await?;
            let Some(&(last, _)) = events.last() else {
                break;
            };
            let mut ids: Vec<Uuid> = {
                let inner = self.read();
                events
                    .iter()
                    .filter(|(id, _)| !inner.seen.contains(id) && *id > inner.watermark - OVERLAP)
                    .map(|(_, ticket)| *ticket)
                    .collect()
            };
            ids.sort_unstable();
            ids.dedup();
            let rows = db.facts_rows(&ids).await?;
            let mut replies = Vec::new();
            for chunk in ids.chunks(500) {
                replies.extend(db.reply_rows(Some(chunk), None, None).await?);
            }
            // A report may be reading for a few hundred milliseconds: wait without holding up
            // the thread (other requests run on it).
            let mut inner = loop {
                if let Some(guard) = self.write_now() {
                    break guard;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            };
            let mut present = std::collections::HashSet::with_capacity(rows.len());
            for row in &rows {
                let fact = Fact::of(row, &mut inner.staff)?;
                inner.upsert(row.id, fact);
                present.insert(row.id);
            }
            for id in &ids {
                if !present.contains(id) {
                    inner.remove(*id);
                } else if let Some(&slot) = inner.slots.get(id) {
                    inner.replies.remove(&slot);
                }
            }
            inner.add_replies(&replies)?;
            inner.seen.extend(events.iter().map(|(id, _)| *id));
            inner.watermark = inner.watermark.max(last);
            let keep = inner.watermark - OVERLAP;
            inner.seen = inner.seen.split_off(&(keep + 1));
            if (events.len() as u64) < PAGE {
                break;
            }
            after = last;
        }
        Ok(())
    }

    /// The report over `period` of the tickets `filter` lets through, with SLA outcomes as of
    /// `now`; `None` until the index has been read. Counts on up to four threads: a million
    /// tickets take a few hundred milliseconds of CPU.
    #[must_use]
    pub fn report(&self, period: &Period, filter: &Filter, now: DateTime<Utc>) -> Option<Report> {
        let inner = self.read();
        if !inner.loaded {
            return None;
        }
        let (from, to) = (secs(period.from()), secs(period.to()));
        let staff = &inner.staff;
        // The tickets in parts, counted at once on the cores there are, then merged.
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let size = inner.facts.len().div_ceil(parts).max(1);
        let counters: Vec<Counter<'_>> = std::thread::scope(|scope| {
            let running: Vec<_> = inner
                .facts
                .chunks(size)
                .map(|part| {
                    scope.spawn(move || {
                        let mut counter = Counter::new(period, *filter);
                        for f in part {
                            if f.created != NONE && f.created < to && !f.over_before(from) {
                                counter.add(&f.facts(staff, now));
                            }
                        }
                        counter
                    })
                })
                .collect();
            // A part that panicked leaves the report to the recount.
            running
                .into_iter()
                .map(|h| h.join().ok())
                .collect::<Option<Vec<_>>>()
        })?;
        let mut counters = counters.into_iter();
        let mut whole = counters
            .next()
            .unwrap_or_else(|| Counter::new(period, *filter));
        for part in counters {
            whole.merge(part);
        }
        Some(whole.finish())
    }

    /// How many replies to customers each staff member wrote in `[from, to)` on the tickets
    /// `filter` lets through (what [`Database::replies_by_staff`] counts); `None` until the
    /// index has been read.
    #[must_use]
    pub fn replies(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        filter: &Filter,
    ) -> Option<BTreeMap<StaffId, u64>> {
        let inner = self.read();
        if !inner.loaded {
            return None;
        }
        let mut counts: BTreeMap<StaffId, u64> = BTreeMap::new();
        let Some(filter) = inner.compact_filter(filter) else {
            return Some(counts);
        };
        let (from, to) = (secs(from), secs(to));
        let mut by_number = vec![0_u64; inner.staff.ids.len()];
        for (slot, replies) in &inner.replies {
            let Some(fact) = inner.facts.get(*slot as usize) else {
                continue;
            };
            if !filter.matches(fact) {
                continue;
            }
            for &(at, staff) in replies.iter() {
                if at >= from
                    && at < to
                    && let Some(n) = by_number.get_mut(usize::from(staff))
                {
                    *n += 1;
                }
            }
        }
        for (number, n) in by_number.into_iter().enumerate() {
            if let (Some(id), true) = (inner.staff.ids.get(number), n > 0) {
                counts.insert(*id, n);
            }
        }
        Some(counts)
    }
}
