//! Conversations from Zendesk and Intercom. Each delivery becomes a message with a stable
//! Message-ID (`<zendesk-42@zendesk.frontdesk.invalid>`, a comment answering it) and runs through
//! the mail intake: a retried delivery is a duplicate, a comment threads onto its ticket, the
//! ticket is classified and put on SLA clocks like mail, and what cannot be used is quarantined
//! with its bytes.

use crate::wiring::{INTERCOM_SOURCE, ZENDESK_SOURCE};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::ticket::Channel;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{body, configured, ingest_one};
use crate::auth::shared::Signer;
use crate::problem::ApiError;
use crate::state::AppState;

/// How far a Zendesk signature timestamp may be from now: older deliveries are replays.
const ZENDESK_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(15);

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

/// A Message-ID part from a foreign id: letters, digits and `-` only.
fn id_part(raw: &str, field: &str) -> Result<String, ApiError> {
    let id: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if id.is_empty() || id.len() > 100 {
        return Err(ApiError::invalid_field(
            field,
            "an id of 1 to 100 letters or digits",
        ));
    }
    Ok(id)
}

fn mail(state: &AppState, c: &Conversation<'_>, field: &str) -> Result<Vec<u8>, ApiError> {
    let address = c
        .from_email
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_field(field, "a valid e-mail address"))?;
    let from = Mailbox::new(c.from_name.map(one_line).filter(|n| !n.is_empty()), address);
    let support = state
        .app
        .config
        .support_address()
        .map_err(|e| ApiError::internal(&e))?;
    let to: Mailbox = support
        .to_string()
        .parse()
        .map_err(|e| ApiError::internal(&e))?;
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
        .map_err(|e| ApiError::invalid(format!("cannot make a message of it: {e}")))?;
    Ok(message.formatted())
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The body of a delivery (JSON, up to `http.max_json_kib`) once `verify` accepted its
/// signature under `signer`; 404 while the webhook has no secret.
async fn signed_body(
    state: &AppState,
    signer: Option<&Signer>,
    payload: web::Payload,
    verify: impl FnOnce(&Signer, &[u8]) -> Result<(), ApiError>,
) -> Result<Vec<u8>, ApiError> {
    let signer = configured(signer)?;
    let raw = body(payload, state.http().max_json_kib.saturating_mul(1024)).await?;
    verify(signer, &raw)?;
    Ok(raw)
}

/// A Zendesk user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ZendeskUser {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The ticket part of the payload (placeholders `{{ticket.id}}`, `{{ticket.title}}`,
/// `{{ticket.description}}`, `{{ticket.requester.email}}`, `{{ticket.requester.name}}`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ZendeskTicket {
    /// A number or a string, as the placeholder renders it.
    #[schema(value_type = String)]
    pub id: serde_json::Value,
    #[serde(alias = "title")]
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    pub requester: ZendeskUser,
}

/// A comment (`{{ticket.latest_comment.id}}`, `…value}}`, `…author.email}}`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ZendeskComment {
    #[schema(value_type = String)]
    pub id: serde_json::Value,
    pub body: String,
    #[serde(default)]
    pub author: Option<ZendeskUser>,
}

/// The JSON body of the Zendesk webhook's triggers: `ticket` always; `comment` for the trigger
/// on "ticket is updated" with a public comment from the requester.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ZendeskPayload {
    pub ticket: ZendeskTicket,
    #[serde(default)]
    pub comment: Option<ZendeskComment>,
}

fn json_id(v: &serde_json::Value, field: &str) -> Result<String, ApiError> {
    match v {
        serde_json::Value::String(s) => id_part(s, field),
        serde_json::Value::Number(n) => id_part(&n.to_string(), field),
        _ => Err(ApiError::invalid_field(field, "a number or a string")),
    }
}

fn zendesk_verified(
    req: &HttpRequest,
    signer: &Signer,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let unauthorized =
        || ApiError::unauthorized("the Zendesk webhook signature is missing or wrong");
    let signature = header(req, "x-zendesk-webhook-signature").ok_or_else(unauthorized)?;
    let timestamp =
        header(req, "x-zendesk-webhook-signature-timestamp").ok_or_else(unauthorized)?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| unauthorized())?;
    let mut signed = timestamp.as_bytes().to_vec();
    signed.extend_from_slice(raw);
    if !signer.verify(&signed, &signature) {
        return Err(unauthorized());
    }
    let at: DateTime<Utc> = timestamp
        .parse()
        .map_err(|_| ApiError::unauthorized("the signature timestamp is not RFC 3339"))?;
    if (now - at).abs() > ZENDESK_CLOCK_SKEW {
        return Err(ApiError::unauthorized(
            "the signature timestamp is too old or in the future (a replay?)",
        ));
    }
    Ok(())
}

/// A Zendesk ticket or a requester's comment, from a Zendesk webhook (JSON, the body shown in
/// `docs/api.md`), verified by `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(timestamp +
/// body)) under `http.zendesk_secret_env`/`_file`. Answers like the inbound-email webhook: 201 a
/// new ticket, 200 a comment added or a retried delivery, 202 quarantined.
#[utoipa::path(post, path = "/api/webhooks/zendesk", tag = "webhooks", request_body = ZendeskPayload,
    responses((status = 201, description = "a ticket was created"),
              (status = 200, description = "appended or duplicate"),
              (status = 202, description = "quarantined"),
              (status = 401, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn zendesk(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let raw = signed_body(
        &state,
        state.webhooks.zendesk.as_ref(),
        payload,
        |s, raw| zendesk_verified(&req, s, raw, state.now()),
    )
    .await?;
    let p: ZendeskPayload = serde_json::from_slice(&raw)
        .map_err(|e| ApiError::invalid(format!("not a Zendesk ticket payload: {e}")))?;
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
    let raw_mail = mail(&state, &message, "ticket.requester.email")?;
    ingest_one(&state, ZENDESK_SOURCE, Channel::Zendesk, raw_mail).await
}

/// Who wrote an Intercom message.
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomSource {
    #[serde(default)]
    pub subject: Option<String>,
    /// HTML.
    #[serde(default)]
    pub body: Option<String>,
    pub author: IntercomAuthor,
}

/// A later message of a conversation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomPart {
    pub id: String,
    #[serde(default)]
    pub part_type: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    pub author: IntercomAuthor,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomParts {
    #[serde(default)]
    pub conversation_parts: Vec<IntercomPart>,
}

/// `data.item` of a conversation topic.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomConversation {
    pub id: String,
    #[serde(default)]
    pub source: Option<IntercomSource>,
    #[serde(default)]
    pub conversation_parts: Option<IntercomParts>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomData {
    pub item: serde_json::Value,
}

/// An Intercom notification (`type: notification_event`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntercomNotification {
    pub topic: String,
    pub data: IntercomData,
}

fn intercom_verified(req: &HttpRequest, signer: &Signer, raw: &[u8]) -> Result<(), ApiError> {
    let unauthorized = || ApiError::unauthorized("the X-Hub-Signature is missing or wrong");
    let signature = header(req, "x-hub-signature")
        .and_then(|v| v.trim().strip_prefix("sha1="))
        .and_then(|hex| ::hex::decode(hex).ok())
        .ok_or_else(unauthorized)?;
    if signer.verify(raw, &signature) {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

fn customer(author: &IntercomAuthor) -> bool {
    matches!(author.kind.as_str(), "user" | "lead" | "contact")
}

/// An Intercom conversation (`conversation.user.created`) or a customer's reply in it
/// (`conversation.user.replied`), verified by `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`
/// under the app's client secret (`http.intercom_secret_env`/`_file`). `ping` and other topics
/// answer 200 and change nothing. Outcomes as for the inbound-email webhook.
#[utoipa::path(post, path = "/api/webhooks/intercom", tag = "webhooks", request_body = IntercomNotification,
    responses((status = 201, description = "a ticket was created"),
              (status = 200, description = "appended, duplicate, or a topic that changes nothing"),
              (status = 202, description = "quarantined"),
              (status = 401, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn intercom(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let raw = signed_body(
        &state,
        state.webhooks.intercom.as_ref(),
        payload,
        |s, raw| intercom_verified(&req, s, raw),
    )
    .await?;
    let note: IntercomNotification = serde_json::from_slice(&raw)
        .map_err(|e| ApiError::invalid(format!("not an Intercom notification: {e}")))?;
    let ignored = || HttpResponse::Ok().json(serde_json::json!({"ignored": note.topic}));
    if !matches!(
        note.topic.as_str(),
        "conversation.user.created" | "conversation.user.replied"
    ) {
        return Ok(ignored());
    }
    let conversation: IntercomConversation = serde_json::from_value(note.data.item.clone())
        .map_err(|e| ApiError::invalid(format!("data.item is not a conversation: {e}")))?;
    let conv = id_part(&conversation.id, "data.item.id")?;
    let opening = format!("intercom-{conv}@intercom.frontdesk.invalid");
    let source = conversation.source.as_ref().ok_or_else(|| {
        ApiError::invalid_field("data.item.source", "the conversation's first message")
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
                return Ok(ignored());
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
    let raw_mail = mail(&state, &message, "author.email")?;
    ingest_one(&state, INTERCOM_SOURCE, Channel::Intercom, raw_mail).await
}
