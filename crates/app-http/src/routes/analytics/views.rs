//! Report parameters and the JSON shapes of report figures, shared by the historical report
//! and staff performance.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use frontdesk_domain::reports::{Bucket, Compliance, Durations, Filter, Interval, Period, Summary};
use frontdesk_domain::staff::StaffId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem::ApiError;

/// Which period a report covers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start (RFC 3339, inclusive); default 30 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// End (RFC 3339, exclusive); default now.
    pub to: Option<DateTime<Utc>>,
    /// `hour`, `day` (default), `week` (ISO, from Monday) or `month`.
    pub interval: Option<String>,
    /// IANA time zone whose midnights cut days, weeks and months; default `UTC`.
    pub tz: Option<String>,
    /// Only tickets of this category.
    pub category: Option<String>,
    /// Only tickets assigned to this staff member now.
    pub agent: Option<Uuid>,
    /// Only tickets that came in through this channel (`email`, `web`, `api`, …).
    pub channel: Option<String>,
    /// `historical.csv` only: one kind of line — `total`, `interval`, `category`, `agent` or
    /// `busiest`; all when left out.
    pub slice: Option<String>,
}

impl PeriodQuery {
    /// The period asked for, as of `now`.
    pub fn period(&self, now: DateTime<Utc>) -> Result<Period, ApiError> {
        let to = self.to.unwrap_or(now);
        let from = self.from.unwrap_or(to - TimeDelta::days(30));
        let interval: Interval = self
            .interval
            .as_deref()
            .unwrap_or("day")
            .parse()
            .map_err(|e| ApiError::invalid_field("interval", format!("{e}")))?;
        let tz: Tz = self.tz.as_deref().unwrap_or("UTC").parse().map_err(|_| {
            ApiError::invalid_field("tz", "an IANA time zone such as Europe/Berlin")
        })?;
        Period::new(from, to, interval, tz)
            .map_err(|e| ApiError::invalid_field("to", e.to_string()))
    }

    /// The part of `historical.csv` asked for.
    pub fn slice(&self) -> Result<Option<super::historical::Slice>, ApiError> {
        self.slice.as_deref().map(str::parse).transpose()
    }

    /// The tickets asked for.
    pub fn filter(&self) -> Result<Filter, ApiError> {
        fn parse<T>(field: &str, value: Option<&str>) -> Result<Option<T>, ApiError>
        where
            T: std::str::FromStr<Err = frontdesk_domain::ticket::ParseEnumError>,
        {
            value
                .filter(|v| !v.is_empty())
                .map(str::parse::<T>)
                .transpose()
                .map_err(|e| ApiError::invalid_field(field, e.to_string()))
        }
        Ok(Filter {
            category: parse("category", self.category.as_deref())?,
            agent: self.agent.map(StaffId::from_uuid),
            channel: parse("channel", self.channel.as_deref())?,
        })
    }
}

/// Median and 90th percentile (nearest rank) of durations, in seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct DurationsView {
    pub count: u64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

impl From<Durations> for DurationsView {
    fn from(d: Durations) -> Self {
        Self {
            count: d.count,
            median_secs: d.median_secs,
            p90_secs: d.p90_secs,
        }
    }
}

/// SLA targets met and breached in the slice, and the share met.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    pub met: u64,
    pub breached: u64,
    /// `met / (met + breached)` in percent, `null` when no target was decided.
    pub compliance_percent: Option<f64>,
}

impl From<Compliance> for SlaView {
    fn from(c: Compliance) -> Self {
        Self {
            met: c.met,
            breached: c.breached,
            compliance_percent: c.percent().map(|p| (p * 10.0).round() / 10.0),
        }
    }
}

/// The figures of one slice of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// Tickets opened.
    pub created: u64,
    /// Time from opening to the first response, for tickets first answered in the slice.
    pub first_response: DurationsView,
    /// Time from opening to resolution, for tickets resolved in the slice (`count` is how many).
    pub resolution: DurationsView,
    pub sla: SlaView,
}

impl From<Summary> for SummaryView {
    fn from(s: Summary) -> Self {
        Self {
            created: s.created,
            first_response: s.first_response.into(),
            resolution: s.resolution.into(),
            sla: s.sla.into(),
        }
    }
}

/// One interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct BucketView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(flatten)]
    pub summary: SummaryView,
    /// Tickets open at the interval's end.
    pub backlog: u64,
}

impl From<Bucket> for BucketView {
    fn from(b: Bucket) -> Self {
        Self {
            start: b.start,
            end: b.end,
            summary: b.summary.into(),
            backlog: b.backlog,
        }
    }
}

/// One agent's slice: tickets currently assigned to them, and the replies they wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentSummary {
    /// `null` for unassigned tickets.
    pub staff_id: Option<Uuid>,
    pub name: Option<String>,
    /// Replies to customers written in the period.
    pub replies: u64,
    #[serde(flatten)]
    pub summary: SummaryView,
}
