//! `/admin/webhooks` (managers, admins): outbound webhook subscriptions — subscribe (the signing
//! secret shown once), pause and resume, remove — and each one's delivery log (time, event,
//! HTTP status, attempts, next retry, last error) with "redeliver". Through the API's own
//! functions ([`subscribe`], [`change`], [`unsubscribe`], [`delivery_log`], [`send_again`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use frontdesk_domain::webhook::{DeliveryState, PublicEvent, may_redeliver};
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::outbound::{
    DeliveryQuery, DeliveryView, NewWebhook, PatchWebhook, WebhookView, change, delivery_log,
    send_again, subscribe, subscriptions, unsubscribe,
};
use crate::state::AppState;

/// Every public event's name, for the subscribe form.
fn event_names() -> Vec<&'static str> {
    PublicEvent::ALL.iter().map(|e| e.as_str()).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubscribeForm {
    csrf: String,
    pub url: String,
    /// The events ticked; none ticked is every event.
    pub events: Vec<String>,
}

impl SubscribeForm {
    /// Whether `event` is ticked.
    pub fn has(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

#[derive(Template)]
#[template(path = "workspace/admin_webhooks.html")]
struct ListPage {
    chrome: Chrome,
    hooks: Vec<WebhookView>,
    /// A subscription just made, with its secret: shown this once.
    created: Option<WebhookView>,
    form: SubscribeForm,
    problem: Option<String>,
    field: String,
    events: Vec<&'static str>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    form: SubscribeForm,
    problem: Option<&ApiError>,
    created: Option<WebhookView>,
) -> Result<ListPage, PageError> {
    let chrome = Chrome::of(session)?;
    let hooks = subscriptions(state, &session.caller).await?;
    Ok(ListPage {
        chrome,
        hooks,
        created,
        form,
        problem: problem.map(ApiError::sentence),
        field: problem.and_then(ApiError::field).unwrap_or_default(),
        events: event_names(),
    })
}

/// The subscriptions.
pub async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    let page = list_page(&state, &session, SubscribeForm::default(), None, None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Subscribes a URL and shows its secret, once; the form back with the field marked when wrong.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<SubscribeForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let request = NewWebhook {
        url: form.url.trim().to_owned(),
        events: (!form.events.is_empty()).then(|| form.events.clone()),
        secret: None,
    };
    match subscribe(&state, &session.caller, &request).await {
        Ok(view) => {
            let page =
                list_page(&state, &session, SubscribeForm::default(), None, Some(view)).await?;
            Ok(html(StatusCode::CREATED, &page))
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let page = list_page(&state, &session, form, Some(&e), None).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_active(
    state: &AppState,
    session: &Session,
    id: Uuid,
    active: bool,
) -> Result<(), ApiError> {
    let patch = PatchWebhook {
        active: Some(active),
        ..PatchWebhook::default()
    };
    change(state, &session.caller, id, &patch).await.map(|_| ())
}

/// Where a form on either page returns to: the log when it was sent from there.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    /// `log` to come back to the delivery log.
    back: String,
}

fn back_to(form: &ActionForm, id: Uuid) -> String {
    if form.back == "log" {
        format!("/admin/webhooks/{id}")
    } else {
        "/admin/webhooks".to_owned()
    }
}

/// Pauses deliveries: events while paused are not sent, queued ones are skipped.
pub async fn pause(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, PageError> {
    set_active(&state, &posted.session, *id, false).await?;
    Ok(see_other(&back_to(&posted.form, *id)))
}

/// Resumes deliveries from now on.
pub async fn resume(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, PageError> {
    set_active(&state, &posted.session, *id, true).await?;
    Ok(see_other(&back_to(&posted.form, *id)))
}

/// Removes a subscription and its log.
pub async fn remove(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, PageError> {
    unsubscribe(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/webhooks"))
}

/// A delivery as the log shows it.
#[derive(Debug)]
pub struct LogRow {
    pub d: DeliveryView,
    /// Whether "redeliver" is offered.
    pub may_redeliver: bool,
}

#[derive(Template)]
#[template(path = "workspace/admin_webhook_log.html")]
struct LogPage {
    chrome: Chrome,
    hook: WebhookView,
    rows: Vec<LogRow>,
    next: Option<Uuid>,
    /// Showing an older page.
    older: bool,
    done: Option<String>,
    problem: Option<String>,
}

async fn log_page(
    state: &AppState,
    session: &Session,
    id: Uuid,
    query: &DeliveryQuery,
    done: Option<String>,
    problem: Option<String>,
) -> Result<LogPage, PageError> {
    let chrome = Chrome::of(session)?;
    let (hook, page) = delivery_log(state, &session.caller, id, query).await?;
    let rows = page
        .items
        .into_iter()
        .map(|d| LogRow {
            may_redeliver: DeliveryState::parse(d.state)
                .is_some_and(|state| may_redeliver(state, hook.active).is_ok()),
            d,
        })
        .collect();
    Ok(LogPage {
        chrome,
        hook: WebhookView::from(&hook),
        rows,
        next: page.next,
        older: query.before.is_some(),
        done,
        problem,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    before: Option<Uuid>,
    /// `redelivered` after a redelivery.
    done: String,
}

/// A subscription's delivery log, newest first, 50 a page.
pub async fn log(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, PageError> {
    let q = DeliveryQuery {
        before: query.before,
        limit: None,
    };
    let done = (query.done == "redelivered")
        .then(|| "Queued again: it is sent within a few seconds.".to_owned());
    let page = log_page(&state, &session, *id, &q, done, None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Queues a delivery again; the log back with why when it cannot be.
pub async fn redeliver(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, delivery) = path.into_inner();
    let session = posted.session;
    match send_again(&state, &session.caller, id, delivery).await {
        Ok(_) => Ok(see_other(&format!("/admin/webhooks/{id}?done=redelivered"))),
        Err(e) if e.status() == StatusCode::CONFLICT => {
            let q = DeliveryQuery::default();
            let page = log_page(&state, &session, id, &q, None, Some(e.sentence())).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

super::session::csrf_form!(SubscribeForm, ActionForm);
