//! The portal's requests: the customer's tickets (every ticket of their address, also those
//! mailed before they ever signed in), one request's public conversation (never notes, system
//! events, the assistant's work or staff-only fields) with its attachments, a reply (which
//! reopens a solved request, or opens a follow-up of a closed one), "this is solved", and a new
//! request. Through the API's own reads and the domain's use cases, with the same rules.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{PageCursor, SortKey, TicketListQuery, TicketSort};
use serde::Deserialize;

use crate::pages::session::{Posted, Session};
use crate::pages::{PageError, filters, html, see_other};
use crate::problem::ApiError;
use crate::routes::tickets::list::{ListParams, filter_of};
use crate::state::AppState;
use crate::views::{MessageView, TicketView};

/// Requests on one page of the list.
const PAGE: u32 = 25;

/// A status as a customer reads it.
fn status_words(status: &str) -> &'static str {
    match status {
        "new" | "open" => "waiting for us",
        "pending" => "waiting for you",
        "on_hold" => "on hold",
        "resolved" => "solved",
        "closed" => "closed",
        _ => "in progress",
    }
}

/// The page chrome: who is signed in, and the CSRF token for the page's forms.
#[derive(Debug)]
pub struct PortalChrome {
    pub who: String,
    pub csrf: String,
}

pub(super) fn chrome(session: &Session) -> Result<PortalChrome, PageError> {
    Ok(PortalChrome {
        who: session.customer()?.to_string(),
        csrf: session.csrf.clone(),
    })
}

/// One request in the list.
#[derive(Debug)]
pub struct Row {
    pub number: String,
    pub subject: String,
    pub status: &'static str,
    pub updated_at: DateTime<Utc>,
    /// When we aim to answer, while waiting for our first answer.
    pub expected: Option<DateTime<Utc>>,
}

#[derive(Template)]
#[template(path = "portal/list.html")]
struct ListPage {
    who: String,
    csrf: String,
    rows: Vec<Row>,
    total: u64,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
}

/// My requests, most recently updated first.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let PortalChrome { who, csrf } = chrome(&session)?;
    let now = state.now();
    let filter = filter_of(&ListParams::default(), &session.caller, &state, now)?;
    let query = TicketListQuery {
        filter,
        sort: TicketSort {
            key: SortKey::Updated,
            descending: true,
        },
        limit: PAGE,
        after: query.after.clone().map(PageCursor),
        now,
    };
    let page = crate::reads::ticket_page(&state, &session.caller, &query).await?;
    let rows = page
        .items
        .into_iter()
        .map(|t| Row {
            expected: t.expected_reply_by,
            status: status_words(&t.status),
            number: t.number,
            subject: t.subject,
            updated_at: t.updated_at,
        })
        .collect();
    Ok(html(
        StatusCode::OK,
        &ListPage {
            who,
            csrf,
            rows,
            total: page.total,
            next: page.next.as_deref().map(crate::pages::encode),
        },
    ))
}

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketPage {
    who: String,
    csrf: String,
    ticket: TicketView,
    status: &'static str,
    /// The request's description, when no message holds it.
    description: Option<String>,
    messages: Vec<MessageView>,
    reply: String,
    problem: Option<String>,
    done: Option<&'static str>,
    /// "How did we do?": one link per rating, while a solved request may be rated.
    rate: Vec<(&'static str, String)>,
    /// The rating given, if any.
    rated: Option<&'static str>,
    max_files: usize,
    max_mib: usize,
}

async fn ticket_page(
    state: &AppState,
    session: &Session,
    number: &str,
    reply: String,
    problem: Option<String>,
    done: Option<&'static str>,
) -> Result<TicketPage, PageError> {
    let PortalChrome { who, csrf } = chrome(session)?;
    let (detail, _) = crate::reads::ticket_detail(state, &session.caller, number).await?;
    let now = state.now();
    let rate = match detail.ticket.resolved_at {
        Some(at)
            if matches!(detail.ticket.status.as_str(), "resolved" | "closed")
                && frontdesk_domain::satisfaction::may_rate(at, now) =>
        {
            crate::wiring::rating_links(&state.app.survey_key, "", detail.ticket.id, at)
                .into_iter()
                .map(|(r, link)| (r.as_str(), link))
                .collect()
        }
        _ => Vec::new(),
    };
    let rated = detail
        .ticket
        .satisfaction
        .as_ref()
        .and_then(|s| s.as_ref())
        .map(|s| s.rating);
    let limits = crate::routes::tickets::create::portal_limits(state);
    Ok(TicketPage {
        max_files: limits.max_files,
        max_mib: limits.max_bytes / (1024 * 1024),
        rate,
        rated,
        who,
        csrf,
        status: status_words(&detail.ticket.status),
        description: detail
            .messages
            .is_empty()
            .then(|| detail.description.clone()),
        ticket: detail.ticket,
        messages: detail.messages,
        reply,
        problem,
        done,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// One request: the public conversation, reply, and "this is solved".
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    number: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let done = match query.done.as_str() {
        "sent" => Some("Your reply was sent."),
        "solved" => Some("Marked as solved. Reply any time if it comes back."),
        "opened" => Some("Your request was received. We will answer here and by mail."),
        _ => None,
    };
    let page = ticket_page(&state, &session, &number, String::new(), None, done).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Adds the customer's reply with its files; the page again with the text kept when it cannot
/// be taken.
pub async fn reply(
    state: web::Data<AppState>,
    number: web::Path<String>,
    session: Session,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, PageError> {
    let email = session.customer()?.clone();
    let limits = crate::routes::tickets::create::portal_limits(&state);
    let posted = crate::pages::multipart::read(
        payload,
        crate::pages::multipart::Limits {
            max_files: limits.max_files,
            max_file_bytes: limits.max_bytes,
            max_text_bytes: 300 * 1024,
        },
    )
    .await?;
    session.check_csrf(&posted.text("csrf"))?;
    let content = posted.text("content");
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    let outcome: Result<_, ApiError> = match posted.refused.first() {
        Some((_, why)) => Err(ApiError::invalid_field("files", why.clone())),
        None => {
            let files = posted.files.into_iter().map(|u| u.file).collect();
            frontdesk_domain::journey::check_files(limits, files).map_err(ApiError::from)
        }
    };
    let sent = match outcome {
        Ok(files) => state
            .desk()
            .customer_reply_with_files(ticket.id, &email, &content, &files)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match sent {
        Ok(committed) => Ok(see_other(&format!(
            "/portal/tickets/{}?done=sent",
            committed.ticket.number
        ))),
        Err(e) => {
            if !e.status().is_client_error() {
                return Err(e.into());
            }
            let page =
                ticket_page(&state, &session, &number, content, Some(e.sentence()), None).await?;
            Ok(html(e.status(), &page))
        }
    }
}

/// "This is solved".
pub async fn resolve(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<crate::pages::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    let session = posted.session;
    let email = session.customer()?.clone();
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    state
        .desk()
        .customer_resolve(ticket.id, &email)
        .await
        .map_err(ApiError::from)?;
    Ok(see_other(&format!(
        "/portal/tickets/{}?done=solved",
        ticket.number
    )))
}

/// An attachment of a message the customer may see.
pub async fn attachment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    session.customer()?;
    let (number, att) = path.into_inner();
    Ok(
        crate::routes::tickets::attachments::download(&state, &session.caller, &number, &att)
            .await?,
    )
}

/// A suggested article opened from the new-request page: noted (for the deflection report),
/// then the article.
pub async fn suggested(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let email = session.customer()?.clone();
    let a =
        crate::routes::kb::article_for(&state, frontdesk_domain::kb::Reader::Public, &slug).await?;
    state
        .db()
        .record_suggestion_open(&email, a.id, state.now())
        .await?;
    Ok(see_other(&format!("/help/{}", a.slug)))
}
