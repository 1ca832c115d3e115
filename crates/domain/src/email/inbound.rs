//! `InboundEmail`: one received message, already parsed by a mail adapter.

use chrono::{DateTime, Utc};

use super::{Mailbox, MessageId};

/// One header line as received (unfolded, decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// An attachment or inline part with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: Option<String>,
    pub content_type: String,
    pub content_id: Option<String>,
    pub inline: bool,
    pub content: Vec<u8>,
}

/// A received e-mail as the domain sees it. Mail adapters build it from raw MIME; the raw bytes
/// travel with it so they can be stored exactly as received.
#[derive(Debug, Clone, Default)]
pub struct InboundEmail {
    /// The exact bytes received.
    pub raw: Vec<u8>,
    pub message_id: Option<MessageId>,
    pub in_reply_to: Vec<MessageId>,
    pub references: Vec<MessageId>,
    pub from: Option<Mailbox>,
    /// Every From header as received, when the mail names more than one sender (two From
    /// headers, or several addresses in one); empty for an ordinary mail. Such a mail cannot say
    /// whose it is, so it never joins an existing ticket.
    pub ambiguous_from: Vec<String>,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    /// The Date header, when present and valid.
    pub date: Option<DateTime<Utc>>,
    /// When Frontdesk received the message.
    pub received_at: DateTime<Utc>,
    /// The whole plain-text body (HTML-only mail already converted by the adapter).
    pub text_body: String,
    /// The new part of a reply, quoted history removed; `None` when nothing was stripped.
    pub new_text: Option<String>,
    /// Sanitised HTML body, if the mail had one.
    pub html_body: Option<String>,
    /// Every header, for loop and auto-reply detection.
    pub headers: Vec<Header>,
    /// Gmail's thread id when the mail came through the Gmail API.
    pub provider_thread: Option<String>,
    pub attachments: Vec<Attachment>,
    /// How the message reached us: e-mail, or a conversation of another helpdesk (Zendesk,
    /// Intercom) its webhook delivered and the intake turned into a message.
    pub channel: crate::ticket::Channel,
    /// For a bounce: the Message-ID of the message it returns, read from the returned headers
    /// (a `message/rfc822` or `text/rfc822-headers` part), so it can be matched to the reply
    /// we sent.
    pub returned_message_id: Option<MessageId>,
}

impl InboundEmail {
    /// The first header called `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Whether a header called `name` is present at all.
    #[must_use]
    pub fn has_header(&self, name: &str) -> bool {
        self.header(name).is_some()
    }

    /// Whether the mail names more than one sender (see [`InboundEmail::ambiguous_from`]).
    #[must_use]
    pub fn is_from_ambiguous(&self) -> bool {
        !self.ambiguous_from.is_empty()
    }

    /// The address the mail speaks for: From, or Reply-To for a mail without From (the address
    /// a new ticket would be opened for).
    #[must_use]
    pub fn sender(&self) -> Option<&Mailbox> {
        self.from.as_ref().or(self.reply_to.as_ref())
    }

    /// The Message-ID to deduplicate on: the mail's own, or one derived from its raw bytes.
    #[must_use]
    pub fn effective_message_id(&self) -> MessageId {
        self.message_id
            .clone()
            .unwrap_or_else(|| MessageId::synthetic_from_raw(&self.raw))
    }

    /// The text that goes on the ticket: the new part of a reply when one was found.
    #[must_use]
    pub fn message_text(&self) -> &str {
        self.new_text.as_deref().unwrap_or(&self.text_body)
    }

    /// In-Reply-To then References, each id once, newest reference last. Capped so a hostile
    /// References header cannot make threading look up thousands of ids.
    #[must_use]
    pub fn referenced_ids(&self, cap: usize) -> Vec<MessageId> {
        let mut out: Vec<MessageId> = Vec::new();
        let refs = self.references.iter().rev();
        for id in self.in_reply_to.iter().chain(refs) {
            if out.len() >= cap {
                break;
            }
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        out
    }
}
