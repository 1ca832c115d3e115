//! Who may add to a ticket's conversation by mail: its participants.
//!
//! Anything a mail carries to say which ticket it belongs to (the `[TKT-…]` tag, In-Reply-To and
//! References, the Gmail thread) is written by its sender, so it proves nothing about who they
//! are. A mail joins an existing ticket only when its sender already took part: the ticket's
//! customer, or an address on From, To or Cc of one of the ticket's mails. Anyone else gets a
//! ticket of their own, which staff see linked to the one the mail referred to.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::email::{EmailAddress, InboundEmail};
use crate::ticket::TicketId;

/// Whether `sender` may join a conversation between `participants` (addresses compare
/// case-insensitively). A mail without a sender never may.
#[must_use]
pub fn may_join(sender: Option<&EmailAddress>, participants: &[EmailAddress]) -> bool {
    sender.is_some_and(|s| participants.contains(s))
}

/// The addresses one mail makes participants of the ticket it is stored on: From, To and Cc.
#[must_use]
pub fn mail_participants(mail: &InboundEmail) -> Vec<EmailAddress> {
    let mut out: Vec<EmailAddress> = Vec::new();
    let boxes = mail.from.iter().chain(&mail.to).chain(&mail.cc);
    for address in boxes.map(|b| &b.address) {
        if !out.contains(address) {
            out.push(address.clone());
        }
    }
    out
}

/// Why a mail that refers to a ticket was not put on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestReason {
    /// The sender is not one of the ticket's participants.
    NotParticipant { sender: Option<EmailAddress> },
    /// The mail names more than one sender (several From addresses or From headers): nobody can
    /// say whose it is, so it joins no one's ticket.
    AmbiguousSender,
}

/// A link staff see between two tickets that may be one conversation: `ticket` was opened by a
/// mail that referred to `other`, which it was kept apart from for `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSuggestion {
    pub id: Uuid,
    pub ticket: TicketId,
    pub other: TicketId,
    /// Why the mail was kept apart, for staff ("… is not a participant of TKT-000001").
    pub reason: String,
    /// What in the mail pointed at `other`: the header and ids, the tag, the thread.
    pub evidence: String,
    pub created_at: DateTime<Utc>,
}

/// A merge suggestion as one ticket's page lists it: the other ticket's number, both ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedLink {
    pub other: TicketId,
    pub other_number: crate::ticket::TicketNumber,
    pub reason: String,
    pub evidence: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Mailbox;

    fn a(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[test]
    fn a_participant_may_join_whatever_the_case_of_the_address() {
        let people = [a("alice@customer.test"), a("bob@customer.test")];
        assert!(may_join(Some(&a("Bob@Customer.TEST")), &people));
        assert!(!may_join(Some(&a("mallory@attacker.test")), &people));
        assert!(!may_join(None, &people));
    }

    #[test]
    fn from_to_and_cc_of_a_mail_are_its_participants_once_each() {
        let mail = InboundEmail {
            from: Some(Mailbox::new(None, a("alice@customer.test"))),
            to: vec![Mailbox::new(None, a("support@frontdesk.test"))],
            cc: vec![
                Mailbox::new(None, a("bob@customer.test")),
                Mailbox::new(None, a("ALICE@customer.test")),
            ],
            reply_to: Some(Mailbox::new(None, a("elsewhere@x.test"))),
            ..InboundEmail::default()
        };
        assert_eq!(
            mail_participants(&mail),
            [
                a("alice@customer.test"),
                a("support@frontdesk.test"),
                a("bob@customer.test")
            ]
        );
    }
}
