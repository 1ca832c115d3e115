//! Recognising mail no human wrote: auto-replies, bounces, bulk and list mail, and our own mail
//! coming back (RFC 3834 plus the vendor headers seen in the wild).
//!
//! Such mail is stored like any other (it may matter to staff), but it never triggers an
//! auto-reply, an automatic AI answer, or a reopen — that is what keeps two helpdesks from
//! mailing each other forever.

use crate::email::InboundEmail;

/// Why a mail is considered machine-generated. Ordered from most to least specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AutoReplyKind {
    /// Our own X-Loop came back.
    Loop,
    /// A delivery status notification or a mail from a mailer daemon.
    Bounce,
    /// Out-of-office and other automatic responses.
    AutoReply,
    /// Mailing-list traffic.
    List,
    /// Bulk or junk precedence.
    Bulk,
    /// Marked as spam by our receiving server (`X-Spam-Flag: YES`).
    Spam,
}

impl AutoReplyKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loop => "loop",
            Self::Bounce => "bounce",
            Self::AutoReply => "auto_reply",
            Self::List => "list",
            Self::Bulk => "bulk",
            Self::Spam => "spam",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Loop,
            Self::Bounce,
            Self::AutoReply,
            Self::List,
            Self::Bulk,
            Self::Spam,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Our loop marker: the value Frontdesk puts in `X-Loop` on mail it sends, and recognises on
/// mail it receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopGuard {
    x_loop: String,
}

impl LoopGuard {
    /// A guard for the helpdesk's address, e.g. `support@example.com`.
    #[must_use]
    pub fn new(x_loop: impl Into<String>) -> Self {
        Self {
            x_loop: x_loop.into().trim().to_owned(),
        }
    }

    /// The value to send in `X-Loop`.
    #[must_use]
    pub fn x_loop(&self) -> &str {
        &self.x_loop
    }

    /// Classifies an inbound mail; `None` means a person probably wrote it.
    #[must_use]
    pub fn classify(&self, mail: &InboundEmail) -> Option<AutoReplyKind> {
        let value = |name: &str| mail.header(name).map(|v| v.trim().to_ascii_lowercase());
        let ours = mail
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("X-Loop"))
            .any(|h| h.value.trim().eq_ignore_ascii_case(&self.x_loop));
        // Our X-Loop, or mail claiming to come from our own address: a loop either way.
        let from_us = mail
            .from
            .as_ref()
            .is_some_and(|f| f.address.as_str().eq_ignore_ascii_case(&self.x_loop));
        if ours || from_us {
            return Some(AutoReplyKind::Loop);
        }
        if is_bounce(mail) {
            return Some(AutoReplyKind::Bounce);
        }
        if value("X-Spam-Flag").is_some_and(|v| v == "yes") {
            return Some(AutoReplyKind::Spam);
        }
        let auto_submitted = value("Auto-Submitted").is_some_and(|v| {
            // `no` may carry parameters (`no; comment`): only the keyword counts.
            v.split(|c: char| c == ';' || c.is_whitespace()).next() != Some("no")
        });
        let suppress =
            value("X-Auto-Response-Suppress").is_some_and(|v| !v.is_empty() && v != "none");
        if auto_submitted
            || suppress
            || mail.has_header("X-Autoreply")
            || mail.has_header("X-Autorespond")
            || mail.has_header("X-Autoresponse")
        {
            return Some(AutoReplyKind::AutoReply);
        }
        let precedence = value("Precedence");
        if precedence.as_deref() == Some("list")
            || mail.has_header("List-Id")
            || mail.has_header("List-Unsubscribe")
        {
            return Some(AutoReplyKind::List);
        }
        if matches!(precedence.as_deref(), Some("bulk" | "junk")) {
            return Some(AutoReplyKind::Bulk);
        }
        None
    }
}

fn is_bounce(mail: &InboundEmail) -> bool {
    let null_return_path = mail.header("Return-Path").is_some_and(|v| {
        v.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .is_empty()
    });
    let daemon_sender = mail.from.as_ref().is_some_and(|f| {
        let local = f.address.local_part();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    });
    let dsn = mail.header("Content-Type").is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("multipart/report") && ct.contains("delivery-status")
    });
    null_return_path || daemon_sender || dsn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{EmailAddress, Header, Mailbox};

    fn mail(headers: &[(&str, &str)]) -> InboundEmail {
        InboundEmail {
            from: Some(Mailbox::new(
                None,
                EmailAddress::parse("jane@example.com").unwrap(),
            )),
            headers: headers.iter().map(|(n, v)| Header::new(*n, *v)).collect(),
            ..InboundEmail::default()
        }
    }

    fn guard() -> LoopGuard {
        LoopGuard::new("support@frontdesk.test")
    }

    #[test]
    fn a_plain_mail_is_human() {
        assert_eq!(guard().classify(&mail(&[("Subject", "Help")])), None);
        assert_eq!(guard().classify(&mail(&[("Auto-Submitted", "no")])), None);
        assert_eq!(
            guard().classify(&mail(&[("Auto-Submitted", "No; by user")])),
            None
        );
        assert_eq!(
            guard().classify(&mail(&[("X-Auto-Response-Suppress", "None")])),
            None
        );
    }

    #[test]
    fn auto_submitted_other_than_no_is_an_auto_reply() {
        for v in [
            "auto-replied",
            "auto-generated",
            "auto-notified; owner-email=x@y",
        ] {
            assert_eq!(
                guard().classify(&mail(&[("Auto-Submitted", v)])),
                Some(AutoReplyKind::AutoReply),
                "{v}"
            );
        }
    }

    #[test]
    fn vendor_auto_reply_headers_are_recognised() {
        for h in ["X-Autoreply", "X-Autorespond", "x-autoreply"] {
            assert_eq!(
                guard().classify(&mail(&[(h, "yes")])),
                Some(AutoReplyKind::AutoReply),
                "{h}"
            );
        }
        assert_eq!(
            guard().classify(&mail(&[("X-Auto-Response-Suppress", "All")])),
            Some(AutoReplyKind::AutoReply)
        );
    }

    #[test]
    fn precedence_and_list_headers_mark_bulk_and_lists() {
        assert_eq!(
            guard().classify(&mail(&[("Precedence", "bulk")])),
            Some(AutoReplyKind::Bulk)
        );
        assert_eq!(
            guard().classify(&mail(&[("Precedence", "junk")])),
            Some(AutoReplyKind::Bulk)
        );
        assert_eq!(
            guard().classify(&mail(&[("Precedence", "list")])),
            Some(AutoReplyKind::List)
        );
        assert_eq!(
            guard().classify(&mail(&[("List-Id", "<x.lists>")])),
            Some(AutoReplyKind::List)
        );
        assert_eq!(
            guard().classify(&mail(&[("List-Unsubscribe", "<mailto:u@x>")])),
            Some(AutoReplyKind::List)
        );
    }

    #[test]
    fn bounces_are_recognised_by_sender_return_path_and_report_type() {
        assert_eq!(
            guard().classify(&mail(&[("Return-Path", "<>")])),
            Some(AutoReplyKind::Bounce)
        );
        let dsn = mail(&[(
            "Content-Type",
            "multipart/report; report-type=delivery-status; boundary=x",
        )]);
        assert_eq!(guard().classify(&dsn), Some(AutoReplyKind::Bounce));
        for sender in ["MAILER-DAEMON@mx.example.com", "postmaster@example.com"] {
            let mut m = mail(&[]);
            m.from = Some(Mailbox::new(None, EmailAddress::parse(sender).unwrap()));
            assert_eq!(
                guard().classify(&m),
                Some(AutoReplyKind::Bounce),
                "{sender}"
            );
        }
    }

    #[test]
    fn our_own_x_loop_is_a_loop_even_among_other_markers() {
        let m = mail(&[
            ("X-Loop", "other@x"),
            ("X-Loop", "Support@Frontdesk.test"),
            ("Precedence", "bulk"),
        ]);
        assert_eq!(guard().classify(&m), Some(AutoReplyKind::Loop));
        assert_eq!(guard().classify(&mail(&[("X-Loop", "other@x")])), None);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in [
            AutoReplyKind::Loop,
            AutoReplyKind::Bounce,
            AutoReplyKind::AutoReply,
            AutoReplyKind::List,
            AutoReplyKind::Bulk,
            AutoReplyKind::Spam,
        ] {
            assert_eq!(AutoReplyKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn spam_flags_and_mail_from_our_own_address_are_machine_mail() {
        assert_eq!(
            guard().classify(&mail(&[("X-Spam-Flag", " YES ")])),
            Some(AutoReplyKind::Spam)
        );
        assert_eq!(guard().classify(&mail(&[("X-Spam-Flag", "NO")])), None);
        let mut ours = mail(&[]);
        ours.from = Some(Mailbox::new(
            None,
            EmailAddress::parse("Support@Frontdesk.test").unwrap(),
        ));
        assert_eq!(guard().classify(&ours), Some(AutoReplyKind::Loop));
    }
}
