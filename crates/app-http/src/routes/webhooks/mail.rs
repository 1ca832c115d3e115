//! Raw mail POSTed by an MTA or a mail service, and Gmail's Pub/Sub push.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{body, check, ingest_one, presented};
use crate::problem::ApiError;
use crate::state::AppState;
use frontdesk_domain::ticket::Channel;

/// Ingest one raw RFC 822 message (`message/rfc822`, `application/octet-stream` or
/// `text/plain`), authenticated by the shared secret `http.inbound_secret_env`/`_file`. Answers
/// the outcome as a line of `frontdesk-poller import --json`: 201 for a new ticket, 200 for a
/// reply or a duplicate, 202 when the mail was quarantined (kept with its bytes; the sender
/// need not retry).
#[utoipa::path(post, path = "/api/webhooks/inbound-email", tag = "webhooks",
    request_body(content = String, content_type = "message/rfc822"),
    responses((status = 201, description = "a ticket was created", body = crate::views::IntakeView),
              (status = 200, description = "appended, follow-up or duplicate"),
              (status = 202, description = "quarantined"),
              (status = 401, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
              (status = 413, body = crate::problem::Problem), (status = 415, body = crate::problem::Problem)))]
pub async fn inbound_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check(state.webhooks.inbound.as_ref(), presented(&req).as_deref())?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(
        content_type.as_str(),
        "message/rfc822" | "application/octet-stream" | "text/plain"
    ) {
        return Err(ApiError::unsupported_media_type(
            "send the raw message as message/rfc822",
        ));
    }
    let limit = state.http().max_mail_mib.saturating_mul(1024 * 1024);
    let raw = body(payload, limit).await?;
    if raw.is_empty() {
        return Err(ApiError::invalid("the body is empty; send the raw message"));
    }
    ingest_one(&state, "webhook:inbound-email", Channel::Email, raw).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PushParams {
    /// The verification token set on the Pub/Sub push subscription's endpoint URL.
    pub token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PushMessage {
    /// Base64 of `{"emailAddress": "…", "historyId": …}`.
    pub data: String,
    #[serde(default, rename = "messageId")]
    pub message_id: Option<String>,
}

/// A Pub/Sub push delivery.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushEnvelope {
    pub message: PushMessage,
    #[serde(default)]
    pub subscription: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GmailNotice {
    email_address: String,
    history_id: serde_json::Value,
}

/// Gmail's push notification (Cloud Pub/Sub push subscription, verified by `?token=` against
/// `http.gmail_push_token_env`/`_file`): wakes the mailboxes at once instead of at the next
/// tick. Answers 204 as soon as the notice is read; the pass runs in the background.
#[utoipa::path(post, path = "/api/webhooks/gmail", tag = "webhooks", params(PushParams),
    request_body = PushEnvelope,
    responses((status = 204), (status = 400, body = crate::problem::Problem),
              (status = 401, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn gmail_push(
    state: web::Data<AppState>,
    params: web::Query<PushParams>,
    envelope: web::Json<PushEnvelope>,
) -> Result<HttpResponse, ApiError> {
    check(state.webhooks.gmail.as_ref(), params.token.as_deref())?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(envelope.message.data.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(envelope.message.data.trim()))
        .map_err(|_| ApiError::bad_request("message.data is not base64"))?;
    let notice: GmailNotice = serde_json::from_slice(&data)
        .map_err(|e| ApiError::bad_request(format!("message.data is not a Gmail notice: {e}")))?;
    tracing::info!(mailbox = %notice.email_address, history = %notice.history_id, "Gmail push received");
    let app = state.app.clone();
    tokio::spawn(async move {
        crate::wiring::ingest_pass(&app).await;
    });
    Ok(HttpResponse::NoContent().finish())
}
