//! The audit trail as the outside world sees it: the public event names, the event body that
//! server-sent events and outbound webhooks carry, and which subscription wants which event.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The public name of a kind of ticket event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicEvent {
    /// `ticket.created`
    TicketCreated,
    /// `ticket.updated`: every change that is not one of the others.
    TicketUpdated,
    /// `message.added`
    MessageAdded,
    /// `sla.warning`
    SlaWarning,
    /// `sla.breached`
    SlaBreached,
}

impl PublicEvent {
    /// Every public event, in the order documented.
    pub const ALL: [Self; 5] = [
        Self::TicketCreated,
        Self::TicketUpdated,
        Self::MessageAdded,
        Self::SlaWarning,
        Self::SlaBreached,
    ];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket.created",
            Self::TicketUpdated => "ticket.updated",
            Self::MessageAdded => "message.added",
            Self::SlaWarning => "sla.warning",
            Self::SlaBreached => "sla.breached",
        }
    }

    /// The event named `name`, if it is one.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// What an audit event of `kind` (`created`, `status_changed`, `message_added`, …) is
    /// published as.
    #[must_use]
    pub fn of_kind(kind: &str) -> Self {
        match kind {
            "created" => Self::TicketCreated,
            "message_added" => Self::MessageAdded,
            "sla_warning" => Self::SlaWarning,
            "sla_breached" => Self::SlaBreached,
            _ => Self::TicketUpdated,
        }
    }
}

/// One stored audit event and the ticket it belongs to, as storage reads it back in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Increasing: a client resumes after the last id it saw.
    pub id: i64,
    pub ticket_id: Uuid,
    /// `TKT-000042`.
    pub number: String,
    /// The ticket's customer address, normalised.
    pub customer: String,
    pub assignee: Option<Uuid>,
    pub at: DateTime<Utc>,
    /// `created`, `status_changed`, `message_added`, `sla_warning`, …
    pub kind: String,
    /// The event's data.
    pub data: serde_json::Value,
}

impl FeedEvent {
    /// The public event this is published as.
    #[must_use]
    pub fn public(&self) -> PublicEvent {
        PublicEvent::of_kind(&self.kind)
    }

    /// The public name of the event: `ticket.created`, `ticket.updated`, `message.added`,
    /// `sla.warning` or `sla.breached`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.public().as_str()
    }

    /// The event as sent to listeners: `{id, event, ticket: {id, number}, kind, data, at}`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "event": self.name(),
            "ticket": {"id": self.ticket_id, "number": self.number},
            "kind": self.kind,
            "data": self.data,
            "at": self.at,
        })
    }
}

/// What a subscription asks for: some public events, or every one (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelection {
    All,
    Only(Vec<PublicEvent>),
}

/// A name in a subscription's event list that is neither `*` nor a public event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventSelectionError {
    #[error("at least one event, or `*`")]
    Empty,
    #[error("`{0}` is not one of *, {names}", names = public_event_names())]
    Unknown(String),
}

fn public_event_names() -> String {
    PublicEvent::ALL.map(PublicEvent::as_str).join(", ")
}

impl EventSelection {
    /// Reads a list of event names (trimmed, duplicates dropped); `*` anywhere selects all.
    ///
    /// # Errors
    /// [`EventSelectionError`] for an empty list or an unknown name.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, EventSelectionError> {
        if names.is_empty() {
            return Err(EventSelectionError::Empty);
        }
        let mut only = Vec::new();
        let mut all = false;
        for name in names {
            let name = name.as_ref().trim();
            if name == "*" {
                all = true;
                continue;
            }
            let e = PublicEvent::parse(name)
                .ok_or_else(|| EventSelectionError::Unknown(name.to_owned()))?;
            if !only.contains(&e) {
                only.push(e);
            }
        }
        Ok(if all { Self::All } else { Self::Only(only) })
    }

    /// The names as stored and shown: `["*"]`, or the events in the order given.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".to_owned()],
            Self::Only(events) => events.iter().map(|e| e.as_str().to_owned()).collect(),
        }
    }

    /// Whether `event` is selected.
    #[must_use]
    pub fn contains(&self, event: PublicEvent) -> bool {
        match self {
            Self::All => true,
            Self::Only(events) => events.contains(&event),
        }
    }
}

/// An outbound webhook subscription.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: Uuid,
    pub url: String,
    /// The HMAC-SHA256 key of the signature header.
    pub secret: String,
    pub events: EventSelection,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("url", &super::redact_url(&self.url))
            .field("secret", &"***")
            .field("events", &self.events)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Whether a delivery of `event` is owed to this subscription: it is active, selects the
    /// event, and the event happened after it was created (a new subscription gets what happens
    /// from then on, never the backlog).
    #[must_use]
    pub fn wants(&self, event: &FeedEvent) -> bool {
        self.active && self.events.contains(event.public()) && event.at >= self.created_at
    }
}
