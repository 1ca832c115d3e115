//! `/set-password`: the page a staff member's invitation or reset link opens. It shows whose
//! account it is and takes the new password through the API's own road
//! ([`set_password_with_link`]): the link is spent, every other sign-in ends, and the member is
//! signed in here. The form carries a CSRF token that must match a cookie set with the page
//! (double submit), as `/login` does.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::{MIN_PASSWORD_CHARS, Principal};
use serde::Deserialize;

use super::{PageError, filters, html, see_other, session};
use crate::auth::tokens::{STAFF_LINK_PREFIX, random_token};
use crate::problem::ApiError;
use crate::routes::staff::{link_holder, set_password_with_link};
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_link_csrf";

#[derive(Template)]
#[template(path = "workspace/set_password.html")]
struct SetPasswordPage<'a> {
    token: &'a str,
    csrf: &'a str,
    /// Whose account the link is for, while it works.
    who: Option<(String, String)>,
    problem: Option<&'a str>,
    /// The problem is the password's (mark the field).
    password_problem: bool,
    min_chars: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetPasswordForm {
    token: String,
    csrf: String,
    password: String,
    repeat: String,
}

/// A token as we make them: our prefix and URL-safe base64, so nothing else is echoed back.
fn plausible(token: &str) -> bool {
    crate::auth::tokens::looks_like(token, STAFF_LINK_PREFIX)
}

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    session::form_cookie(state, CSRF_COOKIE, "/set-password", value)
}

const DEAD_LINK: &str = "This link is not valid, was used already or has expired. Ask an admin \
                         to send you a new one.";

/// The form, for a link that still works.
pub async fn show(
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let holder = if plausible(&query.token) {
        match link_holder(&state, &query.token).await {
            Ok(m) => Some((m.name, m.email.to_string())),
            Err(e) if e.status() == StatusCode::BAD_REQUEST => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let page = SetPasswordPage {
        token: if holder.is_some() { &query.token } else { "" },
        csrf: &csrf,
        problem: holder.is_none().then_some(DEAD_LINK),
        password_problem: false,
        min_chars: MIN_PASSWORD_CHARS,
        who: holder.clone(),
    };
    let status = if holder.is_some() {
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

/// Sets the password and signs in, or shows the form again with what was wrong.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    let holder = if plausible(&form.token) {
        match link_holder(&state, &form.token).await {
            Ok(m) => Some((m.name, m.email.to_string())),
            Err(e) if e.status() == StatusCode::BAD_REQUEST => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let again = |status: StatusCode, problem: &str, password_problem: bool| {
        let page = SetPasswordPage {
            token: if holder.is_some() { &form.token } else { "" },
            csrf: cookie.as_deref().unwrap_or_default(),
            who: holder.clone(),
            problem: Some(problem),
            password_problem,
            min_chars: MIN_PASSWORD_CHARS,
        };
        html(status, &page)
    };
    if !csrf_ok {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form has expired. Open the link from the mail again.",
            false,
        ));
    }
    if holder.is_none() {
        return Ok(again(StatusCode::BAD_REQUEST, DEAD_LINK, false));
    }
    if form.password != form.repeat {
        return Ok(again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords differ. Type the same password twice.",
            true,
        ));
    }
    match set_password_with_link(&state, &form.token, form.password.clone()).await {
        Ok(member) => {
            let session = session::start(&state, &Principal::Staff(member)).await?;
            let mut response = see_other("/tickets");
            for c in [session, csrf_cookie(&state, String::new())] {
                response
                    .add_cookie(&c)
                    .map_err(|e| ApiError::internal(&e))?;
            }
            Ok(response)
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(again(e.status(), &e.sentence(), true))
        }
        Err(e) if e.status() == StatusCode::BAD_REQUEST => Ok(again(e.status(), DEAD_LINK, false)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn only_our_tokens_are_echoed_into_the_page() {
        assert!(plausible("fds_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!plausible(
            "fds_\"><script>alert(1)</script>AAAAAAAAAAAAAAA"
        ));
        assert!(!plausible(
            "fdc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(!plausible(""));
    }
}
