//! `/api/outbound-webhooks`: subscriptions that receive ticket events as signed POSTs
//! (managers and admins). Deliveries go through the jobs queue with retries; see
//! the poller's `outbound` module for the signature.

use crate::wiring::check_target;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::access::Permission;
use frontdesk_domain::webhook::{EventSelection, Subscription, WebhookUrl, redact_url};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::auth::tokens::random_token;
use crate::problem::ApiError;
use crate::state::AppState;

/// A subscription as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    /// Redacted: a password in it and its query are shown as `***`
    /// (`https://user:***@host/path?***`).
    pub url: String,
    /// Event names, or `["*"]` for all.
    pub events: Vec<String>,
    pub active: bool,
    /// Only in the answer to its creation: the HMAC-SHA256 key of `X-Frontdesk-Signature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Subscription> for WebhookView {
    fn from(w: &Subscription) -> Self {
        Self {
            id: w.id,
            url: redact_url(&w.url),
            events: w.events.names(),
            active: w.active,
            secret: None,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `http://` or `https://`, to a public address unless `webhooks.allow_private_targets`
    /// allows it; a host name is resolved and every address it has must be allowed.
    pub url: String,
    /// `ticket.created`, `ticket.updated`, `message.added`, `sla.warning`, `sla.breached`, or
    /// `*` (the default).
    pub events: Option<Vec<String>>,
    /// At least 16 characters; generated when absent.
    pub secret: Option<String>,
}

/// Changes; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// The URL, normalised, once its scheme and every address its host resolves to are allowed.
async fn url_of(state: &AppState, raw: &str) -> Result<String, ApiError> {
    let url = WebhookUrl::parse(raw).map_err(|e| ApiError::invalid_field("url", e.to_string()))?;
    check_target(state.app.webhooks.targets(), &url)
        .await
        .map_err(|e| ApiError::invalid_field("url", e))?;
    Ok(url.as_str().to_owned())
}

fn events_of(raw: Option<&[String]>) -> Result<EventSelection, ApiError> {
    raw.map_or(Ok(EventSelection::All), |names| {
        EventSelection::parse(names).map_err(|e| ApiError::invalid_field("events", e.to_string()))
    })
}

async fn stored(state: &AppState, id: Uuid) -> Result<Subscription, ApiError> {
    state
        .db()
        .webhook(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such webhook"))
}

/// Every subscription (managers, admins).
#[utoipa::path(get, path = "/api/outbound-webhooks", tag = "configuration",
    security(("bearer" = [])), responses((status = 200, body = [WebhookView])))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let all: Vec<WebhookView> = state
        .db()
        .webhooks()
        .await?
        .iter()
        .map(WebhookView::from)
        .collect();
    Ok(HttpResponse::Ok().json(all))
}

/// Subscribe a URL to ticket events (managers, admins); the answer shows the secret, once.
/// Events from before the subscription are not sent.
#[utoipa::path(post, path = "/api/outbound-webhooks", tag = "configuration",
    request_body = NewWebhook, security(("bearer" = [])),
    responses((status = 201, body = WebhookView), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let secret = match &body.secret {
        Some(s) if s.trim().len() < 16 || s.len() > 200 => {
            return Err(ApiError::invalid_field("secret", "16 to 200 characters"));
        }
        Some(s) => s.trim().to_owned(),
        None => random_token("whsec_").map_err(|e| ApiError::internal(&e))?,
    };
    let now = state.now();
    let hook = Subscription {
        id: state.new_id(),
        url: url_of(&state, &body.url).await?,
        secret,
        events: events_of(body.events.as_deref())?,
        active: true,
        created_at: now,
        updated_at: now,
    };
    state.db().save_webhook(&hook).await?;
    let mut view = WebhookView::from(&hook);
    view.secret = Some(hook.secret);
    Ok(HttpResponse::Created().json(view))
}

/// Change a subscription (managers, admins).
#[utoipa::path(patch, path = "/api/outbound-webhooks/{id}", tag = "configuration",
    request_body = PatchWebhook, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = WebhookView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<PatchWebhook>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let mut hook = stored(&state, *id).await?;
    if let Some(u) = &body.url {
        hook.url = url_of(&state, u).await?;
    }
    if let Some(e) = &body.events {
        hook.events = events_of(Some(e))?;
    }
    if let Some(a) = body.active {
        hook.active = a;
    }
    hook.updated_at = state.now();
    state.db().save_webhook(&hook).await?;
    Ok(HttpResponse::Ok().json(WebhookView::from(&hook)))
}

/// Remove a subscription (managers, admins); queued deliveries for it are dropped.
#[utoipa::path(delete, path = "/api/outbound-webhooks/{id}", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    if state.db().delete_webhook(*id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("no such webhook"))
    }
}
