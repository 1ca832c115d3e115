//! `GET /api/staff/{id}/performance`: one staff member's figures over a period.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{AssigneeFilter, TicketFilter};
use frontdesk_domain::reports;
use frontdesk_domain::staff::StaffId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::realtime::{active, count};
use super::views::{BucketView, PeriodQuery, SummaryView};
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::StaffView;

/// A staff member's figures over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    pub staff: StaffView,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub interval: String,
    pub time_zone: String,
    /// Replies to customers they wrote in the period.
    pub replies: u64,
    /// Active tickets (new, open, pending, on hold) assigned to them now.
    pub assigned_active: u64,
    /// The figures of the tickets assigned to them.
    pub total: SummaryView,
    pub intervals: Vec<BucketView>,
    pub generated_at: DateTime<Utc>,
}

/// One staff member's replies, workload, response and resolution times and SLA compliance over
/// `[from, to)` (managers and admins for anyone; agents for themselves).
#[utoipa::path(get, path = "/api/staff/{id}/performance", tag = "staff",
    security(("bearer" = [])), params(("id" = Uuid, Path), PeriodQuery),
    responses((status = 200, body = Performance), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn performance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let period = query.period(now)?;
    if query.agent.is_some() {
        return Err(ApiError::invalid_field(
            "agent",
            "the path names the staff member; leave `agent` out",
        ));
    }
    let filter = query.filter()?;
    let report = crate::reads::performance(
        &state,
        &caller,
        StaffId::from_uuid(*id),
        &period,
        filter,
        now,
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The performance of staff member `id` over `period` (the figures [`performance`] answers).
pub(crate) async fn build(
    state: &AppState,
    id: StaffId,
    period: &reports::Period,
    filter: reports::Filter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Performance, ApiError> {
    let db = state.db();
    let member = db
        .staff(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such staff member"))?;
    let filter = reports::Filter {
        agent: Some(member.id),
        ..filter
    };
    let (report, _) = super::report(state, period, filter, now).await?;
    // Every reply they wrote, on whoever's ticket.
    let anyone = reports::Filter {
        agent: None,
        ..filter
    };
    let replies = super::replies(state, period, anyone)
        .await?
        .get(&member.id)
        .copied()
        .unwrap_or(0);
    let assigned_active = count(
        state,
        TicketFilter {
            assignee: Some(AssigneeFilter::Staff(member.id)),
            ..active()
        },
        now,
    )
    .await?;
    Ok(Performance {
        staff: StaffView::from(&member),
        from: period.from(),
        to: period.to(),
        interval: period.interval().as_str().to_owned(),
        time_zone: period.time_zone().name().to_owned(),
        replies,
        assigned_active,
        total: report.total.into(),
        intervals: report.buckets.into_iter().map(BucketView::from).collect(),
        generated_at: now,
    })
}
