//! Bulk ingest: many mails planned together and committed in one transaction.
//!
//! Threading inside a batch must see the batch itself (a reply to a mail three places earlier),
//! so lookups go through [`BatchLookup`], which answers from the batch's own tickets first and
//! asks storage only for what the batch does not know. Which Message-IDs are already stored is
//! asked once for the whole batch. If the commit loses a race with another process (a duplicate
//! or a concurrent change), the batch is redone one mail at a time, which is always exact.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::Helpdesk;
use super::ingest::{Admission, Incoming, IngestError, IngestResult, Plan};
use crate::email::{EmailAddress, InboundEmail, MessageId};
use crate::ports::{ChangeSet, CommitError, StoreError, ThreadLookup, TicketRef, TicketWrite};
use crate::threading::mail_participants;
use crate::ticket::{Status, TicketId, TicketNumber};

#[derive(Debug, Default)]
struct BatchIndex {
    message_ids: HashMap<MessageId, TicketRef>,
    keys: HashMap<MessageId, TicketId>,
    provider_threads: HashMap<String, TicketId>,
    tickets: HashMap<TicketId, TicketRef>,
    /// Participants the batch added to a ticket (its customer and its mails' addresses).
    participants: HashMap<TicketId, Vec<EmailAddress>>,
}

/// Threading lookups that see the batch being planned.
struct BatchLookup<'a> {
    inner: &'a dyn ThreadLookup,
    /// Ids of the batch that storage already holds.
    stored: HashSet<MessageId>,
    index: Mutex<BatchIndex>,
}

impl BatchLookup<'_> {
    fn with_index<R>(&self, f: impl FnOnce(&mut BatchIndex) -> R) -> R {
        match self.index.lock() {
            Ok(mut guard) => f(&mut guard),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// The batch's view of a ticket storage returned: its status may have changed in the batch.
    fn refresh(&self, found: Option<TicketRef>) -> Option<TicketRef> {
        found.map(|f| {
            self.with_index(|i| i.tickets.get(&f.id).cloned())
                .unwrap_or(f)
        })
    }

    /// Records where a planned mail went, so later mails of the batch can thread onto it.
    fn register(&self, change: &ChangeSet, mail: &Incoming<'_>) {
        let (id, number, status, customer, gmail) = match &change.ticket {
            TicketWrite::Create(d) => (
                d.id,
                None,
                Status::New,
                d.customer.email.clone(),
                d.provider_thread.clone(),
            ),
            TicketWrite::Update(t) => (
                t.id,
                Some(t.number),
                t.status,
                t.customer.email.clone(),
                t.provider_thread.clone(),
            ),
        };
        let reference = TicketRef {
            id,
            number,
            status,
            customer,
        };
        self.with_index(|i| {
            i.message_ids
                .insert(mail.message_id.clone(), reference.clone());
            i.keys.insert(mail.message_id.clone(), id);
            // The keys the change claims (not every id the mail named: a mail kept apart from
            // the ticket it referred to does not claim that ticket's ids).
            for key in &change.thread_keys {
                i.keys.entry(key.clone()).or_insert(id);
            }
            if let Some(thread) = gmail {
                i.provider_threads.insert(thread, id);
            }
            let people = i.participants.entry(id).or_default();
            let customer = std::iter::once(reference.customer.clone());
            for address in customer.chain(mail_participants(mail.mail)) {
                if !people.contains(&address) {
                    people.push(address);
                }
            }
            i.tickets.insert(id, reference);
        });
    }
}

#[async_trait]
impl ThreadLookup for BatchLookup<'_> {
    async fn by_message_id(&self, id: &MessageId) -> Result<Option<TicketRef>, StoreError> {
        if let Some(found) = self.with_index(|i| i.message_ids.get(id).cloned()) {
            return Ok(Some(found));
        }
        if !self.stored.contains(id) {
            return Ok(None);
        }
        Ok(self.refresh(self.inner.by_message_id(id).await?))
    }

    async fn by_number(&self, number: TicketNumber) -> Result<Option<TicketRef>, StoreError> {
        Ok(self.refresh(self.inner.by_number(number).await?))
    }

    async fn by_thread_keys(&self, ids: &[MessageId]) -> Result<Vec<TicketRef>, StoreError> {
        // The batch's own tickets are the newest: first, then the stored ones not among them.
        let mut found: Vec<TicketRef> = self.with_index(|i| {
            let mut in_batch: Vec<TicketRef> = Vec::new();
            for t in ids.iter().filter_map(|id| i.keys.get(id)) {
                if let Some(r) = i.tickets.get(t)
                    && !in_batch.iter().any(|b| b.id == r.id)
                {
                    in_batch.push(r.clone());
                }
            }
            in_batch
        });
        for stored in self.inner.by_thread_keys(ids).await? {
            if let Some(r) = self.refresh(Some(stored))
                && !found.iter().any(|f| f.id == r.id)
            {
                found.push(r);
            }
        }
        Ok(found)
    }

    async fn by_provider_thread(&self, thread_id: &str) -> Result<Option<TicketRef>, StoreError> {
        let in_batch = self.with_index(|i| {
            i.provider_threads
                .get(thread_id)
                .and_then(|t| i.tickets.get(t).cloned())
        });
        if in_batch.is_some() {
            return Ok(in_batch);
        }
        Ok(self.refresh(self.inner.by_provider_thread(thread_id).await?))
    }

    async fn participants(&self, ticket: TicketId) -> Result<Vec<EmailAddress>, StoreError> {
        let mut people = self.inner.participants(ticket).await?;
        let added = self.with_index(|i| i.participants.get(&ticket).cloned());
        for address in added.into_iter().flatten() {
            if !people.contains(&address) {
                people.push(address);
            }
        }
        Ok(people)
    }
}

impl Helpdesk {
    /// Ingests many mails with one commit. Each mail gets the result [`Helpdesk::ingest`] would
    /// give it, in order; a quarantine affects only its own mail.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails: nothing of the batch was written.
    pub async fn ingest_batch(
        &self,
        mails: &[InboundEmail],
    ) -> Result<Vec<Result<IngestResult, IngestError>>, StoreError> {
        self.ingest_batch_as(mails, Admission::Limited).await
    }

    /// [`Helpdesk::ingest_batch`] with the given [`Admission`]: staff releasing mail from
    /// quarantine pass [`Admission::Released`].
    ///
    /// # Errors
    /// As [`Helpdesk::ingest_batch`].
    pub async fn ingest_batch_as(
        &self,
        mails: &[InboundEmail],
        admission: Admission,
    ) -> Result<Vec<Result<IngestResult, IngestError>>, StoreError> {
        let incoming: Vec<Incoming<'_>> = mails.iter().map(|m| self.incoming(m)).collect();
        let ids: Vec<MessageId> = incoming.iter().map(|m| m.message_id.clone()).collect();
        let stored = self
            .ports
            .lookup
            .known_message_ids(&ids)
            .await?
            .into_iter()
            .collect();
        let lookup = BatchLookup {
            inner: self.ports.lookup.as_ref(),
            stored,
            index: Mutex::default(),
        };
        let mut plan = Plan::new(admission);
        let mut placed = Vec::with_capacity(incoming.len());
        for m in &incoming {
            match self.place(&mut plan, &lookup, m).await {
                Ok(p) => {
                    if let Some(index) = p.change {
                        lookup.register(&plan.changes[index], m);
                    }
                    placed.push(Ok(p));
                }
                Err(IngestError::Store(e)) => return Err(e),
                Err(quarantine) => placed.push(Err(quarantine)),
            }
        }
        let committed = match self.ports.tickets.commit_batch(plan.changes).await {
            Ok(committed) => committed,
            Err(CommitError::Store(e)) => return Err(e),
            Err(
                CommitError::Duplicate(_) | CommitError::Conflict(_) | CommitError::NotFound(_),
            ) => {
                return self.ingest_one_by_one(mails, admission).await;
            }
        };
        Ok(placed
            .into_iter()
            .map(|p| {
                p.map(|p| {
                    let mut result = p.result;
                    result.ticket = p
                        .change
                        .and_then(|i| committed.get(i))
                        .map(|c| c.ticket.number);
                    result
                })
            })
            .collect())
    }

    async fn ingest_one_by_one(
        &self,
        mails: &[InboundEmail],
        admission: Admission,
    ) -> Result<Vec<Result<IngestResult, IngestError>>, StoreError> {
        let mut results = Vec::with_capacity(mails.len());
        for mail in mails {
            match self.ingest_as(mail.clone(), admission).await {
                Err(IngestError::Store(e)) => return Err(e),
                other => results.push(other),
            }
        }
        Ok(results)
    }
}
