//! Mail and AI ports: reading a mailbox, sending mail, keeping drafts, and the AI assistant.

use async_trait::async_trait;

use super::OutboundEmail;
use crate::ai::AiUsage;
use crate::ticket::{Category, Message, Priority, Ticket};

/// A mail or AI adapter failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later (network, server busy, 4xx SMTP replies, rate limits).
    #[error("temporary mail failure: {0}")]
    Transient(String),
    /// Retrying will not help (rejected recipient, message too large, bad credentials).
    #[error("permanent mail failure: {0}")]
    Permanent(String),
}

/// One raw message fetched from a mailbox, with the handle to acknowledge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedMail {
    pub raw: Vec<u8>,
    /// Adapter-specific position: an IMAP UID, a Gmail message id, a Maildir file name.
    pub source_ref: String,
    pub provider_thread: Option<String>,
    /// Set when the message is over the size cap: `raw` then holds only its header, and the
    /// caller quarantines it (and acknowledges it, so it never blocks the mailbox).
    pub oversized: Option<u64>,
}

/// A mailbox Frontdesk reads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailSource: Send + Sync {
    /// Up to `limit` messages not yet acknowledged, oldest first.
    ///
    /// # Errors
    /// [`MailError`] when the mailbox cannot be read.
    async fn fetch(&self, limit: usize) -> Result<Vec<FetchedMail>, MailError>;

    /// Marks a message as done; called only after its ingest transaction committed.
    ///
    /// # Errors
    /// [`MailError`] when the mailbox cannot be updated.
    async fn acknowledge(&self, source_ref: &str) -> Result<(), MailError>;
}

/// Sends mail.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailSender: Send + Sync {
    /// # Errors
    /// [`MailError::Transient`] to retry later, [`MailError::Permanent`] to give up.
    async fn send(&self, mail: &OutboundEmail) -> Result<(), MailError>;
}

/// Keeps reply drafts where staff review them (e.g. Gmail drafts).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DraftStore: Send + Sync {
    /// # Errors
    /// [`MailError`] when the draft cannot be saved.
    async fn save_draft(&self, mail: &OutboundEmail) -> Result<(), MailError>;
}

/// Customer mood as the assistant reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    Negative,
    Neutral,
    Positive,
}

impl Sentiment {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Negative => "negative",
            Self::Neutral => "neutral",
            Self::Positive => "positive",
        }
    }

    /// Parses a name as written by [`Sentiment::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Negative, Self::Neutral, Self::Positive]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The assistant's reading of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub summary: String,
    pub priority: Priority,
    pub category: Category,
    pub sentiment: Sentiment,
    pub language: String,
    pub mentions_order: bool,
    pub mentions_account: bool,
    pub confidence: f32,
    pub usage: AiUsage,
}

/// What the assistant may draw on when drafting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftContext {
    pub agent_name: Option<String>,
    pub signature: Option<String>,
    /// Canned responses as (title, body).
    pub canned_responses: Vec<(String, String)>,
    pub facts: Vec<String>,
    /// The passages to answer from, numbered from 1 in this order; the draft cites them as
    /// `[1]`, `[2]` (see [`crate::grounding`]). Filled per ticket by the AI step.
    pub sources: Vec<crate::grounding::Source>,
    /// The order the ticket is about, as text (status, items, fulfilment, tracking; never
    /// payment details). Filled per ticket by the AI step.
    pub order_facts: Option<String>,
}

/// A drafted reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub body: String,
    pub confidence: f32,
    /// Titles of the canned responses or facts used.
    pub sources: Vec<String>,
    pub usage: AiUsage,
}

/// An AI adapter failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    #[error("AI service unavailable: {0}")]
    Unavailable(String),
    #[error("AI service rejected the request: {0}")]
    Rejected(String),
    #[error("AI answer was malformed: {0}")]
    Malformed(String),
}

impl AiError {
    /// Whether trying again later may succeed (the service was down, slow or busy, or a model
    /// answered badly once); a rejected request fails the same way every time.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        !matches!(self, Self::Rejected(_))
    }
}

/// Analyses tickets and drafts replies.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AiAssistant: Send + Sync {
    /// # Errors
    /// [`AiError`] when the assistant fails; ticket processing carries on without it.
    async fn analyze(&self, ticket: &Ticket, conversation: &[Message])
    -> Result<Analysis, AiError>;

    /// # Errors
    /// [`AiError`] when the assistant fails.
    async fn draft_reply(
        &self,
        ticket: &Ticket,
        conversation: &[Message],
        context: &DraftContext,
    ) -> Result<Draft, AiError>;
}
