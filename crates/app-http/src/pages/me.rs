//! What a staff member does for themselves: their availability from the header (it drives
//! automatic assignment, as the API's `PUT /api/staff/{id}/status` does — the same function),
//! their own page with the password change (the API's `PATCH /api/staff/{id}` road), and for
//! managers "poll now" (the API's `POST /api/admin/poll`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::filters;
use super::session::{self, Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::staff::{PatchStaff, change_member};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AvailabilityForm {
    csrf: String,
    availability: String,
}

/// The line an htmx request swaps in: announced to screen readers.
#[derive(Template)]
#[template(
    source = r#"<span id="availability-form-state" class="visually-hidden" role="status">You are {{ availability }} now.</span>"#,
    ext = "html"
)]
struct Done<'a> {
    availability: &'a str,
}

/// Sets the signed-in person's availability.
pub async fn availability(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<AvailabilityForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.id.as_uuid();
    let m = crate::routes::staff::set_availability(&state, &session.caller, me, &form.availability)
        .await?;
    if req.headers().contains_key("hx-request") {
        return Ok(html(
            StatusCode::OK,
            &Done {
                availability: m.availability.as_str(),
            },
        ));
    }
    Ok(see_other("/tickets"))
}

#[derive(Template)]
#[template(path = "workspace/me.html")]
struct MePage {
    chrome: Chrome,
    email: String,
    role: &'static str,
    problem: Option<String>,
    field: &'static str,
    done: bool,
}

/// Query of the own page: `?changed=true` after a password change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeQuery {
    changed: bool,
}

fn me_page(
    session: &Session,
    problem: Option<String>,
    field: &'static str,
    done: bool,
) -> Result<MePage, PageError> {
    let staff = session.staff()?;
    Ok(MePage {
        chrome: Chrome::of(session)?,
        email: staff.email.as_str().to_owned(),
        role: staff.role.as_str(),
        problem,
        field,
        done,
    })
}

/// The signed-in person's own page.
pub async fn show(session: Session, query: web::Query<MeQuery>) -> Result<HttpResponse, PageError> {
    Ok(html(
        StatusCode::OK,
        &me_page(&session, None, "", query.changed)?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
    repeat_password: String,
}

/// Changes the signed-in person's password: every other sign-in ends, this browser stays
/// signed in on a new session.
pub async fn password(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.clone();
    let again = |e: &ApiError, field: &'static str| -> Result<HttpResponse, PageError> {
        Ok(html(
            e.status(),
            &me_page(&session, Some(e.detail().to_owned()), field, false)?,
        ))
    };
    if form.new_password != form.repeat_password {
        let e = ApiError::invalid_field("repeat_password", "the two new passwords differ");
        return again(&e, "repeat_password");
    }
    let change = PatchStaff {
        password: Some(form.new_password.clone()),
        current_password: Some(form.current_password.clone()),
        ..PatchStaff::default()
    };
    if let Err(e) = change_member(&state, &req, &session.caller, me.id.as_uuid(), change).await {
        let field = if e.detail().contains("current password") {
            "current_password"
        } else if e.status().is_client_error() && e.status() != StatusCode::TOO_MANY_REQUESTS {
            "new_password"
        } else {
            ""
        };
        return again(&e, field);
    }
    // The change ended every session of the account, this one too: a new one for this browser.
    let cookie = session::start(&state, &session.caller.principal).await?;
    let mut response = see_other("/me?changed=true");
    response
        .add_cookie(&cookie)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

/// What a "poll now" found, for the page's live region.
#[derive(Template)]
#[template(
    source = r#"<p id="error-message" class="notice">Polled {{ mailboxes }} {% if mailboxes == 1 %}mailbox{% else %}mailboxes{% endif %}: {{ messages }} {% if messages == 1 %}mail{% else %}mails{% endif %}, {{ created }} new {% if created == 1 %}ticket{% else %}tickets{% endif %}{% if !failed.is_empty() %}; not read: {{ failed }}{% endif %}.</p>"#,
    ext = "html"
)]
struct Polled {
    mailboxes: usize,
    messages: usize,
    created: usize,
    failed: String,
}

/// Reads every mailbox now (managers, admins).
pub async fn poll(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    let passes = crate::routes::admin::poll_now(&state, &posted.session.caller).await?;
    let polled = Polled {
        mailboxes: passes.len(),
        messages: passes.iter().map(|p| p.messages).sum(),
        created: passes.iter().map(|p| p.created).sum(),
        failed: passes
            .iter()
            .filter(|p| p.error.is_some())
            .map(|p| p.mailbox.clone())
            .collect::<Vec<_>>()
            .join(", "),
    };
    if req.headers().contains_key("hx-request") {
        return Ok(html(StatusCode::OK, &polled));
    }
    Ok(see_other("/tickets"))
}

super::session::csrf_form!(AvailabilityForm, PasswordForm);
