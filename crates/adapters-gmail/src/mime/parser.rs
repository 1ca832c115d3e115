//! The domain's `MailParser` port over [`super::parse_message`].

use chrono::{DateTime, Utc};
use frontdesk_domain::MessageId;
use frontdesk_domain::email::InboundEmail;
use frontdesk_domain::ports::{MailParser, ParseFailure};

use super::{MimeLimits, parse_message, raw_message_id};

/// Parses mail with [`parse_message`] within its limits.
#[derive(Debug, Clone, Default)]
pub struct MimeParser {
    pub limits: MimeLimits,
}

impl MailParser for MimeParser {
    fn parse(&self, raw: &[u8], received_at: DateTime<Utc>) -> Result<InboundEmail, ParseFailure> {
        parse_message(raw, received_at, &self.limits).map_err(|e| ParseFailure(e.to_string()))
    }

    fn message_id(&self, raw: &[u8]) -> Option<MessageId> {
        raw_message_id(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_parses_and_garbage_keeps_its_message_id() {
        let parser = MimeParser::default();
        let now = Utc::now();
        let mail = parser
            .parse(
                b"From: a@b.test\r\nMessage-ID: <m1@b.test>\r\nSubject: Hi\r\n\r\nHello\r\n",
                now,
            )
            .unwrap();
        assert_eq!(mail.subject, "Hi");
        let tiny = MimeParser {
            limits: MimeLimits {
                max_bytes: 10,
                ..MimeLimits::default()
            },
        };
        let raw = b"Message-ID: <m2@b.test>\r\n\r\nbody that is too long";
        assert!(tiny.parse(raw, now).is_err());
        assert_eq!(
            tiny.message_id(raw).map(|m| m.to_header()),
            Some("<m2@b.test>".to_owned())
        );
    }
}
