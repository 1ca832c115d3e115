//! The JSON shapes the API answers with, built from domain types. Text is returned exactly as
//! stored: the API never renders HTML, so markup in a subject or a message stays inert data for
//! the client to escape.

use chrono::{DateTime, Utc};
use frontdesk_domain::ai::AiDraftRecord;
use frontdesk_domain::ports::QuarantineKind;
use frontdesk_domain::service::Received;
use frontdesk_domain::sla::{ClockStatus, SlaPolicies};
use frontdesk_domain::staff::Staff;
use frontdesk_domain::threading::SuggestedLink;
use frontdesk_domain::ticket::{AttachmentMeta, Message, Ticket};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A staff member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `admin`, `manager` or `agent`.
    pub role: String,
    /// `available`, `busy`, `away` or `offline`.
    pub availability: String,
    pub active: bool,
    /// Working hours, e.g. `{"time_zone": "Europe/Berlin", "days": ["mon", …], "start": "09:00", "end": "17:00"}`.
    #[schema(value_type = Option<Object>)]
    pub shift: Option<serde_json::Value>,
}

impl From<&Staff> for StaffView {
    fn from(s: &Staff) -> Self {
        Self {
            id: s.id.as_uuid(),
            email: s.email.as_str().to_owned(),
            name: s.name.clone(),
            role: s.role.as_str().to_owned(),
            availability: s.availability.as_str().to_owned(),
            active: s.active,
            shift: s.shift.as_ref().map(|w| {
                serde_json::json!({
                    "time_zone": w.time_zone().name(),
                    "days": w.days().iter().map(|d| d.to_string().to_lowercase()).collect::<Vec<_>>(),
                    "start": w.start().format("%H:%M").to_string(),
                    "end": w.end().format("%H:%M").to_string(),
                })
            }),
        }
    }
}

/// The customer of a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerView {
    pub email: String,
    pub name: Option<String>,
}

/// One SLA clock at the time of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockView {
    /// `ok`, `warning`, `breached` or `met`.
    pub state: &'static str,
    pub paused: bool,
    /// Counted seconds left (negative once breached).
    pub remaining_secs: i64,
    /// The deadline while the clock runs.
    pub due_at: Option<DateTime<Utc>>,
    pub target_secs: i64,
    /// At a glance: `green` (over half the target left), `amber` (half down to the warning),
    /// `red` (warning or breached), `done` (met).
    pub band: &'static str,
}

impl ClockView {
    fn new(status: ClockStatus, target: chrono::TimeDelta) -> Self {
        Self {
            band: status.band(target).as_str(),
            state: status.state.as_str(),
            paused: status.paused,
            remaining_secs: status.remaining.num_seconds(),
            due_at: status.due_at,
            target_secs: target.num_seconds(),
        }
    }
}

/// Both SLA clocks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaView {
    pub first_response: ClockView,
    pub resolution: ClockView,
}

/// A ticket as listed. Customers get the reduced view ([`TicketView::for_customer`]): no
/// priority, category, assignee, tags, escalation, version or SLA clocks, which are staff's
/// working data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: Uuid,
    /// `TKT-000123`.
    pub number: String,
    pub subject: String,
    /// `new`, `open`, `pending`, `on_hold`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `medium`, `high` or `urgent` (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// `order`, `product`, `billing`, `technical` or `other` (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `email`, `web`, `api`, `zendesk` or `intercom`.
    pub channel: String,
    pub customer: CustomerView,
    /// Staff only; `null` when unassigned.
    #[serde(skip_serializing_if = "Staffside::is_hidden")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee: Staffside<Uuid>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_level: Option<u32>,
    pub follow_up_of: Option<Uuid>,
    /// Set when this ticket was merged into another (and closed).
    pub merged_into: Option<Uuid>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send it back as `If-Match: "<version>"` to change the ticket only if nobody else did
    /// (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaView>,
    /// The customer's rating, on a single ticket (`GET /api/tickets/{id}`): `{rating, comment,
    /// at}`, or `null` before one. Not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SatisfactionView>)]
    pub satisfaction: Option<Option<SatisfactionView>>,
    /// When the first answer is due, while that is a promise worth showing (the first-response
    /// clock runs and is not overdue); `null` otherwise. Customers see it too.
    pub expected_reply_by: Option<DateTime<Utc>>,
}

/// A ticket's satisfaction rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SatisfactionView {
    /// `good`, `okay` or `bad`.
    pub rating: &'static str,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&frontdesk_adapters_db::RatingRecord> for SatisfactionView {
    fn from(r: &frontdesk_adapters_db::RatingRecord) -> Self {
        Self {
            rating: r.rating.as_str(),
            comment: r.comment.clone(),
            at: r.rated_at,
        }
    }
}

/// A field only staff see: its value (which may itself be `null`), or hidden from customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staffside<T> {
    Shown(Option<T>),
    Hidden,
}

impl<T> Staffside<T> {
    fn is_hidden(&self) -> bool {
        matches!(self, Self::Hidden)
    }

    /// The value, when shown (which may itself be none).
    #[must_use]
    pub fn visible(&self) -> Option<&Option<T>> {
        match self {
            Self::Shown(v) => Some(v),
            Self::Hidden => None,
        }
    }
}

impl<T: Serialize> Serialize for Staffside<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Shown(v) => v.serialize(s),
            Self::Hidden => s.serialize_none(),
        }
    }
}

impl TicketView {
    #[must_use]
    pub fn new(t: &Ticket, sla: &SlaPolicies, now: DateTime<Utc>) -> Self {
        let first = sla.status(&t.sla.first_response, now);
        Self {
            expected_reply_by: first.promise(),
            id: t.id.as_uuid(),
            number: t.number.to_string(),
            subject: t.subject.clone(),
            status: t.status.as_str().to_owned(),
            priority: Some(t.priority.as_str().to_owned()),
            category: Some(t.category.as_str().to_owned()),
            channel: t.channel.as_str().to_owned(),
            customer: CustomerView {
                email: t.customer.email.as_str().to_owned(),
                name: t.customer.name.clone(),
            },
            assignee: Staffside::Shown(t.assignee.map(frontdesk_domain::staff::StaffId::as_uuid)),
            tags: Some(t.tags.clone()),
            escalation_level: Some(t.escalation_level),
            follow_up_of: t.follow_up_of.map(frontdesk_domain::TicketId::as_uuid),
            merged_into: t.merged_into.map(frontdesk_domain::TicketId::as_uuid),
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: Some(t.revision),
            sla: Some(SlaView {
                first_response: ClockView::new(first, t.sla.first_response.target),
                resolution: ClockView::new(
                    sla.status(&t.sla.resolution, now),
                    t.sla.resolution.target,
                ),
            }),
            satisfaction: None,
        }
    }

    /// The view for `customer` (a customer caller) or staff.
    #[must_use]
    pub fn for_caller(customer: bool, t: &Ticket, sla: &SlaPolicies, now: DateTime<Utc>) -> Self {
        let view = Self::new(t, sla, now);
        if customer { view.for_customer() } else { view }
    }

    /// Without the fields only staff see.
    #[must_use]
    pub fn for_customer(self) -> Self {
        Self {
            priority: None,
            category: None,
            assignee: Staffside::Hidden,
            tags: None,
            escalation_level: None,
            version: None,
            sla: None,
            ..self
        }
    }
}

/// An attachment's description; download it from its `url`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    /// The attachment's id within the ticket (its content's SHA-256).
    pub id: String,
    pub filename: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub inline: bool,
    pub url: String,
}

impl AttachmentView {
    fn new(ticket: Uuid, a: &AttachmentMeta) -> Self {
        Self {
            id: a.sha256.clone(),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            inline: a.inline,
            url: format!("/api/tickets/{ticket}/attachments/{}", a.sha256),
        }
    }
}

/// The mail headers of a message that came or went by e-mail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailView {
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    /// `customer`, `agent`, `system` or `note` (notes are never shown to customers).
    pub kind: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author_staff: Option<Uuid>,
    /// The new text of the message (quoted history split off).
    pub body: String,
    /// The whole text, quoted history included, when it differs.
    pub full_text: Option<String>,
    /// The sanitised HTML of an HTML mail.
    pub html: Option<String>,
    pub email: Option<EmailView>,
    /// `auto_submitted`, `bulk`, `list`, `bounce` or `loop` for machine-made mail.
    pub auto_reply: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub created_at: DateTime<Utc>,
}

impl MessageView {
    /// The view a customer gets: which staff member wrote is shown by name only.
    #[must_use]
    pub fn for_customer(self) -> Self {
        if self.author_staff.is_some() {
            Self {
                author_staff: None,
                author_email: None,
                ..self
            }
        } else {
            self
        }
    }
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        let ticket = m.ticket_id.as_uuid();
        Self {
            id: m.id,
            kind: m.kind.as_str().to_owned(),
            author_name: m.author_name.clone(),
            author_email: m.author_email.as_ref().map(|e| e.as_str().to_owned()),
            author_staff: m
                .author_staff
                .map(frontdesk_domain::staff::StaffId::as_uuid),
            body: m.body_text.clone(),
            full_text: m.full_text.clone(),
            html: m.body_html.clone(),
            email: m.email.as_ref().map(|e| EmailView {
                message_id: e.message_id.to_header(),
                in_reply_to: e
                    .in_reply_to
                    .as_ref()
                    .map(frontdesk_domain::MessageId::to_header),
                references: e
                    .references
                    .iter()
                    .map(frontdesk_domain::MessageId::to_header)
                    .collect(),
            }),
            auto_reply: m.auto_reply.map(|a| a.as_str().to_owned()),
            attachments: m
                .attachments
                .iter()
                .map(|a| AttachmentView::new(ticket, a))
                .collect(),
            created_at: m.created_at,
        }
    }
}

/// The assistant's reading of a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalysisView {
    pub summary: String,
    pub priority: String,
    pub category: String,
    pub sentiment: String,
    pub language: String,
    pub mentions_order: bool,
    pub mentions_account: bool,
    pub confidence: f32,
}

/// A source an AI draft cites.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitationView {
    /// The marker's number in the draft: `[n]`.
    pub n: u32,
    /// `kb` (a section of a public article) or `ticket` (a similar resolved ticket's reply).
    pub source: String,
    /// The article's or the ticket's id.
    pub id: Uuid,
    pub title: String,
    /// `/help/{slug}#s-{anchor}` or `/tickets/{number}`.
    pub url: String,
}

/// An AI draft reply with the analysis it was written from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AiDraftView {
    pub id: Uuid,
    /// The draft with its `[n]` citation markers.
    pub body: String,
    /// The reply as the customer would read it: cited articles as footnotes with their
    /// addresses, markers of other tickets removed.
    pub customer_body: String,
    pub confidence: f32,
    pub sources: Vec<String>,
    /// The sources the draft cites.
    pub citations: Vec<CitationView>,
    /// How many markers pointed at a source the assistant was not given (removed).
    pub citation_defects: u32,
    /// Promises no cited source nor the order backs: `refund`, `replacement`, `callback`,
    /// `date`, `compensation`.
    pub unsupported_promises: Vec<String>,
    /// `draft`, `sent` or `discarded`.
    pub state: String,
    /// Why auto mode held the reply back: `no_source`, `low_confidence`,
    /// `unsupported_promise`, `sensitive_topic`, `human_requested`, `suspected_injection`,
    /// `urgent`, `automated_mail`, `recent_auto_reply`, `empty_draft`, `unresolved_variable`,
    /// `nothing_to_answer`, `ticket_changed` or `ticket_inactive`.
    pub hold: Option<String>,
    /// The hold reason in words.
    pub hold_label: Option<String>,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub analysis: Option<AnalysisView>,
    pub created_at: DateTime<Utc>,
}

impl AiDraftView {
    /// The record as shown, with cited articles' addresses under `public_url`.
    #[must_use]
    pub fn new(r: &AiDraftRecord, public_url: &str) -> Self {
        Self {
            id: r.id,
            body: r.draft.body.clone(),
            customer_body: frontdesk_domain::grounding::for_customer(
                &r.draft.body,
                &r.citations,
                public_url,
            ),
            confidence: r.draft.confidence,
            sources: r.draft.sources.clone(),
            citations: r
                .citations
                .iter()
                .map(|c| CitationView {
                    n: c.n,
                    source: c.kind.as_str().to_owned(),
                    id: c.id,
                    title: c.title.clone(),
                    url: c.url.clone(),
                })
                .collect(),
            citation_defects: r.citation_defects,
            unsupported_promises: r
                .unsupported_promises
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            state: r.state.as_str().to_owned(),
            hold: r.hold.as_ref().map(|h| h.as_str().to_owned()),
            hold_label: r.hold.as_ref().map(|h| h.label().to_owned()),
            model: r.usage.model.clone(),
            prompt_tokens: r.usage.prompt_tokens,
            completion_tokens: r.usage.completion_tokens,
            analysis: r.analysis.as_ref().map(|a| AnalysisView {
                summary: a.summary.clone(),
                priority: a.priority.as_str().to_owned(),
                category: a.category.as_str().to_owned(),
                sentiment: a.sentiment.as_str().to_owned(),
                language: a.language.clone(),
                mentions_order: a.mentions_order,
                mentions_account: a.mentions_account,
                confidence: a.confidence,
            }),
            created_at: r.created_at,
        }
    }
}

/// A ticket with its conversation, AI work and clocks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub description: String,
    /// Customer, agent and system messages, oldest first (for customers: without system ones).
    pub messages: Vec<MessageView>,
    /// Internal notes, oldest first; never shown to customers.
    pub notes: Vec<MessageView>,
    /// The mail headers of every message that came or went by e-mail.
    pub emails: Vec<EmailView>,
    pub attachments: Vec<AttachmentView>,
    /// The latest analysis and draft; omitted for customers.
    pub ai: Option<AiDraftView>,
    /// Tickets that may be the same conversation (staff only; the field is absent for
    /// customers): mail that referred to one ticket but could not join it opened the other.
    /// Listed on both tickets, each naming the other.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub merge_suggestions: Option<Vec<MergeSuggestionView>>,
    /// The intake form's answers the ticket was opened with, or `null`.
    pub intake: Option<FormAnswersView>,
}

/// The answers a ticket was opened with: the form version, and each question asked with its
/// answer (`values`: the choices or the text; `files`: the names of the files given).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormAnswersView {
    pub journey_id: uuid::Uuid,
    pub version: u32,
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<frontdesk_domain::journey::Answer>,
}

impl From<frontdesk_domain::journey::IntakeRecord> for FormAnswersView {
    fn from(r: frontdesk_domain::journey::IntakeRecord) -> Self {
        Self {
            journey_id: r.journey_id,
            version: r.version,
            name: r.name,
            answers: r.answers,
        }
    }
}

/// A link between two tickets for staff to review: a mail referred to one of them, but its
/// sender was not a participant of it (or the mail named several senders), so it opened the
/// other.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeSuggestionView {
    /// The other ticket's number, `TKT-000123`.
    pub ticket: String,
    /// Why the mail was kept apart, e.g. `mallory@attacker.test is not a participant of
    /// TKT-000001`.
    pub reason: String,
    /// What in the mail pointed at the ticket: `In-Reply-To: <…>; References: <…>`, `Subject:
    /// …` (the tag), `Gmail thread: …`, preceded by the `From:` headers of a mail naming several
    /// senders.
    pub evidence: String,
}

impl From<&SuggestedLink> for MergeSuggestionView {
    fn from(link: &SuggestedLink) -> Self {
        Self {
            ticket: link.other_number.to_string(),
            reason: link.reason.clone(),
            evidence: link.evidence.clone(),
        }
    }
}

/// What became of one mail posted to Frontdesk (a webhook, a released quarantine entry). Its
/// fields are those of a line of `frontdesk-poller import --json`: one contract for every way
/// mail comes in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IntakeView {
    /// Where it came from (the webhook's name, the quarantine entry's source).
    pub source: String,
    /// `created`, `appended`, `followup`, `duplicate` or `quarantined`.
    pub outcome: String,
    /// `TKT-000042`; `null` for a duplicate or quarantined mail.
    pub ticket: Option<String>,
    /// `<id@host>`, or the SHA-256 id of mail without one.
    pub message_id: String,
    pub priority: Option<String>,
    pub category: Option<String>,
    /// A machine wrote it (auto-reply, bounce, list or bulk mail, spam, a loop).
    pub auto_reply: bool,
    /// Why it was quarantined.
    pub error: Option<String>,
}

impl IntakeView {
    #[must_use]
    pub fn of(source: &str, received: &Received) -> Self {
        match received {
            Received::Ingested(r) => Self {
                source: source.to_owned(),
                outcome: r.outcome.as_str().to_owned(),
                ticket: r.ticket.map(|t| t.to_string()),
                message_id: r.message_id.to_header(),
                priority: r.priority.map(|p| p.as_str().to_owned()),
                category: r.category.map(|c| c.as_str().to_owned()),
                auto_reply: r.auto_reply.is_some(),
                error: None,
            },
            Received::Quarantined {
                message_id,
                error,
                kind,
            } => Self {
                source: source.to_owned(),
                outcome: "quarantined".to_owned(),
                ticket: None,
                message_id: message_id.to_header(),
                priority: None,
                category: None,
                auto_reply: *kind == QuarantineKind::Machine,
                error: Some(error.clone()),
            },
        }
    }
}

/// One page of tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketView>,
    /// How many tickets match the filters in all.
    pub total: u64,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next: Option<String>,
}
