//! Ingesting one inbound e-mail: deduplicate, thread, classify, start SLA clocks, queue the
//! acknowledgement and AI work, and commit it all in one change set.

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::{AiMode, Helpdesk};
use crate::email::{InboundEmail, MessageId};
use crate::ports::{
    ChangeSet, CommitError, InboundRecord, Job, StoreError, TicketRef, TicketWrite,
};
use crate::staff::Customer;
use crate::threading::{AutoReplyKind, ThreadDecision, decide};
use crate::ticket::{
    Actor, AttachmentMeta, Category, Channel, EmailHeaders, EventKind, Message, MessageKind,
    Priority, Status, Ticket, TicketDraft, TicketEvent, TicketId, TicketNumber,
};

/// How long a customer waits between two automatic replies.
const AUTO_REPLY_INTERVAL: TimeDelta = TimeDelta::hours(24);
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
            other => Self::Store(StoreError::Other(other.to_string())),
        }
    }
}

impl Helpdesk {
    /// Ingests one inbound mail. Idempotent: the same mail again is a [`IngestOutcome::Duplicate`].
    ///
    /// # Errors
    /// [`IngestError::Quarantine`] for a mail that cannot be placed, [`IngestError::Store`] when
    /// storage fails (nothing was written).
    pub async fn ingest(&self, mail: InboundEmail) -> Result<IngestResult, IngestError> {
        let message_id = mail.effective_message_id();
        let auto_reply = self.settings.loop_guard.classify(&mail);
        let mut attempt = 0;
        loop {
            let change = self.plan_ingest(&mail, &message_id, auto_reply).await?;
            let Some((change, mut result)) = change else {
                return Ok(self.duplicate(message_id, auto_reply));
            };
            match self.ports.tickets.commit(change).await {
                Ok(committed) => {
                    result.ticket = Some(committed.ticket.number);
                    return Ok(result);
                }
                Err(CommitError::Duplicate(_)) => return Ok(self.duplicate(message_id, auto_reply)),
                Err(CommitError::Conflict(_) | CommitError::NotFound(_))
                    if attempt < CONFLICT_RETRIES =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn duplicate(&self, message_id: MessageId, auto_reply: Option<AutoReplyKind>) -> IngestResult {
        IngestResult {
            outcome: IngestOutcome::Duplicate,
            ticket: None,
            ticket_id: None,
            message_id,
            priority: None,
            category: None,
            auto_reply,
        }
    }

    async fn plan_ingest(
        &self,
        mail: &InboundEmail,
        message_id: &MessageId,
        auto_reply: Option<AutoReplyKind>,
    ) -> Result<Option<(ChangeSet, IngestResult)>, IngestError> {
        let lookup = self.ports.lookup.as_ref();
        let decision = decide(mail, message_id, lookup, self.settings.references_cap).await?;
        let now = self.ports.clock.now();
        let planned = match decision {
            ThreadDecision::Duplicate => return Ok(None),
            ThreadDecision::New => {
                self.plan_new(mail, message_id, auto_reply, None, now)
                    .await?
            }
            ThreadDecision::FollowUp(closed, _) => {
                self.plan_new(mail, message_id, auto_reply, Some(closed), now)
                    .await?
            }
            ThreadDecision::Append(found, _) => match self.ports.tickets.get(found.id).await? {
                // Closed since the lookup: the reply belongs on a follow-up after all.
                Some(ticket) if ticket.status == Status::Closed => {
                    let closed = TicketRef {
                        status: Status::Closed,
                        ..found
                    };
                    self.plan_new(mail, message_id, auto_reply, Some(closed), now)
                        .await?
                }
                Some(ticket) => self.plan_append(ticket, mail, message_id, auto_reply, now),
                None => {
                    self.plan_new(mail, message_id, auto_reply, None, now)
                        .await?
                }
            },
        };
        Ok(Some(planned))
    }

    fn inbound_message(
        &self,
        ticket_id: TicketId,
        mail: &InboundEmail,
        message_id: &MessageId,
        auto_reply: Option<AutoReplyKind>,
        now: DateTime<Utc>,
    ) -> Message {
        let mut m = Message::new(
            self.ports.ids.new_id(),
            ticket_id,
            MessageKind::Customer,
            mail.message_text(),
            now,
        );
        m.author_email = mail.from.as_ref().map(|f| f.address.clone());
        m.author_name = mail.from.as_ref().and_then(|f| f.name.clone());
        m.full_text = mail.new_text.as_ref().map(|_| mail.text_body.clone());
        m.body_html.clone_from(&mail.html_body);
        m.email = Some(EmailHeaders {
            message_id: message_id.clone(),
            in_reply_to: mail.in_reply_to.first().cloned(),
            references: mail.references.clone(),
        });
        m.attachments = mail
            .attachments
            .iter()
            .map(|a| AttachmentMeta {
                sha256: crate::email::hex(&Sha256::digest(&a.content)),
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.content.len() as u64,
                inline: a.inline,
                content_id: a.content_id.clone(),
            })
            .collect();
        m.auto_reply = auto_reply;
        m
    }

    fn base_change(
        &self,
        write: TicketWrite,
        mail: &InboundEmail,
        message_id: &MessageId,
        auto_reply: Option<AutoReplyKind>,
        message: Message,
    ) -> ChangeSet {
        let mut change = ChangeSet::new(write);
        change.thread_keys = std::iter::once(message_id.clone())
            .chain(mail.referenced_ids(self.settings.references_cap))
            .collect();
        change.messages.push(message);
        change.inbound = Some(InboundRecord {
            mail: Box::new(mail.clone()),
            message_id: message_id.clone(),
            auto_reply,
        });
        change
    }

    async fn plan_new(
        &self,
        mail: &InboundEmail,
        message_id: &MessageId,
        auto_reply: Option<AutoReplyKind>,
        follows: Option<TicketRef>,
        now: DateTime<Utc>,
    ) -> Result<(ChangeSet, IngestResult), IngestError> {
        let sender = mail.from.as_ref().or(mail.reply_to.as_ref());
        let Some(sender) = sender else {
            return Err(IngestError::Quarantine(QuarantineReason::MissingSender));
        };
        let customer = Customer::new(sender.address.clone(), sender.name.clone());
        let subject = mail.subject.trim();
        let subject = if subject.is_empty() {
            "(no subject)"
        } else {
            subject
        };
        let class = self
            .settings
            .classifier
            .classify(subject, mail.message_text());
        let id = TicketId::from_uuid(self.ports.ids.new_id());
        let draft = TicketDraft {
            id,
            customer: customer.clone(),
            subject: subject.to_owned(),
            description: mail.message_text().to_owned(),
            priority: class.priority,
            category: class.category,
            channel: Channel::Email,
            tags: Vec::new(),
            sla: self.settings.sla.start(class.priority, class.category, now),
            follow_up_of: follows.as_ref().map(|f| f.id),
            gmail_thread_id: mail.gmail_thread_id.clone(),
            created_at: now,
        };
        let message = self.inbound_message(id, mail, message_id, auto_reply, now);
        let mut change = self.base_change(
            TicketWrite::Create(Box::new(draft)),
            mail,
            message_id,
            auto_reply,
            message,
        );
        let actor = Actor::Customer(customer.email.clone());
        let event = |ticket, kind| TicketEvent::new(ticket, now, actor.clone(), kind);
        change.events.push(event(id, EventKind::Created));
        change.events.push(event(
            id,
            EventKind::MessageAdded {
                kind: MessageKind::Customer,
            },
        ));
        if let Some(old) = &follows {
            change.events.push(event(
                id,
                EventKind::FollowUpOf {
                    ticket: old.id,
                    number: old.number,
                },
            ));
            change
                .events
                .push(event(old.id, EventKind::FollowUpOpened { ticket: id }));
        }
        if auto_reply.is_none() {
            if let Some(headers) = change.messages.first().and_then(|m| m.email.clone())
                && self.may_auto_reply(&customer, now).await?
            {
                change.jobs.push(Job::AutoAcknowledge {
                    ticket_id: id,
                    to: customer.email.clone(),
                    answered: Box::new(headers),
                });
            }
            if self.settings.ai_mode != AiMode::Off {
                change.jobs.push(Job::DraftReply { ticket_id: id });
            }
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
            message_id: message_id.clone(),
            priority: Some(class.priority),
            category: Some(class.category),
            auto_reply,
        };
        Ok((change, result))
    }

    async fn may_auto_reply(
        &self,
        customer: &Customer,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if self.settings.auto_acknowledgement.is_none() {
            return Ok(false);
        }
        let last = self
            .ports
            .auto_replies
            .last_auto_reply_to(&customer.email)
            .await?;
        Ok(last.is_none_or(|at| now - at >= AUTO_REPLY_INTERVAL))
    }

    fn plan_append(
        &self,
        mut ticket: Ticket,
        mail: &InboundEmail,
        message_id: &MessageId,
        auto_reply: Option<AutoReplyKind>,
        now: DateTime<Utc>,
    ) -> (ChangeSet, IngestResult) {
        let (_, kinds) =
            ticket.record_customer_reply(now, &self.settings.sla, auto_reply.is_some());
        let id = ticket.id;
        let actor = mail
            .from
            .as_ref()
            .map_or(Actor::System, |f| Actor::Customer(f.address.clone()));
        let message = self.inbound_message(id, mail, message_id, auto_reply, now);
        let mut change = self.base_change(
            TicketWrite::Update(Box::new(ticket)),
            mail,
            message_id,
            auto_reply,
            message,
        );
        change.events.push(TicketEvent::new(
            id,
            now,
            actor.clone(),
            EventKind::MessageAdded {
                kind: MessageKind::Customer,
            },
        ));
        change.events.extend(
            kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, actor.clone(), k)),
        );
        if auto_reply.is_none() && self.settings.ai_mode != AiMode::Off {
            change.jobs.push(Job::DraftReply { ticket_id: id });
        }
        let result = IngestResult {
            outcome: IngestOutcome::Appended,
            ticket: None,
            ticket_id: Some(id),
            message_id: message_id.clone(),
            priority: None,
            category: None,
            auto_reply,
        };
        (change, result)
    }
}
