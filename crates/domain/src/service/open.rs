//! Tickets opened without a mail: by staff on a customer's behalf, by customers in the portal,
//! by integrations through the API or a Zendesk/Intercom webhook. Classified, put on SLA clocks
//! and queued for the assistant exactly like mail.

use super::Helpdesk;
use super::commands::{MAX_BODY_BYTES, ReplyError, UpdateError};
use super::ingest::customer_message_events;
use crate::email::EmailAddress;
use crate::ports::{ChangeSet, Committed, StoreError, TicketWrite};
use crate::staff::Customer;
use crate::ticket::{
    Actor, Category, Channel, CustomerReplyEffect, EventKind, Message, MessageKind, Priority,
    Status, TicketDraft, TicketEvent, TicketId, TransitionError,
};

/// The longest subject accepted, in characters.
pub const MAX_SUBJECT_CHARS: usize = 998;

/// A mail's subject as a one-line ticket subject: control characters (folded header lines, tabs)
/// become spaces, runs of spaces one, cut at [`MAX_SUBJECT_CHARS`] characters, `(no subject)`
/// when nothing is left. Mail is never refused for its subject: the raw bytes keep it whole.
#[must_use]
pub fn subject_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_SUBJECT_CHARS));
    let mut chars = 0;
    for c in raw.trim().chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        if chars == MAX_SUBJECT_CHARS {
            break;
        }
        out.push(c);
        chars += 1;
    }
    let trimmed = out.trim_end();
    if trimmed.is_empty() {
        "(no subject)".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A ticket to open.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub customer: Customer,
    pub subject: String,
    /// The customer's words: the ticket's description and its first message.
    pub body: String,
    pub channel: Channel,
    /// Set by staff to override the classifier.
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    pub tags: Vec<String>,
    /// Who opens it: the customer, a staff member on their behalf, or the system (integrations).
    pub actor: Actor,
}

/// Why a ticket could not be opened. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("a ticket needs a subject")]
    EmptySubject,
    #[error("the subject may be at most {MAX_SUBJECT_CHARS} characters on one line")]
    BadSubject,
    #[error("a ticket needs a description")]
    EmptyBody,
    #[error("the description may be at most {MAX_BODY_BYTES} bytes")]
    TooLong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Helpdesk {
    /// Opens a ticket with the customer's first message. The classifier decides priority and
    /// category unless `new` sets them.
    ///
    /// # Errors
    /// [`OpenError`] for a blank or multi-line subject, a blank or huge body, or storage.
    pub async fn open(&self, new: NewTicket) -> Result<Committed, OpenError> {
        self.open_following(new, None, None, &[]).await
    }

    /// [`Helpdesk::open`] with files on the first message (checked by the caller with
    /// [`crate::journey::check_file`]).
    ///
    /// # Errors
    /// As [`Helpdesk::open`].
    pub async fn open_with_files(
        &self,
        new: NewTicket,
        files: &[crate::ports::OutboundAttachment],
    ) -> Result<Committed, OpenError> {
        self.open_following(new, None, None, files).await
    }

    /// Opens `new`, as the follow-up of the closed ticket `follows` when given (linked both
    /// ways by events, as a mailed follow-up is), with the intake form's answers and the files
    /// (already checked) on its first message.
    pub(super) async fn open_following(
        &self,
        new: NewTicket,
        follows: Option<&crate::Ticket>,
        intake: Option<crate::journey::IntakeRecord>,
        files: &[crate::ports::OutboundAttachment],
    ) -> Result<Committed, OpenError> {
        let subject = new.subject.trim();
        if subject.is_empty() {
            return Err(OpenError::EmptySubject);
        }
        // A subject becomes a mail header on every reply: no line breaks, bounded length.
        if subject.chars().any(char::is_control) || subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(OpenError::BadSubject);
        }
        let body = new.body.trim();
        if body.is_empty() {
            return Err(OpenError::EmptyBody);
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(OpenError::TooLong);
        }
        let now = self.ports.clock.now();
        let class = self.settings.classifier.classify(subject, body);
        let priority = new.priority.unwrap_or(class.priority);
        let category = new.category.unwrap_or(class.category);
        let id = TicketId::from_uuid(self.ports.ids.new_id());
        let draft = TicketDraft {
            id,
            customer: new.customer.clone(),
            subject: subject.to_owned(),
            description: body.to_owned(),
            priority,
            category,
            channel: new.channel,
            tags: new.tags,
            sla: self.settings.sla.current().start(priority, category, now),
            follow_up_of: follows.map(|f| f.id),
            provider_thread: None,
            created_at: now,
            closed_at: None,
        };
        let mut change = ChangeSet::new(TicketWrite::Create(Box::new(draft)));
        let mut message = Message::new(
            self.ports.ids.new_id(),
            id,
            MessageKind::Customer,
            body,
            now,
        );
        message.author_email = Some(new.customer.email.clone());
        message.author_name.clone_from(&new.customer.name);
        change.messages.push(message);
        let event = |kind| TicketEvent::new(id, now, new.actor.clone(), kind);
        change.events.push(event(EventKind::Created));
        change.events.push(event(EventKind::MessageAdded {
            kind: MessageKind::Customer,
        }));
        if let Some(old) = follows {
            change.events.push(event(EventKind::FollowUpOf {
                ticket: old.id,
                number: old.number,
            }));
            change.events.push(TicketEvent::new(
                old.id,
                now,
                new.actor.clone(),
                EventKind::FollowUpOpened { ticket: id },
            ));
        }
        super::commands::attach(&mut change, files);
        change.intake = intake;
        self.queue_assistant(&mut change, id);
        self.ports.tickets.commit(change).await.map_err(|e| {
            OpenError::Store(match e {
                crate::ports::CommitError::Store(s) => s,
                other => StoreError::other(other.to_string()),
            })
        })
    }

    /// A customer's reply written in the portal: a customer message on the ticket, which
    /// reopens a pending or resolved ticket and resumes its clocks, as a mailed reply does. On a
    /// closed ticket it opens a follow-up linked to it, as a mailed reply does: the committed
    /// ticket returned is then the new one.
    ///
    /// # Errors
    /// [`ReplyError::EmptyBody`]/[`ReplyError::TooLong`], and storage failures.
    pub async fn customer_reply(
        &self,
        id: TicketId,
        customer: &EmailAddress,
        body: &str,
    ) -> Result<Committed, ReplyError> {
        self.customer_reply_with_files(id, customer, body, &[])
            .await
    }

    /// [`Helpdesk::customer_reply`] with files on the message (checked by the caller with
    /// [`crate::journey::check_file`]).
    ///
    /// # Errors
    /// As [`Helpdesk::customer_reply`].
    pub async fn customer_reply_with_files(
        &self,
        id: TicketId,
        customer: &EmailAddress,
        body: &str,
        files: &[crate::ports::OutboundAttachment],
    ) -> Result<Committed, ReplyError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(ReplyError::EmptyBody);
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(ReplyError::TooLong);
        }
        let sla = &*self.settings.sla.current();
        let replied = self
            .change_ticket(id, |mut ticket, now| {
                let (effect, kinds) = ticket.record_customer_reply(now, sla, false);
                if effect == CustomerReplyEffect::NeedsFollowUp {
                    return Err(UpdateError::Transition(TransitionError {
                        from: Status::Closed,
                        to: Status::Open,
                    }));
                }
                let actor = Actor::Customer(customer.clone());
                let mut message = Message::new(
                    self.ports.ids.new_id(),
                    id,
                    MessageKind::Customer,
                    body,
                    now,
                );
                message.author_email = Some(customer.clone());
                message.author_name.clone_from(&ticket.customer.name);
                let mut change = ChangeSet::update(ticket);
                change.messages.push(message);
                change.events = customer_message_events(id, now, &actor, kinds);
                super::commands::attach(&mut change, files);
                self.queue_assistant(&mut change, id);
                Ok(change)
            })
            .await;
        match replied {
            Err(UpdateError::Transition(TransitionError {
                from: Status::Closed,
                ..
            })) => self.portal_follow_up(id, customer, body, files).await,
            other => Ok(other?),
        }
    }

    /// A follow-up of the closed ticket `id` with the customer's portal reply as its first
    /// message, on the web channel, under the closed ticket's subject.
    async fn portal_follow_up(
        &self,
        id: TicketId,
        customer: &EmailAddress,
        body: &str,
        files: &[crate::ports::OutboundAttachment],
    ) -> Result<Committed, ReplyError> {
        let closed = self
            .ports
            .tickets
            .get(id)
            .await
            .map_err(UpdateError::Store)?
            .ok_or(UpdateError::NotFound(id))?;
        let new = NewTicket {
            customer: closed.customer.clone(),
            subject: closed.subject.clone(),
            body: body.to_owned(),
            channel: Channel::Web,
            priority: None,
            category: None,
            tags: Vec::new(),
            actor: Actor::Customer(customer.clone()),
        };
        self.open_following(new, Some(&closed), None, files)
            .await
            .map_err(|e| match e {
                OpenError::Store(s) => ReplyError::Ticket(UpdateError::Store(s)),
                other => ReplyError::Ticket(UpdateError::Invalid(other.to_string())),
            })
    }
}
