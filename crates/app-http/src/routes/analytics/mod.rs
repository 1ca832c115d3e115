//! `/api/analytics` and `/api/staff/{id}/performance`: what the team faces now, and how it went
//! over a period.

pub(crate) mod historical;
pub(crate) mod performance;
pub(crate) mod realtime;
mod views;

pub use historical::{
    __path_historical, __path_historical_csv, Historical, historical, historical_csv,
};
pub use performance::{__path_performance, Performance, performance};
pub use realtime::{__path_realtime, Realtime, realtime};
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

/// Reads the report index, then keeps it current until `stop`.
pub async fn keep_index(
    index: Arc<ReportIndex>,
    db: Arc<Database>,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rebuilt: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if rebuilt.is_none_or(|at| at.elapsed() >= REBUILD) {
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
                    tracing::warn!(error = %e, "reports: cannot read the index; reports count from the tables meanwhile")
                }
            }
        } else if let Err(e) = index.refresh(&db).await {
            tracing::warn!(error = %e, "reports: cannot bring the index up to date");
        }
    }
}

/// The report over `period` of the tickets `filter` lets through: from the index once it has
/// been read (brought up to date first, so a report shows the caller's own latest change),
/// counted from the tables before that. Both give the same figures.
///
/// # Errors
/// Storage failures.
pub async fn report(
    state: &AppState,
    period: &Period,
    filter: Filter,
    now: DateTime<Utc>,
) -> Result<Report, ApiError> {
    let index = state.reports.clone();
    if index.is_loaded() {
        index.refresh(state.db()).await?;
        let asked = period.clone();
        let fast = tokio::task::spawn_blocking(move || index.report(&asked, &filter, now))
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if let Some(report) = fast {
            return Ok(report);
        }
    }
    let facts = state
        .db()
        .ticket_facts(period.from(), period.to(), now)
        .await?;
    Ok(reports::report(&facts, period, &filter))
}
