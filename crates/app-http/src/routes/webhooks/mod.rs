//! Inbound webhooks: raw mail from an MTA or mail service, Gmail's Pub/Sub push, and the
//! conversations of Zendesk and Intercom. All go through the same intake as polled mail; each is
//! off (404) until its secret is set.

mod helpdesks;
mod mail;

use crate::wiring::{Outcome, RawMail, process_batch};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use frontdesk_domain::service::IngestOutcome;
use frontdesk_domain::ticket::Channel;
use futures_util::StreamExt as _;

pub use helpdesks::{__path_intercom, __path_zendesk, intercom, zendesk};
pub use mail::{__path_gmail_push, __path_inbound_email, gmail_push, inbound_email};

use crate::auth::shared::SharedSecret;
use crate::problem::ApiError;
use crate::state::AppState;

/// The secret a webhook caller sent: `Authorization: Bearer <secret>` or `X-Frontdesk-Token`.
fn presented(req: &HttpRequest) -> Option<String> {
    let headers = req.headers();
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| {
            headers
                .get("x-frontdesk-token")
                .and_then(|v| v.to_str().ok())
        })
        .map(|s| s.trim().to_owned())
}

/// A webhook's secret; a webhook without one is switched off (404).
fn configured<T>(secret: Option<&T>) -> Result<&T, ApiError> {
    secret.ok_or_else(|| ApiError::not_found("this webhook is not configured"))
}

fn check(secret: Option<&SharedSecret>, provided: Option<&str>) -> Result<(), ApiError> {
    let secret = configured(secret)?;
    match provided {
        Some(p) if secret.matches(p) => Ok(()),
        _ => Err(ApiError::unauthorized(
            "the webhook secret is missing or wrong",
        )),
    }
}

/// Reads a body up to `limit` bytes; larger is 413 without reading the rest into memory.
async fn body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                ApiError::request_timeout(io.to_string())
            }
            other => ApiError::bad_request(format!("cannot read the body: {other}")),
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::too_large(format!(
                "the body may be at most {limit} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Runs one message through the intake and answers its outcome ([`crate::views::IntakeView`],
/// the shape of a line of `frontdesk-poller import --json`): 201 for a new ticket, 200 for a reply or a duplicate, 202
/// when it was quarantined (kept with its bytes; the sender need not retry).
async fn ingest_one(
    state: &AppState,
    source: &str,
    channel: Channel,
    raw: Vec<u8>,
) -> Result<HttpResponse, ApiError> {
    let mail = RawMail::new(source, channel, raw);
    let outcome = process_batch(state.desk(), state.db(), std::slice::from_ref(&mail), false)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal(&"no outcome for the posted mail"))?;
    metrics::counter!("frontdesk_mails_ingested_total", "mailbox" => source.to_owned(), "outcome" => outcome.name())
        .increment(1);
    let status = match &outcome {
        Outcome::Ingested(r)
            if matches!(r.outcome, IngestOutcome::Created | IngestOutcome::FollowUp) =>
        {
            actix_web::http::StatusCode::CREATED
        }
        Outcome::Ingested(_) => actix_web::http::StatusCode::OK,
        Outcome::Quarantined { .. } => actix_web::http::StatusCode::ACCEPTED,
    };
    Ok(HttpResponse::build(status).json(crate::views::IntakeView::of(&mail.source, &outcome)))
}
