//! The audit trail: every change to a ticket, who made it and when.

use chrono::{DateTime, Utc};

use super::{Category, MessageKind, Priority, Status, TicketId, TicketNumber};
use crate::email::EmailAddress;
use crate::staff::StaffId;

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Frontdesk itself: the poller, an SLA sweep, auto-assignment.
    System,
    Staff(StaffId),
    Customer(EmailAddress),
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Created,
    StatusChanged {
        from: Status,
        to: Status,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    CategoryChanged {
        from: Category,
        to: Category,
    },
    Assigned {
        from: Option<StaffId>,
        to: Option<StaffId>,
    },
    TagsChanged {
        tags: Vec<String>,
    },
    MessageAdded {
        kind: MessageKind,
    },
    FirstResponse,
    Reopened,
    /// This ticket was opened because a customer wrote to a closed one.
    FollowUpOf {
        ticket: TicketId,
        number: TicketNumber,
    },
    /// A follow-up was opened for this (closed) ticket.
    FollowUpOpened {
        ticket: TicketId,
    },
    /// This ticket was merged into `ticket` and closed.
    MergedInto {
        ticket: TicketId,
        number: TicketNumber,
    },
    /// `ticket` was merged into this one: its conversation is here now.
    MergedFrom {
        ticket: TicketId,
        number: TicketNumber,
    },
    SlaWarning {
        clock: SlaClockName,
    },
    SlaBreached {
        clock: SlaClockName,
    },
    Escalated {
        level: u32,
        reason: String,
    },
    AutoClosed,
    /// The business hours changed and the running SLA clocks' deadlines moved with them.
    SlaRecalendared,
    /// The AI assistant analysed the ticket and drafted a reply; `sent` when auto mode sent it,
    /// `hold` for why auto mode kept it back.
    AiDrafted {
        sent: bool,
        hold: Option<crate::ai::HoldReason>,
    },
    /// The new ticket's customer was not acknowledged, and why (the sender failed
    /// authentication, or the domain had its hourly share of acknowledgements).
    AcknowledgementWithheld {
        reason: String,
    },
    /// The assistant was not asked to draft for a mail on this ticket, and why (its customer's
    /// mail reached the hourly cap on assistant work).
    AssistantWithheld {
        reason: String,
    },
}

/// The two SLA clocks, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaClockName {
    FirstResponse,
    Resolution,
}

impl SlaClockName {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }
}

/// One entry of a ticket's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    pub ticket_id: TicketId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: EventKind,
}

impl TicketEvent {
    #[must_use]
    pub fn new(ticket_id: TicketId, at: DateTime<Utc>, actor: Actor, kind: EventKind) -> Self {
        Self {
            ticket_id,
            at,
            actor,
            kind,
        }
    }
}
