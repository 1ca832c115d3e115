//! Intake forms ("journeys") over HTTP: staff read every version, managers and admins write
//! drafts and publish them; customers read the active form (the one the portal asks).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::access::Permission;
use frontdesk_domain::journey::{Definition, Journey, Problem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// One version of a form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JourneyView {
    pub id: Uuid,
    pub version: u32,
    /// `draft`, `active` or `archived`.
    pub status: &'static str,
    pub name: String,
    pub intro: String,
    /// `{key, label, help, kind, required, options, images_only, show_if: {question, any_of}}`;
    /// `kind` one of `single_choice`, `multiple_choice`, `short_text`, `long_text`, `email`,
    /// `order_number`, `upload`.
    #[schema(value_type = Vec<Object>)]
    pub questions: serde_json::Value,
    /// `{when: {question, any_of}, category, priority, tags}`.
    #[schema(value_type = Vec<Object>)]
    pub rules: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    /// Tickets opened with this version (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickets: Option<u64>,
}

impl JourneyView {
    #[must_use]
    pub fn of(j: &Journey, tickets: Option<u64>) -> Self {
        Self {
            id: j.id,
            version: j.version,
            status: j.status.as_str(),
            name: j.definition.name.clone(),
            intro: j.definition.intro.clone(),
            questions: serde_json::to_value(&j.definition.questions).unwrap_or_default(),
            rules: serde_json::to_value(&j.definition.rules).unwrap_or_default(),
            created_at: j.created_at,
            updated_at: j.updated_at,
            published_at: j.published_at,
            archived_at: j.archived_at,
            tickets,
        }
    }
}

/// A form as written: `{name, intro?, questions, rules?}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JourneyInput {
    pub name: String,
    #[serde(default)]
    pub intro: String,
    #[schema(value_type = Vec<Object>)]
    pub questions: serde_json::Value,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub rules: serde_json::Value,
}

/// The definition posted, checked: a 422 naming every field that is wrong
/// (`questions[2].options` …).
///
/// # Errors
/// 422.
pub(crate) fn definition_of(input: JourneyInput) -> Result<Definition, ApiError> {
    let read = |what: &str, v: serde_json::Value| -> Result<serde_json::Value, ApiError> {
        Ok(if v.is_null() {
            if what == "rules" {
                serde_json::Value::Array(Vec::new())
            } else {
                return Err(ApiError::invalid_field(what, "required"));
            }
        } else {
            v
        })
    };
    let questions = serde_json::from_value(read("questions", input.questions)?)
        .map_err(|e| ApiError::invalid_field("questions", e.to_string()))?;
    let rules = serde_json::from_value(read("rules", input.rules)?)
        .map_err(|e| ApiError::invalid_field("rules", e.to_string()))?;
    let d = Definition {
        name: input.name.trim().to_owned(),
        intro: input.intro.trim().to_owned(),
        questions,
        rules,
    };
    check(&d)?;
    Ok(d)
}

/// 422 with every problem of `d`.
///
/// # Errors
/// 422 when `d` has problems.
pub(crate) fn check(d: &Definition) -> Result<(), ApiError> {
    let problems: Vec<(String, String)> = d
        .problems()
        .into_iter()
        .map(|Problem { place, message }| (place.to_string(), message))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_fields(&problems))
    }
}

/// Every version for staff (newest first, with their ticket counts); the active one alone for
/// customers.
///
/// # Errors
/// Storage.
pub(crate) async fn visible_journeys(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<JourneyView>, ApiError> {
    if caller.customer().is_some() {
        return Ok(state
            .db()
            .active_journey()
            .await?
            .iter()
            .map(|j| JourneyView::of(j, None))
            .collect());
    }
    caller.staff()?;
    let counts: BTreeMap<Uuid, u64> = state
        .db()
        .journey_ticket_counts()
        .await?
        .into_iter()
        .collect();
    Ok(state
        .db()
        .journeys()
        .await?
        .iter()
        .map(|j| JourneyView::of(j, Some(counts.get(&j.id).copied().unwrap_or(0))))
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JourneyList {
    pub items: Vec<JourneyView>,
}

/// List intake forms: every version for staff, the active one for customers.
#[utoipa::path(get, path = "/api/journeys", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = JourneyList)))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let items = visible_journeys(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(JourneyList { items }))
}

/// The version `id` as `caller` may read it: staff any, customers the active one.
///
/// # Errors
/// 404.
pub(crate) async fn journey_for(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Journey, ApiError> {
    let j = state
        .db()
        .journey(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such form"))?;
    if caller.customer().is_some() && j.status != frontdesk_domain::journey::JourneyStatus::Active {
        return Err(ApiError::not_found("no such form"));
    }
    Ok(j)
}

/// One version of a form.
#[utoipa::path(get, path = "/api/journeys/{id}", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = JourneyView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let j = journey_for(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(JourneyView::of(&j, None)))
}

/// Writes a new draft (managers, admins).
///
/// # Errors
/// 403, 422; storage.
pub(crate) async fn create_draft(
    state: &AppState,
    caller: &Caller,
    d: &Definition,
) -> Result<Journey, ApiError> {
    caller.may(Permission::Configure)?;
    check(d)?;
    Ok(state
        .db()
        .create_journey(state.new_id(), d, state.now())
        .await?)
}

/// Create a form: a new draft version (managers, admins).
#[utoipa::path(post, path = "/api/journeys", tag = "configuration", request_body = JourneyInput,
    security(("bearer" = [])),
    responses((status = 201, body = JourneyView), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JourneyInput>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let d = definition_of(body.into_inner())?;
    let j = create_draft(&state, &caller, &d).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/journeys/{}", j.id),
        ))
        .json(JourneyView::of(&j, Some(0))))
}

/// Replaces draft `id`'s definition (managers, admins).
///
/// # Errors
/// 403, 404, 409 once published, 422; storage.
pub(crate) async fn update_draft(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    d: &Definition,
) -> Result<Journey, ApiError> {
    caller.may(Permission::Configure)?;
    let j = journey_for(state, caller, id).await?;
    j.may_edit()
        .map_err(|e| ApiError::conflict(e.to_string()))?;
    check(d)?;
    if !state.db().update_journey_draft(id, d, state.now()).await? {
        return Err(ApiError::conflict(
            "only drafts can be edited; it was published meanwhile",
        ));
    }
    journey_for(state, caller, id).await
}

/// Update a draft form (managers, admins); published versions never change (409): make a new
/// draft instead.
#[utoipa::path(put, path = "/api/journeys/{id}", tag = "configuration", request_body = JourneyInput,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = JourneyView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<JourneyInput>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let d = definition_of(body.into_inner())?;
    let j = update_draft(&state, &caller, *id, &d).await?;
    Ok(HttpResponse::Ok().json(JourneyView::of(&j, None)))
}

/// Makes version `id` the active one, archiving the one before (managers, admins).
///
/// # Errors
/// 403, 404, 409 for an archived version, 422 for a form with problems; storage.
pub(crate) async fn publish_version(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Journey, ApiError> {
    caller.may(Permission::Configure)?;
    let j = journey_for(state, caller, id).await?;
    j.may_publish()
        .map_err(|e| ApiError::conflict(e.to_string()))?;
    check(&j.definition)?;
    if !state.db().publish_journey(id, state.now()).await? {
        return Err(ApiError::conflict("this version was archived meanwhile"));
    }
    journey_for(state, caller, id).await
}

/// Publish a form version: it becomes the one the portal asks, the one active before is
/// archived (managers, admins).
#[utoipa::path(post, path = "/api/journeys/{id}/publish", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = JourneyView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem)))]
pub async fn publish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let j = publish_version(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(JourneyView::of(&j, None)))
}

/// Retires the active version `id` (managers, admins).
///
/// # Errors
/// 403, 404, 409 unless active; storage.
pub(crate) async fn archive_version(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Journey, ApiError> {
    caller.may(Permission::Configure)?;
    let j = journey_for(state, caller, id).await?;
    j.may_archive()
        .map_err(|e| ApiError::conflict(e.to_string()))?;
    if !state.db().archive_journey(id, state.now()).await? {
        return Err(ApiError::conflict("this version is no longer active"));
    }
    journey_for(state, caller, id).await
}

/// Archive the active form: the portal asks for a subject and a description again (managers,
/// admins).
#[utoipa::path(post, path = "/api/journeys/{id}/archive", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = JourneyView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem)))]
pub async fn archive(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let j = archive_version(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(JourneyView::of(&j, None)))
}
