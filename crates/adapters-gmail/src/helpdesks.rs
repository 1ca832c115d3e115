//! Conversations of other helpdesks (Zendesk, Intercom) written as mail, so they run through
//! the mail intake like any message: each delivery becomes a message with a stable Message-ID
//! (`<zendesk-42@zendesk.frontdesk.invalid>`, a comment answering it), so a retried delivery is
//! a duplicate and a comment threads onto its ticket. Verifying who sent the delivery is the
//! receiving app's work; this module only translates.

use frontdesk_domain::email::EmailAddress;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use serde::Deserialize;

/// Why a payload cannot be made a message; `field` names the part at fault, when one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TranslateError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl TranslateError {
    fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            message: message.into(),
        }
    }

    fn whole(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }
}

/// A delivery as a message, or a notice that changes nothing (a ping, another topic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translated {
    /// The raw RFC 5322 message.
    Mail(Vec<u8>),
    /// The topic or reason it changes nothing.
    Ignored(String),
}

/// One message of another helpdesk's conversation, to be written as mail.
struct Conversation<'a> {
    /// Without angle brackets.
    message_id: String,
    /// The conversation's first message, for comments.
    in_reply_to: Option<String>,
    from_email: &'a str,
    from_name: Option<&'a str>,
    subject: &'a str,
    body: &'a str,
    html: bool,
}

/// Header text on one line: control characters (CR, LF) become spaces, so nothing in a payload
/// can add a header.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A Message-ID part from a foreign id: letters, digits, `-` and `_` only.
fn id_part(raw: &str, field: &'static str) -> Result<String, TranslateError> {
    let id: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if id.is_empty() || id.len() > 100 {
        return Err(TranslateError::field(
            field,
            "an id of 1 to 100 letters or digits",
        ));
    }
    Ok(id)
}

fn json_id(v: &serde_json::Value, field: &'static str) -> Result<String, TranslateError> {
    match v {
        serde_json::Value::String(s) => id_part(s, field),
        serde_json::Value::Number(n) => id_part(&n.to_string(), field),
        _ => Err(TranslateError::field(field, "a number or a string")),
    }
}

fn mail(
    c: &Conversation<'_>,
    support: &EmailAddress,
    field: &'static str,
) -> Result<Vec<u8>, TranslateError> {
    let address = c
        .from_email
        .trim()
        .parse()
        .map_err(|_| TranslateError::field(field, "a valid e-mail address"))?;
    let from = Mailbox::new(c.from_name.map(one_line).filter(|n| !n.is_empty()), address);
    let to: Mailbox = support
        .as_str()
        .parse()
        .map_err(|e| TranslateError::whole(format!("the support address: {e}")))?;
    let subject = one_line(c.subject);
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(if subject.is_empty() {
            "(no subject)".to_owned()
        } else {
            subject
        })
        .message_id(Some(format!("<{}>", c.message_id)))
        .header(if c.html {
            ContentType::TEXT_HTML
        } else {
            ContentType::TEXT_PLAIN
        });
    if let Some(parent) = &c.in_reply_to {
        builder = builder
            .in_reply_to(format!("<{parent}>"))
            .references(format!("<{parent}>"));
    }
    let message = builder
        .body(c.body.to_owned())
        .map_err(|e| TranslateError::whole(format!("cannot make a message of it: {e}")))?;
    Ok(message.formatted())
}

/// A Zendesk user.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZendeskUser {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The ticket part of the payload (placeholders `{{ticket.id}}`, `{{ticket.title}}`,
/// `{{ticket.description}}`, `{{ticket.requester.email}}`, `{{ticket.requester.name}}`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZendeskTicket {
    /// A number or a string, as the placeholder renders it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: serde_json::Value,
    #[serde(alias = "title")]
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    pub requester: ZendeskUser,
}

/// A comment (`{{ticket.latest_comment.id}}`, `…value}}`, `…author.email}}`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZendeskComment {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: serde_json::Value,
    pub body: String,
    #[serde(default)]
    pub author: Option<ZendeskUser>,
}

/// The JSON body of the Zendesk webhook's triggers: `ticket` always; `comment` for the trigger
/// on "ticket is updated" with a public comment from the requester.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZendeskPayload {
    pub ticket: ZendeskTicket,
    #[serde(default)]
    pub comment: Option<ZendeskComment>,
}

/// A Zendesk delivery (its JSON body) as a message to `support`: the ticket's opening, or the
/// requester's comment answering it.
///
/// # Errors
/// [`TranslateError`] for a body that is not a Zendesk payload, an id that cannot be part of a
/// Message-ID, or a requester without a valid address.
pub fn zendesk_mail(body: &[u8], support: &EmailAddress) -> Result<Vec<u8>, TranslateError> {
    let p: ZendeskPayload = serde_json::from_slice(body)
        .map_err(|e| TranslateError::whole(format!("not a Zendesk ticket payload: {e}")))?;
    let ticket_id = json_id(&p.ticket.id, "ticket.id")?;
    let opening = format!("zendesk-{ticket_id}@zendesk.frontdesk.invalid");
    let message = match &p.comment {
        None => Conversation {
            message_id: opening,
            in_reply_to: None,
            from_email: &p.ticket.requester.email,
            from_name: p.ticket.requester.name.as_deref(),
            subject: &p.ticket.subject,
            body: p.ticket.description.as_deref().unwrap_or_default(),
            html: false,
        },
        Some(c) => {
            let author = c.author.as_ref().unwrap_or(&p.ticket.requester);
            Conversation {
                message_id: format!(
                    "zendesk-{ticket_id}-{}@zendesk.frontdesk.invalid",
                    json_id(&c.id, "comment.id")?
                ),
                in_reply_to: Some(opening),
                from_email: &author.email,
                from_name: author.name.as_deref(),
                subject: &p.ticket.subject,
                body: &c.body,
                html: false,
            }
        }
    };
    mail(&message, support, "ticket.requester.email")
}

/// Who wrote an Intercom message.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomAuthor {
    /// `user`, `lead`, `contact`, `admin`, `bot`, `team`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A conversation's first message.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomSource {
    #[serde(default)]
    pub subject: Option<String>,
    /// HTML.
    #[serde(default)]
    pub body: Option<String>,
    pub author: IntercomAuthor,
}

/// A later message of a conversation.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomPart {
    pub id: String,
    #[serde(default)]
    pub part_type: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    pub author: IntercomAuthor,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomParts {
    #[serde(default)]
    pub conversation_parts: Vec<IntercomPart>,
}

/// `data.item` of a conversation topic.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomConversation {
    pub id: String,
    #[serde(default)]
    pub source: Option<IntercomSource>,
    #[serde(default)]
    pub conversation_parts: Option<IntercomParts>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomData {
    pub item: serde_json::Value,
}

/// An Intercom notification (`type: notification_event`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntercomNotification {
    pub topic: String,
    pub data: IntercomData,
}

fn customer(author: &IntercomAuthor) -> bool {
    matches!(author.kind.as_str(), "user" | "lead" | "contact")
}

/// An Intercom delivery (its JSON body) as a message to `support`: a new conversation
/// (`conversation.user.created`) or the customer's latest reply in it
/// (`conversation.user.replied`); other topics, and replies by the team, change nothing.
///
/// # Errors
/// [`TranslateError`] for a body that is not an Intercom notification, a conversation without
/// its first message, an unusable id, or an author without a valid address.
pub fn intercom_mail(body: &[u8], support: &EmailAddress) -> Result<Translated, TranslateError> {
    let note: IntercomNotification = serde_json::from_slice(body)
        .map_err(|e| TranslateError::whole(format!("not an Intercom notification: {e}")))?;
    if !matches!(
        note.topic.as_str(),
        "conversation.user.created" | "conversation.user.replied"
    ) {
        return Ok(Translated::Ignored(note.topic));
    }
    let conversation: IntercomConversation = serde_json::from_value(note.data.item.clone())
        .map_err(|e| TranslateError::whole(format!("data.item is not a conversation: {e}")))?;
    let conv = id_part(&conversation.id, "data.item.id")?;
    let opening = format!("intercom-{conv}@intercom.frontdesk.invalid");
    let source = conversation.source.as_ref().ok_or_else(|| {
        TranslateError::field("data.item.source", "the conversation's first message")
    })?;
    let subject = source
        .subject
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("Intercom conversation");
    let message =
        if note.topic == "conversation.user.created" {
            Conversation {
                message_id: opening,
                in_reply_to: None,
                from_email: source.author.email.as_deref().unwrap_or_default(),
                from_name: source.author.name.as_deref(),
                subject,
                body: source.body.as_deref().unwrap_or_default(),
                html: true,
            }
        } else {
            let parts = conversation
                .conversation_parts
                .as_ref()
                .map(|p| p.conversation_parts.as_slice())
                .unwrap_or_default();
            let Some(part) = parts.iter().rev().find(|p| {
                customer(&p.author) && p.part_type.as_deref().is_none_or(|t| t == "comment")
            }) else {
                return Ok(Translated::Ignored(note.topic));
            };
            let email = part
                .author
                .email
                .as_deref()
                .or(source.author.email.as_deref())
                .unwrap_or_default();
            Conversation {
                message_id: format!(
                    "intercom-{conv}-{}@intercom.frontdesk.invalid",
                    id_part(&part.id, "conversation_parts.id")?
                ),
                in_reply_to: Some(opening),
                from_email: email,
                from_name: part.author.name.as_deref(),
                subject,
                body: part.body.as_deref().unwrap_or_default(),
                html: true,
            }
        };
    mail(&message, support, "author.email").map(Translated::Mail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support() -> EmailAddress {
        EmailAddress::parse("support@frontdesk.test").unwrap()
    }

    #[test]
    fn a_zendesk_comment_answers_its_tickets_opening_and_headers_stay_one_line() {
        let body = serde_json::json!({
            "ticket": {"id": 42, "subject": "Broken\r\nBcc: x@evil.test", "requester":
                {"email": "jane@x.example", "name": "Jane"}},
            "comment": {"id": "7", "body": "Still broken"}
        });
        let raw = zendesk_mail(body.to_string().as_bytes(), &support()).unwrap();
        let text = String::from_utf8(raw).unwrap();
        assert!(
            text.contains("Message-ID: <zendesk-42-7@zendesk.frontdesk.invalid>"),
            "{text}"
        );
        assert!(
            text.contains("In-Reply-To: <zendesk-42@zendesk.frontdesk.invalid>"),
            "{text}"
        );
        assert!(!text.contains("\r\nBcc:"), "{text}");
        let bad = serde_json::json!({"ticket": {"id": "!!", "subject": "s",
            "requester": {"email": "jane@x.example"}}});
        assert_eq!(
            zendesk_mail(bad.to_string().as_bytes(), &support())
                .unwrap_err()
                .field,
            Some("ticket.id")
        );
    }

    #[test]
    fn intercom_topics_that_change_nothing_are_ignored() {
        let ping = serde_json::json!({"topic": "ping", "data": {"item": {}}});
        assert_eq!(
            intercom_mail(ping.to_string().as_bytes(), &support()).unwrap(),
            Translated::Ignored("ping".into())
        );
    }
}
