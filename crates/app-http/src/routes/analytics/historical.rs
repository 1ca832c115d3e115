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
    /// Tickets opened by local weekday (Monday first) and hour (0–23), in `time_zone`.
    pub busiest_hours: Vec<Vec<u64>>,
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
    let filter = query.filter()?;
    Ok(HttpResponse::Ok()
        .json(crate::reads::historical(&state, &caller, &period, filter, now).await?))
}

/// The historical report as CSV (managers, admins): the same query and figures as
/// `GET /api/analytics/historical`, one line per slice — `total`, each `interval` (its start and
/// end, with the backlog at its end), each `category`, each `agent` (with replies), and each
/// `busiest` weekday and hour (tickets opened, in `created`) — with the tickets created,
/// first-response and resolution counts, medians and 90th percentiles in seconds, and SLA met,
/// breached and compliance. `slice` keeps one kind of line: what one chart or table shows.
#[utoipa::path(get, path = "/api/analytics/historical.csv", tag = "analytics",
    security(("bearer" = [])), params(PeriodQuery),
    responses((status = 200, content_type = "text/csv", description = "one line per slice after the header"),
        (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn historical_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let period = query.period(now)?;
    let filter = query.filter()?;
    let slice = query.slice()?;
    let report = crate::reads::historical(&state, &caller, &period, filter, now).await?;
    csv_response(&report, slice)
}

/// One part of `historical.csv`: what a chart or table of the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slice {
    Total,
    Interval,
    Category,
    Agent,
    /// Tickets opened per local weekday and hour.
    Busiest,
}

impl std::str::FromStr for Slice {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "total" => Ok(Self::Total),
            "interval" => Ok(Self::Interval),
            "category" => Ok(Self::Category),
            "agent" => Ok(Self::Agent),
            "busiest" => Ok(Self::Busiest),
            _ => Err(ApiError::invalid_field(
                "slice",
                "one of total, interval, category, agent, busiest",
            )),
        }
    }
}

/// `report` as `historical.csv` (only `slice` when one is given), ready to download.
///
/// # Errors
/// A cell the CSV writer refuses (never, for these figures).
pub fn csv_response(report: &Historical, slice: Option<Slice>) -> Result<HttpResponse, ApiError> {
    let wanted = |s: Slice| slice.is_none_or(|only| only == s);
    let mut rows: Vec<Vec<String>> = vec![CSV_COLUMNS.iter().map(|c| (*c).to_owned()).collect()];
    let period = (&report.from, &report.to);
    if wanted(Slice::Total) {
        rows.push(csv_row("total", "", period, &report.total, None, None));
    }
    if wanted(Slice::Interval) {
        for b in &report.intervals {
            rows.push(csv_row(
                "interval",
                "",
                (&b.start, &b.end),
                &b.summary,
                None,
                Some(b.backlog),
            ));
        }
    }
    if wanted(Slice::Category) {
        for (category, s) in &report.by_category {
            rows.push(csv_row("category", category, period, s, None, None));
        }
    }
    if wanted(Slice::Agent) {
        for a in &report.by_agent {
            let who = a.name.clone().unwrap_or_else(|| "unassigned".to_owned());
            rows.push(csv_row(
                "agent",
                &who,
                period,
                &a.summary,
                Some(a.replies),
                None,
            ));
        }
    }
    if wanted(Slice::Busiest) {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        for (d, hours) in report.busiest_hours.iter().enumerate() {
            for (h, n) in hours.iter().enumerate() {
                let mut row = vec![String::new(); CSV_COLUMNS.len()];
                row[0] = "busiest".to_owned();
                row[1] = format!("{} {h:02}:00", DAYS.get(d).copied().unwrap_or(""));
                row[4] = n.to_string();
                rows.push(row);
            }
        }
    }
    let name = slice.map_or("historical.csv".to_owned(), |s| {
        format!("historical-{}.csv", format!("{s:?}").to_lowercase())
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(crate::csv_out::csv(rows)?))
}

/// The columns of `historical.csv`.
const CSV_COLUMNS: &[&str] = &[
    "slice",
    "key",
    "start",
    "end",
    "created",
    "first_response_count",
    "first_response_median_secs",
    "first_response_p90_secs",
    "resolution_count",
    "resolution_median_secs",
    "resolution_p90_secs",
    "sla_met",
    "sla_breached",
    "sla_compliance_percent",
    "replies",
    "backlog",
];

fn csv_row(
    slice: &str,
    key: &str,
    (start, end): (&DateTime<Utc>, &DateTime<Utc>),
    s: &SummaryView,
    replies: Option<u64>,
    backlog: Option<u64>,
) -> Vec<String> {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        slice.to_owned(),
        key.to_owned(),
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        s.created.to_string(),
        s.first_response.count.to_string(),
        opt(s.first_response.median_secs),
        opt(s.first_response.p90_secs),
        s.resolution.count.to_string(),
        opt(s.resolution.median_secs),
        opt(s.resolution.p90_secs),
        s.sla.met.to_string(),
        s.sla.breached.to_string(),
        s.sla
            .compliance_percent
            .map(|p| format!("{p:.1}"))
            .unwrap_or_default(),
        replies.map(|r| r.to_string()).unwrap_or_default(),
        backlog.map(|r| r.to_string()).unwrap_or_default(),
    ]
}

/// The historical report of `period` (the figures [`historical`] answers).
pub(crate) async fn build(
    state: &AppState,
    period: &reports::Period,
    filter: reports::Filter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Historical, ApiError> {
    let db = state.db();
    let (report, mut replies) = super::report(state, period, filter, now).await?;
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
        busiest_hours: report.busiest.iter().map(|day| day.to_vec()).collect(),
        generated_at: now,
    })
}
