//! `/api/sla`: SLA targets per priority (and category) and the business-hours calendar, kept
//! by managers and admins. They refine the configuration file's `[sla]` and apply to tickets
//! opened (or re-prioritised) after the change, in this process at once and in others within a
//! maintenance pass.

use actix_web::{HttpResponse, web};
use frontdesk_adapters_db::{SavePolicyError, SlaPolicyRecord};
use frontdesk_domain::access::Permission;
use frontdesk_domain::sla::{CalendarConfig, SlaConfig, SlaPolicies, SlaTargets};
use frontdesk_domain::ticket::{Category, Priority};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;

/// A stored policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    pub id: Uuid,
    pub priority: String,
    /// `null`: every category without a policy of its own.
    pub category: Option<String>,
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
}

impl From<&SlaPolicyRecord> for PolicyView {
    fn from(p: &SlaPolicyRecord) -> Self {
        Self {
            id: p.id,
            priority: p.priority.as_str().to_owned(),
            category: p.category.map(|c| c.as_str().to_owned()),
            first_response_minutes: p.first_response_minutes,
            resolution_minutes: p.resolution_minutes,
        }
    }
}

/// The targets in force for one priority and category.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveTarget {
    pub priority: String,
    pub category: String,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// Stored policies and the targets in force for every priority × category.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoliciesView {
    pub policies: Vec<PolicyView>,
    pub effective: Vec<EffectiveTarget>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    pub priority: String,
    pub category: Option<String>,
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPolicy {
    pub first_response_minutes: Option<u32>,
    pub resolution_minutes: Option<u32>,
}

/// The domain's bounds for a policy's targets, checked before anything is stored.
fn check_targets(first_response: u32, resolution: u32) -> Result<(), ApiError> {
    SlaTargets::from_minutes(first_response, resolution)
        .map(|_| ())
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))
}

/// Puts the stored settings in force here (other processes follow on their next pass). A
/// different calendar also moves the open tickets' running clocks onto it, once, in whichever
/// process notices first (the poller library's `follow_calendar`).
async fn apply(state: &AppState) -> Result<(), ApiError> {
    state.app.reload_sla().await.map_err(ApiError::invalid)
}

pub(crate) fn effective(p: &SlaPolicies) -> Vec<EffectiveTarget> {
    let mut out = Vec::new();
    for priority in Priority::ALL {
        for category in Category::ALL {
            let t = p.targets(*priority, *category);
            out.push(EffectiveTarget {
                priority: priority.as_str().to_owned(),
                category: category.as_str().to_owned(),
                first_response_minutes: t.first_response.num_minutes(),
                resolution_minutes: t.resolution.num_minutes(),
            });
        }
    }
    out
}

/// Stored policies and the targets in force (managers, admins).
#[utoipa::path(get, path = "/api/sla/policies", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = PoliciesView)))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    Ok(HttpResponse::Ok().json(crate::reads::sla_policies(&state).await?))
}

/// Set targets for a priority, or a priority within a category (managers, admins); 409 when
/// one exists for that pair already.
#[utoipa::path(post, path = "/api/sla/policies", tag = "configuration", request_body = NewPolicy,
    security(("bearer" = [])),
    responses((status = 201, body = PolicyView), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPolicy>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    let priority: Priority = input::field("priority", &body.priority)?;
    let category: Option<Category> = input::optional("category", body.category.as_deref())?;
    let record = new_policy(
        &state,
        &caller,
        (priority, category),
        (body.first_response_minutes, body.resolution_minutes),
    )
    .await?;
    Ok(HttpResponse::Created().json(PolicyView::from(&record)))
}

/// Stores targets for `priority` × `category` as a new policy (managers, admins): 409 when
/// the pair has one already. The API's create and the SLA page call this.
///
/// # Errors
/// 403 without the right, 422 for targets out of bounds, 409 for a pair with a policy.
pub(crate) async fn new_policy(
    state: &AppState,
    caller: &Caller,
    (priority, category): (Priority, Option<Category>),
    (first_response_minutes, resolution_minutes): (u32, u32),
) -> Result<SlaPolicyRecord, ApiError> {
    caller.may(Permission::Configure)?;
    check_targets(first_response_minutes, resolution_minutes)?;
    let now = state.now();
    let record = SlaPolicyRecord {
        id: state.new_id(),
        priority,
        category,
        first_response_minutes,
        resolution_minutes,
        created_at: now,
        updated_at: now,
    };
    // Storage's unique key on priority × category decides a race between two creators.
    state
        .db()
        .save_sla_policy(&record)
        .await
        .map_err(|e| match e {
            SavePolicyError::Exists => ApiError::conflict(
                "a policy for this priority and category exists; change it instead",
            ),
            SavePolicyError::Store(s) => s.into(),
        })?;
    apply(state).await?;
    Ok(record)
}

/// Change a policy's targets (managers, admins).
#[utoipa::path(patch, path = "/api/sla/policies/{id}", tag = "configuration",
    request_body = PatchPolicy, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = PolicyView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<PatchPolicy>,
) -> Result<HttpResponse, ApiError> {
    let record = change_policy(
        &state,
        &caller,
        *id,
        (body.first_response_minutes, body.resolution_minutes),
    )
    .await?;
    Ok(HttpResponse::Ok().json(PolicyView::from(&record)))
}

/// Changes policy `id`'s targets (those given) (managers, admins). The API's patch and the SLA
/// page call this.
///
/// # Errors
/// 403 without the right, 404 for no such policy, 422 for targets out of bounds.
pub(crate) async fn change_policy(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    (first_response, resolution): (Option<u32>, Option<u32>),
) -> Result<SlaPolicyRecord, ApiError> {
    caller.may(Permission::Configure)?;
    let mut record = state
        .db()
        .sla_policy(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such SLA policy"))?;
    if let Some(m) = first_response {
        record.first_response_minutes = m;
    }
    if let Some(m) = resolution {
        record.resolution_minutes = m;
    }
    check_targets(record.first_response_minutes, record.resolution_minutes)?;
    record.updated_at = state.now();
    state
        .db()
        .save_sla_policy(&record)
        .await
        .map_err(|e| match e {
            SavePolicyError::Exists => ApiError::conflict("a policy for this pair exists"),
            SavePolicyError::Store(s) => s.into(),
        })?;
    apply(state).await?;
    Ok(record)
}

/// Remove a policy: the configuration file's targets apply again (managers, admins).
#[utoipa::path(delete, path = "/api/sla/policies/{id}", tag = "configuration",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    remove_policy(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes policy `id` (managers, admins); the configuration file's targets apply again.
///
/// # Errors
/// 403 without the right, 404 for no such policy.
pub(crate) async fn remove_policy(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if !state.db().delete_sla_policy(id).await? {
        return Err(ApiError::not_found("no such SLA policy"));
    }
    apply(state).await
}

/// The business-hours calendar set through the API (`null` fields when the configuration
/// file's applies).
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// `api` when set here, `configuration` otherwise.
    pub source: String,
    #[schema(value_type = Option<Object>)]
    pub calendar: Option<CalendarConfig>,
}

/// The business-hours calendar (managers, admins).
#[utoipa::path(get, path = "/api/sla/calendar", tag = "configuration", security(("bearer" = [])),
    responses((status = 200, body = CalendarView)))]
pub async fn calendar(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::Configure)?;
    Ok(HttpResponse::Ok().json(crate::reads::sla_calendar(&state).await?))
}

/// Set the business hours SLA clocks count (managers, admins): `{time_zone, monday: ["09:00-17:00"],
/// …, holidays: ["2026-12-25"]}`.
#[utoipa::path(put, path = "/api/sla/calendar", tag = "configuration",
    request_body(content = Object), security(("bearer" = [])),
    responses((status = 200, body = CalendarView), (status = 422, body = crate::problem::Problem)))]
pub async fn set_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CalendarConfig>,
) -> Result<HttpResponse, ApiError> {
    let calendar = body.into_inner();
    save_calendar(&state, &caller, &calendar).await?;
    Ok(HttpResponse::Ok().json(CalendarView {
        source: "api".to_owned(),
        calendar: Some(calendar),
    }))
}

/// Checks and stores the business-hours calendar (managers, admins). The API and the SLA page
/// call this.
///
/// # Errors
/// 403 without the right, 422 naming what is wrong with the calendar.
pub(crate) async fn save_calendar(
    state: &AppState,
    caller: &Caller,
    calendar: &CalendarConfig,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    // Validate before storing: the same rules as the configuration file.
    SlaConfig {
        calendar: Some(calendar.clone()),
        ..SlaConfig::default()
    }
    .build()
    .map_err(|e| ApiError::invalid_field("calendar", e.to_string()))?;
    state
        .db()
        .save_business_calendar(calendar, state.now())
        .await?;
    apply(state).await
}

/// Forgets the calendar set through the API or the page (managers, admins).
///
/// # Errors
/// 403 without the right, 404 when none is set.
pub(crate) async fn forget_calendar(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if !state.db().delete_business_calendar().await? {
        return Err(ApiError::not_found("no calendar is set through the API"));
    }
    apply(state).await
}

/// Forget the calendar set here; the configuration file's applies again (managers, admins).
#[utoipa::path(delete, path = "/api/sla/calendar", tag = "configuration", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete_calendar(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    forget_calendar(&state, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}
