//! Work that a use case asks for and the jobs queue carries out later, with retries: outbound
//! mail, AI drafting, notifications. Jobs are committed with the change that causes them, so a
//! reply is never recorded without its mail being queued, nor the other way round.

use crate::email::{EmailAddress, MessageId};
use crate::ticket::{EmailHeaders, TicketId};

/// A file sent with an outbound mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// An e-mail to send, with every header decided by the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEmail {
    /// The ticket the mail belongs to; none for mail about a customer's account (address
    /// confirmation), which belongs to no ticket.
    pub ticket_id: Option<TicketId>,
    /// The ticket message this mail carries, if any (auto-acknowledgements have none).
    pub message: Option<uuid::Uuid>,
    pub to: Vec<EmailAddress>,
    pub subject: String,
    pub message_id: MessageId,
    pub in_reply_to: Option<MessageId>,
    pub references: Vec<MessageId>,
    pub body_text: String,
    pub body_html: Option<String>,
    /// `Auto-Submitted: auto-replied` and our X-Loop go on automatic mail.
    pub automatic: bool,
    pub x_loop: Option<String>,
    pub provider_thread: Option<String>,
    pub attachments: Vec<OutboundAttachment>,
}

/// Why staff are being told something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    SlaWarning,
    SlaBreach,
    Escalated,
    Assigned,
}

impl NotificationKind {
    pub const ALL: [Self; 4] = [
        Self::Assigned,
        Self::SlaWarning,
        Self::SlaBreach,
        Self::Escalated,
    ];

    /// The kind named `name` (as [`Self::as_str`] writes it).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How a digest names it, in the plural: "assigned to you", "SLA warnings".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::SlaWarning => "SLA warning",
            Self::SlaBreach => "SLA breach",
            Self::Escalated => "escalation",
            Self::Assigned => "assigned to you",
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SlaWarning => "sla_warning",
            Self::SlaBreach => "sla_breach",
            Self::Escalated => "escalated",
            Self::Assigned => "assigned",
        }
    }
}

/// A message to staff about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub ticket_id: TicketId,
    pub kind: NotificationKind,
    pub recipients: Vec<EmailAddress>,
    pub subject: String,
    pub body: String,
}

/// One unit of queued work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    SendEmail(Box<OutboundEmail>),
    /// Keep a reply as a draft for staff review (e.g. in Gmail drafts).
    SaveDraft(Box<OutboundEmail>),
    /// Acknowledge a new ticket to its customer; rendered when sent, once the ticket number
    /// exists, by [`Helpdesk::acknowledgement`](crate::service::Helpdesk::acknowledgement).
    AutoAcknowledge {
        ticket_id: TicketId,
        to: EmailAddress,
        answered: Box<EmailHeaders>,
        /// The Message-ID the acknowledgement is sent with, chosen at ingest and recorded as a
        /// thread key of the ticket, so a customer answering it from a client that drops the
        /// subject tag still lands on the ticket. `None` only for jobs queued before ids were
        /// chosen at ingest: one is made when the mail is sent.
        message_id: Option<crate::MessageId>,
    },
    /// Ask the AI assistant to analyse the ticket and draft a reply.
    DraftReply {
        ticket_id: TicketId,
    },
    Notify(Box<Notification>),
    /// POST one ticket event to an outbound webhook (signed when sent).
    DeliverWebhook(Box<WebhookDelivery>),
}

/// One event for one outbound webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The subscription; it may have been changed or removed when the job runs.
    pub webhook: uuid::Uuid,
    pub ticket_id: TicketId,
    /// The audit event's id: receivers deduplicate retried deliveries on it.
    pub event_id: i64,
    /// `ticket.created`, `ticket.updated`, `message.added`, `sla.warning`, `sla.breached`.
    pub event: String,
    /// The JSON body, as it will be signed and sent.
    pub body: String,
}

impl Job {
    /// The ticket the job is about, if any (account mail has none).
    #[must_use]
    pub fn ticket_id(&self) -> Option<TicketId> {
        match self {
            Self::SendEmail(m) | Self::SaveDraft(m) => m.ticket_id,
            Self::AutoAcknowledge { ticket_id, .. } | Self::DraftReply { ticket_id } => {
                Some(*ticket_id)
            }
            Self::Notify(n) => Some(n.ticket_id),
            Self::DeliverWebhook(d) => Some(d.ticket_id),
        }
    }

    /// The job's kind as stored.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SendEmail(_) => "send_email",
            Self::SaveDraft(_) => "save_draft",
            Self::AutoAcknowledge { .. } => "auto_acknowledge",
            Self::DraftReply { .. } => "draft_reply",
            Self::Notify(_) => "notify",
            Self::DeliverWebhook(_) => "deliver_webhook",
        }
    }
}

/// A job handed to one worker, leased until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: uuid::Uuid,
    pub job: Job,
    /// How many times the job has been started, this time included.
    pub attempts: u32,
    pub lease_until: chrono::DateTime<chrono::Utc>,
}

/// The queue of committed jobs. Several workers may claim concurrently; a job whose worker died
/// becomes claimable again when its lease expires, so no job is lost.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait::async_trait]
pub trait JobQueue: Send + Sync {
    /// Claims up to `limit` jobs that are due at `now` (queued with `run_after <= now`, or
    /// running with an expired lease), leasing them for `lease`.
    ///
    /// # Errors
    /// [`StoreError`](super::StoreError) when storage fails.
    async fn claim(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::TimeDelta,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>, super::StoreError>;

    /// Marks a claimed job done.
    ///
    /// # Errors
    /// [`StoreError`](super::StoreError) when storage fails.
    async fn complete(&self, id: uuid::Uuid) -> Result<(), super::StoreError>;

    /// Records a failure: retried at `retry_at`, or failed for good when that is `None`.
    ///
    /// # Errors
    /// [`StoreError`](super::StoreError) when storage fails.
    async fn fail(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), super::StoreError>;
}
