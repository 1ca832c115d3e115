//! `/login` and `/logout`. Sign-in goes through the API's own password check and limits
//! ([`crate::routes::auth::check_password`]); the form carries a CSRF token that must match a
//! cookie set with the page (double submit), so another site cannot sign someone in as itself.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::Principal;
use serde::Deserialize;

use super::session::{self, Posted, SESSION_COOKIE};
use super::{PageError, html, see_other};
use crate::auth::tokens::random_token;
use crate::problem::ApiError;
use crate::routes::auth::{check_password, client_ip};
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_login_csrf";

#[derive(Template)]
#[template(path = "workspace/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    email: &'a str,
    problem: Option<&'a str>,
    /// Which field the problem is about, to mark it.
    field: Option<&'static str>,
    /// Signed out just now.
    signed_out: bool,
    /// A customer's right password: pointed to the portal, not signed in here.
    customer: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: bool,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// A page of this server to return to: a local path, never another site (`//evil`, `/\evil`).
fn local(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control)
        && !next.starts_with("/login");
    if ok { next } else { "/tickets" }
}

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    session::form_cookie(state, CSRF_COOKIE, "/login", value)
}

/// The sign-in form, or on to the workspace for someone signed in already.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, PageError> {
    let next = local(&query.next);
    if req.cookie(SESSION_COOKIE).is_some()
        && let Ok(s) = <session::Session as actix_web::FromRequest>::extract(&req).await
        && s.staff().is_ok()
    {
        return Ok(see_other(next));
    }
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let page = LoginPage {
        csrf: &csrf,
        next,
        email: "",
        problem: None,
        field: None,
        signed_out: query.signed_out,
        customer: false,
    };
    let mut response = html(StatusCode::OK, &page);
    response
        .add_cookie(&csrf_cookie(&state, csrf.clone()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

/// Signs in, or shows the form again with what was wrong.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let next = local(&form.next);
    let again = |status: StatusCode, problem: &str, field: Option<&'static str>, customer| {
        let page = LoginPage {
            csrf: cookie.as_deref().unwrap_or_default(),
            next,
            email: &form.email,
            problem: Some(problem),
            field,
            signed_out: false,
            customer,
        };
        html(status, &page)
    };
    if !csrf_ok {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form has expired. Reload the page and sign in again.",
            None,
            false,
        ));
    }
    if form.email.trim().is_empty() {
        return Ok(again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your e-mail address.",
            Some("email"),
            false,
        ));
    }
    if form.password.is_empty() {
        return Ok(again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your password.",
            Some("password"),
            false,
        ));
    }
    let who = match check_password(&state, &client_ip(&req), &form.email, &form.password).await {
        Ok(who) => who,
        Err(e) => {
            let (text, field) = match e.status() {
                StatusCode::UNAUTHORIZED => (
                    "The e-mail address or the password is wrong.",
                    Some("password"),
                ),
                StatusCode::TOO_MANY_REQUESTS => (
                    "Too many failed sign-ins. Wait a few minutes, then try again.",
                    None,
                ),
                StatusCode::FORBIDDEN => (
                    "Confirm your address first: open the link we mailed you when you registered.",
                    None,
                ),
                StatusCode::SERVICE_UNAVAILABLE => {
                    ("We are very busy right now. Try again in a moment.", None)
                }
                _ => return Err(e.into()),
            };
            return Ok(again(e.status(), text, field, false));
        }
    };
    if matches!(who, Principal::Customer(_)) {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This sign-in is for the support team. Your requests are in the customer portal.",
            None,
            true,
        ));
    }
    let session = session::start(&state, &who).await?;
    let mut response = see_other(next);
    for c in [session, csrf_cookie(&state, String::new())] {
        response
            .add_cookie(&c)
            .map_err(|e| ApiError::internal(&e))?;
    }
    Ok(response)
}

/// The sign-out form's fields.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    drop(posted);
    session::end(&state, &req).await?;
    let mut response = see_other("/login?signed_out=true");
    response
        .add_cookie(&session::cookie(&state, String::new()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_pages_are_returned_to() {
        assert_eq!(local("/tickets/TKT-000001"), "/tickets/TKT-000001");
        assert_eq!(local("/tickets?status=open"), "/tickets?status=open");
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "",
            "tickets",
            "/login",
            "/x\r\nSet-Cookie: a=b",
        ] {
            assert_eq!(local(bad), "/tickets", "{bad:?}");
        }
    }
}

super::session::csrf_form!(LogoutForm);
