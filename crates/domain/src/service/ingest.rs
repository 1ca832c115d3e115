//! Ingesting inbound e-mail: deduplicate, thread, classify, start SLA clocks, queue the
//! acknowledgement and AI work, and commit it as change sets.
//!
//! One mail is planned into a [`Plan`]; a batch plans many into one, where replies to a ticket
//! of the same batch join that ticket's change set (see `batch.rs`).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{AiMode, Helpdesk};
use crate::email::{
    EmailAddress, InboundEmail, MessageId, SenderVerdict, sender_authentication_failure,
};
use crate::ports::{
    ChangeSet, CommitError, InboundRecord, Job, StoreError, ThreadLookup, TicketRef, TicketWrite,
};
use crate::staff::Customer;
use crate::threading::{AutoReplyKind, ThreadDecision, decide};
use crate::ticket::{
    Actor, AttachmentMeta, Category, EmailHeaders, EventKind, Message, MessageKind, Priority,
    Status, TicketDraft, TicketEvent, TicketId, TicketNumber,
};

/// How long a customer waits between two automatic replies.
const AUTO_REPLY_INTERVAL: TimeDelta = TimeDelta::hours(24);
/// The window of the per-sender and per-domain caps ([`super::IntakeLimits`]). Shorter than
/// [`AUTO_REPLY_INTERVAL`], so each address counts at most once towards its domain's cap.
const LIMIT_WINDOW: TimeDelta = TimeDelta::hours(1);
/// Concurrent changes to the same ticket are retried this often before giving up.
const CONFLICT_RETRIES: usize = 3;

/// What became of an ingested mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A new ticket.
    Created,
    /// Added to an existing ticket.
    Appended,
    /// A new ticket following up a closed one.
    FollowUp,
    /// Already stored; nothing changed.
    Duplicate,
}

impl IngestOutcome {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Appended => "appended",
            Self::FollowUp => "followup",
            Self::Duplicate => "duplicate",
        }
    }
}

/// The result of ingesting one mail, as the poller and `import --json` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestResult {
    pub outcome: IngestOutcome,
    pub ticket: Option<TicketNumber>,
    pub ticket_id: Option<TicketId>,
    pub message_id: MessageId,
    /// Priority and category of the ticket the mail created (none for appends and duplicates).
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    pub auto_reply: Option<AutoReplyKind>,
}

/// Why a mail cannot become part of a ticket and must be quarantined with its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarantineReason {
    #[error("the mail has no usable sender address to open a ticket for")]
    MissingSender,
    /// The sender opened `cap` tickets by mail within the hour. Released from quarantine by
    /// staff, the mail opens its ticket ([`Admission::Released`]).
    #[error(
        "the sender opened {cap} tickets in the last hour, the limit; reprocess the mail to open its ticket anyway"
    )]
    SenderRateLimited { cap: u32 },
    /// Mail from a staff member's address that names no ticket (or is automatic): staff are not
    /// customers. Released from quarantine, it opens a ticket as any mail would.
    #[error(
        "mail from the staff address {address} names no ticket; staff answer tickets in Frontdesk — reprocess the mail to open a ticket from it anyway"
    )]
    StaffMailWithoutTicket { address: String },
    /// Mail from a staff member's address that failed sender authentication: it could be forged,
    /// so it is added to no ticket.
    #[error(
        "mail from the staff address {address} failed sender authentication ({reason}); it was added to no ticket"
    )]
    StaffMailUnauthenticated { address: String, reason: String },
    /// Machine mail that would have opened a ticket: kept out of the queue, the SLA, assignment
    /// and the assistant. Promoted by staff, it opens its ticket.
    #[error(
        "machine mail ({}): kept out of the queue; promote it to open a ticket from it",
        kind.as_str()
    )]
    MachineMail { kind: AutoReplyKind },
    /// The sender is on the deny list: kept out of the queue like machine mail.
    #[error(
        "the sender matches the deny list (`{pattern}`): kept out of the queue; promote it to open a ticket from it"
    )]
    DeniedSender { pattern: String },
}

impl QuarantineReason {
    /// Failed mail, or machine mail kept apart.
    #[must_use]
    pub fn kind(&self) -> crate::ports::QuarantineKind {
        match self {
            Self::MachineMail { .. } | Self::DeniedSender { .. } => {
                crate::ports::QuarantineKind::Machine
            }
            _ => crate::ports::QuarantineKind::Failed,
        }
    }
}

/// Whether mail is held to the per-sender cap on new tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Admission {
    /// Mail as it arrives: held to the cap.
    #[default]
    Limited,
    /// Mail staff released from quarantine: opens its ticket whatever the cap.
    Released,
}

/// Why ingesting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The mail itself is the problem: keep its raw bytes in quarantine, go on with the rest.
    #[error("quarantine: {0}")]
    Quarantine(QuarantineReason),
    /// Storage failed; nothing was written. Do not acknowledge the mail; retry later.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError> for IngestError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Store(s) => Self::Store(s),
            other => Self::Store(StoreError::other(other.to_string())),
        }
    }
}

/// Change sets being built for one or more mails, one per ticket.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub changes: Vec<ChangeSet>,
    by_ticket: HashMap<TicketId, usize>,
    /// Customers acknowledged earlier in this plan (storage does not know yet).
    acknowledged: std::collections::HashSet<String>,
    /// Per lower-case domain: acknowledgements within the limit window, stored and planned.
    domain_acks: HashMap<String, u32>,
    /// Per normalised sender: tickets opened within the limit window, stored and planned.
    opened: HashMap<String, u32>,
    /// Per normalised customer: assistant jobs within the limit window, stored and planned.
    drafts: HashMap<String, u32>,
    pub admission: Admission,
    /// The active team, read once per batch when a mail needs it ([`Helpdesk::staff_sender`]).
    pub staff: Option<Vec<crate::staff::Staff>>,
}

/// Where a planned mail went: which change set, and its result without the ticket number
/// (known after commit).
#[derive(Debug)]
pub(super) struct Placement {
    pub change: Option<usize>,
    pub result: IngestResult,
}

impl Plan {
    pub fn new(admission: Admission) -> Self {
        Self {
            admission,
            staff: None,
            ..Self::default()
        }
    }

    pub(super) fn change_of(&self, ticket: TicketId) -> Option<usize> {
        self.by_ticket.get(&ticket).copied()
    }

    pub(super) fn push(&mut self, ticket: TicketId, change: ChangeSet) -> usize {
        self.changes.push(change);
        let index = self.changes.len() - 1;
        self.by_ticket.insert(ticket, index);
        index
    }
}

/// A mail and what ingest derives from it before threading.
pub(super) struct Incoming<'a> {
    pub mail: &'a InboundEmail,
    pub message_id: MessageId,
    pub auto_reply: Option<AutoReplyKind>,
    /// The deny-list pattern its sender matched (and no allow-list pattern did).
    pub denied: Option<String>,
}

impl Helpdesk {
    /// Ingests one inbound mail. Idempotent: the same mail again is a [`IngestOutcome::Duplicate`].
    ///
    /// # Errors
    /// [`IngestError::Quarantine`] for a mail that cannot be placed, [`IngestError::Store`] when
    /// storage fails (nothing was written).
    pub async fn ingest(&self, mail: InboundEmail) -> Result<IngestResult, IngestError> {
        self.ingest_as(mail, Admission::Limited).await
    }

    /// [`Helpdesk::ingest`] with the given [`Admission`].
    ///
    /// # Errors
    /// As [`Helpdesk::ingest`].
    pub async fn ingest_as(
        &self,
        mail: InboundEmail,
        admission: Admission,
    ) -> Result<IngestResult, IngestError> {
        let incoming = self.incoming(&mail);
        let mut attempt = 0;
        loop {
            let mut plan = Plan::new(admission);
            let placed = self
                .place(&mut plan, self.ports.lookup.as_ref(), &incoming)
                .await?;
            let Some(index) = placed.change else {
                return Ok(placed.result);
            };
            let change = plan.changes.swap_remove(index);
            match self.ports.tickets.commit(change).await {
                Ok(committed) => {
                    let mut result = placed.result;
                    result.ticket = Some(committed.ticket.number);
                    return Ok(result);
                }
                Err(CommitError::Duplicate(_)) => return Ok(duplicate(&incoming)),
                Err(CommitError::Conflict(_) | CommitError::NotFound(_))
                    if attempt < CONFLICT_RETRIES =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// When `mail` counts as having arrived: now, or for backlog mail its own date (never
    /// later than now: a clock set wrong must not date mail in the future).
    fn arrival(&self, mail: &InboundEmail) -> DateTime<Utc> {
        let now = self.ports.clock.now();
        match (self.settings.backlog, mail.date) {
            (Some(_), Some(date)) => date.min(now),
            _ => now,
        }
    }

    /// What ingest derives from a mail before threading. A sender on the allow list is a
    /// person whatever the headers say; one on the deny list is kept out of the queue.
    pub(super) fn incoming<'a>(&self, mail: &'a InboundEmail) -> Incoming<'a> {
        let verdict = mail
            .sender()
            .and_then(|s| self.settings.sender_filters.current().judge(&s.address));
        let (auto_reply, denied) = match verdict {
            Some(SenderVerdict::Allowed) => (None, None),
            Some(SenderVerdict::Denied(pattern)) => {
                (self.settings.loop_guard.classify(mail), Some(pattern))
            }
            None => (self.settings.loop_guard.classify(mail), None),
        };
        Incoming {
            mail,
            message_id: mail.effective_message_id(),
            auto_reply,
            denied,
        }
    }

    /// Threads one mail and adds it to `plan`: a new change set, or a reply merged into the
    /// change set of its ticket.
    pub(super) async fn place(
        &self,
        plan: &mut Plan,
        lookup: &dyn ThreadLookup,
        m: &Incoming<'_>,
    ) -> Result<Placement, IngestError> {
        let decision = decide(m.mail, &m.message_id, lookup, self.settings.references_cap).await?;
        let now = self.arrival(m.mail);
        if decision != ThreadDecision::Duplicate
            && plan.admission != Admission::Released
            && let Some(pattern) = &m.denied
        {
            return Err(IngestError::Quarantine(QuarantineReason::DeniedSender {
                pattern: pattern.clone(),
            }));
        }
        if decision != ThreadDecision::Duplicate
            && let Some(staff) = self.staff_sender(plan, m).await?
        {
            return self.place_staff_mail(plan, m, decision, &staff, now).await;
        }
        if let Some(placed) = self
            .place_machine_mail(plan, lookup, m, &decision, now)
            .await?
        {
            return Ok(placed);
        }
        match decision {
            ThreadDecision::Bridge(bridge) => {
                let placed = self
                    .place_decided(plan, m, bridge.placed.clone(), now)
                    .await?;
                self.suggest_bridge(plan, &placed, m, &bridge, now);
                Ok(placed)
            }
            decision => self.place_decided(plan, m, decision, now).await,
        }
    }

    /// Places the mail as `decision` says (never a bridge: [`Self::place`] unwraps it).
    async fn place_decided(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
        decision: ThreadDecision,
        now: DateTime<Utc>,
    ) -> Result<Placement, IngestError> {
        let found = match decision {
            ThreadDecision::Duplicate => {
                return Ok(Placement {
                    change: None,
                    result: duplicate(m),
                });
            }
            ThreadDecision::New => return self.place_new(plan, m, None, now).await,
            // Backlog mail is history, and machine mail is no one's question: an answer to a
            // closed ticket joins it, unopened.
            ThreadDecision::FollowUp(closed, _)
                if self.settings.backlog.is_none() && m.auto_reply.is_none() =>
            {
                return self.place_new(plan, m, Some(closed), now).await;
            }
            ThreadDecision::FollowUp(found, _) => found,
            ThreadDecision::Suggest(suggestion) => {
                return self.place_suggested(plan, m, &suggestion, now).await;
            }
            ThreadDecision::Append(found, _) => found,
            ThreadDecision::Bridge(bridge) => {
                return Box::pin(self.place_decided(plan, m, bridge.placed, now)).await;
            }
        };
        if let Some(index) = plan.change_of(found.id) {
            return Ok(self.place_reply(plan, index, found.id, m, now).await?);
        }
        match self.ports.tickets.get(found.id).await? {
            // Closed since the lookup: the reply belongs on a follow-up after all.
            Some(ticket)
                if ticket.status == Status::Closed
                    && self.settings.backlog.is_none()
                    && m.auto_reply.is_none() =>
            {
                let closed = TicketRef {
                    status: Status::Closed,
                    number: Some(ticket.number),
                    ..found
                };
                self.place_new(plan, m, Some(closed), now).await
            }
            Some(ticket) => {
                let index = plan.push(ticket.id, ChangeSet::update(ticket));
                Ok(self.place_reply(plan, index, found.id, m, now).await?)
            }
            None => self.place_new(plan, m, None, now).await,
        }
    }

    fn inbound_message(
        &self,
        ticket_id: TicketId,
        m: &Incoming<'_>,
        now: DateTime<Utc>,
    ) -> Message {
        let mail = m.mail;
        let mut msg = Message::new(
            self.ports.ids.new_id(),
            ticket_id,
            MessageKind::Customer,
            mail.message_text(),
            now,
        );
        msg.author_email = mail.from.as_ref().map(|f| f.address.clone());
        msg.author_name = mail.from.as_ref().and_then(|f| f.name.clone());
        msg.full_text = mail.new_text.as_ref().map(|_| mail.text_body.clone());
        msg.body_html.clone_from(&mail.html_body);
        msg.email = Some(EmailHeaders {
            message_id: m.message_id.clone(),
            in_reply_to: mail.in_reply_to.first().cloned(),
            references: mail.references.clone(),
        });
        msg.attachments = mail
            .attachments
            .iter()
            .map(|a| AttachmentMeta {
                sha256: crate::email::content_address(&a.content),
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.content.len() as u64,
                inline: a.inline,
                content_id: a.content_id.clone(),
            })
            .collect();
        msg.auto_reply = m.auto_reply;
        msg
    }

    /// Adds the mail itself to a change set: message, raw record, thread keys.
    fn record_mail(
        &self,
        change: &mut ChangeSet,
        ticket: TicketId,
        m: &Incoming<'_>,
        now: DateTime<Utc>,
    ) {
        change.messages.push(self.inbound_message(ticket, m, now));
        change.thread_keys.push(m.message_id.clone());
        for key in m.mail.referenced_ids(self.settings.references_cap) {
            if !change.thread_keys.contains(&key) {
                change.thread_keys.push(key);
            }
        }
        change.inbound.push(InboundRecord {
            mail: Box::new(m.mail.clone()),
            message_id: m.message_id.clone(),
            auto_reply: m.auto_reply,
        });
    }

    /// Whether a customer mail on `ticket` would give the assistant work (`change` has none
    /// queued for it yet).
    fn wants_draft(&self, change: &ChangeSet, ticket: TicketId, m: &Incoming<'_>) -> bool {
        m.auto_reply.is_none()
            && self.settings.ai_mode != AiMode::Off
            && !change.jobs.contains(&Job::DraftReply { ticket_id: ticket })
    }

    /// `Ok(None)` when the assistant may draft for another mail of `customer` (counted in
    /// `plan`), `Ok(Some(why))` when the customer's hourly cap is reached.
    async fn assistant_allowance(
        &self,
        plan: &mut Plan,
        customer: &EmailAddress,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let Some(cap) = self.settings.intake_limits.ai_jobs_per_sender else {
            return Ok(None);
        };
        let key = customer.normalized();
        let done = match plan.drafts.get(&key) {
            Some(n) => *n,
            None => {
                self.ports
                    .activity
                    .assistant_jobs_since(customer, now - LIMIT_WINDOW)
                    .await?
            }
        };
        if done >= cap {
            plan.drafts.insert(key, done);
            return Ok(Some(format!(
                "mail of {customer} had the assistant draft {cap} times in the last hour, the limit"
            )));
        }
        plan.drafts.insert(key, done + 1);
        Ok(None)
    }

    /// Queues the assistant's job on `ticket`, or records why it was withheld (once a change).
    fn add_draft(
        change: &mut ChangeSet,
        ticket: TicketId,
        withheld: Option<String>,
        now: DateTime<Utc>,
    ) {
        match withheld {
            None => change.jobs.push(Job::DraftReply { ticket_id: ticket }),
            Some(reason) => {
                let kind = EventKind::AssistantWithheld { reason };
                if !change.events.iter().any(|e| e.kind == kind) {
                    change
                        .events
                        .push(TicketEvent::new(ticket, now, Actor::System, kind));
                }
            }
        }
    }

    /// The assistant's job for new customer words on `ticket`: once per change, when AI is on.
    pub(super) fn queue_assistant(&self, change: &mut ChangeSet, ticket: TicketId) {
        let job = Job::DraftReply { ticket_id: ticket };
        if self.settings.ai_mode != AiMode::Off && !change.jobs.contains(&job) {
            change.jobs.push(job);
        }
    }

    pub(super) async fn place_new(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
        follows: Option<TicketRef>,
        now: DateTime<Utc>,
    ) -> Result<Placement, IngestError> {
        let mail = m.mail;
        let Some(sender) = mail.from.as_ref().or(mail.reply_to.as_ref()) else {
            return Err(IngestError::Quarantine(QuarantineReason::MissingSender));
        };
        let customer = Customer::new(sender.address.clone(), sender.name.clone());
        let opened = self.tickets_opened(plan, &customer.email, now).await?;
        if plan.admission == Admission::Limited
            && let Some(cap) = self.settings.intake_limits.tickets_per_sender
            && opened >= cap
        {
            return Err(IngestError::Quarantine(
                QuarantineReason::SenderRateLimited { cap },
            ));
        }
        let subject = super::subject_line(&mail.subject);
        let class = self
            .settings
            .classifier
            .classify(&subject, mail.message_text());
        let id = TicketId::from_uuid(self.ports.ids.new_id());
        let (sla, closed_at) = self.clocks_of_new(class.priority, class.category, now);
        let draft = TicketDraft {
            id,
            customer: customer.clone(),
            subject,
            description: mail.message_text().to_owned(),
            priority: class.priority,
            category: class.category,
            channel: mail.channel,
            tags: Vec::new(),
            sla,
            follow_up_of: follows.as_ref().map(|f| f.id),
            provider_thread: mail.provider_thread.clone(),
            created_at: now,
            closed_at,
        };
        let mut change = ChangeSet::new(TicketWrite::Create(Box::new(draft)));
        self.record_mail(&mut change, id, m, now);
        opening_events(
            &mut change,
            id,
            &customer,
            closed_at.is_some(),
            follows.as_ref(),
            now,
        );
        self.note_ambiguous_sender(&mut change, id, m, now);
        self.acknowledge_new(plan, &mut change, id, &customer, m, now)
            .await?;
        if self.wants_draft(&change, id, m) {
            let withheld = self.assistant_allowance(plan, &customer.email, now).await?;
            Self::add_draft(&mut change, id, withheld, now);
        }
        let index = plan.push(id, change);
        if let Some(count) = plan.opened.get_mut(&customer.email.normalized()) {
            *count += 1;
        }
        let outcome = if follows.is_some() {
            IngestOutcome::FollowUp
        } else {
            IngestOutcome::Created
        };
        let result = IngestResult {
            outcome,
            ticket: None,
            ticket_id: Some(id),
            message_id: m.message_id.clone(),
            priority: Some(class.priority),
            category: Some(class.category),
            auto_reply: m.auto_reply,
        };
        Ok(Placement {
            change: Some(index),
            result,
        })
    }

    /// Queues the acknowledgement of a new ticket (its Message-ID recorded as a thread key), or
    /// records why it was withheld. A mail naming several senders may be forged for any of
    /// them: nobody is answered.
    async fn acknowledge_new(
        &self,
        plan: &mut Plan,
        change: &mut ChangeSet,
        id: TicketId,
        customer: &Customer,
        m: &Incoming<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mail = m.mail;
        let acknowledge = if m.auto_reply.is_none() && !mail.is_from_ambiguous() {
            self.may_auto_reply(plan, customer, mail, now).await?
        } else {
            Acknowledge::No
        };
        if let Acknowledge::Withheld(reason) = acknowledge {
            change.events.push(TicketEvent::new(
                id,
                now,
                Actor::System,
                EventKind::AcknowledgementWithheld { reason },
            ));
        } else if acknowledge == Acknowledge::Yes {
            let ack_id = self.new_message_id();
            change.thread_keys.push(ack_id.clone());
            change.jobs.push(Job::AutoAcknowledge {
                message_id: Some(ack_id),
                ticket_id: id,
                to: customer.email.clone(),
                answered: Box::new(EmailHeaders {
                    message_id: m.message_id.clone(),
                    in_reply_to: mail.in_reply_to.first().cloned(),
                    references: mail.references.clone(),
                }),
            });
        }
        Ok(())
    }

    /// Tickets `sender` opened within the limit window, stored and planned; asked of storage
    /// once per plan and sender, and only when the cap is on.
    async fn tickets_opened(
        &self,
        plan: &mut Plan,
        sender: &EmailAddress,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        if plan.admission == Admission::Released
            || self.settings.intake_limits.tickets_per_sender.is_none()
        {
            return Ok(0);
        }
        let key = sender.normalized();
        if let Some(n) = plan.opened.get(&key) {
            return Ok(*n);
        }
        let n = self
            .ports
            .activity
            .tickets_opened_since(sender, now - LIMIT_WINDOW)
            .await?;
        plan.opened.insert(key, n);
        Ok(n)
    }

    /// Whether the customer of a new ticket gets an acknowledgement: not when our receiving
    /// server found the sender forged, not twice a day, not past the domain's hourly share.
    async fn may_auto_reply(
        &self,
        plan: &mut Plan,
        customer: &Customer,
        mail: &InboundEmail,
        now: DateTime<Utc>,
    ) -> Result<Acknowledge, StoreError> {
        if self.settings.auto_acknowledgement.is_none()
            || plan.acknowledged.contains(&customer.email.normalized())
        {
            return Ok(Acknowledge::No);
        }
        if let Some(failure) =
            sender_authentication_failure(&mail.headers, &self.settings.trusted_authserv_ids)
        {
            return Ok(Acknowledge::Withheld(format!(
                "the sender failed authentication at our mail server: {failure}"
            )));
        }
        let last = self
            .ports
            .auto_replies
            .last_auto_reply_to(&customer.email)
            .await?;
        if last.is_some_and(|at| now - at < AUTO_REPLY_INTERVAL) {
            return Ok(Acknowledge::No);
        }
        if let Some(cap) = self.settings.intake_limits.acknowledgements_per_domain {
            let domain = customer.email.domain().to_lowercase();
            let sent = match plan.domain_acks.get(&domain) {
                Some(n) => *n,
                None => {
                    self.ports
                        .auto_replies
                        .auto_replies_to_domain_since(&domain, now - LIMIT_WINDOW)
                        .await?
                }
            };
            plan.domain_acks.insert(domain.clone(), sent);
            if sent >= cap {
                return Ok(Acknowledge::Withheld(format!(
                    "{domain} had {cap} acknowledgements in the last hour, the limit"
                )));
            }
            plan.domain_acks.insert(domain, sent + 1);
        }
        plan.acknowledged.insert(customer.email.normalized());
        Ok(Acknowledge::Yes)
    }

    /// A customer reply to the ticket of change set `index`.
    async fn place_reply(
        &self,
        plan: &mut Plan,
        index: usize,
        id: TicketId,
        m: &Incoming<'_>,
        now: DateTime<Utc>,
    ) -> Result<Placement, StoreError> {
        let draft = if self.wants_draft(&plan.changes[index], id, m) {
            let customer = match &plan.changes[index].ticket {
                TicketWrite::Create(d) => d.customer.email.clone(),
                TicketWrite::Update(t) => t.customer.email.clone(),
            };
            Some(self.assistant_allowance(plan, &customer, now).await?)
        } else {
            None
        };
        let change = &mut plan.changes[index];
        let kinds = match &mut change.ticket {
            TicketWrite::Update(ticket) => {
                ticket
                    .record_customer_reply(
                        now,
                        &self.settings.sla.current(),
                        m.auto_reply.is_some(),
                    )
                    .1
            }
            // A ticket created in the same batch is new: a further customer mail changes nothing.
            TicketWrite::Create(_) => Vec::new(),
        };
        let actor = m
            .mail
            .from
            .as_ref()
            .map_or(Actor::System, |f| Actor::Customer(f.address.clone()));
        self.record_mail(change, id, m, now);
        change
            .events
            .extend(customer_message_events(id, now, &actor, kinds));
        if let Some(withheld) = draft {
            Self::add_draft(change, id, withheld, now);
        }
        let result = IngestResult {
            outcome: IngestOutcome::Appended,
            ticket: None,
            ticket_id: Some(id),
            message_id: m.message_id.clone(),
            priority: None,
            category: None,
            auto_reply: m.auto_reply,
        };
        Ok(Placement {
            change: Some(index),
            result,
        })
    }
}

impl Helpdesk {
    /// The SLA clocks of a ticket a mail arriving at `at` opens, and when it is closed at once.
    /// Live mail: clocks from `at`, open. Backlog mail imported closed: clocks stopped where they
    /// start (nothing measured), closed at `at`; imported open: clocks from the import.
    fn clocks_of_new(
        &self,
        priority: crate::ticket::Priority,
        category: crate::ticket::Category,
        at: DateTime<Utc>,
    ) -> (crate::sla::TicketSla, Option<DateTime<Utc>>) {
        let policies = self.settings.sla.current();
        let Some(import_as) = self.settings.backlog else {
            return (policies.start(priority, category, at), None);
        };
        let now = self.ports.clock.now();
        if !import_as.closes(at, now) {
            return (policies.start(priority, category, now), None);
        }
        let mut sla = policies.start(priority, category, at);
        sla.first_response.stop(at, policies.calendar());
        sla.resolution.stop(at, policies.calendar());
        (sla, Some(at))
    }
}

/// The events of a ticket a customer's mail opens: created (and closed at once for imported
/// history), the message, and the links of a follow-up both ways.
fn opening_events(
    change: &mut ChangeSet,
    id: TicketId,
    customer: &Customer,
    closed: bool,
    follows: Option<&TicketRef>,
    now: DateTime<Utc>,
) {
    let actor = Actor::Customer(customer.email.clone());
    let event = |ticket, kind| TicketEvent::new(ticket, now, actor.clone(), kind);
    change.events.push(event(id, EventKind::Created));
    if closed {
        change.events.push(event(
            id,
            EventKind::StatusChanged {
                from: Status::New,
                to: Status::Closed,
            },
        ));
    }
    change.events.push(event(
        id,
        EventKind::MessageAdded {
            kind: MessageKind::Customer,
        },
    ));
    if let Some(old) = follows {
        if let Some(number) = old.number {
            change.events.push(event(
                id,
                EventKind::FollowUpOf {
                    ticket: old.id,
                    number,
                },
            ));
        }
        change
            .events
            .push(event(old.id, EventKind::FollowUpOpened { ticket: id }));
    }
}

impl Helpdesk {
    /// The index of `ticket`'s change set in `plan`, loading the ticket when it has none yet;
    /// `None` when the ticket is gone. A closed ticket takes it too: notes are history.
    pub(super) async fn change_index(
        &self,
        plan: &mut Plan,
        ticket: &TicketRef,
    ) -> Result<Option<usize>, IngestError> {
        if let Some(index) = plan.change_of(ticket.id) {
            return Ok(Some(index));
        }
        Ok(match self.ports.tickets.get(ticket.id).await? {
            Some(t) => Some(plan.push(t.id, ChangeSet::update(t))),
            None => None,
        })
    }
}

/// Adds mail `m` to change set `index` as `message` (a note or a system message, never the
/// customer's): the message, its Message-ID as a thread key, the raw mail, and the event.
pub(super) fn attach(
    plan: &mut Plan,
    index: usize,
    ticket: &TicketRef,
    m: &Incoming<'_>,
    message: Message,
    actor: Actor,
    now: DateTime<Utc>,
) -> Placement {
    let kind = message.kind;
    let change = &mut plan.changes[index];
    change.messages.push(message);
    change.thread_keys.push(m.message_id.clone());
    change.inbound.push(InboundRecord {
        mail: Box::new(m.mail.clone()),
        message_id: m.message_id.clone(),
        auto_reply: m.auto_reply,
    });
    change.events.push(TicketEvent::new(
        ticket.id,
        now,
        actor,
        EventKind::MessageAdded { kind },
    ));
    Placement {
        change: Some(index),
        result: IngestResult {
            outcome: IngestOutcome::Appended,
            ticket: ticket.number,
            ticket_id: Some(ticket.id),
            message_id: m.message_id.clone(),
            priority: None,
            category: None,
            auto_reply: m.auto_reply,
        },
    }
}

/// Whether a new ticket is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Acknowledge {
    Yes,
    /// Not due (one a day per address), switched off, or machine mail: nothing to record.
    No,
    /// Withheld for a reason staff should see on the ticket.
    Withheld(String),
}

pub(super) fn duplicate(m: &Incoming<'_>) -> IngestResult {
    IngestResult {
        outcome: IngestOutcome::Duplicate,
        ticket: None,
        ticket_id: None,
        message_id: m.message_id.clone(),
        priority: None,
        category: None,
        auto_reply: m.auto_reply,
    }
}

/// The events of a customer message on ticket `id`: the message, then what it did to the
/// ticket (reopened, clocks resumed).
pub(super) fn customer_message_events(
    id: TicketId,
    now: DateTime<Utc>,
    actor: &Actor,
    effects: Vec<EventKind>,
) -> Vec<TicketEvent> {
    std::iter::once(EventKind::MessageAdded {
        kind: MessageKind::Customer,
    })
    .chain(effects)
    .map(|k| TicketEvent::new(id, now, actor.clone(), k))
    .collect()
}
