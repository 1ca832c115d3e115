//! Where does an inbound mail belong? Duplicate, an existing ticket, a follow-up of a closed
//! ticket, a new ticket linked to the one it referred to but may not join, or a new ticket.

use crate::email::{EmailAddress, InboundEmail, MessageId};
use crate::ports::{StoreError, ThreadLookup, TicketRef};
use crate::ticket::{Status, TicketNumber};

use super::participants::{SuggestReason, may_join};

/// How an inbound mail was matched to its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadMatch {
    /// `[TKT-000123]` in the subject.
    SubjectTag,
    /// In-Reply-To or References named a message of the ticket, or an id its messages named.
    Headers,
    /// Same Gmail thread.
    ProviderThread,
}

/// A mail that refers to a ticket it may not join: it opens a ticket of its own, and staff see
/// the two linked (a merge suggestion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The ticket the mail referred to.
    pub referenced: TicketRef,
    pub how: ThreadMatch,
    pub reason: SuggestReason,
    /// What in the mail pointed at `referenced`, for staff.
    pub evidence: String,
}

impl Suggestion {
    /// Why the mail was kept apart, as staff read it: "… is not a participant of TKT-000001".
    #[must_use]
    pub fn reason_text(&self) -> String {
        let ticket = self
            .referenced
            .number
            .map_or_else(|| "the ticket it refers to".to_owned(), |n| n.to_string());
        match &self.reason {
            SuggestReason::NotParticipant { sender: Some(s) } => {
                format!("{s} is not a participant of {ticket}")
            }
            SuggestReason::NotParticipant { sender: None } => {
                format!("a mail without a sender may not join {ticket}")
            }
            SuggestReason::AmbiguousSender => {
                format!("the mail names more than one sender, so it may not join {ticket}")
            }
        }
    }
}

/// The threading verdict for one inbound mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadDecision {
    /// Its Message-ID is already stored: nothing to do.
    Duplicate,
    /// Belongs on this (not closed) ticket.
    Append(TicketRef, ThreadMatch),
    /// Answers this closed ticket: open a follow-up that links to it.
    FollowUp(TicketRef, ThreadMatch),
    /// Refers to a ticket its sender may not join: open a new ticket, linked for staff only.
    Suggest(Box<Suggestion>),
    /// Starts a new conversation.
    New,
    /// Belongs where `placed` says (an append or a follow-up), but its ids also lead to other
    /// tickets: it bridges conversations. Nothing merges by itself; staff get a suggestion.
    Bridge(Box<Bridge>),
}

/// A mail whose In-Reply-To/References lead to more than one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// Where the mail goes: [`ThreadDecision::Append`] or [`ThreadDecision::FollowUp`] on the
    /// ticket its In-Reply-To names (or, failing that, the newest it may join).
    pub placed: ThreadDecision,
    /// The other tickets its ids lead to, newest first.
    pub others: Vec<TicketRef>,
    /// The headers that named them, quoted for staff.
    pub evidence: String,
}

impl Bridge {
    /// The ticket the mail is placed on.
    #[must_use]
    pub fn ticket(&self) -> Option<&TicketRef> {
        match &self.placed {
            ThreadDecision::Append(t, _) | ThreadDecision::FollowUp(t, _) => Some(t),
            _ => None,
        }
    }

    /// Why staff see the link, as they read it.
    #[must_use]
    pub fn reason_text(&self, other: &TicketRef) -> String {
        let name = |t: Option<&TicketRef>| {
            t.and_then(|t| t.number)
                .map_or_else(|| "another ticket".to_owned(), |n| n.to_string())
        };
        format!(
            "one mail refers to messages of both {} and {}; it was added to the first only",
            name(self.ticket()),
            name(Some(other))
        )
    }
}

/// The most ids of a header quoted in a suggestion's evidence.
const EVIDENCE_IDS: usize = 10;
/// The most characters of a subject quoted in a suggestion's evidence.
const EVIDENCE_SUBJECT: usize = 200;

/// Decides where `mail` (deduplicated on `message_id`) belongs.
///
/// Order: duplicate Message-ID; the subject's ticket tag; In-Reply-To/References (at most
/// `references_cap` ids); the Gmail thread. Each of them is only a claim the sender makes, so
/// one rule guards them all: the mail joins the ticket found only when its sender is one of the
/// ticket's participants ([`may_join`]) and it names a single sender. The first ticket it may
/// join wins; when it may join none of those it referred to, it is a [`ThreadDecision::Suggest`]
/// for the first of them. When the headers lead to several tickets, the one In-Reply-To names
/// is considered first, and the verdict is a [`ThreadDecision::Bridge`]: the mail is placed
/// there and the others are only suggested to staff, never merged.
///
/// # Errors
/// [`StoreError`] when a lookup fails; the caller retries later.
pub async fn decide(
    mail: &InboundEmail,
    message_id: &MessageId,
    lookup: &dyn ThreadLookup,
    references_cap: usize,
) -> Result<ThreadDecision, StoreError> {
    if lookup.by_message_id(message_id).await?.is_some() {
        return Ok(ThreadDecision::Duplicate);
    }
    let referenced: Vec<MessageId> = mail
        .referenced_ids(references_cap)
        .into_iter()
        .filter(|id| id != message_id)
        .collect();
    let mut verdicts = Verdicts {
        mail,
        lookup,
        refused: Vec::new(),
        suggestion: None,
    };
    if let Some(number) = TicketNumber::find_in_subject(&mail.subject)
        && let Some(tagged) = lookup.by_number(number).await?
        && let Some(d) = verdicts.consider(tagged, ThreadMatch::SubjectTag).await?
    {
        return Ok(d);
    }
    if !referenced.is_empty() {
        let found = lookup.by_thread_keys(&referenced).await?;
        for ticket in header_order(mail, message_id, lookup, &found).await? {
            if let Some(d) = verdicts.consider(ticket, ThreadMatch::Headers).await? {
                return Ok(bridged(d, found, mail));
            }
        }
    }
    if let Some(thread) = mail.provider_thread.as_deref().filter(|t| !t.is_empty())
        && let Some(found) = lookup.by_provider_thread(thread).await?
        && let Some(d) = verdicts
            .consider(found, ThreadMatch::ProviderThread)
            .await?
    {
        return Ok(d);
    }
    Ok(verdicts.suggestion.map_or(ThreadDecision::New, |s| {
        ThreadDecision::Suggest(Box::new(s))
    }))
}

/// The tickets the headers led to, in the order they are considered: when they lead to several,
/// the one In-Reply-To names comes first (the mail answers it; the rest it only mentions), then
/// the others newest first.
async fn header_order(
    mail: &InboundEmail,
    message_id: &MessageId,
    lookup: &dyn ThreadLookup,
    found: &[TicketRef],
) -> Result<Vec<TicketRef>, StoreError> {
    let mut order: Vec<TicketRef> = Vec::with_capacity(found.len());
    if found.len() > 1 {
        let parents: Vec<MessageId> = mail
            .in_reply_to
            .iter()
            .filter(|id| *id != message_id)
            .cloned()
            .collect();
        if !parents.is_empty()
            && let Some(parent) = lookup.by_thread_keys(&parents).await?.into_iter().next()
        {
            order.push(parent);
        }
    }
    for t in found {
        if !order.iter().any(|o| o.id == t.id) {
            order.push(t.clone());
        }
    }
    Ok(order)
}

/// `decision`, or a [`ThreadDecision::Bridge`] when the headers also led to other tickets.
fn bridged(decision: ThreadDecision, found: Vec<TicketRef>, mail: &InboundEmail) -> ThreadDecision {
    let placed_on = match &decision {
        ThreadDecision::Append(t, _) | ThreadDecision::FollowUp(t, _) => t.id,
        _ => return decision,
    };
    let others: Vec<TicketRef> = found.into_iter().filter(|t| t.id != placed_on).collect();
    if others.is_empty() {
        return decision;
    }
    ThreadDecision::Bridge(Box::new(Bridge {
        placed: decision,
        others,
        evidence: evidence(mail, ThreadMatch::Headers),
    }))
}

/// The tickets a mail led to, considered in order: the first its sender may join wins; the
/// first refused one is remembered for the suggestion.
struct Verdicts<'a> {
    mail: &'a InboundEmail,
    lookup: &'a dyn ThreadLookup,
    refused: Vec<crate::ticket::TicketId>,
    suggestion: Option<Suggestion>,
}

impl Verdicts<'_> {
    async fn consider(
        &mut self,
        ticket: TicketRef,
        how: ThreadMatch,
    ) -> Result<Option<ThreadDecision>, StoreError> {
        if self.refused.contains(&ticket.id) {
            return Ok(None);
        }
        let sender = self.mail.sender().map(|s| &s.address);
        let reason = if self.mail.is_from_ambiguous() {
            SuggestReason::AmbiguousSender
        } else if admits(self.lookup, &ticket, sender).await? {
            return Ok(Some(verdict(ticket, how)));
        } else {
            SuggestReason::NotParticipant {
                sender: sender.cloned(),
            }
        };
        self.refused.push(ticket.id);
        if self.suggestion.is_none() {
            self.suggestion = Some(Suggestion {
                evidence: evidence(self.mail, how),
                referenced: ticket,
                how,
                reason,
            });
        }
        Ok(None)
    }
}

/// Whether `sender` may join `ticket`. The customer always may, which spares the lookup of the
/// other participants for the common reply.
async fn admits(
    lookup: &dyn ThreadLookup,
    ticket: &TicketRef,
    sender: Option<&EmailAddress>,
) -> Result<bool, StoreError> {
    match sender {
        None => Ok(false),
        Some(s) if *s == ticket.customer => Ok(true),
        Some(_) => Ok(may_join(sender, &lookup.participants(ticket.id).await?)),
    }
}

/// What in `mail` pointed at the ticket found by `how`, quoted for staff.
fn evidence(mail: &InboundEmail, how: ThreadMatch) -> String {
    let mut out = match how {
        ThreadMatch::SubjectTag => {
            let subject: String = mail.subject.chars().take(EVIDENCE_SUBJECT).collect();
            format!("Subject: {subject}")
        }
        ThreadMatch::Headers => {
            let ids = |list: &mut dyn Iterator<Item = &MessageId>| {
                list.take(EVIDENCE_IDS)
                    .map(MessageId::to_header)
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let mut parts = Vec::new();
            if !mail.in_reply_to.is_empty() {
                parts.push(format!(
                    "In-Reply-To: {}",
                    ids(&mut mail.in_reply_to.iter())
                ));
            }
            if !mail.references.is_empty() {
                // The newest references, nearest the mail, in their order.
                let skip = mail.references.len().saturating_sub(EVIDENCE_IDS);
                parts.push(format!(
                    "References: {}",
                    ids(&mut mail.references.iter().skip(skip))
                ));
            }
            parts.join("; ")
        }
        ThreadMatch::ProviderThread => format!(
            "Gmail thread: {}",
            mail.provider_thread.as_deref().unwrap_or_default()
        ),
    };
    if mail.is_from_ambiguous() {
        let from: Vec<String> = mail
            .ambiguous_from
            .iter()
            .map(|f| format!("From: {f}"))
            .collect();
        out = format!("{}; {out}", from.join("; "));
    }
    out
}

fn verdict(ticket: TicketRef, how: ThreadMatch) -> ThreadDecision {
    if ticket.status == Status::Closed {
        ThreadDecision::FollowUp(ticket, how)
    } else {
        ThreadDecision::Append(ticket, how)
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
