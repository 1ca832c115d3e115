//! Headers of the mail Frontdesk sends, chosen so every client threads replies under the
//! customer's original message and every reply carries the ticket tag back to us.

use crate::email::{MessageId, UNTRUSTED_TEXT_CHARS, quote_untrusted};
use crate::ticket::{EmailHeaders, TicketNumber};

/// The longest subject we send, in characters (RFC 5322 recommends 78-character lines; long
/// subjects fold, but some clients truncate them, which could cut off the tag).
pub const SUBJECT_CAP: usize = 200;
/// The most ids we put in References: the thread's root and the newest ones.
pub const REFERENCES_CAP: usize = 20;

/// Threading headers of one outbound mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundHeaders {
    pub subject: String,
    pub in_reply_to: Option<MessageId>,
    pub references: Vec<MessageId>,
    /// `Auto-Submitted: auto-replied` (RFC 3834) goes on automatic mail.
    pub auto_submitted: bool,
}

/// Prefixes clients put before a subject when replying or forwarding, in several languages.
const REPLY_PREFIXES: [&str; 8] = ["re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "vs:", "tr:"];

/// `Re: <subject> [TKT-000123]`: old reply prefixes and ticket tags removed, line breaks
/// flattened (no header injection), the base subject shortened so the tag always fits.
#[must_use]
pub fn reply_subject(subject: &str, number: TicketNumber) -> String {
    let tag = number.tag();
    let flat: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Every tag goes, not only ours: a follow-up's subject still names the closed ticket.
    let without_tag = TicketNumber::strip_tags(&flat);
    let mut base = without_tag.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let lower = base.to_lowercase();
        let Some(prefix) = REPLY_PREFIXES.iter().find(|p| lower.starts_with(**p)) else {
            break;
        };
        base = base[prefix.len()..].trim_start().to_owned();
    }
    let room = SUBJECT_CAP - "Re:  ".len() - tag.len();
    if base.chars().count() > room {
        base = base
            .chars()
            .take(room - 1)
            .collect::<String>()
            .trim_end()
            .to_owned()
            + "…";
    }
    if base.is_empty() {
        format!("Re: {tag}")
    } else {
        format!("Re: {base} {tag}")
    }
}

/// The headers of a reply on ticket `number` about `subject`, answering `answered` (the
/// customer's latest mail, if the ticket has one). Automatic mail repeats the subject only as
/// [`quote_untrusted`] text: nobody read what it answers, so it must not carry a stranger's
/// link or address (or a long pitch) from the support address.
#[must_use]
pub fn reply_headers(
    subject: &str,
    number: TicketNumber,
    answered: Option<&EmailHeaders>,
    automatic: bool,
) -> OutboundHeaders {
    let references = answered.map_or_else(Vec::new, |a| {
        let mut chain: Vec<MessageId> = Vec::with_capacity(a.references.len() + 1);
        for id in a.references.iter().chain(std::iter::once(&a.message_id)) {
            if !chain.contains(id) {
                chain.push(id.clone());
            }
        }
        cap_references(chain)
    });
    let subject = if automatic {
        // The tag is taken out first, so the cut cannot leave half of it.
        let untagged = subject.replace(&number.tag(), " ");
        reply_subject(&quote_untrusted(&untagged, UNTRUSTED_TEXT_CHARS), number)
    } else {
        reply_subject(subject, number)
    };
    OutboundHeaders {
        subject,
        in_reply_to: answered.map(|a| a.message_id.clone()),
        references,
        auto_submitted: automatic,
    }
}

/// Keeps the first id (the thread's root) and the newest ones, as RFC 5322 §3.6.4 suggests.
fn cap_references(mut chain: Vec<MessageId>) -> Vec<MessageId> {
    if chain.len() > REFERENCES_CAP {
        let tail = chain.split_off(chain.len() - (REFERENCES_CAP - 1));
        chain.truncate(1);
        chain.extend(tail);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> TicketNumber {
        TicketNumber::new(123).unwrap()
    }

    fn id(s: &str) -> MessageId {
        MessageId::parse(s).unwrap()
    }

    #[test]
    fn the_subject_gets_one_re_and_one_tag() {
        assert_eq!(
            reply_subject("Order late", n()),
            "Re: Order late [TKT-000123]"
        );
        assert_eq!(
            reply_subject("RE: Fwd: re: Order late [TKT-000123]", n()),
            "Re: Order late [TKT-000123]"
        );
        assert_eq!(
            reply_subject("AW: Bestellung", n()),
            "Re: Bestellung [TKT-000123]"
        );
    }

    #[test]
    fn a_follow_ups_reply_carries_only_its_own_tag() {
        assert_eq!(
            reply_subject("Re: [TKT-000002] Re: Order late [TKT-000071]", n()),
            "Re: Order late [TKT-000123]"
        );
    }

    #[test]
    fn an_empty_subject_still_carries_the_tag() {
        assert_eq!(reply_subject("", n()), "Re: [TKT-000123]");
        assert_eq!(reply_subject("Re: ", n()), "Re: [TKT-000123]");
    }

    #[test]
    fn line_breaks_cannot_inject_headers() {
        let s = reply_subject("Hi\r\nBcc: victim@example.com", n());
        assert!(!s.contains('\r') && !s.contains('\n'));
        assert_eq!(s, "Re: Hi Bcc: victim@example.com [TKT-000123]");
    }

    #[test]
    fn long_subjects_are_cut_so_the_tag_fits() {
        let s = reply_subject(&"é".repeat(500), n());
        assert_eq!(s.chars().count(), SUBJECT_CAP);
        assert!(s.ends_with("… [TKT-000123]"));
    }

    #[test]
    fn a_reply_answers_the_customer_message_and_extends_its_chain() {
        let answered = EmailHeaders {
            message_id: id("c2@x"),
            in_reply_to: Some(id("a1@fd")),
            references: vec![id("c1@x"), id("a1@fd")],
        };
        let h = reply_headers("Help", n(), Some(&answered), false);
        assert_eq!(h.in_reply_to, Some(id("c2@x")));
        assert_eq!(h.references, [id("c1@x"), id("a1@fd"), id("c2@x")]);
        assert!(!h.auto_submitted);
    }

    #[test]
    fn references_keep_the_root_and_the_newest() {
        let answered = EmailHeaders {
            message_id: id("last@x"),
            in_reply_to: None,
            references: (0..100).map(|i| id(&format!("r{i}@x"))).collect(),
        };
        let h = reply_headers("Help", n(), Some(&answered), true);
        assert_eq!(h.references.len(), REFERENCES_CAP);
        assert_eq!(h.references[0], id("r0@x"));
        assert_eq!(h.references[REFERENCES_CAP - 1], id("last@x"));
        assert_eq!(h.references[REFERENCES_CAP - 2], id("r99@x"));
        assert!(h.auto_submitted);
    }

    #[test]
    fn a_ticket_without_mail_gets_no_threading_headers() {
        let h = reply_headers("Web form", n(), None, false);
        assert_eq!((h.in_reply_to, h.references.len()), (None, 0));
    }
}
