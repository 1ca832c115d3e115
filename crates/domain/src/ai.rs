//! Rules for the AI assistant's work: what a call cost, and when a drafted reply may go out by
//! itself.
//!
//! Auto mode is guarded here, not in the adapters, so that no assistant — however its model was
//! talked to — can decide on its own that a reply is sent. [`AutoSendPolicy::check`] looks at the
//! draft, the assistant's analysis, the ticket and its conversation; the first guard that fails
//! keeps the reply a draft and says why.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::grounding::{Citation, Grounded, Promise, asks_for_human, sensitive_topic};
use crate::ports::{Analysis, Draft};
use crate::ticket::{Message, MessageKind, Priority, Ticket, TicketId};

/// What one assistant call cost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiUsage {
    /// The model that answered (`offline` for the embedded assistant).
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl AiUsage {
    /// The usage of `self` and `other` together; the model of `self` is kept unless it is empty.
    #[must_use]
    pub fn plus(&self, other: &Self) -> Self {
        Self {
            model: if self.model.is_empty() {
                other.model.clone()
            } else {
                self.model.clone()
            },
            prompt_tokens: self.prompt_tokens.saturating_add(other.prompt_tokens),
            completion_tokens: self
                .completion_tokens
                .saturating_add(other.completion_tokens),
        }
    }

    #[must_use]
    pub fn total_tokens(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }
}

/// What became of an assistant's draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiDraftState {
    /// Waiting for staff to use, edit or discard it.
    Draft,
    /// Sent to the customer (automatically, or by staff using it).
    Sent,
    Discarded,
}

impl AiDraftState {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Discarded => "discarded",
        }
    }

    /// Parses a name as written by [`AiDraftState::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Sent, Self::Discarded]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One run of the assistant on a ticket, as stored: its analysis, its draft, what became of the
/// draft and what the calls cost.
#[derive(Debug, Clone, PartialEq)]
pub struct AiDraftRecord {
    pub id: Uuid,
    pub ticket_id: TicketId,
    pub analysis: Option<Analysis>,
    pub draft: Draft,
    /// The usage of the analysis and the draft together.
    pub usage: AiUsage,
    pub state: AiDraftState,
    /// Why auto mode kept the reply back; `None` in draft mode or when it was sent.
    pub hold: Option<HoldReason>,
    /// The sources the draft cites (its body keeps the `[n]` markers).
    pub citations: Vec<Citation>,
    /// How many of the draft's markers pointed at a source it was not given (removed).
    pub citation_defects: u32,
    /// Promises in the draft that no cited source nor the order backs.
    pub unsupported_promises: Vec<Promise>,
    pub created_at: DateTime<Utc>,
}

/// Why an automatically drafted reply was kept as a draft instead of being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    /// The assistant was less sure than the configured threshold.
    LowConfidence,
    /// The mail being answered was auto-submitted, bulk, list traffic or a bounce.
    AutomatedMail,
    /// The ticket, or the assistant's reading of it, is urgent: a person answers those.
    Urgent,
    /// The customer had an automatic reply on this ticket within the cool-down.
    RecentAutoReply,
    /// The draft has no text.
    EmptyDraft,
    /// The draft still holds a template variable such as `{customer_name}` or `[Your Name]`.
    UnresolvedVariable(String),
    /// The customer's text tries to instruct the assistant ("ignore previous instructions…").
    SuspectedInjection,
    /// The conversation does not end with a customer message waiting for an answer.
    NothingToAnswer,
    /// The ticket changed while the assistant was working on it.
    TicketChanged,
    /// The ticket is resolved or closed.
    TicketInactive,
    /// The draft cites no source: nothing it says is known to be true.
    NoSource,
    /// The draft promises something (a refund, a replacement, a call, a date) that no cited
    /// source nor the order backs.
    UnsupportedPromise,
    /// The customer writes about legal action, a chargeback, personal data or danger.
    SensitiveTopic,
    /// The customer asks for a person.
    HumanRequested,
}

/// Every reason, in the order the guards look (analytics lists them so).
pub const HOLD_REASONS: [HoldReason; 14] = [
    HoldReason::TicketChanged,
    HoldReason::TicketInactive,
    HoldReason::NothingToAnswer,
    HoldReason::AutomatedMail,
    HoldReason::Urgent,
    HoldReason::RecentAutoReply,
    HoldReason::EmptyDraft,
    HoldReason::UnresolvedVariable(String::new()),
    HoldReason::LowConfidence,
    HoldReason::SuspectedInjection,
    HoldReason::SensitiveTopic,
    HoldReason::HumanRequested,
    HoldReason::NoSource,
    HoldReason::UnsupportedPromise,
];

impl HoldReason {
    /// A stable name, as stored and shown by the API.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::LowConfidence => "low_confidence",
            Self::AutomatedMail => "automated_mail",
            Self::Urgent => "urgent",
            Self::RecentAutoReply => "recent_auto_reply",
            Self::EmptyDraft => "empty_draft",
            Self::UnresolvedVariable(_) => "unresolved_variable",
            Self::SuspectedInjection => "suspected_injection",
            Self::NothingToAnswer => "nothing_to_answer",
            Self::TicketChanged => "ticket_changed",
            Self::TicketInactive => "ticket_inactive",
            Self::NoSource => "no_source",
            Self::UnsupportedPromise => "unsupported_promise",
            Self::SensitiveTopic => "sensitive_topic",
            Self::HumanRequested => "human_requested",
        }
    }

    /// What the reason means, for people.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::LowConfidence => "the assistant was not sure enough",
            Self::AutomatedMail => "the mail was sent by a machine",
            Self::Urgent => "the ticket is urgent",
            Self::RecentAutoReply => "the customer had an automatic reply recently",
            Self::EmptyDraft => "the draft was empty",
            Self::UnresolvedVariable(_) => "the draft has a blank to fill in",
            Self::SuspectedInjection => "the customer's text tries to instruct the assistant",
            Self::NothingToAnswer => "there was nothing to answer",
            Self::TicketChanged => "the ticket changed meanwhile",
            Self::TicketInactive => "the ticket is resolved or closed",
            Self::NoSource => "the draft cites no source",
            Self::UnsupportedPromise => "the draft promises something no source backs",
            Self::SensitiveTopic => "a sensitive topic (legal, payment dispute, data, safety)",
            Self::HumanRequested => "the customer asked for a person",
        }
    }

    /// Parses a stored name; the variable of [`HoldReason::UnresolvedVariable`] is not stored.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "low_confidence" => Self::LowConfidence,
            "automated_mail" => Self::AutomatedMail,
            "urgent" => Self::Urgent,
            "recent_auto_reply" => Self::RecentAutoReply,
            "empty_draft" => Self::EmptyDraft,
            "unresolved_variable" => Self::UnresolvedVariable(String::new()),
            "suspected_injection" => Self::SuspectedInjection,
            "nothing_to_answer" => Self::NothingToAnswer,
            "ticket_changed" => Self::TicketChanged,
            "ticket_inactive" => Self::TicketInactive,
            "no_source" => Self::NoSource,
            "unsupported_promise" => Self::UnsupportedPromise,
            "sensitive_topic" => Self::SensitiveTopic,
            "human_requested" => Self::HumanRequested,
            _ => return None,
        })
    }
}

impl std::fmt::Display for HoldReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnresolvedVariable(v) if !v.is_empty() => {
                write!(f, "unresolved_variable {v}")
            }
            other => f.write_str(other.as_str()),
        }
    }
}

/// What an automatic reply from the assistant does to the ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoReplyEffect {
    /// A holding answer: the customer hears back, but no person has answered yet, so the
    /// ticket keeps its status and its first-response clock keeps running.
    #[default]
    Holding,
    /// The answer is taken as the solution: the ticket is resolved (the customer's next mail
    /// reopens it) and the reply counts as the first response.
    Resolving,
}

/// When auto mode may send a drafted reply, and what sending it does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoSendPolicy {
    /// The least draft confidence that is sent (0..1).
    pub min_confidence: f32,
    /// At most one automatic reply per ticket in this long.
    pub cooldown: TimeDelta,
    pub effect: AutoReplyEffect,
}

impl Default for AutoSendPolicy {
    fn default() -> Self {
        Self {
            min_confidence: 0.85,
            cooldown: TimeDelta::hours(24),
            effect: AutoReplyEffect::Holding,
        }
    }
}

/// Everything [`AutoSendPolicy::check`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct AutoSendFacts<'a> {
    pub draft: &'a Draft,
    /// The draft held to its sources ([`crate::grounding::ground`]).
    pub grounded: &'a Grounded,
    pub analysis: &'a Analysis,
    /// The ticket as it is now.
    pub ticket: &'a Ticket,
    /// The ticket's version the assistant worked from.
    pub seen_version: u64,
    /// The ticket's messages, oldest first.
    pub conversation: &'a [Message],
    pub now: DateTime<Utc>,
}

impl AutoSendPolicy {
    /// `Ok` when the draft may be sent automatically; otherwise the first guard that failed.
    ///
    /// # Errors
    /// The [`HoldReason`] that keeps the reply a draft.
    pub fn check(&self, facts: &AutoSendFacts<'_>) -> Result<(), HoldReason> {
        let AutoSendFacts {
            draft,
            grounded,
            analysis,
            ticket,
            seen_version,
            conversation,
            now,
        } = *facts;
        if ticket.version != seen_version {
            return Err(HoldReason::TicketChanged);
        }
        if !ticket.status.is_active() {
            return Err(HoldReason::TicketInactive);
        }
        let visible: Vec<&Message> = conversation
            .iter()
            .filter(|m| matches!(m.kind, MessageKind::Customer | MessageKind::Agent))
            .collect();
        let Some(last) = visible.last().filter(|m| m.kind == MessageKind::Customer) else {
            return Err(HoldReason::NothingToAnswer);
        };
        if last.auto_reply.is_some() {
            return Err(HoldReason::AutomatedMail);
        }
        if ticket.priority == Priority::Urgent || analysis.priority == Priority::Urgent {
            return Err(HoldReason::Urgent);
        }
        let since = now - self.cooldown;
        if conversation
            .iter()
            .any(|m| m.is_automatic() && m.created_at > since)
        {
            return Err(HoldReason::RecentAutoReply);
        }
        if draft.body.trim().is_empty() {
            return Err(HoldReason::EmptyDraft);
        }
        if let Some(var) = unresolved_placeholders(&draft.body).into_iter().next() {
            return Err(HoldReason::UnresolvedVariable(var));
        }
        if draft.confidence.is_nan() || draft.confidence < self.min_confidence {
            return Err(HoldReason::LowConfidence);
        }
        let customer_text = visible
            .iter()
            .filter(|m| m.kind == MessageKind::Customer)
            .map(|m| m.body_text.as_str())
            .chain(std::iter::once(ticket.subject.as_str()));
        let customer_text: Vec<&str> = customer_text.collect();
        if customer_text.iter().any(|t| suspected_injection(t)) {
            return Err(HoldReason::SuspectedInjection);
        }
        if customer_text.iter().any(|t| sensitive_topic(t)) {
            return Err(HoldReason::SensitiveTopic);
        }
        if customer_text.iter().any(|t| asks_for_human(t)) {
            return Err(HoldReason::HumanRequested);
        }
        if !grounded.is_grounded() {
            return Err(HoldReason::NoSource);
        }
        if !grounded.unsupported.is_empty() {
            return Err(HoldReason::UnsupportedPromise);
        }
        Ok(())
    }
}

/// Template variables left in a text: `{name}`, `{{ name }}`, and bracketed stand-ins such as
/// `[Your Name]` or `[order number]` that language models leave for a human to fill.
#[must_use]
pub fn unresolved_placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close, accept) in [
        ('{', '}', is_variable_name as fn(&str) -> bool),
        ('[', ']', is_bracketed_stand_in as fn(&str) -> bool),
    ] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find([open, close]) else {
                break;
            };
            if after[end..].starts_with(close) {
                let inner = after[..end].trim_matches(|c: char| c == open || c.is_whitespace());
                if accept(inner) {
                    found.push(format!("{open}{inner}{close}"));
                }
                rest = &after[end + close.len_utf8()..];
            } else {
                // Another opening bracket first (`{{name}}`): look again from there.
                rest = &after[end..];
            }
        }
    }
    found
}

fn is_variable_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ' '))
        && s.chars().any(char::is_alphabetic)
}

fn is_bracketed_stand_in(s: &str) -> bool {
    const HINTS: [&str; 12] = [
        "name",
        "number",
        "date",
        "email",
        "address",
        "phone",
        "company",
        "link",
        "insert",
        "placeholder",
        "signature",
        "amount",
    ];
    if s.is_empty() || s.len() > 40 || s.contains(['[', ']', '(', ')', '/', ':']) {
        return false;
    }
    let lower = s.to_lowercase();
    lower.split_whitespace().count() <= 4 && HINTS.iter().any(|h| lower.contains(h))
}

/// Whether a customer's text reads like an attempt to instruct an AI assistant. A hit never
/// blocks the ticket; it only keeps an automatic reply back for a person to look at.
#[must_use]
pub fn suspected_injection(text: &str) -> bool {
    const PHRASES: [&str; 16] = [
        "ignore previous instructions",
        "ignore all previous",
        "ignore the previous",
        "ignore prior instructions",
        "ignore all prior",
        "ignore the above",
        "ignore your instructions",
        "ignore your previous",
        "disregard previous",
        "disregard all previous",
        "disregard the above",
        "disregard your instructions",
        "forget your instructions",
        "forget all previous",
        "system prompt",
        "you are now in developer mode",
    ];
    let folded = text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    PHRASES.iter().any(|p| folded.contains(p))
}

#[cfg(test)]
#[path = "ai_tests.rs"]
mod tests;
