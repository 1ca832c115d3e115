//! `/api/analytics` and `/api/staff/{id}/performance`: what the team faces now, and how it went
//! over a period.

mod assistant;
mod deflection;
pub(crate) mod historical;
pub(crate) mod performance;
pub(crate) mod realtime;
mod satisfaction;
mod views;

pub(crate) use assistant::assistant_of;
pub use assistant::{__path_assistant, Assistant, HoldCount, assistant};
pub(crate) use deflection::deflection_of;
pub use deflection::{__path_deflection, Deflection, deflection};
pub use historical::{
    __path_historical, __path_historical_csv, Historical, historical, historical_csv,
};
pub use performance::{__path_performance, Performance, performance};
pub use realtime::{__path_realtime, Realtime, realtime};
pub(crate) use satisfaction::satisfaction_in;
pub use satisfaction::{__path_satisfaction, Satisfaction, satisfaction};
pub use views::{AgentSummary, BucketView, DurationsView, SlaView, SummaryView};

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use frontdesk_adapters_db::{Database, ReportIndex};
use frontdesk_domain::reports::{self, Filter, Period, Report};
use tokio::sync::watch;

use crate::problem::ApiError;
use crate::state::AppState;

/// How often the report index applies new events, and how often it reads everything again
/// (catching changes made behind the trail's back, such as an erasure).
const REFRESH: Duration = Duration::from_secs(2);
const REBUILD: Duration = Duration::from_secs(30 * 60);
/// After a failed read, the next try.
const RETRY: Duration = Duration::from_secs(60);

/// Reads the report index, then keeps it current until `stop`.
pub async fn keep_index(
    index: Arc<ReportIndex>,
    db: Arc<Database>,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rebuilt: Option<Instant> = None;
    let mut next_try = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if rebuilt.is_none_or(|at| at.elapsed() >= REBUILD) {
            if Instant::now() < next_try {
                continue;
            }
            let started = Instant::now();
            match index.rebuild(&db).await {
                Ok(tickets) => {
                    tracing::info!(
                        tickets,
                        secs = started.elapsed().as_secs_f64(),
                        "reports: index read"
                    );
                    rebuilt = Some(Instant::now());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reports: cannot read the index; reports count from the tables meanwhile");
                    // Not again at once: a read is a pass over every ticket.
                    next_try = Instant::now() + RETRY;
                }
            }
        } else if let Err(e) = index.refresh(&db).await {
            tracing::warn!(error = %e, "reports: cannot bring the index up to date");
        }
    }
}

/// Brings the index up to date for a request; `false` (count from the tables) when it cannot.
async fn fresh(index: &ReportIndex, state: &AppState) -> bool {
    match index.refresh_if_idle(state.db()).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "reports: cannot bring the index up to date; counting from the tables");
            false
        }
    }
}

/// The replies to customers each staff member wrote in a report's period.
pub type Replies = std::collections::BTreeMap<frontdesk_domain::staff::StaffId, u64>;

/// The report over `period` of the tickets `filter` lets through, and the replies written on
/// them: from the index once it has been read (brought up to date first, so a report shows the
/// caller's own latest change), counted from the tables before that. Both give the same figures.
///
/// # Errors
/// Storage failures.
pub async fn report(
    state: &AppState,
    period: &Period,
    filter: Filter,
    now: DateTime<Utc>,
) -> Result<(Report, Replies), ApiError> {
    let index = state.reports.clone();
    if index.is_loaded() && fresh(&index, state).await {
        let asked = period.clone();
        let fast = tokio::task::spawn_blocking(move || {
            Some((
                index.report(&asked, &filter, now)?,
                index.replies(asked.from(), asked.to(), &filter)?,
            ))
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
        if let Some(both) = fast {
            return Ok(both);
        }
    }
    let db = state.db();
    let facts = db.ticket_facts(period.from(), period.to(), now).await?;
    let replies = db
        .replies_by_staff(period.from(), period.to(), &filter)
        .await?;
    Ok((reports::report(&facts, period, &filter), replies))
}

/// The replies to customers each staff member wrote in `period` on the tickets `filter` lets
/// through (from the index once read, like [`report`]).
///
/// # Errors
/// Storage failures.
pub async fn replies(
    state: &AppState,
    period: &Period,
    filter: Filter,
) -> Result<Replies, ApiError> {
    let index = state.reports.clone();
    if index.is_loaded() && fresh(&index, state).await {
        let (from, to) = (period.from(), period.to());
        let fast = tokio::task::spawn_blocking(move || index.replies(from, to, &filter))
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if let Some(replies) = fast {
            return Ok(replies);
        }
    }
    Ok(state
        .db()
        .replies_by_staff(period.from(), period.to(), &filter)
        .await?)
}
