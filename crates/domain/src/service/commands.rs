//! What staff do to a ticket: reply, add a note, change fields, escalate.

use chrono::DateTime;
use chrono::Utc;

use super::Helpdesk;
use crate::ai::AutoReplyEffect;
use crate::ports::{
    ChangeSet, CommitError, Committed, Job, Notification, NotificationKind, OutboundEmail,
    StoreError,
};
use crate::staff::{Role, Staff, StaffId};
use crate::threading::reply_headers;
use crate::ticket::{
    Actor, Category, EmailHeaders, EventKind, Message, MessageKind, Priority, Status, Ticket,
    TicketEvent, TicketId, TransitionError,
};

/// The longest escalation reason, in bytes.
pub const MAX_REASON_BYTES: usize = 2000;
/// The longest message body staff may post, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
pub(super) const CONFLICT_RETRIES: usize = 3;
/// The author name on replies Frontdesk's assistant sends by itself.
pub const ASSISTANT_NAME: &str = "Frontdesk assistant";

/// Why a change to a ticket failed. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("ticket {0} does not exist")]
    NotFound(TicketId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The caller's expected version (an `If-Match` ETag) is stale, or the ticket kept changing.
    #[error("ticket {0} was changed by someone else; reload it and try again")]
    Conflict(TicketId),
    #[error("invalid change: {0}")]
    Invalid(String),
    /// Someone else has the ticket; taking it would silently reassign it.
    #[error("ticket {0} is assigned to someone else")]
    Taken(TicketId),
    #[error(transparent)]
    Merge(#[from] crate::ticket::MergeRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError> for UpdateError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Conflict(id) => Self::Conflict(id),
            CommitError::NotFound(id) => Self::NotFound(id),
            CommitError::Store(s) => Self::Store(s),
            CommitError::Duplicate(id) => {
                Self::Store(StoreError::other(format!("duplicate message {id}")))
            }
        }
    }
}

/// Why a reply failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("a reply needs some text")]
    EmptyBody,
    #[error("a reply may be at most {MAX_BODY_BYTES} bytes")]
    TooLong,
    /// The assistant's draft was asked for and it has written none.
    #[error("the ticket has no AI draft yet")]
    NoAiDraft,
    /// A customer asked to send the assistant's draft or to keep a draft.
    #[error("customers send their replies as they are")]
    CustomersSendAsWritten,
    #[error(transparent)]
    Ticket(#[from] UpdateError),
}

/// Why a note failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a note needs some text")]
    EmptyBody,
    #[error("a note may be at most {MAX_BODY_BYTES} bytes")]
    TooLong,
    #[error(transparent)]
    Ticket(#[from] UpdateError),
}

/// Send the reply now, or keep it as a draft for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    Send,
    Draft,
}

/// A partial change of a ticket's fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketUpdate {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<StaffId>>,
    pub tags: Option<Vec<String>>,
    /// Apply only if the ticket is still at this revision (its ETag: optimistic locking).
    pub expected_version: Option<u64>,
}

fn check_body(body: &str) -> Result<&str, bool> {
    let body = body.trim();
    if body.is_empty() {
        Err(true)
    } else if body.len() > MAX_BODY_BYTES {
        Err(false)
    } else {
        Ok(body)
    }
}

impl Helpdesk {
    /// Loads a ticket, lets `plan` turn it into a change set, commits; re-reads and re-plans
    /// when someone else changed the ticket in between.
    pub(super) async fn change_ticket<F>(
        &self,
        id: TicketId,
        mut plan: F,
    ) -> Result<Committed, UpdateError>
    where
        F: FnMut(Ticket, DateTime<Utc>) -> Result<ChangeSet, UpdateError> + Send,
    {
        self.change_ticket_if(id, |ticket, now| plan(ticket, now).map(Some))
            .await
    }

    /// [`Self::change_ticket`] for a plan that may find nothing to change (`None`): then nothing
    /// is written, and the ticket comes back as it was (its version unbumped).
    pub(super) async fn change_ticket_if<F>(
        &self,
        id: TicketId,
        mut plan: F,
    ) -> Result<Committed, UpdateError>
    where
        F: FnMut(Ticket, DateTime<Utc>) -> Result<Option<ChangeSet>, UpdateError> + Send,
    {
        let mut attempt = 0;
        loop {
            let ticket = self
                .ports
                .tickets
                .get(id)
                .await?
                .ok_or(UpdateError::NotFound(id))?;
            let Some(change) = plan(ticket.clone(), self.ports.clock.now())? else {
                return Ok(Committed { ticket });
            };
            match self.ports.tickets.commit(change).await {
                Err(CommitError::Conflict(_)) if attempt < CONFLICT_RETRIES => attempt += 1,
                other => return other.map_err(UpdateError::from),
            }
        }
    }

    /// Replies to the customer. `Send` records the message, sets the first response and queues
    /// the mail; `Draft` only queues a draft for review.
    ///
    /// # Errors
    /// [`ReplyError`] for an empty or huge body, a missing ticket, or a storage failure.
    pub async fn reply(
        &self,
        id: TicketId,
        author: &Staff,
        body: &str,
        mode: ReplyMode,
    ) -> Result<Committed, ReplyError> {
        let body = check_body(body).map_err(|empty| {
            if empty {
                ReplyError::EmptyBody
            } else {
                ReplyError::TooLong
            }
        })?;
        let answered = self.answered_headers(id).await?;
        let committed = self
            .change_ticket(id, |ticket, now| {
                Ok(match mode {
                    ReplyMode::Send => {
                        self.reply_change(ticket, answered.as_ref(), body, Some(author), now)
                    }
                    ReplyMode::Draft => {
                        let mail = self.reply_mail(&ticket, answered.as_ref(), body, false);
                        let mut change = ChangeSet::update(ticket);
                        change.jobs.push(Job::SaveDraft(Box::new(mail)));
                        change
                    }
                })
            })
            .await?;
        Ok(committed)
    }

    /// The headers of the customer's latest mail on the ticket, which a reply answers.
    pub(super) async fn answered_headers(
        &self,
        id: TicketId,
    ) -> Result<Option<EmailHeaders>, UpdateError> {
        Ok(self
            .ports
            .tickets
            .messages(id)
            .await?
            .into_iter()
            .rev()
            .find(|m| m.kind == MessageKind::Customer && m.auto_reply.is_none())
            .and_then(|m| m.email))
    }

    /// The mail answering `answered` on `ticket` with `body`, threaded and tagged. `automatic`
    /// marks it `Auto-Submitted: auto-replied` with our X-Loop.
    pub(super) fn reply_mail(
        &self,
        ticket: &Ticket,
        answered: Option<&EmailHeaders>,
        body: &str,
        automatic: bool,
    ) -> OutboundEmail {
        let headers = reply_headers(&ticket.subject, ticket.number, answered, automatic);
        OutboundEmail {
            ticket_id: Some(ticket.id),
            message: None,
            to: vec![ticket.customer.email.clone()],
            subject: headers.subject,
            message_id: self.new_message_id(),
            in_reply_to: headers.in_reply_to,
            references: headers.references,
            body_text: body.to_owned(),
            body_html: None,
            automatic,
            x_loop: automatic.then(|| self.settings.loop_guard.x_loop().to_owned()),
            provider_thread: ticket.provider_thread.clone(),
            attachments: Vec::new(),
        }
    }

    /// A reply sent to the customer: the agent message on the ticket (first response, reopen
    /// rules), its thread key and the mail job. `author` `None` is Frontdesk's assistant
    /// replying by itself, sent as an automatic reply.
    pub(super) fn reply_change(
        &self,
        mut ticket: Ticket,
        answered: Option<&EmailHeaders>,
        body: &str,
        author: Option<&Staff>,
        now: DateTime<Utc>,
    ) -> ChangeSet {
        let id = ticket.id;
        let mail = self.reply_mail(&ticket, answered, body, author.is_none());
        let mut message = Message::new(self.ports.ids.new_id(), id, MessageKind::Agent, body, now);
        let actor = match author {
            Some(author) => {
                message.author_staff = Some(author.id);
                message.author_name = Some(author.name.clone());
                message.author_email = Some(author.email.clone());
                Actor::Staff(author.id)
            }
            None => {
                message.author_name = Some(ASSISTANT_NAME.to_owned());
                Actor::System
            }
        };
        message.email = Some(EmailHeaders {
            message_id: mail.message_id.clone(),
            in_reply_to: mail.in_reply_to.clone(),
            references: mail.references.clone(),
        });
        let mut events = vec![EventKind::MessageAdded {
            kind: MessageKind::Agent,
        }];
        let sla = self.settings.sla.current();
        events.extend(match author {
            Some(_) => ticket.record_agent_reply(now, &sla),
            None => {
                let resolves = self.settings.auto_send.effect == AutoReplyEffect::Resolving;
                ticket.record_automatic_reply(now, &sla, resolves)
            }
        });
        let mail = OutboundEmail {
            message: Some(message.id),
            ..mail
        };
        let mut change = ChangeSet::update(ticket);
        change.thread_keys.push(mail.message_id.clone());
        change.messages.push(message);
        change.events = events
            .into_iter()
            .map(|k| TicketEvent::new(id, now, actor.clone(), k))
            .collect();
        change.jobs.push(Job::SendEmail(Box::new(mail)));
        change
    }

    /// Adds an internal note; it is never mailed and never shown to the customer.
    ///
    /// # Errors
    /// [`NoteError`] for an empty or huge body, a missing ticket, or a storage failure.
    pub async fn add_note(
        &self,
        id: TicketId,
        author: &Staff,
        body: &str,
    ) -> Result<Committed, NoteError> {
        let body = check_body(body).map_err(|empty| {
            if empty {
                NoteError::EmptyBody
            } else {
                NoteError::TooLong
            }
        })?;
        let committed = self
            .change_ticket(id, |ticket, now| {
                let mut note =
                    Message::new(self.ports.ids.new_id(), id, MessageKind::Note, body, now);
                note.author_staff = Some(author.id);
                note.author_name = Some(author.name.clone());
                let mut change = ChangeSet::update(ticket);
                change.messages.push(note);
                let kind = EventKind::MessageAdded {
                    kind: MessageKind::Note,
                };
                change
                    .events
                    .push(TicketEvent::new(id, now, Actor::Staff(author.id), kind));
                Ok(change)
            })
            .await?;
        Ok(committed)
    }

    /// Notes on the ticket that `mail` could not be delivered, for good, and why. Staff see the
    /// system message; it is never mailed.
    ///
    /// # Errors
    /// [`UpdateError`] for a missing ticket or a storage failure.
    pub async fn record_delivery_failure(
        &self,
        id: TicketId,
        mail: &OutboundEmail,
        error: &str,
    ) -> Result<Committed, UpdateError> {
        let to: Vec<&str> = mail.to.iter().map(crate::EmailAddress::as_str).collect();
        let text = format!(
            "The reply \"{}\" to {} could not be delivered: {error}",
            mail.subject,
            to.join(", ")
        );
        self.change_ticket(id, |ticket, now| {
            let mut change = ChangeSet::update(ticket);
            change.messages.push(self.system_message(id, &text, now));
            change.events.push(TicketEvent::new(
                id,
                now,
                Actor::System,
                EventKind::MessageAdded {
                    kind: MessageKind::System,
                },
            ));
            Ok(change)
        })
        .await
    }

    /// A system message on ticket `id`: written by Frontdesk, shown to staff, never mailed.
    pub(super) fn system_message(&self, id: TicketId, text: &str, now: DateTime<Utc>) -> Message {
        Message::new(self.ports.ids.new_id(), id, MessageKind::System, text, now)
    }

    /// Changes status, priority, category, assignee and tags in one step. A change that changes
    /// nothing (`PATCH {}`, or every field as it is) writes nothing.
    ///
    /// # Errors
    /// [`UpdateError::Conflict`] for a stale `expected_version`, [`UpdateError::Transition`] for
    /// a forbidden status change, [`UpdateError::Invalid`] for an unknown or inactive assignee.
    pub async fn update(
        &self,
        id: TicketId,
        actor: Actor,
        update: TicketUpdate,
    ) -> Result<Committed, UpdateError> {
        if let Some(Some(staff_id)) = update.assignee {
            let staff = self.ports.staff.get(staff_id).await?;
            if !staff.is_some_and(|s| s.active) {
                return Err(UpdateError::Invalid(format!(
                    "staff {staff_id} does not exist or is inactive"
                )));
            }
        }
        let sla = &*self.settings.sla.current();
        self.change_ticket_if(id, |mut ticket, now| {
            if update
                .expected_version
                .is_some_and(|v| v != ticket.revision)
            {
                return Err(UpdateError::Conflict(id));
            }
            let mut kinds = Vec::new();
            if let Some(p) = update.priority {
                kinds.extend(ticket.set_priority(p, now, sla));
            }
            if let Some(c) = update.category {
                kinds.extend(ticket.set_category(c, now, sla));
            }
            if let Some(s) = update.status {
                kinds.extend(ticket.change_status(s, now, sla)?);
            }
            if let Some(a) = update.assignee {
                kinds.extend(ticket.assign(a, now));
            }
            if let Some(tags) = update.tags.clone() {
                kinds.extend(ticket.set_tags(tags, now));
            }
            if kinds.is_empty() {
                return Ok(None);
            }
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, actor.clone(), k))
                .collect();
            Ok(Some(change))
        })
        .await
    }

    /// Assigns the ticket to `staff`, who takes it from the queue. A ticket someone else has is
    /// [`UpdateError::Taken`]: reassigning is a deliberate [`Helpdesk::update`].
    ///
    /// # Errors
    /// [`UpdateError::Taken`], a missing ticket, or a storage failure.
    pub async fn take(&self, id: TicketId, staff: &Staff) -> Result<Committed, UpdateError> {
        self.change_ticket(id, |mut ticket, now| {
            if ticket.assignee.is_some_and(|a| a != staff.id) {
                return Err(UpdateError::Taken(id));
            }
            let kinds = ticket.assign(Some(staff.id), now);
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, Actor::Staff(staff.id), k))
                .collect();
            Ok(change)
        })
        .await
    }

    /// Escalates by hand: one level up, priority raised per policy, a system message on the
    /// ticket and a notification to the managers.
    ///
    /// # Errors
    /// [`UpdateError::Invalid`] for a blank reason or one over [`MAX_REASON_BYTES`];
    /// [`UpdateError`] for a missing ticket or a storage failure.
    pub async fn escalate(
        &self,
        id: TicketId,
        actor: Actor,
        reason: &str,
    ) -> Result<Committed, UpdateError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > MAX_REASON_BYTES {
            return Err(UpdateError::Invalid(format!(
                "an escalation needs a reason of 1 to {MAX_REASON_BYTES} bytes"
            )));
        }
        let managers = self.manager_addresses().await?;
        self.change_ticket(id, |mut ticket, now| {
            let kinds = ticket.escalate(reason, now, &self.settings.sla.current());
            let text = format!("Escalated to level {}: {reason}", ticket.escalation_level);
            let notify = self.notification(
                &ticket,
                NotificationKind::Escalated,
                managers.clone(),
                &text,
            );
            let mut change = ChangeSet::update(ticket);
            change.messages.push(self.system_message(id, &text, now));
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, actor.clone(), k))
                .collect();
            change.jobs.extend(notify);
            Ok(change)
        })
        .await
    }

    pub(super) async fn manager_addresses(&self) -> Result<Vec<crate::EmailAddress>, StoreError> {
        let managers = self.ports.staff.with_roles(&[Role::Manager]).await?;
        Ok(managers
            .into_iter()
            .filter(|m| m.active)
            .map(|m| m.email)
            .collect())
    }

    /// The notification jobs about `ticket`, one per recipient (none when nobody is to be told).
    pub(super) fn notification(
        &self,
        ticket: &Ticket,
        kind: NotificationKind,
        recipients: Vec<crate::EmailAddress>,
        text: &str,
    ) -> Vec<Job> {
        // One job per person: each is settled with that person's digest, so a failure to mail
        // one person never resends to another.
        recipients
            .into_iter()
            .map(|to| {
                Job::Notify(Box::new(Notification {
                    ticket_id: ticket.id,
                    kind,
                    recipients: vec![to],
                    subject: format!(
                        "{} {}",
                        ticket.number.tag(),
                        text.lines().next().unwrap_or(text)
                    ),
                    body: format!(
                        "{text}\n\nTicket {}: {}\nCustomer: {}",
                        ticket.number, ticket.subject, ticket.customer.email
                    ),
                }))
            })
            .collect()
    }
}
