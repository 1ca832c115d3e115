//! `/portal/sign-in`: customers sign in with a link mailed to their address (single use, 15
//! minutes; the same answer whatever the address) or with the password they set. The link opens
//! `/portal/link`, which asks for one click before it is spent, so a mail scanner that opens
//! every link does not use it up. Forms carry a double-submit CSRF token, as `/login` does.
//! Through the API's own functions ([`request_link`], [`use_link`], [`check_password`]).

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::Principal;
use serde::Deserialize;

use crate::auth::tokens::{PORTAL_LINK_PREFIX, random_token};
use crate::pages::session::{self, Posted, SESSION_COOKIE, Session};
use crate::pages::{PageError, filters, html, see_other};
use crate::problem::ApiError;
use crate::routes::auth::{check_password, client_ip};
use crate::routes::portal_auth::{request_link, use_link};
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_portal_csrf";

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    session::form_cookie(state, CSRF_COOKIE, "/portal", value)
}

/// A page of the portal to return to: a local portal path, never another site.
fn local(next: &str) -> &str {
    let ok = next.starts_with("/portal/")
        && !next.starts_with("/portal/sign-in")
        && !next.starts_with("/portal/link")
        && !next.chars().any(char::is_control)
        && !next.contains("//")
        && !next.contains('\\');
    if ok { next } else { "/portal" }
}

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage<'a> {
    csrf: &'a str,
    next: &'a str,
    email: &'a str,
    /// The address a link was just asked for.
    sent: Option<&'a str>,
    problem: Option<&'a str>,
    /// Which form and field the problem is about: `link-email`, `email`, `password`.
    field: &'a str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    next: String,
}

/// The sign-in page, or on to the portal for a customer signed in already.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, PageError> {
    let next = local(&query.next);
    if req.cookie(SESSION_COOKIE).is_some()
        && let Ok(s) = <Session as actix_web::FromRequest>::extract(&req).await
        && s.customer().is_ok()
    {
        return Ok(see_other(next));
    }
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let page = SignInPage {
        csrf: &csrf,
        next,
        email: "",
        sent: None,
        problem: None,
        field: "",
    };
    let mut response = html(StatusCode::OK, &page);
    response
        .add_cookie(&csrf_cookie(&state, csrf.clone()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    csrf: String,
    next: String,
    email: String,
}

/// Mails a sign-in link; the same page for every address.
pub async fn send_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let csrf = cookie.as_deref().unwrap_or_default();
    let next = local(&form.next);
    let page = |status, sent, problem, field| {
        html(
            status,
            &SignInPage {
                csrf,
                next,
                email: &form.email,
                sent,
                problem,
                field,
            },
        )
    };
    if !csrf_ok {
        return Ok(page(
            StatusCode::FORBIDDEN,
            None,
            Some("This form has expired. Reload the page and try again."),
            "",
        ));
    }
    match request_link(&state, &client_ip(&req), &form.email).await {
        Ok(()) => Ok(page(StatusCode::OK, Some(form.email.trim()), None, "")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Ok(page(
            e.status(),
            None,
            Some("Enter your e-mail address, such as name@example.com."),
            "link-email",
        )),
        Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => Ok(page(
            e.status(),
            None,
            Some("Too many sign-in links were asked for. Wait a few minutes, then try again."),
            "",
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    next: String,
    email: String,
    password: String,
}

/// Signs in with a password, or shows the page again with what was wrong.
pub async fn with_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let csrf = cookie.as_deref().unwrap_or_default();
    let next = local(&form.next);
    let again = |status: StatusCode, problem: &str, field: &str| {
        html(
            status,
            &SignInPage {
                csrf,
                next,
                email: &form.email,
                sent: None,
                problem: Some(problem),
                field,
            },
        )
    };
    if !csrf_ok {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form has expired. Reload the page and try again.",
            "",
        ));
    }
    let who = match check_password(&state, &client_ip(&req), &form.email, &form.password).await {
        Ok(who) => who,
        Err(e) => {
            let (text, field) = match e.status() {
                StatusCode::UNAUTHORIZED => (
                    "The e-mail address or the password is wrong. No password yet? Ask for a \
                     sign-in link above.",
                    "password",
                ),
                StatusCode::TOO_MANY_REQUESTS => (
                    "Too many failed sign-ins. Wait a few minutes, or ask for a sign-in link.",
                    "",
                ),
                StatusCode::FORBIDDEN => (
                    "Confirm your address first: open the link we mailed you, or ask for a \
                     sign-in link above.",
                    "",
                ),
                StatusCode::SERVICE_UNAVAILABLE => {
                    ("We are very busy right now. Try again in a moment.", "")
                }
                _ => return Err(e.into()),
            };
            return Ok(again(e.status(), text, field));
        }
    };
    if matches!(who, Principal::Staff(_)) {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This is the customer portal. The support team signs in at /login.",
            "",
        ));
    }
    signed_in(&state, &who, next).await
}

/// A session for `who`, and on to `next`.
async fn signed_in(
    state: &AppState,
    who: &Principal,
    next: &str,
) -> Result<HttpResponse, PageError> {
    let session = session::start(state, who).await?;
    let mut response = see_other(next);
    for c in [session, csrf_cookie(state, String::new())] {
        response
            .add_cookie(&c)
            .map_err(|e| ApiError::internal(&e))?;
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "portal/link.html")]
struct LinkPage<'a> {
    csrf: &'a str,
    token: &'a str,
    problem: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkQuery {
    token: String,
}

/// A token as we make them: our prefix and URL-safe base64, so nothing else is echoed back.
fn plausible(token: &str) -> bool {
    crate::auth::tokens::looks_like(token, PORTAL_LINK_PREFIX)
}

const DEAD_LINK: &str = "This sign-in link is not valid, was used already or has expired. Ask \
                         for a new one.";

/// The page a mailed link opens: one button signs in (a scanner's visit spends nothing).
pub async fn link(
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let ok = plausible(&query.token);
    let page = LinkPage {
        csrf: &csrf,
        token: if ok { &query.token } else { "" },
        problem: (!ok).then_some(DEAD_LINK),
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = html(status, &page);
    response
        .add_cookie(&csrf_cookie(&state, csrf.clone()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UseLinkForm {
    csrf: String,
    token: String,
}

/// Spends the link and signs in, or says why not.
pub async fn use_mailed_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<UseLinkForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let again = |status: StatusCode, problem: &str| {
        html(
            status,
            &LinkPage {
                csrf: cookie.as_deref().unwrap_or_default(),
                token: if plausible(&form.token) {
                    &form.token
                } else {
                    ""
                },
                problem: Some(problem),
            },
        )
    };
    if !csrf_ok {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This page has expired. Open the link from the mail again.",
        ));
    }
    match use_link(&state, &form.token).await {
        Ok(email) => signed_in(&state, &Principal::Customer(email), "/portal").await,
        Err(e) if e.status() == StatusCode::BAD_REQUEST => Ok(again(e.status(), DEAD_LINK)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignOutForm {
    csrf: String,
}

/// Ends the session.
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<SignOutForm>,
) -> Result<HttpResponse, PageError> {
    drop(posted);
    session::end(&state, &req).await?;
    let mut response = see_other("/portal/sign-in");
    response
        .add_cookie(&session::cookie(&state, String::new()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

crate::pages::session::csrf_form!(SignOutForm);

#[cfg(test)]
mod tests {
    use super::{local, plausible};

    #[test]
    fn only_portal_pages_are_returned_to() {
        assert_eq!(
            local("/portal/tickets/TKT-000001"),
            "/portal/tickets/TKT-000001"
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/tickets",
            "/portal/sign-in",
            "/portal//x",
            "",
        ] {
            assert_eq!(local(bad), "/portal", "{bad:?}");
        }
    }

    #[test]
    fn only_our_tokens_are_echoed_into_the_page() {
        assert!(plausible("fdp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!plausible(
            "fdp_\"><script>alert(1)</script>AAAAAAAAAAAAAAA"
        ));
        assert!(!plausible(
            "fds_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
    }
}
