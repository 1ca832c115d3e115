//! `GET /api/analytics/realtime`: the work the team faces right now.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{SlaFilter, TicketFilter};
use frontdesk_domain::ticket::{Category, Priority, Status};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// Active work right now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Realtime {
    /// Active tickets (new, open, pending, on hold) by status.
    pub by_status: BTreeMap<String, u64>,
    /// Active tickets by priority.
    pub by_priority: BTreeMap<String, u64>,
    /// Active tickets by category.
    pub by_category: BTreeMap<String, u64>,
    /// Active tickets nobody has.
    pub unassigned: u64,
    /// Active tickets "at risk": a running clock with under the warning share (20 %) of its
    /// target left, counted on the business calendar — the rule that raises SLA warnings.
    pub sla_at_risk: u64,
    /// Active tickets with a breached clock.
    pub sla_breached: u64,
    /// Agents and managers who can take work now: active, available, within their shift.
    pub agents_available: u64,
    pub generated_at: DateTime<Utc>,
}

/// The statuses the domain counts as active work ([`Status::is_active`]).
fn active_statuses() -> Vec<Status> {
    Status::ALL
        .iter()
        .copied()
        .filter(|s| s.is_active())
        .collect()
}

/// How many tickets match `filter`.
pub(super) async fn count(
    state: &AppState,
    filter: TicketFilter,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    Ok(state.db().count_matching(&filter, now).await?)
}

/// Active tickets (new, open, pending, on hold).
pub(super) fn active() -> TicketFilter {
    TicketFilter {
        statuses: active_statuses(),
        ..TicketFilter::default()
    }
}

/// Open work by status, priority and category, unassigned tickets, SLA at risk and breached,
/// and how many agents are available (managers and admins).
#[utoipa::path(get, path = "/api/analytics/realtime", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = Realtime), (status = 403, body = crate::problem::Problem)))]
pub async fn realtime(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    Ok(HttpResponse::Ok().json(crate::reads::realtime(&state, &caller, now).await?))
}

/// The work the team faces at `now` (the figures [`realtime`] answers).
pub(crate) async fn build(state: &AppState, now: DateTime<Utc>) -> Result<Realtime, ApiError> {
    let mut report = Realtime {
        by_status: BTreeMap::new(),
        by_priority: BTreeMap::new(),
        by_category: BTreeMap::new(),
        unassigned: 0,
        sla_at_risk: 0,
        sla_breached: 0,
        agents_available: 0,
        generated_at: now,
    };
    // Every figure is counted status by status: with one status the planners read that status's
    // part of an index, where a list of statuses makes SQLite's (which plans without looking at
    // the values) expect most of the table and scan it.
    for s in active_statuses() {
        report.by_status.insert(s.as_str().to_owned(), 0);
    }
    for p in Priority::ALL.iter().rev() {
        report.by_priority.insert(p.as_str().to_owned(), 0);
    }
    for c in Category::ALL {
        report.by_category.insert(c.as_str().to_owned(), 0);
    }
    let bands = state.desk().settings().sla.current().risk_bands(now);
    for s in active_statuses() {
        for (status, priority, category, tickets, assigned) in
            state.db().status_breakdown(&[s]).await?
        {
            *report.by_status.entry(status).or_default() += tickets;
            *report.by_priority.entry(priority).or_default() += tickets;
            *report.by_category.entry(category).or_default() += tickets;
            report.unassigned += tickets.saturating_sub(assigned);
        }
        let only = |sla| TicketFilter {
            statuses: vec![s],
            sla: Some(sla),
            ..TicketFilter::default()
        };
        report.sla_at_risk += count(state, only(SlaFilter::AtRisk(bands.clone())), now).await?;
        report.sla_breached += count(state, only(SlaFilter::Breached), now).await?;
    }
    report.agents_available = state
        .db()
        .all_staff()
        .await?
        .iter()
        .filter(|s| s.can_take_work(now))
        .count() as u64;
    Ok(report)
}
