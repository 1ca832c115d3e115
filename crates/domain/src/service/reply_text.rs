//! What a reply says: the text its author wrote, or the assistant's latest draft taken as it is.
//! The API and the pages ask the same rule.

use super::Helpdesk;
use super::commands::{ReplyError, ReplyMode};
use crate::ports::{Committed, StoreError};
use crate::staff::Staff;
use crate::ticket::TicketId;

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

impl Helpdesk {
    /// The assistant's latest draft reply for a ticket, if it has written one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn latest_ai_draft(&self, id: TicketId) -> Result<Option<String>, StoreError> {
        Ok(self
            .ports
            .tickets
            .ai_drafts(id)
            .await?
            .pop()
            .map(|record| record.draft.body))
    }

    /// A staff reply with `text`: written text, or the assistant's latest draft (refused when
    /// there is none). Then as [`Helpdesk::reply`].
    ///
    /// # Errors
    /// [`ReplyError::NoAiDraft`], or as [`Helpdesk::reply`].
    pub async fn staff_reply(
        &self,
        id: TicketId,
        author: &Staff,
        text: ReplyText<'_>,
        mode: ReplyMode,
    ) -> Result<Committed, ReplyError> {
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
        self.reply(id, author, body, mode).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
