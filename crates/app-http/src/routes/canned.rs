//! `/api/canned-responses`: reusable replies. Staff read them (rendered for a ticket on
//! request); managers and admins keep them.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::CannedResponse;
use frontdesk_domain::access::Permission;
use frontdesk_domain::service::{MAX_BODY_BYTES, render_for_ticket};
use frontdesk_domain::ticket::Category;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::input;
use crate::routes::tickets::visible;
use crate::state::AppState;

/// A canned response.
#[derive(Debug, Serialize, ToSchema)]
pub struct CannedView {
    pub id: Uuid,
    pub title: String,
    /// `null`: offered for every category.
    pub category: Option<String>,
    /// With placeholders `{customer_name}`, `{ticket_number}`, `{subject}`, `{agent_name}`.
    pub body: String,
    /// The body filled in for `?ticket=`, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CannedResponse> for CannedView {
    fn from(c: CannedResponse) -> Self {
        Self {
            id: c.id,
            title: c.title,
            category: c.category.map(|c| c.as_str().to_owned()),
            body: c.body,
            rendered: None,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only those for this category (and those for every category).
    pub category: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GetQuery {
    /// A ticket (UUID or `TKT-…`) to fill the placeholders from.
    pub ticket: Option<String>,
}

/// A new canned response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCanned {
    pub title: String,
    pub body: String,
    pub category: Option<String>,
}

/// Changes; absent fields stay, `category: null` offers it for every category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchCanned {
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::input::present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
}

fn body_of(raw: &str) -> Result<String, ApiError> {
    let body = raw.trim();
    if body.is_empty() || body.len() > MAX_BODY_BYTES {
        return Err(ApiError::invalid_field(
            "body",
            format!("1 to {MAX_BODY_BYTES} bytes"),
        ));
    }
    Ok(body.to_owned())
}

pub(crate) async fn stored(state: &AppState, id: Uuid) -> Result<CannedResponse, ApiError> {
    state
        .db()
        .canned_response(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such canned response"))
}

/// Canned responses by title (staff).
#[utoipa::path(get, path = "/api/canned-responses", tag = "configuration", params(ListQuery),
    security(("bearer" = [])), responses((status = 200, body = [CannedView])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let category: Option<Category> = input::optional("category", query.category.as_deref())?;
    Ok(HttpResponse::Ok().json(crate::reads::canned_responses(&state, &caller, category).await?))
}

/// One canned response (staff); with `?ticket=` also `rendered` for that ticket and the caller.
#[utoipa::path(get, path = "/api/canned-responses/{id}", tag = "configuration",
    params(("id" = Uuid, Path), GetQuery), security(("bearer" = [])),
    responses((status = 200, body = CannedView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<GetQuery>,
) -> Result<HttpResponse, ApiError> {
    let me = caller.staff()?;
    let canned = stored(&state, *id).await?;
    let mut view = CannedView::from(canned);
    if let Some(raw) = &query.ticket {
        let t = visible(&state, &caller, raw).await?;
        view.rendered = Some(render_for_ticket(&view.body, &t, Some(&me.name)));
    }
    Ok(HttpResponse::Ok().json(view))
}

/// Add one (managers, admins).
#[utoipa::path(post, path = "/api/canned-responses", tag = "configuration", request_body = NewCanned,
    security(("bearer" = [])),
    responses((status = 201, body = CannedView), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewCanned>,
) -> Result<HttpResponse, ApiError> {
    let canned = new_canned(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(CannedView::from(canned)))
}

/// Stores a new canned response (managers, admins): the API's create and the console's page.
///
/// # Errors
/// 403 without the right, 422 for a bad title, body or category.
pub(crate) async fn new_canned(
    state: &AppState,
    caller: &Caller,
    body: &NewCanned,
) -> Result<CannedResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let now = state.now();
    let canned = CannedResponse {
        id: state.new_id(),
        title: input::name("title", &body.title)?,
        category: input::optional("category", body.category.as_deref())?,
        body: body_of(&body.body)?,
        created_at: now,
        updated_at: now,
    };
    state.db().save_canned_response(&canned).await?;
    Ok(canned)
}

/// Change one (managers, admins).
#[utoipa::path(patch, path = "/api/canned-responses/{id}", tag = "configuration",
    request_body = PatchCanned, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = CannedView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<PatchCanned>,
) -> Result<HttpResponse, ApiError> {
    let canned = change_canned(&state, &caller, *id, &body).await?;
    Ok(HttpResponse::Ok().json(CannedView::from(canned)))
}

/// Changes canned response `id` (managers, admins): the API's patch and the console's page.
///
/// # Errors
/// 403 without the right, 404 for no such response, 422 for a bad field.
pub(crate) async fn change_canned(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &PatchCanned,
) -> Result<CannedResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let mut canned = stored(state, id).await?;
    if let Some(t) = &body.title {
        canned.title = input::name("title", t)?;
    }
    if let Some(b) = &body.body {
        canned.body = body_of(b)?;
    }
    if let Some(c) = &body.category {
        canned.category = input::optional("category", c.as_deref())?;
    }
    canned.updated_at = state.now();
    state.db().save_canned_response(&canned).await?;
    Ok(canned)
}

/// Remove one (managers, admins).
#[utoipa::path(delete, path = "/api/canned-responses/{id}", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    remove_canned(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes canned response `id` (managers, admins).
///
/// # Errors
/// 403 without the right, 404 for no such response.
pub(crate) async fn remove_canned(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if state.db().delete_canned_response(id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("no such canned response"))
    }
}

/// The placeholders a canned response may use.
pub const PLACEHOLDERS: [&str; 4] = ["customer_name", "ticket_number", "subject", "agent_name"];
