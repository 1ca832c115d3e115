//! `GET /api/analytics/historical`: volume, response and resolution times and SLA compliance
//! over a period, by interval, category and agent.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::reports;
use frontdesk_domain::staff::StaffId;
use serde::Serialize;
use utoipa::ToSchema;

use super::views::{AgentSummary, BucketView, PeriodQuery, SummaryView};
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// A report over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Historical {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub interval: String,
    pub time_zone: String,
    pub total: SummaryView,
    /// One entry per interval, oldest first; the first and last are clipped to the period.
    pub intervals: Vec<BucketView>,
    /// Keyed by category; categories with nothing in the period are left out.
    pub by_category: BTreeMap<String, SummaryView>,
    /// By current assignee (and unassigned), then every staff member who replied.
    pub by_agent: Vec<AgentSummary>,
    pub generated_at: DateTime<Utc>,
}

/// Ticket volume, median and 90th-percentile first-response and resolution times and SLA
/// compliance over `[from, to)`, per interval, category and agent (managers and admins).
/// Each figure counts in the interval where it happened; times are wall-clock since opening.
#[utoipa::path(get, path = "/api/analytics/historical", tag = "analytics",
    security(("bearer" = [])), params(PeriodQuery),
    responses((status = 200, body = Historical), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn historical(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let period = query.period(now)?;
    Ok(HttpResponse::Ok().json(crate::reads::historical(&state, &caller, &period, now).await?))
}

/// The historical report of `period` (the figures [`historical`] answers).
pub(crate) async fn build(
    state: &AppState,
    period: &reports::Period,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Historical, ApiError> {
    let db = state.db();
    let facts = db
        .ticket_facts(period.from(), period.to(), None, now)
        .await?;
    let report = reports::report(&facts, period);
    let mut replies = db.replies_by_staff(period.from(), period.to()).await?;
    let names: BTreeMap<StaffId, String> = db
        .all_staff()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut by_agent: Vec<AgentSummary> = report
        .by_agent
        .into_iter()
        .map(|(id, summary)| AgentSummary {
            staff_id: id.map(StaffId::as_uuid),
            name: id.and_then(|id| names.get(&id).cloned()),
            replies: id.and_then(|id| replies.remove(&id)).unwrap_or(0),
            summary: summary.into(),
        })
        .collect();
    let listed: BTreeSet<StaffId> = replies.keys().copied().collect();
    by_agent.extend(listed.into_iter().map(|id| AgentSummary {
        staff_id: Some(id.as_uuid()),
        name: names.get(&id).cloned(),
        replies: replies.get(&id).copied().unwrap_or(0),
        summary: reports::Summary::default().into(),
    }));
    Ok(Historical {
        from: period.from(),
        to: period.to(),
        interval: period.interval().as_str().to_owned(),
        time_zone: period.time_zone().name().to_owned(),
        total: report.total.into(),
        intervals: report.buckets.into_iter().map(BucketView::from).collect(),
        by_category: report
            .by_category
            .into_iter()
            .map(|(c, s)| (c.as_str().to_owned(), s.into()))
            .collect(),
        by_agent,
        generated_at: now,
    })
}
