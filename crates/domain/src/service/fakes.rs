//! In-memory implementations of the storage ports, for use-case tests.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::ai::AiDraftRecord;
use crate::email::{EmailAddress, MessageId};
use crate::ports::{
    AgentLoad, AutoReplyLog, ChangeSet, Clock, CommitError, Committed, IdGenerator, InboundRecord,
    Job, SenderActivity, StaffDirectory, StoreError, ThreadLookup, TicketQueries, TicketRef,
    TicketRepository, TicketWrite,
};
use crate::staff::{Role, Staff, StaffId};
use crate::threading::{MergeSuggestion, mail_participants};
use crate::ticket::{Message, MessageKind, Status, Ticket, TicketEvent, TicketId, TicketNumber};

#[derive(Debug, Default, Clone)]
pub struct State {
    pub tickets: HashMap<TicketId, Ticket>,
    pub messages: Vec<Message>,
    pub events: Vec<TicketEvent>,
    pub jobs: Vec<Job>,
    /// When each of `jobs` was queued.
    pub queued_at: Vec<DateTime<Utc>>,
    pub thread_keys: HashMap<MessageId, TicketId>,
    pub inbound: Vec<InboundRecord>,
    pub ai_drafts: Vec<AiDraftRecord>,
    pub merge_suggestions: Vec<MergeSuggestion>,
    /// Intake answers stored with their tickets.
    pub intakes: Vec<(TicketId, crate::journey::IntakeRecord)>,
    /// Files stored with messages.
    pub uploads: Vec<crate::ports::OutboundAttachment>,
    pub staff: Vec<Staff>,
    /// Notification kinds turned off, by normalised staff address.
    pub muted: HashMap<String, Vec<crate::ports::NotificationKind>>,
    pub auto_replies: HashMap<String, DateTime<Utc>>,
    pub next_number: u64,
    /// Batches committed.
    pub batches: u32,
    /// When set, the next commit fails with this error.
    pub fail_next_commit: Option<CommitError>,
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    pub state: Mutex<State>,
}

impl MemoryStore {
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    fn reference(t: &Ticket) -> TicketRef {
        TicketRef {
            id: t.id,
            number: Some(t.number),
            status: t.status,
            customer: t.customer.email.clone(),
        }
    }
}

#[async_trait]
impl TicketRepository for MemoryStore {
    async fn get(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        Ok(self.with(|s| s.tickets.get(&id).cloned()))
    }

    async fn get_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>, StoreError> {
        Ok(self.with(|s| s.tickets.values().find(|t| t.number == number).cloned()))
    }

    async fn messages(&self, id: TicketId) -> Result<Vec<Message>, StoreError> {
        Ok(self.with(|s| {
            s.messages
                .iter()
                .filter(|m| m.ticket_id == id)
                .cloned()
                .collect()
        }))
    }

    async fn ai_drafts(&self, id: TicketId) -> Result<Vec<AiDraftRecord>, StoreError> {
        Ok(self.with(|s| {
            s.ai_drafts
                .iter()
                .filter(|d| d.ticket_id == id)
                .cloned()
                .collect()
        }))
    }

    async fn commit(&self, change: ChangeSet) -> Result<Committed, CommitError> {
        self.with(|s| {
            if let Some(e) = s.fail_next_commit.take() {
                return Err(e);
            }
            let mut next = s.clone();
            let committed = apply(&mut next, change)?;
            *s = next;
            Ok(committed)
        })
    }

    async fn commit_batch(&self, changes: Vec<ChangeSet>) -> Result<Vec<Committed>, CommitError> {
        self.with(|s| {
            if let Some(e) = s.fail_next_commit.take() {
                return Err(e);
            }
            let mut next = s.clone();
            let committed = changes
                .into_iter()
                .map(|c| apply(&mut next, c))
                .collect::<Result<Vec<_>, _>>()?;
            s.batches += 1;
            next.batches = s.batches;
            *s = next;
            Ok(committed)
        })
    }
}

/// Applies one change set to `s`; the caller discards `s` on error.
fn apply(s: &mut State, change: ChangeSet) -> Result<Committed, CommitError> {
    for inbound in &change.inbound {
        let dup = s.messages.iter().any(|m| {
            m.email
                .as_ref()
                .is_some_and(|e| e.message_id == inbound.message_id)
        });
        if dup {
            return Err(CommitError::Duplicate(inbound.message_id.clone()));
        }
    }
    let ticket = match change.ticket {
        TicketWrite::Create(draft) => {
            s.next_number += 1;
            Ticket::create(*draft, TicketNumber::new(s.next_number).unwrap())
        }
        TicketWrite::Update(t) => {
            let stored = s.tickets.get(&t.id).ok_or(CommitError::NotFound(t.id))?;
            if stored.version != t.version {
                return Err(CommitError::Conflict(t.id));
            }
            let mut parts = t.into_parts();
            parts.version += 1;
            Ticket::restore(parts)
        }
    };
    let at = change.events.first().map_or_else(Utc::now, |e| e.at);
    for key in change.thread_keys {
        s.thread_keys.entry(key).or_insert(ticket.id);
    }
    s.tickets.insert(ticket.id, ticket.clone());
    for absorb in &change.absorb {
        for m in s
            .messages
            .iter_mut()
            .filter(|m| m.ticket_id == absorb.source)
        {
            m.ticket_id = ticket.id;
            if absorb.staff_only && m.kind.is_public() {
                m.kind = MessageKind::Note;
            }
        }
        if !absorb.staff_only {
            for owner in s.thread_keys.values_mut().filter(|t| **t == absorb.source) {
                *owner = ticket.id;
            }
        }
    }
    s.messages.extend(change.messages);
    s.events.extend(change.events);
    for job in &change.jobs {
        if let Job::AutoAcknowledge { to, .. } = job {
            s.auto_replies.insert(to.normalized(), at);
        }
    }
    s.queued_at.extend(change.jobs.iter().map(|_| at));
    s.jobs.extend(change.jobs);
    s.inbound.extend(change.inbound);
    s.ai_drafts.extend(change.ai_drafts);
    s.uploads.extend(change.uploads);
    if let Some(intake) = change.intake {
        s.intakes.push((ticket.id, intake));
    }
    // One suggestion per pair of tickets, as storage's unique key keeps it.
    for m in change.merge_suggestions {
        if !s
            .merge_suggestions
            .iter()
            .any(|o| (o.ticket, o.other) == (m.ticket, m.other))
        {
            s.merge_suggestions.push(m);
        }
    }
    Ok(Committed { ticket })
}

#[async_trait]
impl TicketQueries for MemoryStore {
    async fn active_page(
        &self,
        after: Option<TicketId>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut v: Vec<Ticket> = self.with(|s| {
            s.tickets
                .values()
                .filter(|t| t.status.is_active() && after.is_none_or(|a| t.id > a))
                .cloned()
                .collect()
        });
        v.sort_by_key(|t| t.id);
        v.truncate(limit as usize);
        Ok(v)
    }

    async fn unassigned(&self, limit: u32) -> Result<Vec<Ticket>, StoreError> {
        let mut v: Vec<Ticket> = self.with(|s| {
            s.tickets
                .values()
                .filter(|t| t.status.is_active() && t.assignee.is_none())
                .cloned()
                .collect()
        });
        v.sort_by_key(|t| t.created_at);
        v.truncate(limit as usize);
        Ok(v)
    }

    async fn resolved_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut v: Vec<Ticket> = self.with(|s| {
            s.tickets
                .values()
                .filter(|t| {
                    t.status == Status::Resolved && t.resolved_at.is_some_and(|r| r <= cutoff)
                })
                .cloned()
                .collect()
        });
        v.truncate(limit as usize);
        Ok(v)
    }
}

#[async_trait]
impl ThreadLookup for MemoryStore {
    async fn by_message_id(&self, id: &MessageId) -> Result<Option<TicketRef>, StoreError> {
        Ok(self.with(|s| {
            let m = s
                .messages
                .iter()
                .find(|m| m.email.as_ref().is_some_and(|e| &e.message_id == id))?;
            s.tickets.get(&m.ticket_id).map(Self::reference)
        }))
    }

    async fn by_number(&self, number: TicketNumber) -> Result<Option<TicketRef>, StoreError> {
        Ok(self.with(|s| {
            let mut t = s.tickets.values().find(|t| t.number == number)?;
            while let Some(next) = t.merged_into.and_then(|id| s.tickets.get(&id)) {
                t = next;
            }
            Some(Self::reference(t))
        }))
    }

    async fn by_thread_keys(&self, ids: &[MessageId]) -> Result<Vec<TicketRef>, StoreError> {
        Ok(self.with(|s| {
            let mut found: Vec<&crate::Ticket> = Vec::new();
            for t in ids
                .iter()
                .filter_map(|id| s.thread_keys.get(id))
                .filter_map(|t| s.tickets.get(t))
            {
                if !found.iter().any(|f| f.id == t.id) {
                    found.push(t);
                }
            }
            found.sort_by_key(|t| std::cmp::Reverse(t.updated_at));
            found.into_iter().map(Self::reference).collect()
        }))
    }

    async fn by_provider_thread(&self, thread_id: &str) -> Result<Option<TicketRef>, StoreError> {
        Ok(self.with(|s| {
            s.tickets
                .values()
                .find(|t| t.provider_thread.as_deref() == Some(thread_id))
                .map(Self::reference)
        }))
    }

    async fn participants(&self, ticket: TicketId) -> Result<Vec<EmailAddress>, StoreError> {
        Ok(self.with(|s| {
            let mut people: Vec<EmailAddress> = s
                .tickets
                .get(&ticket)
                .map(|t| t.customer.email.clone())
                .into_iter()
                .collect();
            let on_ticket = |id: &MessageId| {
                s.messages.iter().any(|m| {
                    m.ticket_id == ticket
                        && m.kind.is_public()
                        && m.email.as_ref().is_some_and(|e| &e.message_id == id)
                })
            };
            for record in s.inbound.iter().filter(|r| on_ticket(&r.message_id)) {
                for address in mail_participants(&record.mail) {
                    if !people.contains(&address) {
                        people.push(address);
                    }
                }
            }
            people
        }))
    }
}

#[async_trait]
impl StaffDirectory for MemoryStore {
    async fn get(&self, id: StaffId) -> Result<Option<Staff>, StoreError> {
        Ok(self.with(|s| s.staff.iter().find(|m| m.id == id).cloned()))
    }

    async fn muted_notifications(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<(EmailAddress, Vec<crate::ports::NotificationKind>)>, StoreError> {
        Ok(self.with(|s| {
            emails
                .iter()
                .filter_map(|e| {
                    s.muted
                        .get(&e.normalized())
                        .map(|kinds| (e.clone(), kinds.clone()))
                })
                .collect()
        }))
    }

    async fn with_roles(&self, roles: &[Role]) -> Result<Vec<Staff>, StoreError> {
        Ok(self.with(|s| {
            s.staff
                .iter()
                .filter(|m| roles.contains(&m.role))
                .cloned()
                .collect()
        }))
    }

    async fn loads(&self) -> Result<Vec<AgentLoad>, StoreError> {
        Ok(self.with(|s| {
            s.staff
                .iter()
                .map(|m| AgentLoad {
                    staff: m.clone(),
                    open_tickets: s
                        .tickets
                        .values()
                        .filter(|t| t.status.is_active() && t.assignee == Some(m.id))
                        .count() as u32,
                })
                .collect()
        }))
    }
}

#[async_trait]
impl AutoReplyLog for MemoryStore {
    async fn last_auto_reply_to(
        &self,
        to: &EmailAddress,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.with(|s| s.auto_replies.get(&to.normalized()).copied()))
    }

    async fn auto_replies_to_domain_since(
        &self,
        domain: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let suffix = format!("@{domain}");
        Ok(self.with(|s| {
            s.auto_replies
                .iter()
                .filter(|(address, at)| address.ends_with(&suffix) && **at >= since)
                .count() as u32
        }))
    }
}

#[async_trait]
impl SenderActivity for MemoryStore {
    async fn tickets_opened_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        Ok(self.with(|s| {
            s.tickets
                .values()
                .filter(|t| t.customer.email == *customer && t.created_at >= since)
                .count() as u32
        }))
    }

    async fn assistant_jobs_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        Ok(self.with(|s| {
            s.jobs
                .iter()
                .zip(&s.queued_at)
                .filter(|(job, at)| {
                    **at >= since
                        && matches!(job, Job::DraftReply { ticket_id }
                            if s.tickets.get(ticket_id).is_some_and(|t| t.customer.email == *customer))
                })
                .count() as u32
        }))
    }
}

/// A clock tests move by hand.
#[derive(Debug)]
pub struct ManualClock(pub Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn at(s: &str) -> Self {
        Self(Mutex::new(
            DateTime::parse_from_rfc3339(s).unwrap().to_utc(),
        ))
    }

    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Ids 1, 2, 3, … so tests can predict them.
#[derive(Debug, Default)]
pub struct SequentialIds(pub Mutex<u128>);

impl IdGenerator for SequentialIds {
    fn new_id(&self) -> Uuid {
        let mut n = self.0.lock().unwrap();
        *n += 1;
        Uuid::from_u128(*n)
    }
}
