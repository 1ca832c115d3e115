//! `MessageId`: an RFC 5322 Message-ID, normalised so the same id always compares equal.

use std::fmt;

use sha2::{Digest, Sha256};

/// Why a string is not a Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageIdError {
    #[error("Message-ID is empty")]
    Empty,
    #[error("Message-ID `{0}` contains whitespace or control characters")]
    InvalidCharacter(String),
    #[error("Message-ID is longer than 995 characters")]
    TooLong,
}

/// A Message-ID without its angle brackets (`abc@mail.example.com`). Stored and compared
/// exactly as sent apart from the brackets: ids are opaque and case-sensitive by RFC 5322.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

/// The domain used for ids Frontdesk makes up for mail that arrived without a Message-ID.
pub const SYNTHETIC_ID_DOMAIN: &str = "sha256.frontdesk.invalid";

impl MessageId {
    /// Parses one id, with or without `<>`.
    ///
    /// # Errors
    /// [`MessageIdError`] for an empty, over-long or whitespace-bearing id.
    pub fn parse(raw: &str) -> Result<Self, MessageIdError> {
        let t = raw.trim();
        let t = t
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(t)
            .trim();
        if t.is_empty() {
            return Err(MessageIdError::Empty);
        }
        if t.len() > 995 {
            return Err(MessageIdError::TooLong);
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(MessageIdError::InvalidCharacter(t.to_owned()));
        }
        Ok(Self(t.to_owned()))
    }

    /// Every id in a header such as References or In-Reply-To, in order, without duplicates.
    ///
    /// Only angle-bracketed msg-ids count (RFC 5322 §3.6.4): whatever lies between them —
    /// comments, or the free-text phrase of the obsolete RFC 822 form (`jane@x.com's message of
    /// "Tue, 27 Aug 2002 …"`) — is ignored, so a phrase's address never becomes a bogus key that
    /// would join one person's unrelated conversations. A bare id is accepted only when it is
    /// the whole header and looks like one ([`Self::looks_bare`]).
    #[must_use]
    pub fn parse_list(header: &str) -> Vec<Self> {
        let mut ids: Vec<Self> = Vec::new();
        if header.contains('<') {
            for part in header.split('<').skip(1) {
                if let Some((inner, _)) = part.split_once('>')
                    && let Ok(id) = Self::parse(inner)
                    && id.0.contains('@')
                    && !ids.contains(&id)
                {
                    ids.push(id);
                }
            }
        } else if Self::looks_bare(header)
            && let Ok(id) = Self::parse(header)
        {
            ids.push(id);
        }
        ids
    }

    /// Whether a header without angle brackets is one bare id: a single `local@domain` token
    /// with no quote or apostrophe (which only phrases have) and no comment.
    fn looks_bare(header: &str) -> bool {
        let t = header.trim();
        let Some((local, domain)) = t.split_once('@') else {
            return false;
        };
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !t.contains(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | ',' | ';' | '\u{2019}')
            })
    }

    /// A stable id for mail that has none: the SHA-256 of its raw bytes, so a second delivery
    /// of the very same bytes is still recognised as a duplicate.
    #[must_use]
    pub fn synthetic_from_raw(raw: &[u8]) -> Self {
        Self(format!("{}@{SYNTHETIC_ID_DOMAIN}", content_address(raw)))
    }

    /// Makes an id on `domain` from a unique token (Frontdesk's own outbound mail).
    ///
    /// # Errors
    /// [`MessageIdError`] when the token or domain would make an invalid id.
    pub fn generate(unique: &str, domain: &str) -> Result<Self, MessageIdError> {
        Self::parse(&format!("{unique}@{domain}"))
    }

    #[must_use]
    pub fn is_synthetic(&self) -> bool {
        self.0.ends_with(SYNTHETIC_ID_DOMAIN)
    }

    /// The id as it is stored (no brackets).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as it goes into a header: `<id>`.
    #[must_use]
    pub fn to_header(&self) -> String {
        format!("<{}>", self.0)
    }
}

/// The content address of stored bytes (attachments, raw mail): lower-case hex SHA-256. The
/// domain names attachments by it and storage keys them by it, so both use this one function.
#[must_use]
pub fn content_address(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl std::str::FromStr for MessageId {
    type Err = MessageIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_strips_brackets() {
        assert_eq!(MessageId::parse(" <a.b@c> ").unwrap().as_str(), "a.b@c");
        assert_eq!(MessageId::parse("a.b@c").unwrap().to_header(), "<a.b@c>");
    }

    #[test]
    fn parse_rejects_empty_and_spaces() {
        assert_eq!(MessageId::parse("<>"), Err(MessageIdError::Empty));
        assert!(matches!(
            MessageId::parse("a b@c"),
            Err(MessageIdError::InvalidCharacter(_))
        ));
        assert_eq!(
            MessageId::parse(&"a".repeat(1000)),
            Err(MessageIdError::TooLong)
        );
    }

    #[test]
    fn parse_list_reads_every_bracketed_id_once() {
        let ids = MessageId::parse_list("<a@x>\r\n <b@y> (comment) <a@x> <junk>");
        let ids: Vec<_> = ids.iter().map(MessageId::as_str).collect();
        assert_eq!(ids, ["a@x", "b@y"]);
    }

    #[test]
    fn parse_list_accepts_a_bare_id_only_when_it_is_the_whole_header() {
        let ids = MessageId::parse_list(" a@x.example\r\n");
        assert_eq!(ids, [MessageId::parse("a@x.example").unwrap()]);
        assert!(MessageId::parse_list("a@x b@y").is_empty());
        assert!(MessageId::parse_list("nobody").is_empty());
        assert!(MessageId::parse_list("\"a b\"@x").is_empty());
    }

    #[test]
    fn the_rfc_822_phrase_form_yields_no_bogus_id() {
        for header in [
            "user@example.com's message of \"Tue, 27 Aug 2002 10:00:00 +0200\"",
            "Your message of Tue, 27 Aug 2002 10:00:00 (user@example.com)",
            "user@example.com\u{2019}s message",
            "\"user@example.com\"",
        ] {
            assert!(MessageId::parse_list(header).is_empty(), "{header}");
        }
        // The phrase form with the id in brackets still gives the id, and only it.
        let ids = MessageId::parse_list(
            "user@example.com's message of \"Tue, 27 Aug 2002\" <3D6B@mail.example.com>",
        );
        assert_eq!(ids, [MessageId::parse("3D6B@mail.example.com").unwrap()]);
    }

    #[test]
    fn synthetic_ids_are_stable_for_the_same_bytes() {
        let a = MessageId::synthetic_from_raw(b"Subject: hi\r\n\r\nbody");
        let b = MessageId::synthetic_from_raw(b"Subject: hi\r\n\r\nbody");
        let c = MessageId::synthetic_from_raw(b"Subject: hi\r\n\r\nbody!");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.is_synthetic());
        assert_eq!(a.as_str().len(), 64 + 1 + SYNTHETIC_ID_DOMAIN.len());
    }
}
