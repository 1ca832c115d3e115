//! `/verify-email`: the page a registration's link opens. It asks for the password chosen at
//! registration and confirms the address through the same rule as `POST /api/auth/verify`
//! ([`crate::routes::registration::confirm`]). The form carries a CSRF token that must match a
//! cookie set with the page (double submit): a form posted from another site has no cookie.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::tokens::{CONFIRMATION_TOKEN_PREFIX, random_token};
use crate::pages::session::{double_submit, form_cookie};
use crate::problem::ApiError;
use crate::routes::registration::confirm;
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_confirm_csrf";
/// The page's own policy: nothing loads but the stylesheet (no inline style, no script at
/// all), and the form posts to this server only.
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "portal/confirm.html")]
struct ConfirmPage<'a> {
    token: &'a str,
    csrf: &'a str,
    /// Whether the form is worth showing (the token looks like one of ours).
    link_valid: bool,
    problem: Option<String>,
    /// The confirmed address, once done.
    confirmed: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// A token as we make them: our prefix and URL-safe base64, so nothing else is echoed back.
fn plausible(token: &str) -> bool {
    crate::auth::tokens::looks_like(token, CONFIRMATION_TOKEN_PREFIX)
}

fn render(
    status: StatusCode,
    page: &ConfirmPage<'_>,
    csrf_cookie: Option<Cookie<'_>>,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type(ContentType::html())
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(cookie) = csrf_cookie {
        response.cookie(cookie);
    }
    match page.render() {
        Ok(html) => response.body(html),
        Err(e) => {
            tracing::error!(error = %e, "the confirmation page could not be rendered");
            HttpResponse::InternalServerError().finish()
        }
    }
}

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    form_cookie(state, CSRF_COOKIE, "/verify-email", value)
}

/// The form, with a fresh CSRF token in the page and in a cookie.
pub async fn show(state: web::Data<AppState>, query: web::Query<LinkQuery>) -> HttpResponse {
    let Ok(csrf) = random_token("") else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    let link_valid = plausible(&query.token);
    let page = ConfirmPage {
        token: if link_valid { &query.token } else { "" },
        csrf: &csrf,
        link_valid,
        problem: (!link_valid)
            .then(|| "This link is not complete. Open the link from the mail again.".to_owned()),
        confirmed: None,
    };
    let status = if link_valid {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page, Some(csrf_cookie(&state, csrf.clone())))
}

/// Confirms the address, or shows the form again with what was wrong.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ConfirmForm>,
) -> HttpResponse {
    let (cookie, csrf_ok) = double_submit(&req, CSRF_COOKIE, &form.csrf);
    let link_valid = plausible(&form.token);
    let again = |status: StatusCode, problem: String| {
        let page = ConfirmPage {
            token: if link_valid { &form.token } else { "" },
            csrf: cookie.as_deref().unwrap_or_default(),
            link_valid,
            problem: Some(problem),
            confirmed: None,
        };
        render(status, &page, None)
    };
    if !csrf_ok {
        return again(
            StatusCode::FORBIDDEN,
            "This form has expired. Open the link from the mail again.".to_owned(),
        );
    }
    match confirm(&state, &req, &form.token, &form.password).await {
        Ok(email) => {
            let page = ConfirmPage {
                token: "",
                csrf: "",
                link_valid: false,
                problem: None,
                confirmed: Some(email.to_string()),
            };
            render(
                StatusCode::OK,
                &page,
                Some(csrf_cookie(&state, String::new())),
            )
        }
        Err(e) => again(e.status(), problem_text(&e).to_owned()),
    }
}

/// What went wrong, in the page's words: the API's wording names fields, the page speaks to a
/// person.
fn problem_text(e: &ApiError) -> &'static str {
    match e.status() {
        StatusCode::UNPROCESSABLE_ENTITY => {
            "That is not the password you chose when you registered. Try again."
        }
        StatusCode::BAD_REQUEST => {
            "This link is not valid, was used already or has expired. Register again to get a new one."
        }
        StatusCode::TOO_MANY_REQUESTS => {
            "Too many wrong passwords. Wait a few minutes, then try again."
        }
        StatusCode::SERVICE_UNAVAILABLE => "We are very busy right now. Try again in a moment.",
        _ => "Something went wrong on our side. Try again in a moment.",
    }
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn only_our_tokens_are_echoed_into_the_page() {
        assert!(plausible("fdc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!plausible(
            "fdc_\"><script>alert(1)</script>AAAAAAAAAAAAAAA"
        ));
        assert!(!plausible(
            "fdr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(!plausible(""));
    }
}
