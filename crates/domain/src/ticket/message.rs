//! Messages on a ticket: what customers and staff wrote, system notices and internal notes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::TicketId;
use crate::email::{EmailAddress, MessageId};
use crate::staff::StaffId;
use crate::threading::AutoReplyKind;

/// Who a message is from, which also decides who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Customer,
    Agent,
    /// Written by Frontdesk (escalations, auto-close notices). Never e-mailed.
    System,
    /// Staff-only note. Never e-mailed, never shown to the customer.
    Note,
}

impl MessageKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Agent => "agent",
            Self::System => "system",
            Self::Note => "note",
        }
    }

    /// Whether the customer may see messages of this kind.
    #[must_use]
    pub fn is_public(self) -> bool {
        matches!(self, Self::Customer | Self::Agent)
    }
}

impl std::str::FromStr for MessageKind {
    type Err = super::ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Customer, Self::Agent, Self::System, Self::Note]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::ParseEnumError {
                kind: "message kind",
                value: s.to_owned(),
                expected: "customer agent system note",
            })
    }
}

/// Which way a message travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
    Internal,
}

/// The e-mail threading headers of a message that was received or sent by mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailHeaders {
    pub message_id: MessageId,
    pub in_reply_to: Option<MessageId>,
    pub references: Vec<MessageId>,
}

/// An attachment's description; the content is stored once, addressed by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub sha256: String,
    pub filename: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub inline: bool,
    pub content_id: Option<String>,
}

/// One message on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub ticket_id: TicketId,
    pub kind: MessageKind,
    pub direction: Direction,
    pub author_staff: Option<StaffId>,
    pub author_email: Option<EmailAddress>,
    pub author_name: Option<String>,
    /// The text shown on the ticket (for replies, the new part without quoted history).
    pub body_text: String,
    /// The whole text body when `body_text` had quoted history removed.
    pub full_text: Option<String>,
    pub body_html: Option<String>,
    pub email: Option<EmailHeaders>,
    pub attachments: Vec<AttachmentMeta>,
    /// Set on inbound mail that was machine-generated.
    pub auto_reply: Option<AutoReplyKind>,
    pub created_at: DateTime<Utc>,
}

impl Message {
    /// A message of `kind` with `body_text` and nothing else set.
    #[must_use]
    pub fn new(
        id: Uuid,
        ticket_id: TicketId,
        kind: MessageKind,
        body_text: impl Into<String>,
        created_at: DateTime<Utc>,
    ) -> Self {
        let direction = match kind {
            MessageKind::Customer => Direction::Inbound,
            MessageKind::Agent => Direction::Outbound,
            MessageKind::System | MessageKind::Note => Direction::Internal,
        };
        Self {
            id,
            ticket_id,
            kind,
            direction,
            author_staff: None,
            author_email: None,
            author_name: None,
            body_text: body_text.into(),
            full_text: None,
            body_html: None,
            email: None,
            attachments: Vec::new(),
            auto_reply: None,
            created_at,
        }
    }

    /// A reply to the customer that Frontdesk sent by itself (the assistant in auto mode): an
    /// agent message with no staff author.
    #[must_use]
    pub fn is_automatic(&self) -> bool {
        self.kind == MessageKind::Agent && self.author_staff.is_none()
    }
}
