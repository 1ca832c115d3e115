//! Replies to the customer (by staff, or by the assistant on its own), and a reply that could
//! not be delivered.

use super::*;
use crate::ports::OutboundAttachment;
use crate::ticket::AttachmentMeta;

impl Helpdesk {
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
        self.reply_with_files(id, author, body, mode, &[]).await
    }

    /// [`Helpdesk::reply`] with files attached: they go out with the mail and stay on the
    /// message, stored by their content's address.
    ///
    /// # Errors
    /// As [`Helpdesk::reply`].
    pub async fn reply_with_files(
        &self,
        id: TicketId,
        author: &Staff,
        body: &str,
        mode: ReplyMode,
        files: &[OutboundAttachment],
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
                        let mut change =
                            self.reply_change(ticket, answered.as_ref(), body, Some(author), now);
                        attach(&mut change, files);
                        change
                    }
                    ReplyMode::Draft => {
                        let mut mail = self.reply_mail(&ticket, answered.as_ref(), body, false);
                        mail.attachments = files.to_vec();
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
    pub(in crate::service) async fn answered_headers(
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
    pub(in crate::service) fn reply_mail(
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
    pub(in crate::service) fn reply_change(
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
}

/// Puts `files` on the message `change` carries (a reply, a note or a customer's message, by
/// content address), on its mail if it has one, and into the change's stored files.
pub(crate) fn attach(change: &mut ChangeSet, files: &[OutboundAttachment]) {
    if files.is_empty() {
        return;
    }
    if let Some(message) = change
        .messages
        .iter_mut()
        .find(|m| m.kind != MessageKind::System)
    {
        message.attachments = files
            .iter()
            .map(|f| AttachmentMeta {
                sha256: crate::email::content_address(&f.content),
                filename: Some(f.filename.clone()),
                content_type: f.content_type.clone(),
                size: u64::try_from(f.content.len()).unwrap_or(u64::MAX),
                inline: false,
                content_id: None,
            })
            .collect();
    }
    for job in &mut change.jobs {
        if let Job::SendEmail(mail) = job {
            mail.attachments = files.to_vec();
        }
    }
    change.uploads = files.to_vec();
}
