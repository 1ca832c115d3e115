//! `GET /api/analytics/deflection`: what became of the help centre articles the portal suggested
//! while customers wrote a new request — opened, then a request anyway, or none within an hour
//! (deflected; the domain's `kb::suggestion_outcome`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::access::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// Suggested articles opened in a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deflection {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Suggested articles opened.
    pub opened: u64,
    /// … after which the customer sent a request within the hour.
    pub requested: u64,
    /// … after which no request followed within the hour.
    pub deflected: u64,
    /// … opened less than an hour ago, without a request yet.
    pub pending: u64,
    /// `deflected` out of the decided ones (`requested + deflected`), in percent; none before any.
    pub deflection_percent: Option<f64>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeflectionQuery {
    /// Start (RFC 3339, inclusive); default 30 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// End (RFC 3339, exclusive); default now.
    pub to: Option<DateTime<Utc>>,
}

/// The deflection figures of `[from, to)` for `caller` (managers, admins).
///
/// # Errors
/// 403; 422 for a period that ends before it starts; storage.
pub(crate) async fn deflection_of(
    state: &AppState,
    caller: &Caller,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Deflection, ApiError> {
    caller.may(Permission::ReadReports)?;
    let now = state.now();
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - TimeDelta::days(30));
    if from >= to {
        return Err(ApiError::invalid_field("to", "after `from`"));
    }
    let c = state.db().deflection_counts(from, to, now).await?;
    let decided = c.requested + c.deflected;
    Ok(Deflection {
        from,
        to,
        opened: c.opened,
        requested: c.requested,
        deflected: c.deflected,
        pending: c.pending,
        #[allow(clippy::cast_precision_loss)]
        deflection_percent: (decided > 0)
            .then(|| (c.deflected as f64 * 1000.0 / decided as f64).round() / 10.0),
    })
}

/// How often a suggested article answered a customer before they wrote (managers, admins).
#[utoipa::path(get, path = "/api/analytics/deflection", tag = "analytics", params(DeflectionQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Deflection), (status = 403, body = crate::problem::Problem)))]
pub async fn deflection(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DeflectionQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(deflection_of(&state, &caller, query.from, query.to).await?))
}
