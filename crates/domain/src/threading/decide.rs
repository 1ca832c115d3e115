//! Where does an inbound mail belong? Duplicate, an existing ticket, a follow-up of a closed
//! ticket, or a new ticket.

use crate::email::{InboundEmail, MessageId};
use crate::ports::{StoreError, ThreadLookup, TicketRef};
use crate::ticket::{Status, TicketNumber};

/// How an inbound mail was matched to its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadMatch {
    /// `[TKT-000123]` in the subject, from the ticket's customer.
    SubjectTag,
    /// In-Reply-To or References named a message of the ticket, or an id its messages named.
    Headers,
    /// Same Gmail thread.
    GmailThread,
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
    /// Starts a new conversation.
    New,
}

/// Decides where `mail` (deduplicated on `message_id`) belongs.
///
/// Order: duplicate Message-ID; the subject's ticket tag, trusted only from the ticket's own
/// customer or when the headers point at the same ticket (so nobody can post into another
/// customer's ticket by typing its number); In-Reply-To/References (at most `references_cap`
/// ids); the Gmail thread.
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
    let by_headers = if referenced.is_empty() {
        None
    } else {
        lookup.by_thread_keys(&referenced).await?
    };

    if let Some(number) = TicketNumber::find_in_subject(&mail.subject)
        && let Some(tagged) = lookup.by_number(number).await?
    {
        let from_customer = mail
            .from
            .as_ref()
            .is_some_and(|f| f.address == tagged.customer);
        let headers_agree = by_headers.as_ref().is_some_and(|h| h.id == tagged.id);
        if from_customer || headers_agree {
            return Ok(verdict(tagged, ThreadMatch::SubjectTag));
        }
    }
    if let Some(found) = by_headers {
        return Ok(verdict(found, ThreadMatch::Headers));
    }
    if let Some(thread) = mail.gmail_thread_id.as_deref().filter(|t| !t.is_empty())
        && let Some(found) = lookup.by_gmail_thread(thread).await?
    {
        return Ok(verdict(found, ThreadMatch::GmailThread));
    }
    Ok(ThreadDecision::New)
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
