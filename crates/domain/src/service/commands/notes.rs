//! Internal notes and system messages: written on the ticket, never mailed.

use super::*;

impl Helpdesk {
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
        self.add_note_with_files(id, author, body, &[]).await
    }

    /// [`Helpdesk::add_note`] with files attached, stored on the note by their content's
    /// address (never mailed).
    ///
    /// # Errors
    /// As [`Helpdesk::add_note`].
    pub async fn add_note_with_files(
        &self,
        id: TicketId,
        author: &Staff,
        body: &str,
        files: &[crate::ports::OutboundAttachment],
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
                super::reply::attach(&mut change, files);
                Ok(change)
            })
            .await?;
        Ok(committed)
    }

    /// A system message on ticket `id`: written by Frontdesk, shown to staff, never mailed.
    pub(in crate::service) fn system_message(
        &self,
        id: TicketId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Message {
        Message::new(self.ports.ids.new_id(), id, MessageKind::System, text, now)
    }
}
