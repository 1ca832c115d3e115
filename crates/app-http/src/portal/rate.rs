//! `/rate/{token}`: the satisfaction survey's page — no sign-in; the link's signed token names
//! one ticket and works for 7 days. Following a mailed link records the rating at once (one
//! click); the page then offers to change it and to add a comment. The last rating counts.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use frontdesk_domain::ports::TicketRepository as _;
use frontdesk_domain::satisfaction::{MAX_COMMENT_CHARS, Rating};
use frontdesk_domain::ticket::{Ticket, TicketId};
use serde::Deserialize;

use crate::auth::tokens::random_token;
use crate::pages::session;
use crate::pages::{PageError, filters, html};
use crate::problem::ApiError;
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_rate_csrf";

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    session::form_cookie(state, CSRF_COOKIE, "/rate", value)
}

#[derive(Template)]
#[template(path = "portal/rate.html")]
struct RatePage {
    token: String,
    csrf: String,
    /// The ticket's number and subject, while the link works.
    ticket: Option<(String, String)>,
    /// The rating recorded.
    rating: Option<&'static str>,
    comment: String,
    problem: Option<String>,
    thanked: bool,
}

/// The ticket a token rates, while it may.
async fn rated(state: &AppState, token: &str) -> Result<Option<Ticket>, ApiError> {
    let Some((id, _)) = state.app.survey_key.check(token, state.now()) else {
        return Ok(None);
    };
    Ok(state.db().get(TicketId::from_uuid(id)).await?)
}

const DEAD: &str = "This rating link is not valid or has expired (links work for 7 days).";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateQuery {
    r: String,
}

fn render(
    state: &AppState,
    status: StatusCode,
    page: &RatePage,
) -> Result<HttpResponse, PageError> {
    let mut response = html(status, page);
    response
        .add_cookie(&csrf_cookie(state, page.csrf.clone()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

/// The link's page: records `?r=` (one click), then offers a change and a comment.
pub async fn show(
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<RateQuery>,
) -> Result<HttpResponse, PageError> {
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let Some(ticket) = rated(&state, &token).await? else {
        let page = RatePage {
            token: String::new(),
            csrf,
            ticket: None,
            rating: None,
            comment: String::new(),
            problem: Some(DEAD.to_owned()),
            thanked: false,
        };
        return render(&state, StatusCode::BAD_REQUEST, &page);
    };
    if let Some(r) = Rating::parse(&query.r) {
        state
            .db()
            .save_rating(&ticket, r, None, state.now())
            .await?;
    }
    let current = state.db().rating_of(ticket.id).await?;
    let page = RatePage {
        token: token.into_inner(),
        csrf,
        ticket: Some((ticket.number.to_string(), ticket.subject.clone())),
        rating: current.as_ref().map(|c| c.rating.as_str()),
        comment: current.and_then(|c| c.comment).unwrap_or_default(),
        problem: None,
        thanked: Rating::parse(&query.r).is_some(),
    };
    render(&state, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateForm {
    csrf: String,
    rating: String,
    comment: String,
}

/// A rating (changed) with its comment.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<RateForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let csrf = cookie.unwrap_or_default();
    let ticket = rated(&state, &token).await?;
    let mut page = RatePage {
        token: token.into_inner(),
        csrf,
        ticket: ticket
            .as_ref()
            .map(|t| (t.number.to_string(), t.subject.clone())),
        rating: Rating::parse(&form.rating).map(Rating::as_str),
        comment: form.comment.clone(),
        problem: None,
        thanked: false,
    };
    let Some(ticket) = ticket else {
        page.problem = Some(DEAD.to_owned());
        page.token.clear();
        return Ok(html(StatusCode::BAD_REQUEST, &page));
    };
    if !csrf_ok {
        page.problem = Some("This form has expired. Open the link from the mail again.".to_owned());
        return Ok(html(StatusCode::FORBIDDEN, &page));
    }
    let Some(rating) = Rating::parse(&form.rating) else {
        page.problem = Some("Choose good, okay or bad.".to_owned());
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    if form.comment.chars().count() > MAX_COMMENT_CHARS
        || form
            .comment
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        page.problem = Some(format!(
            "The comment can be at most {MAX_COMMENT_CHARS} characters of text."
        ));
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    state
        .db()
        .save_rating(&ticket, rating, Some(&form.comment), state.now())
        .await?;
    page.thanked = true;
    Ok(html(StatusCode::OK, &page))
}
