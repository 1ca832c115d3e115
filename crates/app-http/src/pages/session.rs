//! Workspace sessions: a random token in an HttpOnly, SameSite=Lax cookie (Secure behind
//! `https`), stored only as its digest with the CSRF token the session's pages carry. A session
//! ends at sign-out, after `http.session_idle_minutes` without a request, after
//! `http.session_days`, or when the account's password, role or active flag changes.
//!
//! Every request that changes something must carry the CSRF token: in the `X-CSRF-Token`
//! header (htmx sends it from the page's `hx-headers`) or as the form's `csrf` field.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::TimeDelta;
use frontdesk_adapters_db::WebSession;
use frontdesk_domain::staff::Staff;
use serde::de::DeserializeOwned;

use super::PageError;
use crate::auth::tokens::{digest, random_token};
use crate::auth::{Caller, Principal, customer_subject, signed_in_caller, staff_subject};
use crate::problem::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fd_session";
/// The header htmx requests carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form accepted: a message at its largest (256 KiB), URL-encoded.
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// A session's last use is written at most this often (it decides the idle expiry).
const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// A signed-in person on a page.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The token the page embeds for its forms and requests.
    pub csrf: String,
    /// Whether this request carried the CSRF token in its header.
    header_csrf: bool,
    /// The digest of the session's token (what the event stream re-checks).
    pub(crate) token_hash: String,
}

impl Session {
    /// The staff member signed in; a customer's session gets the "staff only" page.
    ///
    /// # Errors
    /// [`PageError::StaffOnly`] for a customer.
    pub fn staff(&self) -> Result<&Staff, PageError> {
        match &self.caller.principal {
            Principal::Staff(s) => Ok(s),
            Principal::Customer(_) => Err(PageError::StaffOnly),
        }
    }

    /// The customer signed in (the portal's pages); a staff session is told where it works.
    ///
    /// # Errors
    /// 403 for staff.
    pub fn customer(&self) -> Result<&frontdesk_domain::email::EmailAddress, PageError> {
        match &self.caller.principal {
            Principal::Customer(email) => Ok(email),
            Principal::Staff(_) => Err(PageError::Api(ApiError::forbidden(
                "The portal is for customers. The support team works at /tickets.",
            ))),
        }
    }

    /// Checks a form's CSRF field (unless the header already carried the token).
    ///
    /// # Errors
    /// 403 when neither matches the session's token.
    pub fn check_csrf(&self, field: &str) -> Result<(), PageError> {
        if self.header_csrf || same(field, &self.csrf) {
            Ok(())
        } else {
            Err(expired_form())
        }
    }
}

fn expired_form() -> PageError {
    PageError::Api(ApiError::forbidden(
        "This form has expired (it belongs to an earlier sign-in). Reload the page and try again.",
    ))
}

/// Compared as digests, so the time taken says nothing about the expected value.
fn same(given: &str, expected: &str) -> bool {
    !given.is_empty() && digest(given) == digest(expected)
}

/// The subject a session names for `principal`.
#[must_use]
pub fn subject_of(principal: &Principal) -> String {
    match principal {
        Principal::Staff(s) => staff_subject(s.id),
        Principal::Customer(email) => customer_subject(email),
    }
}

/// Starts a session for `principal` and returns its cookie.
///
/// # Errors
/// Storage failures; no randomness.
pub async fn start(state: &AppState, principal: &Principal) -> Result<Cookie<'static>, ApiError> {
    let token = random_token("").map_err(|e| ApiError::internal(&e))?;
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let now = state.now();
    let http = state.http();
    let session = WebSession {
        subject: subject_of(principal),
        csrf,
        created_at: now,
        last_seen_at: now,
        expires_at: now + TimeDelta::days(i64::from(http.session_days)),
    };
    state
        .db()
        .create_web_session(&digest(&token), &session, idle_since(state))
        .await?;
    Ok(cookie(state, token))
}

/// The double-submit CSRF cookie of a form shown signed out (`/login`, `/set-password`,
/// `/verify-email`): `name`, sent back only to `path`, HttpOnly, SameSite=Strict, Secure behind
/// TLS; an empty `value` makes the cookie that removes it.
#[must_use]
pub fn form_cookie(
    state: &AppState,
    name: &'static str,
    path: &'static str,
    value: String,
) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.app.config.public_url().starts_with("https://"))
        .finish();
    if cookie.value().is_empty() {
        cookie.make_removal();
    }
    cookie
}

/// The value of form cookie `name` on `req`, and whether `posted` matches it (compared as
/// digests, so the time taken says nothing about the cookie's value). A form posted from
/// another site has no cookie.
#[must_use]
pub fn double_submit(req: &HttpRequest, name: &str, posted: &str) -> (Option<String>, bool) {
    let cookie = req.cookie(name).map(|c| c.value().to_owned());
    let ok = cookie
        .as_deref()
        .is_some_and(|c| !c.is_empty() && digest(c) == digest(posted));
    (cookie, ok)
}

/// The session cookie holding `token`; an empty token makes the cookie that removes it.
#[must_use]
pub fn cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        // Lax, so a link to a ticket from a notification mail opens it signed in; the CSRF
        // token guards every change.
        .same_site(SameSite::Lax)
        .secure(state.app.config.public_url().starts_with("https://"))
        .finish();
    if cookie.value().is_empty() {
        cookie.make_removal();
    } else {
        cookie.set_max_age(CookieAge::days(i64::from(state.http().session_days)));
    }
    cookie
}

/// Ends the session of `req`, if any.
///
/// # Errors
/// Storage failures.
pub async fn end(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    if let Some(token) = req.cookie(SESSION_COOKIE) {
        state.db().end_web_session(&digest(token.value())).await?;
    }
    Ok(())
}

/// Before this instant a session's last use means it has ended.
fn idle_since(state: &AppState) -> chrono::DateTime<chrono::Utc> {
    state.now() - TimeDelta::minutes(i64::from(state.http().session_idle_minutes))
}

/// Where to come back to after signing in: this request's path and query.
fn here(req: &HttpRequest) -> String {
    match req.method() {
        &Method::GET | &Method::HEAD => req
            .uri()
            .path_and_query()
            .map_or_else(|| "/tickets".to_owned(), ToString::to_string),
        // After a form, back to the page it was on: its own path, without the action.
        _ => req
            .headers()
            .get("hx-current-url")
            .and_then(|v| v.to_str().ok())
            .and_then(|u| u.find("://").map(|i| &u[i + 3..]))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_else(|| "/tickets".to_owned()),
    }
}

async fn load(state: &AppState, req: &HttpRequest) -> Result<Session, PageError> {
    let sign_in = || PageError::SignIn { next: here(req) };
    let token = req.cookie(SESSION_COOKIE).ok_or_else(sign_in)?;
    let token_hash = digest(token.value());
    let now = state.now();
    let stored = state
        .db()
        .web_session(&token_hash, now, idle_since(state))
        .await?
        .ok_or_else(sign_in)?;
    let caller = signed_in_caller(state, &stored.subject)
        .await?
        .ok_or_else(sign_in)?;
    // A page's own heartbeat is not a person's activity: it does not keep the session alive.
    let heartbeat = req.headers().contains_key("x-heartbeat");
    if !heartbeat && now - stored.last_seen_at >= TOUCH_EVERY {
        state.db().touch_web_session(&token_hash, now).await?;
    }
    let header_csrf = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| same(v, &stored.csrf));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD);
    // A cross-site request carries another origin: refused before any form is read. (Pages
    // are sent with `Referrer-Policy: no-referrer`, under which a browser posts a plain form
    // with `Origin: null`; the CSRF token decides those.)
    if unsafe_method
        && let Some(origin) = req.headers().get(actix_web::http::header::ORIGIN)
        && origin.as_bytes() != b"null"
        && !same_origin(req, origin.to_str().unwrap_or_default())
    {
        return Err(expired_form());
    }
    Ok(Session {
        caller,
        csrf: stored.csrf,
        header_csrf,
        token_hash,
    })
}

/// Whether an `Origin` header names the host this request was sent to.
fn same_origin(req: &HttpRequest, origin: &str) -> bool {
    let info = req.connection_info();
    origin
        .split_once("://")
        .is_some_and(|(_, host)| host.eq_ignore_ascii_case(info.host()))
}

impl FromRequest for Session {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| PageError::Api(ApiError::internal(&"application state missing")))?;
            load(&state, &req).await
        })
    }
}

/// A form posted by a signed-in person, its CSRF token checked.
#[derive(Debug)]
pub struct Posted<T> {
    pub session: Session,
    pub form: T,
}

/// A form that carries the session's CSRF token.
pub trait CsrfForm {
    fn csrf(&self) -> &str;
}

/// Implements [`CsrfForm`] for forms whose token is their `csrf` field.
macro_rules! csrf_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::pages::session::CsrfForm for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use csrf_form;

impl<T: DeserializeOwned + CsrfForm + 'static> FromRequest for Posted<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let session = Session::from_request(req, payload);
        let mut stream = payload.take();
        Box::pin(async move {
            let session = session.await?;
            let mut body = web::BytesMut::new();
            while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
                let chunk =
                    chunk.map_err(|e| PageError::Api(ApiError::bad_request(e.to_string())))?;
                if body.len() + chunk.len() > MAX_FORM_BYTES {
                    return Err(PageError::Api(ApiError::too_large(
                        "the form is too large; a message may be at most 256 KB",
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            // `serde_html_form`, not `serde_urlencoded`: a field sent more than once (the list's
            // checkboxes) is a list.
            let form: T = serde_html_form::from_bytes(&body)
                .map_err(|e| PageError::Api(ApiError::bad_request(e.to_string())))?;
            session.check_csrf(form.csrf())?;
            Ok(Self { session, form })
        })
    }
}
