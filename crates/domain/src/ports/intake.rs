//! Intake bookkeeping: the quarantine for mail that could not be ingested, and each mailbox's
//! sync position.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// Why mail is held in quarantine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuarantineKind {
    /// It could not be read or placed: unparsable, oversized, no sender, held by a limit.
    #[default]
    Failed,
    /// Machine mail (an auto-reply, bounce, list or bulk mail, spam, a loop) that would have
    /// opened a ticket: kept out of the agents' queue; staff may promote it to a ticket.
    Machine,
}

impl QuarantineKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Machine => "machine",
        }
    }

    /// The kind stored as `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Failed, Self::Machine]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// A quarantined mail: its exact bytes and why it could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedMail {
    pub id: uuid::Uuid,
    /// Where it came from (mailbox and position, or an import path).
    pub source: String,
    /// The way it came in, so reprocessing opens its ticket on the same channel.
    pub channel: crate::ticket::Channel,
    pub raw: Vec<u8>,
    pub error: String,
    pub kind: QuarantineKind,
    /// How often it failed; the same bytes failing again count here instead of a new entry.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once reprocessing succeeded or staff dismissed it.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Keeps mail that failed ingestion, so nothing is ever lost.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Quarantine: Send + Sync {
    /// Stores `raw` with its error, or counts another attempt on the open entry for the same
    /// bytes. Returns the entry's id.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn quarantine(
        &self,
        source: &str,
        channel: crate::ticket::Channel,
        raw: &[u8],
        error: &str,
        kind: QuarantineKind,
        now: DateTime<Utc>,
    ) -> Result<uuid::Uuid, StoreError>;

    /// Open entries first, newest first; of one kind, or every kind with `None`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn quarantined(
        &self,
        include_resolved: bool,
        kind: Option<QuarantineKind>,
        limit: u32,
    ) -> Result<Vec<QuarantinedMail>, StoreError>;

    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn quarantined_mail(&self, id: uuid::Uuid)
    -> Result<Option<QuarantinedMail>, StoreError>;

    /// Marks an entry done.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn resolve(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<(), StoreError>;
}

/// How far a mailbox has been read: the mail source's own position (an IMAP UID, a Gmail
/// history id…), opaque to the domain and to storage. Each source writes and reads its own
/// format; storage keeps the text as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxCursor(String);

impl MailboxCursor {
    /// A position as its mail source writes it.
    #[must_use]
    pub fn new(position: impl Into<String>) -> Self {
        Self(position.into())
    }

    /// The position as its mail source wrote it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Persisted mailbox positions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailboxCursors: Send + Sync {
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn cursor(&self, mailbox: &str) -> Result<Option<MailboxCursor>, StoreError>;

    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn save_cursor(
        &self,
        mailbox: &str,
        cursor: &MailboxCursor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Exclusive, expiring claims on mailboxes, so that several pollers sharing one database do not
/// read the same mailbox at the same time. A poller that dies lets go when its lease expires.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailboxLeases: Send + Sync {
    /// Takes or renews the lease on `mailbox` for `holder` until `until`: granted when nobody
    /// holds it, `holder` already does, or the other holder's lease ran out before `now`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn try_lease(
        &self,
        mailbox: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease up, if `holder` has it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn release(&self, mailbox: &str, holder: &str) -> Result<(), StoreError>;
}

/// Why raw bytes are not a mail Frontdesk can read (the mail is then quarantined with them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseFailure(pub String);

/// Turns raw message bytes into an [`crate::email::InboundEmail`] (the MIME adapter). Pure work
/// on bytes in memory: no I/O, so it is a plain trait.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait MailParser: Send + Sync {
    /// The mail in `raw`, received at `received_at`.
    ///
    /// # Errors
    /// [`ParseFailure`] saying why the bytes cannot be read as a mail.
    fn parse(
        &self,
        raw: &[u8],
        received_at: DateTime<Utc>,
    ) -> Result<crate::email::InboundEmail, ParseFailure>;

    /// The `Message-ID` of bytes that did not parse, when their header still names one.
    fn message_id(&self, raw: &[u8]) -> Option<crate::MessageId>;
}
