//! A store for `import --dry-run`: reads go to the real database, writes stay in memory. Mail is
//! deduplicated and threaded against the current database *and* everything the dry run has
//! "created" so far, and new tickets get the numbers they would get — yet nothing is written.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use frontdesk_domain::ai::AiDraftRecord;
use frontdesk_domain::email::{EmailAddress, MessageId};
use frontdesk_domain::ports::{
    ChangeSet, CommitError, Committed, StoreError, ThreadLookup, TicketRef, TicketRepository,
    TicketWrite,
};
use frontdesk_domain::threading::mail_participants;
use frontdesk_domain::ticket::{Message, Ticket, TicketId, TicketNumber};

#[derive(Debug, Default)]
struct Overlay {
    last_number: u64,
    tickets: HashMap<TicketId, Ticket>,
    keys: HashMap<MessageId, TicketId>,
    provider_threads: HashMap<String, TicketId>,
    inbound: HashSet<MessageId>,
    /// Addresses the dry run's mails added to a ticket's participants.
    participants: HashMap<TicketId, Vec<EmailAddress>>,
}

/// Storage that reads through to `S` and keeps writes in memory.
pub struct DryRun<S> {
    inner: Arc<S>,
    overlay: Mutex<Overlay>,
}

impl<S> std::fmt::Debug for DryRun<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DryRun").finish_non_exhaustive()
    }
}

impl<S> DryRun<S> {
    /// A dry run over `inner`, whose newest ticket number is `last_number`.
    pub fn new(inner: Arc<S>, last_number: u64) -> Self {
        Self {
            inner,
            overlay: Mutex::new(Overlay {
                last_number,
                ..Overlay::default()
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Overlay) -> R) -> R {
        f(&mut self.overlay.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn reference(&self, id: TicketId) -> Option<TicketRef> {
        self.with(|o| {
            o.tickets.get(&id).map(|t| TicketRef {
                id: t.id,
                number: Some(t.number),
                status: t.status,
                customer: t.customer.email.clone(),
            })
        })
    }
}

fn store(e: impl std::fmt::Display) -> CommitError {
    CommitError::Store(StoreError::other(e.to_string()))
}

#[async_trait]
impl<S: TicketRepository + ThreadLookup + 'static> TicketRepository for DryRun<S> {
    async fn get(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        match self.with(|o| o.tickets.get(&id).cloned()) {
            Some(t) => Ok(Some(t)),
            None => TicketRepository::get(self.inner.as_ref(), id).await,
        }
    }

    async fn get_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>, StoreError> {
        let found = self.with(|o| o.tickets.values().find(|t| t.number == number).cloned());
        match found {
            Some(t) => Ok(Some(t)),
            None => self.inner.get_by_number(number).await,
        }
    }

    async fn messages(&self, id: TicketId) -> Result<Vec<Message>, StoreError> {
        self.inner.messages(id).await
    }

    async fn ai_drafts(&self, id: TicketId) -> Result<Vec<AiDraftRecord>, StoreError> {
        self.inner.ai_drafts(id).await
    }

    async fn commit(&self, change: ChangeSet) -> Result<Committed, CommitError> {
        let mut committed = self.commit_batch(vec![change]).await?;
        committed.pop().ok_or_else(|| store("empty commit"))
    }

    async fn commit_batch(&self, changes: Vec<ChangeSet>) -> Result<Vec<Committed>, CommitError> {
        self.with(|o| {
            let mut out = Vec::with_capacity(changes.len());
            for change in changes {
                for inbound in &change.inbound {
                    if !o.inbound.insert(inbound.message_id.clone()) {
                        return Err(CommitError::Duplicate(inbound.message_id.clone()));
                    }
                }
                let ticket = match change.ticket {
                    TicketWrite::Create(draft) => {
                        o.last_number += 1;
                        let number = TicketNumber::new(o.last_number).map_err(store)?;
                        Ticket::create(*draft, number)
                    }
                    TicketWrite::Update(ticket) => {
                        let mut parts = ticket.into_parts();
                        parts.version += 1;
                        Ticket::restore(parts)
                    }
                };
                for key in change.thread_keys {
                    o.keys.entry(key).or_insert(ticket.id);
                }
                let people = o.participants.entry(ticket.id).or_default();
                let customer = std::iter::once(ticket.customer.email.clone());
                let mails = change
                    .inbound
                    .iter()
                    .flat_map(|i| mail_participants(&i.mail));
                for address in customer.chain(mails) {
                    if !people.contains(&address) {
                        people.push(address);
                    }
                }
                if let Some(thread) = &ticket.provider_thread {
                    o.provider_threads
                        .entry(thread.clone())
                        .or_insert(ticket.id);
                }
                o.tickets.insert(ticket.id, ticket.clone());
                out.push(Committed { ticket });
            }
            Ok(out)
        })
    }
}

#[async_trait]
impl<S: TicketRepository + ThreadLookup + 'static> ThreadLookup for DryRun<S> {
    async fn by_message_id(&self, id: &MessageId) -> Result<Option<TicketRef>, StoreError> {
        let ticket = self.with(|o| o.keys.get(id).copied());
        match ticket.and_then(|t| self.reference(t)) {
            Some(r) => Ok(Some(r)),
            None => self.inner.by_message_id(id).await,
        }
    }

    async fn by_number(&self, number: TicketNumber) -> Result<Option<TicketRef>, StoreError> {
        let ticket = self.with(|o| {
            o.tickets
                .values()
                .find(|t| t.number == number)
                .map(|t| t.id)
        });
        match ticket.and_then(|t| self.reference(t)) {
            Some(r) => Ok(Some(r)),
            None => self.inner.by_number(number).await,
        }
    }

    async fn known_message_ids(&self, ids: &[MessageId]) -> Result<Vec<MessageId>, StoreError> {
        let mut known = self.inner.known_message_ids(ids).await?;
        self.with(|o| {
            known.extend(ids.iter().filter(|id| o.inbound.contains(*id)).cloned());
        });
        Ok(known)
    }

    async fn by_thread_keys(&self, ids: &[MessageId]) -> Result<Vec<TicketRef>, StoreError> {
        // The dry run's own tickets are the newest: first, then the stored ones not among them.
        let mine: Vec<_> = self.with(|o| {
            ids.iter()
                .filter_map(|id| o.keys.get(id).copied())
                .collect()
        });
        let mut found: Vec<TicketRef> = Vec::new();
        for r in mine.into_iter().filter_map(|t| self.reference(t)) {
            if !found.iter().any(|f| f.id == r.id) {
                found.push(r);
            }
        }
        for r in self.inner.by_thread_keys(ids).await? {
            if !found.iter().any(|f| f.id == r.id) {
                found.push(r);
            }
        }
        Ok(found)
    }

    async fn by_provider_thread(&self, thread_id: &str) -> Result<Option<TicketRef>, StoreError> {
        let ticket = self.with(|o| o.provider_threads.get(thread_id).copied());
        match ticket.and_then(|t| self.reference(t)) {
            Some(r) => Ok(Some(r)),
            None => self.inner.by_provider_thread(thread_id).await,
        }
    }

    async fn participants(&self, ticket: TicketId) -> Result<Vec<EmailAddress>, StoreError> {
        let mut people = self.inner.participants(ticket).await?;
        let added = self.with(|o| o.participants.get(&ticket).cloned());
        for address in added.into_iter().flatten() {
            if !people.contains(&address) {
                people.push(address);
            }
        }
        Ok(people)
    }
}
