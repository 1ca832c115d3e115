//! MIME → domain: any RFC 5322 message, however broken, becomes an [`InboundEmail`] or a typed
//! [`MimeError`] the caller quarantines with the raw bytes. Never a panic, never a lost mail.
//!
//! Parsing is mail-parser's (it copes with bad encodings, charsets and structure); this module
//! decides what the helpdesk keeps: addresses, threading ids, the loop-detection headers, a
//! readable text body (HTML-only mail converted), sanitised HTML, the new part of a reply, and
//! attachments, within configurable limits.

mod html;
mod parser;
mod quotes;

use chrono::{DateTime, Utc};
use frontdesk_domain::email::{Attachment, EmailAddress, Header, InboundEmail, Mailbox, MessageId};
use frontdesk_domain::ticket::Channel;
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};

pub use html::{KEEP as SANITIZED_ELEMENTS, SANITIZER_VERSION, html_to_text, sanitize_html};
pub use parser::MimeParser;
pub use quotes::strip_quoted;

/// One parser for every message, decoding only the headers the helpdesk reads; the rest (the
/// many `Received:` lines above all) stay raw, which is most of the parsing time saved.
static PARSER: std::sync::LazyLock<MessageParser> = std::sync::LazyLock::new(|| {
    MessageParser::new()
        .with_minimal_headers()
        .with_message_ids()
});

/// Bounds on what one message may be; beyond them it is quarantined instead of parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeLimits {
    /// Largest raw message, in bytes (default 25 MiB, Gmail's own limit).
    pub max_bytes: usize,
    /// Most attachments and inline parts (default 100).
    pub max_attachments: usize,
    /// Deepest nesting of multiparts and attached messages (default 20).
    pub max_depth: usize,
}

impl Default for MimeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_attachments: 100,
            max_depth: 20,
        }
    }
}

/// Why a message was not normalised. The caller keeps the raw bytes in quarantine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    #[error("message is {size} bytes, over the limit of {max}")]
    TooLarge { size: usize, max: usize },
    #[error("message has {count} attachments, over the limit of {max}")]
    TooManyAttachments { count: usize, max: usize },
    #[error("message nests {depth} levels deep, over the limit of {max}")]
    TooDeep { depth: usize, max: usize },
    #[error("not an e-mail message: no header could be read")]
    NotAMessage,
}

/// Parses raw bytes into an [`InboundEmail`]. `received_at` is when Frontdesk got the mail; a
/// missing or absurd Date header leaves `date` empty rather than inventing one.
///
/// # Errors
/// [`MimeError`] for a message over the limits or with no readable header at all.
pub fn parse_message(
    raw: &[u8],
    received_at: DateTime<Utc>,
    limits: &MimeLimits,
) -> Result<InboundEmail, MimeError> {
    if raw.len() > limits.max_bytes {
        return Err(MimeError::TooLarge {
            size: raw.len(),
            max: limits.max_bytes,
        });
    }
    let message = PARSER.parse(raw).ok_or(MimeError::NotAMessage)?;
    if message.headers().is_empty() {
        return Err(MimeError::NotAMessage);
    }
    let depth = depth(&message, 0, limits.max_depth);
    if depth > limits.max_depth {
        return Err(MimeError::TooDeep {
            depth,
            max: limits.max_depth,
        });
    }
    if message.attachments.len() > limits.max_attachments {
        return Err(MimeError::TooManyAttachments {
            count: message.attachments.len(),
            max: limits.max_attachments,
        });
    }
    let (text_body, html_body) = bodies(&message);
    let new_text = strip_quoted(&text_body);
    Ok(InboundEmail {
        raw: raw.to_vec(),
        message_id: message
            .message_id()
            .and_then(|id| MessageId::parse(id).ok()),
        in_reply_to: ids(&message, "In-Reply-To"),
        references: ids(&message, "References"),
        from: first_mailbox(message.from()),
        ambiguous_from: ambiguous_from(&message),
        reply_to: first_mailbox(message.reply_to()),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        subject: message.subject().map(flatten).unwrap_or_default(),
        date: message.date().and_then(to_utc),
        received_at,
        text_body,
        new_text,
        html_body,
        headers: headers(&message),
        provider_thread: None,
        attachments: attachments(&message),
        channel: Channel::Email,
        returned_message_id: returned_message_id(&message),
    })
}

/// The Message-ID of the message a bounce returns: from a `message/rfc822` part (the whole
/// message) or a `text/rfc822-headers` part (its header only), the first found.
fn returned_message_id(message: &Message<'_>) -> Option<MessageId> {
    message.parts.iter().skip(1).find_map(|part| {
        if let PartType::Message(inner) = &part.body
            && let Some(id) = inner.message_id().and_then(|id| MessageId::parse(id).ok())
        {
            return Some(id);
        }
        let returned = part.content_type().is_some_and(|ct| {
            let sub = ct.subtype().unwrap_or_default();
            (ct.ctype().eq_ignore_ascii_case("text") && sub.eq_ignore_ascii_case("rfc822-headers"))
                || (ct.ctype().eq_ignore_ascii_case("message")
                    && sub.eq_ignore_ascii_case("rfc822"))
        });
        if !returned {
            return None;
        }
        // Its header as text: the lines up to the first blank one.
        let text = String::from_utf8_lossy(part.contents());
        text.lines()
            .take_while(|l| !l.trim().is_empty())
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                if name.trim().eq_ignore_ascii_case("message-id") {
                    MessageId::parse_list(value).into_iter().next()
                } else {
                    None
                }
            })
    })
}

/// Header text on one line: folding and control characters become single spaces.
/// Where the header of a raw message ends: the offset just past its blank line, or `None` when
/// the bytes hold no blank line (a header only, or not a message).
#[must_use]
pub fn header_end(raw: &[u8]) -> Option<usize> {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
}

/// The Message-ID of a message [`parse_message`] refused, read by a plain scan of its header
/// lines, so a quarantined mail can still be named by the id its sender gave it.
#[must_use]
pub fn raw_message_id(raw: &[u8]) -> Option<MessageId> {
    let header = String::from_utf8_lossy(&raw[..header_end(raw).unwrap_or(raw.len())]);
    header.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("message-id") {
            MessageId::parse(value.trim()).ok()
        } else {
            None
        }
    })
}

fn flatten(s: &str) -> String {
    // One pass and one allocation: this runs for every header of every message.
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// How deeply parts nest below `message`, counting attached messages; stops counting past `max`.
fn depth(message: &Message<'_>, level: usize, max: usize) -> usize {
    fn part_depth(
        message: &Message<'_>,
        part: &MessagePart<'_>,
        level: usize,
        max: usize,
    ) -> usize {
        if level > max {
            return level;
        }
        match &part.body {
            PartType::Multipart(children) => children
                .iter()
                .filter_map(|id| message.parts.get(*id as usize))
                .map(|child| part_depth(message, child, level + 1, max))
                .max()
                .unwrap_or(level),
            PartType::Message(inner) => depth(inner, level + 1, max),
            _ => level,
        }
    }
    message
        .parts
        .first()
        .map_or(level, |root| part_depth(message, root, level, max))
}

/// The text body to keep, and the sanitised HTML if the mail has HTML.
fn bodies(message: &Message<'_>) -> (String, Option<String>) {
    let part = |ids: &[u32]| ids.first().and_then(|id| message.parts.get(*id as usize));
    let html = part(&message.html_body).and_then(|p| match &p.body {
        PartType::Html(h) => Some(sanitize_html(h)),
        _ => None,
    });
    let text = match part(&message.text_body).map(|p| &p.body) {
        Some(PartType::Text(t)) => t.to_string(),
        // HTML-only mail: its text is the (already sanitised) HTML made readable.
        _ => html
            .as_deref()
            .map(html::text_of_sanitized)
            .unwrap_or_default(),
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    };
    (text, html)
}

/// The ids of every `name` header, read from the header's raw text by the domain's rule
/// ([`MessageId::parse_list`]: bracketed ids, a bare one only when it is the whole header), not
/// from the parser's tokens, which would take each word of an RFC 822 phrase for an id.
fn ids(message: &Message<'_>, name: &str) -> Vec<MessageId> {
    let mut out: Vec<MessageId> = Vec::new();
    for (_, raw) in message
        .headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        for id in MessageId::parse_list(raw) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address.map_or_else(Vec::new, |a| {
        a.iter()
            .filter_map(|addr| {
                let email = EmailAddress::parse(addr.address()?).ok()?;
                Some(Mailbox::new(addr.name().map(flatten), email))
            })
            .collect()
    })
}

/// The most From headers, and characters of each, kept from a mail naming several senders.
const AMBIGUOUS_FROM_HEADERS: usize = 10;
const AMBIGUOUS_FROM_CHARS: usize = 998;

/// Every From header's value when the mail names more than one sender (two From headers, or
/// several addresses in one); empty otherwise. `from` is then only one of them, so the domain
/// must not trust it to thread the mail (RFC 5322 allows several authors, but each is as
/// unproven as the others).
fn ambiguous_from(message: &Message<'_>) -> Vec<String> {
    let raw: Vec<&str> = message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("from"))
        .map(|(_, value)| value)
        .collect();
    let addresses = message.from().map_or(0, |a| a.iter().count());
    if raw.len() <= 1 && addresses <= 1 {
        return Vec::new();
    }
    raw.iter()
        .take(AMBIGUOUS_FROM_HEADERS)
        .map(|v| flatten(v).chars().take(AMBIGUOUS_FROM_CHARS).collect())
        .collect()
}

fn first_mailbox(address: Option<&Address<'_>>) -> Option<Mailbox> {
    mailboxes(address).into_iter().next()
}

fn to_utc(date: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    if !(1970..=2200).contains(&date.year) || !date.is_valid() {
        return None;
    }
    DateTime::from_timestamp(date.to_timestamp(), 0)
}

/// The headers machine-mail detection reads (RFC 3834, vendor auto-reply markers, lists,
/// bounces, our loop marker) and the receiving servers' `Authentication-Results`, unfolded, in
/// the order received (topmost first). The raw bytes keep every header; copying all of them
/// (a dozen `Received:` lines a message) would only cost time.
fn headers(message: &Message<'_>) -> Vec<Header> {
    fn wanted(name: &str) -> bool {
        const EXACT: [&str; 7] = [
            "auto-submitted",
            "precedence",
            "return-path",
            "content-type",
            "delivered-to",
            "x-failed-recipients",
            "authentication-results",
        ];
        let lower = name.to_ascii_lowercase();
        EXACT.contains(&lower.as_str())
            || lower.starts_with("list-")
            || lower.starts_with("x-auto")
            || lower == "x-loop"
    }
    message
        .headers_raw()
        .filter(|(name, _)| wanted(name))
        .map(|(name, value)| Header::new(name, flatten(value)))
        .collect()
}

fn attachments(message: &Message<'_>) -> Vec<Attachment> {
    message
        .attachments()
        .map(|part| {
            let content = match &part.body {
                PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
                PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
                PartType::Message(inner) => inner.raw_message().to_vec(),
                PartType::Multipart(_) => Vec::new(),
            };
            let content_type = part.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                    None => ct.ctype().to_ascii_lowercase(),
                },
            );
            let inline = matches!(part.body, PartType::InlineBinary(_))
                || part
                    .content_disposition()
                    .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
            Attachment {
                filename: part.attachment_name().map(safe_filename),
                content_type: flatten(&content_type),
                content_id: part
                    .content_id()
                    .map(|c| flatten(c.trim_matches(['<', '>']))),
                inline,
                content,
            }
        })
        .collect()
}

/// A file name that is only a name: no directories, no control characters, not empty.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests;
