//! `/analytics` (managers, admins): the work the team faces right now, as tiles that follow the
//! event stream — active tickets by status, priority and category, unassigned, SLA at risk and
//! breached, agents available — each a link to exactly the tickets it counts (the API's
//! realtime report, [`crate::reads::realtime`]); then how a period went (the API's historical
//! report, [`crate::reads::historical`]): volume and backlog, response and resolution times,
//! SLA compliance, the busiest hours, by category, and the staff leaderboard — each chart drawn
//! on the server ([`super::charts`]) with its figures in a table and as CSV.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use frontdesk_domain::reports::{Filter, Interval, Period};
use frontdesk_domain::ticket::{Category, Channel};
use serde::Deserialize;

use super::charts::{self, Series, Unit};
use super::filters;
use super::session::Session;
use super::ticket::Choice;
use super::{Chrome, PageError, html};
use crate::problem::ApiError;
use crate::routes::analytics::historical::{Historical, Slice, csv_response};
use crate::routes::analytics::{DurationsView, SummaryView};
use crate::state::AppState;

/// The statuses the realtime report counts as active, as the list's filter.
const ACTIVE: &str = "new%2Copen%2Cpending%2Con_hold";

/// One tile: a figure, what it counts, and the list of exactly those tickets.
#[derive(Debug)]
pub struct Tile {
    pub label: String,
    pub count: u64,
    /// None for a figure that is not tickets (agents available).
    pub url: Option<String>,
    /// `red` for breaches, `amber` for risks: the clocks' colours.
    pub band: &'static str,
}

#[derive(Template)]
#[template(path = "workspace/analytics.html")]
struct AnalyticsPage {
    chrome: Chrome,
    headline: Vec<Tile>,
    groups: Vec<(&'static str, Vec<Tile>)>,
    generated_at: chrono::DateTime<chrono::Utc>,
    form: ReportForm,
    intervals: Vec<Choice>,
    categories: Vec<Choice>,
    channels: Vec<Choice>,
    agents: Vec<Choice>,
    zones: &'static [&'static str],
    /// The field the period's problem is about, and the problem.
    problem: Option<(&'static str, String)>,
    history: Option<History>,
    /// What became of the help centre articles the portal suggested in the period.
    deflection: Option<crate::routes::analytics::Deflection>,
    assistant: Option<crate::routes::analytics::Assistant>,
    /// Customer satisfaction in the period.
    csat: Option<crate::routes::analytics::Satisfaction>,
}

/// The period and filters of the historical part, as the form sends them: days in the time
/// zone (both included), the interval, and the filters.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub from: String,
    pub to: String,
    pub interval: String,
    pub tz: String,
    pub category: String,
    pub agent: String,
    pub channel: String,
    /// The CSV export only: which chart's or table's figures.
    pub slice: String,
}

/// Zones offered in the form (any IANA name is accepted).
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

impl ReportForm {
    /// The form filled in with its defaults: the last 30 days by day, in UTC.
    fn completed(mut self, now: DateTime<Utc>) -> Self {
        if self.tz.trim().is_empty() {
            self.tz = "UTC".to_owned();
        }
        let today = self
            .tz
            .trim()
            .parse::<Tz>()
            .map_or(now.date_naive(), |tz| now.with_timezone(&tz).date_naive());
        if self.to.trim().is_empty() {
            self.to = today.to_string();
        }
        if self.from.trim().is_empty() {
            let to = self.to.trim().parse::<NaiveDate>().unwrap_or(today);
            self.from = (to - Days::new(29)).to_string();
        }
        if self.interval.trim().is_empty() {
            self.interval = "day".to_owned();
        }
        self
    }

    /// The period and filter asked for, or the field that is wrong and why.
    fn parse(&self) -> Result<(Period, Filter), (&'static str, String)> {
        let tz: Tz = self.tz.trim().parse().map_err(|_| {
            (
                "tz",
                "Choose a time zone such as Europe/Berlin (an IANA name).".to_owned(),
            )
        })?;
        let day = |field: &'static str, text: &str| {
            text.trim()
                .parse::<NaiveDate>()
                .map_err(|_| (field, "Give a day as YYYY-MM-DD.".to_owned()))
        };
        let (from, to) = (day("from", &self.from)?, day("to", &self.to)?);
        if to < from {
            return Err(("to", "The last day comes on or after the first.".to_owned()));
        }
        let interval: Interval = self
            .interval
            .parse()
            .map_err(|e: frontdesk_domain::reports::PeriodError| ("interval", e.to_string()))?;
        let start = |d: NaiveDate| {
            use chrono::TimeZone as _;
            let midnight = d.and_time(chrono::NaiveTime::MIN);
            tz.from_local_datetime(&midnight)
                .earliest()
                .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
        };
        let end = to
            .checked_add_days(Days::new(1))
            .ok_or(("to", "That day is too far ahead.".to_owned()))?;
        let period = Period::new(start(from), start(end), interval, tz)
            .map_err(|e| ("interval", format!("{e}.")))?;
        let given = |text: &str| {
            let t = text.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let category = given(&self.category)
            .map(|c| c.parse::<Category>())
            .transpose()
            .map_err(|e| ("category", e.to_string()))?;
        let channel = given(&self.channel)
            .map(|c| c.parse::<Channel>())
            .transpose()
            .map_err(|e| ("channel", e.to_string()))?;
        let agent = given(&self.agent)
            .map(|a| a.parse::<uuid::Uuid>())
            .transpose()
            .map_err(|_| ("agent", "Choose an agent from the list.".to_owned()))?
            .map(frontdesk_domain::staff::StaffId::from_uuid);
        Ok((
            period,
            Filter {
                category,
                agent,
                channel,
            },
        ))
    }

    /// The form as a query string (without `slice`), for the CSV links.
    fn query(&self) -> String {
        let e = super::encode;
        format!(
            "from={}&to={}&interval={}&tz={}&category={}&agent={}&channel={}",
            e(self.from.trim()),
            e(self.to.trim()),
            e(self.interval.trim()),
            e(self.tz.trim()),
            e(self.category.trim()),
            e(self.agent.trim()),
            e(self.channel.trim())
        )
    }
}

/// The historical part, ready to show.
#[derive(Debug)]
pub struct History {
    /// The form's query string, for the CSV links.
    pub query: String,
    pub total: Vec<(&'static str, String)>,
    pub volume: String,
    pub times: String,
    pub sla: String,
    pub busiest: String,
    pub by_category: String,
    pub by_agent: String,
    pub intervals: Vec<IntervalRow>,
    pub categories: Vec<SliceRow>,
    pub leaderboard: Vec<SliceRow>,
    pub heat: Vec<(&'static str, Vec<u64>)>,
}

/// One interval's figures, as the tables show them.
#[derive(Debug)]
pub struct IntervalRow {
    pub label: String,
    pub created: u64,
    pub backlog: u64,
    pub first_response: String,
    pub first_response_p90: String,
    pub resolution: String,
    pub resolution_p90: String,
    pub sla: String,
}

/// A category's or an agent's figures.
#[derive(Debug)]
pub struct SliceRow {
    pub name: String,
    pub created: u64,
    pub replies: Option<u64>,
    pub resolved: u64,
    pub first_response: String,
    pub first_response_p90: String,
    pub resolution: String,
    pub sla: String,
}

fn secs(d: Option<i64>) -> String {
    d.map_or_else(|| "–".to_owned(), |s| charts::duration(s as f64))
}

fn percent(s: &SummaryView) -> String {
    s.sla
        .compliance_percent
        .map_or_else(|| "–".to_owned(), |p| format!("{p:.1} %"))
}

fn slice_row(name: String, s: &SummaryView, replies: Option<u64>) -> SliceRow {
    SliceRow {
        name,
        created: s.created,
        replies,
        resolved: s.resolution.count,
        first_response: secs(s.first_response.median_secs),
        first_response_p90: secs(s.first_response.p90_secs),
        resolution: secs(s.resolution.median_secs),
        sla: percent(s),
    }
}

/// How an interval's start reads on an axis.
fn interval_label(start: DateTime<Utc>, interval: Interval, tz: Tz) -> String {
    let local = start.with_timezone(&tz);
    match interval {
        Interval::Hour => local.format("%H:%M").to_string(),
        Interval::Day => local.format("%-d %b").to_string(),
        Interval::Week => format!("W{} {}", local.iso_week().week(), local.format("%-d %b")),
        Interval::Month => local.format("%b %Y").to_string(),
    }
}

fn history(report: &Historical, period: &Period, form: &ReportForm) -> History {
    let tz = period.time_zone();
    let labels: Vec<String> = report
        .intervals
        .iter()
        .map(|b| interval_label(b.start, period.interval(), tz))
        .collect();
    let each = |f: &dyn Fn(&crate::routes::analytics::BucketView) -> Option<f64>| {
        report.intervals.iter().map(f).collect::<Vec<_>>()
    };
    let unit_name = period.interval().as_str();
    let x_label = format!("{} ({})", capitalised(unit_name), tz.name());
    let volume = charts::bars(
        "chart-volume",
        (
            "Tickets opened and backlog",
            &format!(
                "Tickets opened per {unit_name} as bars, and the tickets open at the end of each {unit_name} as a line."
            ),
        ),
        (&x_label, "Tickets"),
        &labels,
        &[
            Series {
                name: "Opened".into(),
                class: "s1",
                values: each(&|b| Some(b.summary.created as f64)),
            },
            Series {
                name: "Backlog".into(),
                class: "s2",
                values: each(&|b| Some(b.backlog as f64)),
            },
        ],
        Unit::Count,
    );
    let d = |v: &DurationsView, p90: bool| {
        if p90 { v.p90_secs } else { v.median_secs }.map(|s| s as f64)
    };
    let times = charts::lines(
        "chart-times",
        (
            "First response and resolution times",
            &format!(
                "Median and 90th percentile of the time from opening to the first response and to resolution, per {unit_name}."
            ),
        ),
        (&x_label, "Time since opening"),
        &labels,
        &[
            Series {
                name: "First response, median".into(),
                class: "s1",
                values: each(&|b| d(&b.summary.first_response, false)),
            },
            Series {
                name: "First response, p90".into(),
                class: "s3",
                values: each(&|b| d(&b.summary.first_response, true)),
            },
            Series {
                name: "Resolution, median".into(),
                class: "s2",
                values: each(&|b| d(&b.summary.resolution, false)),
            },
            Series {
                name: "Resolution, p90".into(),
                class: "s4",
                values: each(&|b| d(&b.summary.resolution, true)),
            },
        ],
        Unit::Seconds,
    );
    let sla = charts::lines(
        "chart-sla",
        (
            "SLA compliance",
            &format!(
                "The share of SLA targets met among those decided in each {unit_name}, in percent."
            ),
        ),
        (&x_label, "Targets met"),
        &labels,
        &[Series {
            name: "SLA met".into(),
            class: "s1",
            values: each(&|b| b.summary.sla.compliance_percent),
        }],
        Unit::Percent,
    );
    let mut grid = [[0_u64; 24]; 7];
    for (d, hours) in report.busiest_hours.iter().enumerate().take(7) {
        for (h, n) in hours.iter().enumerate().take(24) {
            grid[d][h] = *n;
        }
    }
    let busiest = charts::heat_map(
        "chart-busiest",
        (
            "Busiest hours",
            &format!(
                "Tickets opened per weekday and hour of the day in {}, darker for more.",
                tz.name()
            ),
        ),
        &grid,
    );
    let mut categories: Vec<SliceRow> = report
        .by_category
        .iter()
        .map(|(c, s)| slice_row(c.clone(), s, None))
        .collect();
    categories.sort_by(|a, b| b.created.cmp(&a.created).then(a.name.cmp(&b.name)));
    let by_category = charts::hbars(
        "chart-category",
        (
            "Tickets by category",
            "Tickets opened in the period per category.",
        ),
        &categories
            .iter()
            .map(|c| (c.name.clone(), c.created as f64))
            .collect::<Vec<_>>(),
        Unit::Count,
    );
    let mut leaderboard: Vec<SliceRow> = report
        .by_agent
        .iter()
        .map(|a| {
            let name = a.name.clone().unwrap_or_else(|| "Unassigned".to_owned());
            slice_row(name, &a.summary, Some(a.replies))
        })
        .collect();
    leaderboard.sort_by(|a, b| {
        b.resolved
            .cmp(&a.resolved)
            .then(b.replies.cmp(&a.replies))
            .then(a.name.cmp(&b.name))
    });
    let by_agent = charts::hbars(
        "chart-agent",
        (
            "Tickets resolved by agent",
            "Tickets resolved in the period per current assignee.",
        ),
        &leaderboard
            .iter()
            .map(|a| (a.name.clone(), a.resolved as f64))
            .collect::<Vec<_>>(),
        Unit::Count,
    );
    let t = &report.total;
    History {
        query: form.query(),
        total: vec![
            ("tickets opened", t.created.to_string()),
            ("first response, median", secs(t.first_response.median_secs)),
            ("first response, p90", secs(t.first_response.p90_secs)),
            ("resolved", t.resolution.count.to_string()),
            ("resolution, median", secs(t.resolution.median_secs)),
            ("resolution, p90", secs(t.resolution.p90_secs)),
            ("SLA targets met", percent(t)),
        ],
        volume,
        times,
        sla,
        busiest,
        by_category,
        by_agent,
        intervals: report
            .intervals
            .iter()
            .zip(&labels)
            .map(|(b, label)| IntervalRow {
                label: format!(
                    "{label} ({})",
                    b.start.with_timezone(&tz).format("%Y-%m-%d %H:%M")
                ),
                created: b.summary.created,
                backlog: b.backlog,
                first_response: secs(b.summary.first_response.median_secs),
                first_response_p90: secs(b.summary.first_response.p90_secs),
                resolution: secs(b.summary.resolution.median_secs),
                resolution_p90: secs(b.summary.resolution.p90_secs),
                sla: percent(&b.summary),
            })
            .collect(),
        categories,
        leaderboard,
        heat: charts::WEEKDAYS
            .iter()
            .copied()
            .zip(grid.iter().map(|h| h.to_vec()))
            .collect(),
    }
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn choices(all: &[&str], chosen: &str) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: (*v).to_owned(),
            text: (*v).to_owned(),
            selected: *v == chosen.trim(),
        })
        .collect()
}

/// `/analytics/historical.csv`: the figures of the page's period as CSV — all of them, or one
/// chart's or table's (`slice`).
pub async fn csv(
    state: web::Data<AppState>,
    session: Session,
    form: web::Query<ReportForm>,
) -> Result<HttpResponse, PageError> {
    Chrome::of(&session)?;
    let now = state.now();
    let form = form.into_inner().completed(now);
    let (period, filter) = form
        .parse()
        .map_err(|(field, problem)| PageError::from(ApiError::invalid_field(field, problem)))?;
    let slice: Option<Slice> = (!form.slice.trim().is_empty())
        .then(|| form.slice.trim().parse())
        .transpose()?;
    let report = crate::reads::historical(&state, &session.caller, &period, filter, now).await?;
    Ok(csv_response(&report, slice)?)
}

fn tile(label: impl Into<String>, count: u64, url: Option<String>, band: &'static str) -> Tile {
    Tile {
        label: label.into(),
        count,
        url,
        band,
    }
}

/// The live tiles, then the period's report.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    form: web::Query<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let chrome = Chrome::of(&session)?;
    let now = state.now();
    let r = crate::reads::realtime(&state, &session.caller, now).await?;
    let form = form.into_inner().completed(now);
    let (history, problem, deflection, assistant, csat) = match form.parse() {
        Ok((period, filter)) => {
            let report =
                crate::reads::historical(&state, &session.caller, &period, filter, now).await?;
            let deflection = crate::routes::analytics::deflection_of(
                &state,
                &session.caller,
                Some(period.from()),
                Some(period.to()),
            )
            .await?;
            let assistant = crate::routes::analytics::assistant_of(
                &state,
                &session.caller,
                Some(period.from()),
                Some(period.to()),
            )
            .await?;
            let csat =
                crate::routes::analytics::satisfaction_in(&state, &session.caller, &period).await?;
            (
                Some(history(&report, &period, &form)),
                None,
                Some(deflection),
                Some(assistant),
                Some(csat),
            )
        }
        Err(problem) => (None, Some(problem), None, None, None),
    };
    let staff = crate::reads::staff_list(&state, &session.caller).await?;
    let agents = staff
        .iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            text: s.name.clone(),
            selected: s.id.to_string() == form.agent.trim(),
        })
        .collect();
    let intervals = choices(&["hour", "day", "week", "month"], &form.interval);
    let categories = choices(
        &Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        &form.category,
    );
    let channels = choices(
        &Channel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        &form.channel,
    );
    let list = |query: String| Some(format!("/tickets?status={ACTIVE}{query}"));
    let headline = vec![
        tile(
            "active tickets",
            r.by_status.values().sum(),
            list(String::new()),
            "",
        ),
        tile(
            "unassigned",
            r.unassigned,
            list("&assignee=unassigned".to_owned()),
            "",
        ),
        tile(
            "SLA at risk",
            r.sla_at_risk,
            list("&sla=at_risk".to_owned()),
            if r.sla_at_risk > 0 { "amber" } else { "" },
        ),
        tile(
            "SLA breached",
            r.sla_breached,
            list("&sla=breached".to_owned()),
            if r.sla_breached > 0 { "red" } else { "" },
        ),
        tile("agents available now", r.agents_available, None, ""),
    ];
    let by = |field: &str, counts: &std::collections::BTreeMap<String, u64>| -> Vec<Tile> {
        counts
            .iter()
            .map(|(value, n)| {
                let url = if field == "status" {
                    Some(format!("/tickets?status={value}"))
                } else {
                    list(format!("&{field}={value}"))
                };
                tile(super::ticket::label(value), *n, url, "")
            })
            .collect()
    };
    let groups = vec![
        ("By status", by("status", &r.by_status)),
        ("By priority", by("priority", &r.by_priority)),
        ("By category", by("category", &r.by_category)),
    ];
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &AnalyticsPage {
            chrome,
            headline,
            groups,
            generated_at: r.generated_at,
            form,
            intervals,
            categories,
            channels,
            agents,
            zones: ZONES,
            problem,
            history,
            deflection,
            assistant,
            csat,
        },
    ))
}
