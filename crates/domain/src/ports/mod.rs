//! Ports: the traits adapters implement. Named by role, small, each method documented with the
//! errors it returns. Every port is mockable (`mockall`) behind the `mocks` feature.

mod intake;
mod jobs;
mod knowledge;
mod mail;
mod search;
mod store;

pub use intake::{
    MailParser, MailboxCursor, MailboxCursors, MailboxLeases, ParseFailure, Quarantine,
    QuarantineKind, QuarantinedMail,
};
pub use jobs::{
    ClaimedJob, Job, JobQueue, Notification, NotificationKind, OutboundAttachment, OutboundEmail,
    WebhookDelivery,
};
pub use knowledge::{Embedder, Knowledge, NoKnowledge};
pub use mail::{
    AiAssistant, AiError, Analysis, Draft, DraftContext, DraftStore, FetchedMail, MailError,
    MailSender, MailSource, Sentiment,
};
pub use search::{
    AssigneeFilter, MAX_SEARCH_BYTES, PageCursor, SearchError, SearchTextError, SlaFilter, SortKey,
    TicketFilter, TicketListQuery, TicketPage, TicketSearch, TicketSort, check_search_text,
};
pub use store::{
    Absorb, AgentLoad, AutoReplyLog, ChangeSet, CommitError, Committed, InboundRecord,
    SenderActivity, StaffDirectory, StoreError, StoreFailure, ThreadLookup, TicketQueries,
    TicketRef, TicketRepository, TicketWrite,
};

#[cfg(any(test, feature = "mocks"))]
pub use intake::{MockMailParser, MockMailboxCursors, MockMailboxLeases, MockQuarantine};
#[cfg(any(test, feature = "mocks"))]
pub use jobs::MockJobQueue;
#[cfg(any(test, feature = "mocks"))]
pub use knowledge::{MockEmbedder, MockKnowledge};
#[cfg(any(test, feature = "mocks"))]
pub use mail::{MockAiAssistant, MockDraftStore, MockMailSender, MockMailSource};
#[cfg(any(test, feature = "mocks"))]
pub use search::MockTicketSearch;
#[cfg(any(test, feature = "mocks"))]
pub use store::{
    MockAutoReplyLog, MockSenderActivity, MockStaffDirectory, MockThreadLookup, MockTicketQueries,
    MockTicketRepository,
};

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The current time. Rules never read the system clock directly.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// New unique ids.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    fn new_id(&self) -> Uuid;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// UUID v7 ids: unique, and sortable by creation time, which keeps B-tree indexes compact.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidV7Ids;

impl IdGenerator for UuidV7Ids {
    fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}
