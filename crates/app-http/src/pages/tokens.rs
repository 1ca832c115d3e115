//! `/admin/tokens` (admins): API tokens for integrations — create one (shown once), see each
//! with its owner, scope, last use and expiry, revoke it. Through the API's own functions
//! ([`new_api_token`], [`revoke_api_token`], [`crate::reads::api_tokens`]), with their rights.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, TimeZone as _, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::auth::{ApiTokenView, NewApiToken, new_api_token, revoke_api_token};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "workspace/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<(ApiTokenView, String)>,
    /// A token just made: shown this once.
    created: Option<(String, String)>,
    problem: Option<String>,
    field: &'static str,
    name: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    created: Option<(String, String)>,
    problem: Option<(&ApiError, &'static str)>,
    name: String,
) -> Result<TokensPage, PageError> {
    let chrome = Chrome::of(session)?;
    let tokens = crate::reads::api_tokens(state, &session.caller).await?;
    let names: HashMap<Uuid, String> = crate::reads::staff_list(state, &session.caller)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(TokensPage {
        chrome,
        tokens: tokens
            .into_iter()
            .map(|t| {
                let owner = names.get(&t.staff_id).cloned().unwrap_or_default();
                (t, owner)
            })
            .collect(),
        created,
        problem: problem.map(|(e, _)| e.detail().to_owned()),
        field: problem.map_or("", |(_, f)| f),
        name,
    })
}

/// The tokens page.
pub async fn show(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    Ok(html(
        StatusCode::OK,
        &page(&state, &session, None, None, String::new()).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf: String,
    name: String,
    /// `full` or `read`.
    scope: String,
    /// A day (`2027-06-30`, the token stops at its start, UTC), or empty for never.
    expires: String,
}

/// Creates a token and shows it, once.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let expires_at = match form.expires.trim() {
        "" => None,
        day => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t)),
            Err(_) => {
                let e = ApiError::invalid_field("expires_at", "a day such as 2027-06-30");
                let p = page(&state, &session, None, Some((&e, "expires")), form.name).await?;
                return Ok(html(e.status(), &p));
            }
        },
    };
    let request = NewApiToken {
        name: form.name.clone(),
        staff_id: None,
        scope: Some(form.scope.clone()).filter(|s| !s.is_empty()),
        expires_at,
    };
    match new_api_token(&state, &session.caller, request).await {
        Ok(created) => {
            let shown = (created.view.name.clone(), created.token);
            let p = page(&state, &session, Some(shown), None, String::new()).await?;
            Ok(html(StatusCode::CREATED, &p))
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = if e.detail().contains("expires") {
                "expires"
            } else if e.detail().contains("scope") {
                "scope"
            } else {
                "name"
            };
            let p = page(&state, &session, None, Some((&e, field)), form.name).await?;
            Ok(html(e.status(), &p))
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes a token.
pub async fn revoke(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    revoke_api_token(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/tokens"))
}

super::session::csrf_form!(CreateForm);
