//! Conversations from Zendesk and Intercom: the signature is checked here (who may deliver is
//! the HTTP side's concern); the mail adapter writes the delivery as a message
//! (`frontdesk_adapters_gmail::helpdesks`), and it runs through the mail intake: a retried
//! delivery is a duplicate, a comment threads onto its ticket, the ticket is classified and put
//! on SLA clocks like mail, and what cannot be used is quarantined with its bytes.

use crate::wiring::{INTERCOM_SOURCE, ZENDESK_SOURCE};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_adapters_gmail::helpdesks::{
    self, IntercomNotification, TranslateError, Translated, ZendeskPayload,
};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ticket::Channel;

use super::{body, configured, ingest_one};
use crate::auth::shared::Signer;
use crate::problem::ApiError;
use crate::state::AppState;

/// How far a Zendesk signature timestamp may be from now: older deliveries are replays.
const ZENDESK_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(15);

/// The support address the translated message is written to.
fn support(state: &AppState) -> Result<EmailAddress, ApiError> {
    state
        .app
        .config
        .support_address()
        .map_err(|e| ApiError::internal(&e))
}

fn translate_error(e: TranslateError) -> ApiError {
    match e.field {
        Some(field) => ApiError::invalid_field(field, e.message),
        None => ApiError::invalid(e.message),
    }
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
    responses((status = 201, description = "a ticket was created", body = crate::views::IntakeView),
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
    let raw_mail = helpdesks::zendesk_mail(&raw, &support(&state)?).map_err(translate_error)?;
    ingest_one(&state, ZENDESK_SOURCE, Channel::Zendesk, raw_mail).await
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

/// An Intercom conversation (`conversation.user.created`) or a customer's reply in it
/// (`conversation.user.replied`), verified by `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`
/// under the app's client secret (`http.intercom_secret_env`/`_file`). `ping` and other topics
/// answer 200 and change nothing. Outcomes as for the inbound-email webhook.
#[utoipa::path(post, path = "/api/webhooks/intercom", tag = "webhooks", request_body = IntercomNotification,
    responses((status = 201, description = "a ticket was created", body = crate::views::IntakeView),
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
    let raw_mail =
        match helpdesks::intercom_mail(&raw, &support(&state)?).map_err(translate_error)? {
            Translated::Mail(raw_mail) => raw_mail,
            Translated::Ignored(topic) => {
                return Ok(HttpResponse::Ok().json(serde_json::json!({ "ignored": topic })));
            }
        };
    ingest_one(&state, INTERCOM_SOURCE, Channel::Intercom, raw_mail).await
}
