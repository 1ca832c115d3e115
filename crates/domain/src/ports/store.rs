//! Storage ports: reading tickets, committing a change atomically, threading lookups, staff.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Job;
use crate::ai::AiDraftRecord;
use crate::email::{EmailAddress, InboundEmail, MessageId};
use crate::staff::{Role, Staff, StaffId};
use crate::threading::{AutoReplyKind, MergeSuggestion};
use crate::ticket::{Message, Status, Ticket, TicketDraft, TicketEvent, TicketId, TicketNumber};

/// A storage failure that is not the caller's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached right now; retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(#[source] StoreFailure),
    /// Anything else the storage reported.
    #[error("storage error: {0}")]
    Other(#[source] StoreFailure),
}

impl StoreError {
    /// Anything else, described by `message` alone (no underlying error).
    #[must_use]
    pub fn other(message: impl Into<String>) -> Self {
        Self::Other(StoreFailure::new(message))
    }

    /// Unavailable, described by `message` alone.
    #[must_use]
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable(StoreFailure::new(message))
    }
}

/// What storage reported: a message safe to log (never a connection string or a password) and,
/// when there is one, the adapter's own error as the [`std::error::Error::source`], so the
/// whole chain can be logged and inspected.
#[derive(Debug, Clone)]
pub struct StoreFailure {
    message: String,
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
}

impl StoreFailure {
    /// A failure described by `message` alone.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure caused by `source`, described by `message`.
    #[must_use]
    pub fn caused_by(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(std::sync::Arc::new(source)),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Failures are equal when their messages are: what tests and callers can compare.
impl PartialEq for StoreFailure {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl Eq for StoreFailure {}

/// Why a [`ChangeSet`] was not committed. Nothing of it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// The inbound mail's Message-ID is already stored (a second delivery, or a concurrent
    /// process won the race).
    #[error("message {0} is already stored")]
    Duplicate(MessageId),
    /// The ticket changed since it was read (its version moved on).
    #[error("ticket {0} was changed by someone else")]
    Conflict(TicketId),
    #[error("ticket {0} does not exist")]
    NotFound(TicketId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether the change creates a ticket or updates one.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketWrite {
    /// A new ticket; storage allocates its number in the same transaction.
    Create(Box<TicketDraft>),
    /// An updated ticket, written only if its stored version still equals `ticket.version`.
    Update(Box<Ticket>),
}

/// An inbound mail as it is stored: the mail with its raw bytes, the id it is deduplicated on,
/// and its machine-generated class.
#[derive(Debug, Clone)]
pub struct InboundRecord {
    pub mail: Box<InboundEmail>,
    pub message_id: MessageId,
    pub auto_reply: Option<AutoReplyKind>,
}

/// Everything one use case writes, committed in one transaction: all or nothing.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    pub ticket: TicketWrite,
    pub messages: Vec<Message>,
    pub events: Vec<TicketEvent>,
    pub jobs: Vec<Job>,
    /// Message-IDs (own and referenced) that should lead future mail to this ticket.
    pub thread_keys: Vec<MessageId>,
    /// The inbound mails the change records (several when a batch put replies on one ticket).
    pub inbound: Vec<InboundRecord>,
    /// What the AI assistant made of the ticket.
    pub ai_drafts: Vec<AiDraftRecord>,
    /// Tickets merged into this one: their messages, mails and thread keys move here.
    pub absorb: Vec<Absorb>,
    /// Links staff should see between this ticket and one a mail referred to but could not join.
    pub merge_suggestions: Vec<MergeSuggestion>,
    /// Files staff attached to a message of this change, stored by their content's address
    /// (the messages' [`AttachmentMeta`](crate::ticket::AttachmentMeta) name them).
    pub uploads: Vec<crate::ports::OutboundAttachment>,
    /// The intake form's answers a new ticket was opened with, stored beside it.
    pub intake: Option<crate::journey::IntakeRecord>,
}

/// A ticket merged into the one a [`ChangeSet`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absorb {
    pub source: TicketId,
    /// The source is another customer's: its customer and agent messages become staff-only
    /// notes, and its thread keys stay with it (later mail in its threads never lands here).
    pub staff_only: bool,
}

impl ChangeSet {
    /// A change of `ticket` with nothing else yet.
    #[must_use]
    pub fn update(ticket: Ticket) -> Self {
        Self::new(TicketWrite::Update(Box::new(ticket)))
    }

    #[must_use]
    pub fn new(ticket: TicketWrite) -> Self {
        Self {
            ticket,
            messages: Vec::new(),
            events: Vec::new(),
            jobs: Vec::new(),
            thread_keys: Vec::new(),
            inbound: Vec::new(),
            ai_drafts: Vec::new(),
            absorb: Vec::new(),
            merge_suggestions: Vec::new(),
            uploads: Vec::new(),
            intake: None,
        }
    }
}

/// What storage returns after a commit: the ticket as written (number and version set).
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub ticket: Ticket,
}

/// Reading and writing tickets.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TicketRepository: Send + Sync {
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, id: TicketId) -> Result<Option<Ticket>, StoreError>;

    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get_by_number(&self, number: TicketNumber) -> Result<Option<Ticket>, StoreError>;

    /// The messages of a ticket, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn messages(&self, id: TicketId) -> Result<Vec<Message>, StoreError>;

    /// The AI assistant's analyses and drafts for a ticket, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn ai_drafts(&self, id: TicketId) -> Result<Vec<AiDraftRecord>, StoreError>;

    /// Writes a change set atomically.
    ///
    /// # Errors
    /// [`CommitError::Duplicate`] for an inbound Message-ID already stored,
    /// [`CommitError::Conflict`] when the ticket's version moved on, [`CommitError::Store`].
    async fn commit(&self, change: ChangeSet) -> Result<Committed, CommitError>;

    /// Writes several change sets in one transaction: all of them or none. Results come in the
    /// order of `changes`. Used for bulk ingest, where one transaction per mail would cost more
    /// than the work itself.
    ///
    /// # Errors
    /// As [`TicketRepository::commit`], for the first change set that fails; nothing is written.
    async fn commit_batch(&self, changes: Vec<ChangeSet>) -> Result<Vec<Committed>, CommitError>;
}

/// The sets of tickets background work walks through.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TicketQueries: Send + Sync {
    /// Active tickets (not resolved or closed) in id order after `after`, for SLA sweeps.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn active_page(
        &self,
        after: Option<TicketId>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError>;

    /// Active unassigned tickets, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn unassigned(&self, limit: u32) -> Result<Vec<Ticket>, StoreError>;

    /// Resolved tickets resolved at or before `cutoff`, for auto-close.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn resolved_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError>;
}

/// The little threading needs to know about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    pub id: TicketId,
    /// `None` for a ticket created earlier in the same, not yet committed, batch.
    pub number: Option<TicketNumber>,
    pub status: Status,
    pub customer: EmailAddress,
}

/// Lookups that decide where an inbound mail belongs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ThreadLookup: Send + Sync {
    /// The ticket holding a message with this Message-ID, if it was stored already.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn by_message_id(&self, id: &MessageId) -> Result<Option<TicketRef>, StoreError>;

    /// The ticket with this number; for a ticket merged into another, the one it was merged
    /// into, so mail tagged with a duplicate's number joins the surviving conversation.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn by_number(&self, number: TicketNumber) -> Result<Option<TicketRef>, StoreError>;

    /// Which of `ids` are stored already (one round trip for a whole batch).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn known_message_ids(&self, ids: &[MessageId]) -> Result<Vec<MessageId>, StoreError> {
        let mut known = Vec::new();
        for id in ids {
            if self.by_message_id(id).await?.is_some() {
                known.push(id.clone());
            }
        }
        Ok(known)
    }

    /// Every ticket any of these ids leads to (a Message-ID stored on it, or an id one of its
    /// messages referenced), each once, the most recently active first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn by_thread_keys(&self, ids: &[MessageId]) -> Result<Vec<TicketRef>, StoreError>;

    /// The ticket of a Gmail thread.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn by_provider_thread(&self, thread_id: &str) -> Result<Option<TicketRef>, StoreError>;

    /// The ticket's participants, each address once: its customer and every address on From,
    /// To or Cc of the inbound mails stored on it (see [`crate::threading::may_join`]).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn participants(&self, ticket: TicketId) -> Result<Vec<EmailAddress>, StoreError>;
}

/// When a customer last got an automatic reply, to send at most one per day. Storage records
/// the time when it commits a change set holding a [`Job::AutoAcknowledge`] for the address.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AutoReplyLog: Send + Sync {
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn last_auto_reply_to(
        &self,
        to: &EmailAddress,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// How many addresses of `domain` (lower-case) got an automatic reply at or after `since`.
    /// With one reply per address a day, for a window shorter than a day that is the number of
    /// replies sent there.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn auto_replies_to_domain_since(
        &self,
        domain: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError>;
}

/// How much one customer's mail has made Frontdesk do lately, for the per-sender caps on new
/// tickets and on the assistant's work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SenderActivity: Send + Sync {
    /// Tickets of `customer` created at or after `since`, however they were opened.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn tickets_opened_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// [`Job::DraftReply`] jobs queued at or after `since` on tickets of `customer`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn assistant_jobs_since(
        &self,
        customer: &EmailAddress,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError>;
}

/// A staff member with the number of active tickets assigned to them.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentLoad {
    pub staff: Staff,
    pub open_tickets: u32,
}

/// The support team.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait StaffDirectory: Send + Sync {
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, id: StaffId) -> Result<Option<Staff>, StoreError>;

    /// Active staff of these roles.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn with_roles(&self, roles: &[Role]) -> Result<Vec<Staff>, StoreError>;

    /// Every active agent and manager with their current load, for assignment.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn loads(&self) -> Result<Vec<AgentLoad>, StoreError>;

    /// The notification kinds the staff members with these addresses turned off. Addresses of
    /// nobody on staff, or of someone who turned nothing off, are left out.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn muted_notifications(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<(EmailAddress, Vec<super::NotificationKind>)>, StoreError>;
}
