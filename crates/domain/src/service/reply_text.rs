//! What a reply says: the text its author wrote, or the assistant's latest draft taken as it is;
//! and whether its author saw what came meanwhile. The API and the pages ask the same rules.

use super::Helpdesk;
use super::commands::{ReplyError, ReplyMode, UpdateError};
use crate::ports::{Committed, StoreError};
use crate::staff::{Staff, StaffId};
use crate::ticket::{Message, MessageKind, TicketId};

/// The text of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyText<'a> {
    /// What the author wrote.
    Written(&'a str),
    /// The assistant's latest draft for the ticket, unedited.
    LatestAiDraft,
}

impl<'a> ReplyText<'a> {
    /// The text a request names: the assistant's draft when it asks for it and wrote nothing,
    /// else what it wrote (written text always wins over the draft).
    #[must_use]
    pub fn from_request(written: &'a str, use_ai_draft: bool) -> Self {
        if use_ai_draft && written.trim().is_empty() {
            Self::LatestAiDraft
        } else {
            Self::Written(written)
        }
    }

    /// What a customer's reply may be: their own words, sent now — never the assistant's
    /// draft (it is staff's working material), never a draft kept for review.
    ///
    /// # Errors
    /// [`ReplyError::CustomersSendAsWritten`] otherwise.
    pub fn from_customer(self, mode: ReplyMode) -> Result<&'a str, ReplyError> {
        match (self, mode) {
            (Self::Written(text), ReplyMode::Send) => Ok(text),
            _ => Err(ReplyError::CustomersSendAsWritten),
        }
    }
}

/// What a reply's author had seen of the ticket when they wrote it: the guard against replying
/// blind to what arrived meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The ticket's revision (the API's `seen_version` or `If-Match`): any change since holds
    /// the reply back.
    Revision(u64),
    /// The newest message on the author's screen (`None`: there was none): only the customer's
    /// later messages and other staff's later replies hold it back.
    LastMessage(Option<uuid::Uuid>),
}

/// The messages after `last_seen` that a reply must not ignore: the customer's, and replies of
/// staff other than `author` (notes and system lines do not count). A `last_seen` that is not
/// on the ticket counts as having seen nothing.
#[must_use]
pub fn unseen_messages(
    messages: &[Message],
    last_seen: Option<uuid::Uuid>,
    author: StaffId,
) -> Vec<&Message> {
    let after = last_seen
        .and_then(|id| messages.iter().position(|m| m.id == id))
        .map_or(0, |i| i + 1);
    messages[after..]
        .iter()
        .filter(|m| match m.kind {
            MessageKind::Customer => true,
            MessageKind::Agent => m.author_staff != Some(author),
            MessageKind::Note | MessageKind::System => false,
        })
        .collect()
}

impl Helpdesk {
    /// The assistant's latest draft reply for a ticket as the customer reads it (cited
    /// articles as footnotes), if it has written one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn latest_ai_draft(&self, id: TicketId) -> Result<Option<String>, StoreError> {
        Ok(self.ports.tickets.ai_drafts(id).await?.pop().map(|record| {
            crate::grounding::for_customer(
                &record.draft.body,
                &record.citations,
                &self.settings.public_url,
            )
        }))
    }

    /// A staff reply with `text`: written text, or the assistant's latest draft (refused when
    /// there is none), held back when the author has not `seen` what came since. Then as
    /// [`Helpdesk::reply`].
    ///
    /// # Errors
    /// [`ReplyError::NewActivity`], [`ReplyError::NoAiDraft`], or as [`Helpdesk::reply`].
    pub async fn staff_reply(
        &self,
        id: TicketId,
        author: &Staff,
        text: ReplyText<'_>,
        mode: ReplyMode,
        seen: Option<Seen>,
    ) -> Result<Committed, ReplyError> {
        self.staff_reply_with_files(id, author, text, mode, seen, &[])
            .await
    }

    /// [`Helpdesk::staff_reply`] with files attached ([`Helpdesk::reply_with_files`]).
    ///
    /// # Errors
    /// As [`Helpdesk::staff_reply`].
    pub async fn staff_reply_with_files(
        &self,
        id: TicketId,
        author: &Staff,
        text: ReplyText<'_>,
        mode: ReplyMode,
        seen: Option<Seen>,
        files: &[crate::ports::OutboundAttachment],
    ) -> Result<Committed, ReplyError> {
        match seen {
            Some(Seen::LastMessage(last)) => {
                let messages = self
                    .ports
                    .tickets
                    .messages(id)
                    .await
                    .map_err(|e| ReplyError::Ticket(e.into()))?;
                let unseen = unseen_messages(&messages, last, author.id).len();
                if unseen > 0 {
                    return Err(ReplyError::NewActivity(Some(unseen)));
                }
            }
            Some(Seen::Revision(revision)) => {
                let ticket = self
                    .ports
                    .tickets
                    .get(id)
                    .await
                    .map_err(|e| ReplyError::Ticket(e.into()))?
                    .ok_or(ReplyError::Ticket(UpdateError::NotFound(id)))?;
                if ticket.revision != revision {
                    return Err(ReplyError::NewActivity(None));
                }
            }
            None => {}
        }
        let draft;
        let body = match text {
            ReplyText::Written(body) => body,
            ReplyText::LatestAiDraft => {
                draft = self
                    .latest_ai_draft(id)
                    .await
                    .map_err(|e| ReplyError::Ticket(e.into()))?
                    .ok_or(ReplyError::NoAiDraft)?;
                &draft
            }
        };
        self.reply_with_files(id, author, body, mode, files).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: MessageKind, author: Option<StaffId>) -> Message {
        let mut m = Message::new(
            uuid::Uuid::now_v7(),
            TicketId::from_uuid(uuid::Uuid::now_v7()),
            kind,
            "text",
            chrono::Utc::now(),
        );
        m.author_staff = author;
        m
    }

    #[test]
    fn only_the_customers_and_colleagues_later_messages_hold_a_reply_back() {
        let me = StaffId::from_uuid(uuid::Uuid::now_v7());
        let colleague = StaffId::from_uuid(uuid::Uuid::now_v7());
        let first = message(MessageKind::Customer, None);
        let seen = first.id;
        let thread = vec![
            first,
            message(MessageKind::Note, Some(colleague)),
            message(MessageKind::System, None),
            message(MessageKind::Agent, Some(me)),
        ];
        assert!(unseen_messages(&thread, Some(seen), me).is_empty());
        let mut later = thread.clone();
        later.push(message(MessageKind::Agent, Some(colleague)));
        assert_eq!(unseen_messages(&later, Some(seen), me).len(), 1);
        later.push(message(MessageKind::Customer, None));
        assert_eq!(unseen_messages(&later, Some(seen), me).len(), 2);
        // Seen the newest: nothing held.
        let newest = later.last().map(|m| m.id);
        assert!(unseen_messages(&later, newest, me).is_empty());
        // Nothing seen, or a message from elsewhere: every public message counts.
        assert_eq!(unseen_messages(&later, None, me).len(), 3);
        assert_eq!(
            unseen_messages(&later, Some(uuid::Uuid::now_v7()), me).len(),
            3
        );
    }

    #[test]
    fn written_text_wins_over_the_draft() {
        assert_eq!(
            ReplyText::from_request("Thanks!", true),
            ReplyText::Written("Thanks!")
        );
        assert_eq!(
            ReplyText::from_request("  \n", true),
            ReplyText::LatestAiDraft
        );
        assert_eq!(ReplyText::from_request("", false), ReplyText::Written(""));
    }

    #[test]
    fn customers_send_their_own_words_now() {
        assert_eq!(
            ReplyText::Written("hello").from_customer(ReplyMode::Send),
            Ok("hello")
        );
        assert_eq!(
            ReplyText::Written("hello").from_customer(ReplyMode::Draft),
            Err(ReplyError::CustomersSendAsWritten)
        );
        assert_eq!(
            ReplyText::LatestAiDraft.from_customer(ReplyMode::Send),
            Err(ReplyError::CustomersSendAsWritten)
        );
    }
}
