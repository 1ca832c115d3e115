//! Use cases: what happens when mail arrives, when staff act, and on each background tick.
//!
//! [`Helpdesk`] holds the ports and settings; each use case lives in its own file as an
//! `impl Helpdesk` block with its own error type. Use cases decide everything in memory and hand
//! storage one [`ChangeSet`](crate::ports::ChangeSet) to commit atomically.

mod assist;
mod background;
mod batch;
mod commands;
mod ingest;
mod intake;
mod machine;
mod mailing;
mod merge;
mod notify;
mod open;
mod receive;
mod reply_text;
mod staff_mail;
mod suggest;

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;

use crate::ai::AutoSendPolicy;
use crate::assignment::Strategy;
use crate::classify::Classifier;
use crate::ports::{
    AutoReplyLog, Clock, IdGenerator, SenderActivity, StaffDirectory, ThreadLookup, TicketQueries,
    TicketRepository,
};
use crate::sla::LiveSla;
use crate::staff::StaffId;
use crate::threading::LoopGuard;

pub use assist::{AssistError, AssistOutcome};
pub use background::{SweepError, SweepReport};
pub use commands::{
    ASSISTANT_NAME, MAX_BODY_BYTES, MAX_REASON_BYTES, NoteError, ReplyError, ReplyMode,
    TicketUpdate, UpdateError,
};
pub use ingest::{Admission, IngestError, IngestOutcome, IngestResult, QuarantineReason};
pub use intake::{FormError, FormFile};
pub use mailing::{AutoAcknowledgement, render_for_ticket, render_template};
pub use notify::Digest;
pub use open::{MAX_SUBJECT_CHARS, NewTicket, OpenError, subject_line};
pub use receive::{RawMail, Received};
pub use reply_text::{ReplyText, Seen, unseen_messages};

/// What the AI assistant does with new customer mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AiMode {
    /// No AI work is queued.
    Off,
    /// Drafts are queued for staff review (the default).
    #[default]
    Draft,
    /// Drafts may be sent automatically when the auto-send guards allow it.
    Auto,
}

/// The ports a [`Helpdesk`] works through.
#[derive(Clone)]
pub struct Ports {
    pub tickets: Arc<dyn TicketRepository>,
    pub queries: Arc<dyn TicketQueries>,
    pub lookup: Arc<dyn ThreadLookup>,
    pub staff: Arc<dyn StaffDirectory>,
    pub auto_replies: Arc<dyn AutoReplyLog>,
    pub activity: Arc<dyn SenderActivity>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl Ports {
    /// Ports served by one store that implements every storage port, as the database adapter
    /// does, plus the clock and id source.
    pub fn from_store<S>(store: Arc<S>, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self
    where
        S: TicketRepository
            + TicketQueries
            + ThreadLookup
            + StaffDirectory
            + AutoReplyLog
            + SenderActivity
            + 'static,
    {
        Self {
            tickets: store.clone(),
            queries: store.clone(),
            lookup: store.clone(),
            staff: store.clone(),
            auto_replies: store.clone(),
            activity: store,
            clock,
            ids,
        }
    }
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports").finish_non_exhaustive()
    }
}

/// How much one sender's mail may make Frontdesk do in an hour. `None` is no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeLimits {
    /// New tickets one address may open by mail; further new mail is quarantined with its raw
    /// bytes (staff can release it).
    pub tickets_per_sender: Option<u32>,
    /// The assistant's drafts queued for one customer's mail; further mail gets none.
    pub ai_jobs_per_sender: Option<u32>,
    /// Acknowledgements to the addresses of one domain; further new tickets get none.
    pub acknowledgements_per_domain: Option<u32>,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            tickets_per_sender: Some(30),
            ai_jobs_per_sender: Some(20),
            acknowledgements_per_domain: Some(20),
        }
    }
}

/// How a backlog import places old mail (`frontdesk-poller import --as …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAs {
    /// History: each ticket is created closed at its mail's date, with no SLA measured.
    Closed,
    /// Work: tickets enter the queue as new; their SLA clocks start at the import, not at the
    /// mail's date (nobody can answer in the past), so no warning or breach is raised for it.
    Open,
    /// Open when the mail is at most this old, closed when older.
    OpenWithin(TimeDelta),
}

impl ImportAs {
    /// Whether a mail dated `at` is imported closed, as of `now`.
    #[must_use]
    pub fn closes(
        self,
        at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        match self {
            Self::Closed => true,
            Self::Open => false,
            Self::OpenWithin(age) => now - at > age,
        }
    }
}

/// Rules and knobs of one helpdesk.
#[derive(Debug, Clone)]
pub struct Settings {
    pub classifier: Classifier,
    pub sla: LiveSla,
    /// Our X-Loop marker, normally the support address.
    pub loop_guard: LoopGuard,
    /// The domain of the Message-IDs we generate (`<uuid@domain>`).
    pub message_id_domain: String,
    /// The acknowledgement mailed to customers on a new ticket; `None` sends none.
    pub auto_acknowledgement: Option<AutoAcknowledgement>,
    pub ai_mode: AiMode,
    /// When auto mode may send the assistant's reply.
    pub auto_send: AutoSendPolicy,
    /// Resolved tickets close by themselves after this long.
    pub auto_close_after: TimeDelta,
    pub assignment: Strategy,
    /// Automatic assignment skips agents with this many active tickets.
    pub max_open_per_agent: Option<u32>,
    /// How many In-Reply-To/References ids threading looks at.
    pub references_cap: usize,
    /// The per-sender and per-domain hourly caps on what mail makes us do.
    pub intake_limits: IntakeLimits,
    /// The authserv-ids of our own receiving mail servers, whose `Authentication-Results`
    /// decide whether a new ticket is acknowledged; empty: the topmost header's (see
    /// [`crate::email::sender_authentication_failure`]).
    pub trusted_authserv_ids: Vec<String>,
    /// Set while importing a backlog ([`Settings::for_backlog`]): mail keeps its own date.
    pub backlog: Option<ImportAs>,
    /// Senders always treated as people, and senders kept out of the queue.
    pub sender_filters: crate::email::LiveFilters,
    /// Where customers reach the help centre, without a trailing slash: the footnotes of a
    /// grounded reply link there. Empty: the links are relative (`/help/…`).
    pub public_url: String,
}

impl Settings {
    /// These settings for importing a backlog: old mail is threaded and classified like live
    /// mail, but gets no acknowledgement and queues no AI draft — nobody wants an answer to a
    /// two-year-old message, or thousands of model calls no one asked for. Nor is it held to
    /// the per-sender ticket cap: an archive an admin imports is not a flood.
    ///
    /// Each mail keeps its own date (its `Date:` header, never later than now) for its
    /// message, its ticket and their events; `import_as` says whether its ticket is history
    /// (closed) or work (open), and a reply to a closed ticket is added to it as history
    /// rather than opening a follow-up.
    #[must_use]
    pub fn for_backlog(mut self, import_as: ImportAs) -> Self {
        self.auto_acknowledgement = None;
        self.ai_mode = AiMode::Off;
        self.intake_limits.tickets_per_sender = None;
        self.backlog = Some(import_as);
        self
    }

    /// Defaults for a helpdesk answering as `support_address`: seed keyword tables, default SLA
    /// policies, AI drafts, auto-close after 7 days, round-robin assignment.
    #[must_use]
    pub fn new(support_address: &crate::EmailAddress) -> Self {
        Self {
            classifier: Classifier::default(),
            sla: LiveSla::default(),
            loop_guard: LoopGuard::new(support_address.as_str()),
            message_id_domain: support_address.domain().to_owned(),
            auto_acknowledgement: None,
            ai_mode: AiMode::Draft,
            auto_send: AutoSendPolicy::default(),
            auto_close_after: TimeDelta::days(7),
            assignment: Strategy::RoundRobin,
            max_open_per_agent: None,
            references_cap: 50,
            intake_limits: IntakeLimits::default(),
            trusted_authserv_ids: Vec::new(),
            backlog: None,
            sender_filters: crate::email::LiveFilters::default(),
            public_url: String::new(),
        }
    }
}

/// The helpdesk's use cases over its ports.
#[derive(Debug)]
pub struct Helpdesk {
    ports: Ports,
    settings: Settings,
    /// Who got the last automatically assigned ticket (the round-robin position). Kept in
    /// memory: after a restart the ring starts over, which is fair enough.
    last_assigned: Mutex<Option<StaffId>>,
}

impl Helpdesk {
    #[must_use]
    pub fn new(ports: Ports, settings: Settings) -> Self {
        Self {
            ports,
            settings,
            last_assigned: Mutex::new(None),
        }
    }

    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The time now, from the helpdesk's clock: what adapters and handlers stamp records with,
    /// so tests can fix it.
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.clock.now()
    }

    /// A new unique id, from the helpdesk's id source.
    #[must_use]
    pub fn new_id(&self) -> uuid::Uuid {
        self.ports.ids.new_id()
    }

    fn new_message_id(&self) -> crate::MessageId {
        let token = self.ports.ids.new_id();
        crate::MessageId::generate(
            &token.simple().to_string(),
            &self.settings.message_id_domain,
        )
        .unwrap_or_else(|_| crate::MessageId::synthetic_from_raw(token.as_bytes()))
    }
}

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod tests;
