//! `/api/outbound-webhooks`: subscriptions that receive ticket events as signed POSTs
//! (managers and admins). Deliveries go through the jobs queue with retries; see
//! the poller's `outbound` module for the signature.

use crate::wiring::check_target;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::DeliveryRecord;
use frontdesk_domain::access::Permission;
use frontdesk_domain::webhook::{
    EventSelection, Subscription, WebhookUrl, may_redeliver, redact_url,
};
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
#[derive(Debug, Default, Deserialize, ToSchema)]
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
#[derive(Debug, Default, Deserialize, ToSchema)]
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
    Ok(HttpResponse::Ok().json(subscriptions(&state, &caller).await?))
}

/// Every subscription as listed, for `caller` (the API's list and the webhooks page).
///
/// # Errors
/// 403 without the right; storage.
pub(crate) async fn subscriptions(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<WebhookView>, ApiError> {
    caller.may(Permission::Configure)?;
    Ok(state
        .db()
        .webhooks()
        .await?
        .iter()
        .map(WebhookView::from)
        .collect())
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
    let view = subscribe(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Stores a new subscription for `caller`: the API's `POST` and the webhooks page take this
/// road. The view holds the secret, this once.
///
/// # Errors
/// As `POST /api/outbound-webhooks` answers.
pub(crate) async fn subscribe(
    state: &AppState,
    caller: &Caller,
    body: &NewWebhook,
) -> Result<WebhookView, ApiError> {
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
        url: url_of(state, &body.url).await?,
        secret,
        events: events_of(body.events.as_deref())?,
        active: true,
        created_at: now,
        updated_at: now,
    };
    state.db().save_webhook(&hook).await?;
    let mut view = WebhookView::from(&hook);
    view.secret = Some(hook.secret);
    Ok(view)
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
    let hook = change(&state, &caller, *id, &body).await?;
    Ok(HttpResponse::Ok().json(WebhookView::from(&hook)))
}

/// Applies `body` to subscription `id` for `caller` (the API's `PATCH` and the page's pause and
/// resume).
///
/// # Errors
/// As `PATCH /api/outbound-webhooks/{id}` answers.
pub(crate) async fn change(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &PatchWebhook,
) -> Result<Subscription, ApiError> {
    caller.may(Permission::Configure)?;
    let mut hook = stored(state, id).await?;
    if let Some(u) = &body.url {
        hook.url = url_of(state, u).await?;
    }
    if let Some(e) = &body.events {
        hook.events = events_of(Some(e))?;
    }
    if let Some(a) = body.active {
        hook.active = a;
    }
    hook.updated_at = state.now();
    state.db().save_webhook(&hook).await?;
    Ok(hook)
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
    unsubscribe(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes subscription `id` and its delivery log (the API's `DELETE` and the page's).
///
/// # Errors
/// 403 without the right, 404 for none.
pub(crate) async fn unsubscribe(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if state.db().delete_webhook(id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("no such webhook"))
    }
}

/// One delivery of an event to a subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// `ticket.created`, …
    pub event: String,
    /// The audit event's id (`X-Frontdesk-Delivery`, the same on every retry and redelivery).
    pub event_id: i64,
    pub ticket_id: Option<Uuid>,
    /// `TKT-000042`, while the ticket exists.
    pub ticket_number: Option<String>,
    /// `pending`, `delivered`, `retrying`, `failed` or `skipped` (the subscription was paused or
    /// removed before it was sent).
    pub state: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// The receiver's HTTP status at the last attempt, when it answered.
    pub http_status: Option<u16>,
    /// Why the last attempt failed (the URL redacted).
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When it is tried again, while `retrying` (or first tried, while `pending`).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The delivery this one sends again, for a redelivery.
    pub redelivery_of: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(d: &DeliveryRecord) -> Self {
        Self {
            id: d.id,
            event: d.event.clone(),
            event_id: d.event_id,
            ticket_id: d.ticket_id,
            ticket_number: d.ticket_number.clone(),
            state: d.state.as_str(),
            attempts: d.attempts,
            http_status: d.http_status,
            last_error: d.last_error.clone(),
            last_attempt_at: d.last_attempt_at,
            next_attempt_at: d.next_attempt_at,
            redelivery_of: d.redelivery_of,
            created_at: d.created_at,
        }
    }
}

/// A page of the delivery log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryView>,
    /// `before` for the next (older) page, when there is one.
    pub next: Option<Uuid>,
}

/// Which page of the log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryQuery {
    /// The `next` of the previous page.
    pub before: Option<Uuid>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
}

/// The delivery log of subscription `id` for `caller`: the subscription and one page.
///
/// # Errors
/// 403 without the right, 404 for none, 422 for a `limit` out of range.
pub(crate) async fn delivery_log(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    query: &DeliveryQuery,
) -> Result<(Subscription, DeliveryPage), ApiError> {
    caller.may(Permission::Configure)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "1 to 200"));
    }
    let hook = stored(state, id).await?;
    let mut items = state
        .db()
        .webhook_deliveries(id, query.before, limit + 1)
        .await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(|d| d.id)
    } else {
        None
    };
    let page = DeliveryPage {
        items: items.iter().map(DeliveryView::from).collect(),
        next,
    };
    Ok((hook, page))
}

/// A subscription's delivery log, newest first: time, event, HTTP status, attempts, next retry
/// and last error of each (managers, admins).
#[utoipa::path(get, path = "/api/outbound-webhooks/{id}/deliveries", tag = "configuration",
    params(("id" = Uuid, Path), DeliveryQuery), security(("bearer" = [])),
    responses((status = 200, body = DeliveryPage), (status = 404, body = crate::problem::Problem)))]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, page) = delivery_log(&state, &caller, *id, &query).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Queues delivery `delivery` of subscription `id` again for `caller`: the new delivery.
///
/// # Errors
/// 403 without the right, 404 for none, 409 while paused or still in flight.
pub(crate) async fn send_again(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    delivery: Uuid,
) -> Result<DeliveryView, ApiError> {
    caller.may(Permission::Configure)?;
    let hook = stored(state, id).await?;
    let original = state
        .db()
        .webhook_delivery(id, delivery)
        .await?
        .ok_or_else(|| ApiError::not_found("no such delivery of this webhook"))?;
    may_redeliver(original.state, hook.active).map_err(|e| ApiError::conflict(e.to_string()))?;
    let new_id = state
        .db()
        .redeliver_webhook(delivery, state.now())
        .await?
        .ok_or_else(|| ApiError::not_found("no such delivery of this webhook"))?;
    let queued = state
        .db()
        .webhook_delivery(id, new_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such delivery of this webhook"))?;
    Ok(DeliveryView::from(&queued))
}

/// Send a delivery again: the same event and body, as a new delivery in the log (managers,
/// admins). Only a delivery that is over (delivered, failed, skipped), to a subscription that is
/// not paused.
#[utoipa::path(post, path = "/api/outbound-webhooks/{id}/deliveries/{delivery}/redeliver",
    tag = "configuration", params(("id" = Uuid, Path), ("delivery" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 202, body = DeliveryView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem)))]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let view = send_again(&state, &caller, id, delivery).await?;
    Ok(HttpResponse::Accepted().json(view))
}
