//! Reports over a period: ticket volume, first-response and resolution times (median and
//! 90th percentile), SLA compliance — per interval, per category and per agent.
//!
//! Each measure is counted when it happened: a ticket counts as created in the interval of its
//! creation, as answered in the interval of its first response, as resolved in the interval of
//! its resolution; an SLA target counts as met when its clock stopped in time and as breached at
//! the moment it was breached. Times are wall-clock durations since the ticket was opened.
//!
//! Beside the measures, each interval carries its backlog (the tickets open at its end) and the
//! report the busiest hours: tickets opened per local weekday and hour.

mod period;

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};

use crate::sla::SlaClock;
use crate::staff::StaffId;
use crate::ticket::{Category, Channel};

pub use period::{Interval, MAX_BUCKETS, Period, PeriodError};

/// How an SLA clock ended, or that it has not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaOutcome {
    /// Still running or paused with time left, or never measured: a clock stopped the instant
    /// it started (history imported closed) decides nothing.
    Pending,
    /// Stopped in time, at this instant.
    Met(DateTime<Utc>),
    /// Breached at this instant (the deadline, or the late stop when no deadline is known).
    Breached(DateTime<Utc>),
}

impl SlaOutcome {
    /// The outcome of `clock` as of `now`.
    #[must_use]
    pub fn of(clock: &SlaClock, now: DateTime<Utc>) -> Self {
        ClockFact::of(clock).at(now)
    }
}

/// What a report keeps of an SLA clock without knowing `now`: how it ended, or the instant it
/// is breached unless something stops or pauses it first. A change to the clock is a change to
/// the ticket, so this stays true until the ticket changes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockFact {
    /// Paused with time left, or never measured.
    Pending,
    Met(DateTime<Utc>),
    Breached(DateTime<Utc>),
    /// Running: pending until this instant, breached from it on.
    DueAt(DateTime<Utc>),
}

impl ClockFact {
    /// What `clock` will say at any later `now` (see [`SlaOutcome::of`]).
    #[must_use]
    pub fn of(clock: &SlaClock) -> Self {
        if clock.stopped_at == Some(clock.started_at) {
            return Self::Pending;
        }
        match (clock.stopped_at, clock.remaining_at_stop) {
            (Some(at), Some(left)) if left > TimeDelta::zero() => Self::Met(at),
            // Stopped or paused with no time left: the deadline was passed before.
            (_, Some(left)) if left <= TimeDelta::zero() => {
                Self::Breached(clock.due_at.min(clock.stopped_at.unwrap_or(clock.due_at)))
            }
            (Some(at), _) => Self::Met(at),
            (None, _) if clock.paused_since.is_none() => Self::DueAt(clock.due_at),
            (None, _) => Self::Pending,
        }
    }

    /// The outcome as of `now`.
    #[must_use]
    pub fn at(self, now: DateTime<Utc>) -> SlaOutcome {
        match self {
            Self::Pending => SlaOutcome::Pending,
            Self::Met(at) => SlaOutcome::Met(at),
            Self::Breached(at) => SlaOutcome::Breached(at),
            Self::DueAt(at) if at <= now => SlaOutcome::Breached(at),
            Self::DueAt(_) => SlaOutcome::Pending,
        }
    }
}

/// What a report needs to know of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed; the end of its open life when it was imported closed (no resolution).
    pub closed_at: Option<DateTime<Utc>>,
    pub category: Category,
    pub channel: Channel,
    pub assignee: Option<StaffId>,
    pub first_response: SlaOutcome,
    pub resolution: SlaOutcome,
}

impl TicketFacts {
    /// When the ticket stopped being open work, if it has.
    #[must_use]
    pub fn settled_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at.or(self.closed_at)
    }
}

/// Which tickets a report counts; every field left empty counts all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub category: Option<Category>,
    /// The current assignee.
    pub agent: Option<StaffId>,
    pub channel: Option<Channel>,
}

impl Filter {
    #[must_use]
    pub fn matches(&self, t: &TicketFacts) -> bool {
        self.category.is_none_or(|c| c == t.category)
            && self.agent.is_none_or(|a| t.assignee == Some(a))
            && self.channel.is_none_or(|c| c == t.channel)
    }
}

/// Median and 90th percentile of a set of durations (nearest rank), in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durations {
    pub count: u64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

impl Durations {
    fn of(mut samples: Vec<i64>) -> Self {
        let n = samples.len();
        // Nearest rank: the smallest sample with at least p % of the samples at or below it.
        // Selected, not sorted: linear in the samples.
        let index = |p: usize| (n * p).div_ceil(100).max(1) - 1;
        let mut rank = |p: usize| {
            (n > 0).then(|| {
                let i = index(p);
                *samples.select_nth_unstable(i).1
            })
        };
        let p90 = rank(90);
        let median = rank(50);
        Self {
            count: n as u64,
            median_secs: median,
            p90_secs: p90,
        }
    }
}

/// SLA targets met and breached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compliance {
    pub met: u64,
    pub breached: u64,
}

impl Compliance {
    /// Share of decided targets that were met, 0–100; `None` when none was decided.
    #[must_use]
    pub fn percent(&self) -> Option<f64> {
        let decided = self.met + self.breached;
        (decided > 0).then(|| self.met as f64 * 100.0 / decided as f64)
    }
}

/// The measures of one slice of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub created: u64,
    pub first_response: Durations,
    pub resolution: Durations,
    pub sla: Compliance,
}

/// One interval of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: Summary,
    /// Tickets open at the interval's end: opened before it and not resolved (or closed) by it.
    pub backlog: u64,
}

/// Tickets opened per local weekday (Monday first) and hour of the day.
pub type Busiest = [[u64; 24]; 7];

/// A whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub buckets: Vec<Bucket>,
    pub total: Summary,
    pub by_category: BTreeMap<Category, Summary>,
    /// Keyed by the ticket's current assignee; `None` gathers unassigned tickets.
    pub by_agent: BTreeMap<Option<StaffId>, Summary>,
    /// Tickets opened in the period by local weekday and hour, in the period's time zone.
    pub busiest: Busiest,
}

#[derive(Debug, Default)]
struct Tally {
    created: u64,
    first_response: Vec<i64>,
    resolution: Vec<i64>,
    sla: Compliance,
}

impl Tally {
    fn merge(&mut self, other: Self) {
        self.created += other.created;
        self.first_response.extend(other.first_response);
        self.resolution.extend(other.resolution);
        self.sla.met += other.sla.met;
        self.sla.breached += other.sla.breached;
    }

    fn summary(self) -> Summary {
        Summary {
            created: self.created,
            first_response: Durations::of(self.first_response),
            resolution: Durations::of(self.resolution),
            sla: self.sla,
        }
    }
}

/// Something that happened to a ticket, counted in the interval it happened in.
#[derive(Clone, Copy)]
enum Measure {
    Created,
    FirstResponse(i64),
    Resolved(i64),
    Sla { met: bool },
}

impl Measure {
    fn add_to(self, tally: &mut Tally) {
        match self {
            Self::Created => tally.created += 1,
            Self::FirstResponse(secs) => tally.first_response.push(secs),
            Self::Resolved(secs) => tally.resolution.push(secs),
            Self::Sla { met: true } => tally.sla.met += 1,
            Self::Sla { met: false } => tally.sla.breached += 1,
        }
    }
}

fn measures(t: &TicketFacts) -> impl Iterator<Item = (DateTime<Utc>, Measure)> {
    let since_open = |at: DateTime<Utc>| (at - t.created_at).num_seconds().max(0);
    let sla = |o: SlaOutcome| match o {
        SlaOutcome::Met(at) => Some((at, Measure::Sla { met: true })),
        SlaOutcome::Breached(at) => Some((at, Measure::Sla { met: false })),
        SlaOutcome::Pending => None,
    };
    [
        Some((t.created_at, Measure::Created)),
        t.first_response_at
            .map(|at| (at, Measure::FirstResponse(since_open(at)))),
        t.resolved_at
            .map(|at| (at, Measure::Resolved(since_open(at)))),
        sla(t.first_response),
        sla(t.resolution),
    ]
    .into_iter()
    .flatten()
}

/// The report of the `tickets` that `filter` lets through over `period`; tickets with nothing in
/// the period add nothing.
#[must_use]
pub fn report<I>(tickets: I, period: &Period, filter: &Filter) -> Report
where
    I: IntoIterator,
    I::Item: Borrow<TicketFacts>,
{
    let mut counter = Counter::new(period, *filter);
    for t in tickets {
        counter.add(t.borrow());
    }
    counter.finish()
}

/// A report being counted: tickets added one at a time, and counters over parts of the tickets
/// merged, so the parts can be counted at once on several cores. [`report`] is one counter.
#[derive(Debug)]
pub struct Counter<'p> {
    period: &'p Period,
    filter: Filter,
    ends: Vec<DateTime<Utc>>,
    buckets: Vec<Tally>,
    total: Tally,
    // Categories and agents are few: tallies in a vector, found through a small map.
    categories: Vec<(Category, Tally)>,
    agents: Vec<(Option<StaffId>, Tally)>,
    agent_at: std::collections::HashMap<Option<StaffId>, usize>,
    /// Backlog as differences: +1 where a ticket starts being open at an interval's end, -1
    /// after the last such end.
    open: Vec<i64>,
    busiest: Busiest,
    hours: LocalHours,
}

impl<'p> Counter<'p> {
    #[must_use]
    pub fn new(period: &'p Period, filter: Filter) -> Self {
        let ends: Vec<DateTime<Utc>> = period.buckets().map(|(_, end)| end).collect();
        Self {
            period,
            filter,
            buckets: (0..period.len()).map(|_| Tally::default()).collect(),
            total: Tally::default(),
            categories: Vec::new(),
            agents: Vec::new(),
            agent_at: std::collections::HashMap::new(),
            open: vec![0; ends.len() + 1],
            ends,
            busiest: [[0; 24]; 7],
            hours: LocalHours::new(period.time_zone()),
        }
    }

    fn category(&mut self, c: Category) -> usize {
        match self.categories.iter().position(|(k, _)| *k == c) {
            Some(i) => i,
            None => {
                self.categories.push((c, Tally::default()));
                self.categories.len() - 1
            }
        }
    }

    fn agent(&mut self, a: Option<StaffId>) -> usize {
        if let Some(i) = self.agent_at.get(&a) {
            return *i;
        }
        self.agents.push((a, Tally::default()));
        self.agent_at.insert(a, self.agents.len() - 1);
        self.agents.len() - 1
    }

    /// Counts one ticket.
    pub fn add(&mut self, t: &TicketFacts) {
        let period = self.period;
        if t.created_at >= period.to() || !self.filter.matches(t) {
            return;
        }
        let first = self.ends.partition_point(|&e| e <= t.created_at);
        let last = t
            .settled_at()
            .map_or(self.ends.len(), |s| self.ends.partition_point(|&e| e < s));
        if first < last {
            self.open[first] += 1;
            self.open[last] -= 1;
        }
        if t.created_at >= period.from() {
            let (day, hour) = self.hours.of(t.created_at);
            self.busiest[day][hour] += 1;
        }
        let mut within = measures(t)
            .filter_map(|(at, m)| Some((period.bucket_of(at)?, m)))
            .peekable();
        if within.peek().is_none() {
            return;
        }
        let c = self.category(t.category);
        let a = self.agent(t.assignee);
        for (i, m) in within {
            m.add_to(&mut self.buckets[i]);
            m.add_to(&mut self.total);
            m.add_to(&mut self.categories[c].1);
            m.add_to(&mut self.agents[a].1);
        }
    }

    /// Adds what `other` counted (over the same period and filter).
    pub fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            mine.merge(theirs);
        }
        self.total.merge(other.total);
        for (c, tally) in other.categories {
            let i = self.category(c);
            self.categories[i].1.merge(tally);
        }
        for (a, tally) in other.agents {
            let i = self.agent(a);
            self.agents[i].1.merge(tally);
        }
        for (mine, theirs) in self.open.iter_mut().zip(other.open) {
            *mine += theirs;
        }
        for (mine, theirs) in self.busiest.iter_mut().zip(other.busiest) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
    }

    /// The report.
    #[must_use]
    pub fn finish(self) -> Report {
        let mut running = 0_i64;
        Report {
            buckets: self
                .period
                .buckets()
                .zip(self.buckets)
                .zip(self.open)
                .map(|(((start, end), tally), change)| {
                    running += change;
                    Bucket {
                        start,
                        end,
                        summary: tally.summary(),
                        backlog: running.max(0) as u64,
                    }
                })
                .collect(),
            total: self.total.summary(),
            by_category: self
                .categories
                .into_iter()
                .map(|(k, v)| (k, v.summary()))
                .collect(),
            by_agent: self
                .agents
                .into_iter()
                .map(|(k, v)| (k, v.summary()))
                .collect(),
            busiest: self.busiest,
        }
    }
}

/// Local weekday (Monday = 0) and hour of instants in one zone, remembered per quarter of an
/// hour: offsets are whole quarters, so every instant of a quarter has the same local hour.
#[derive(Debug)]
struct LocalHours {
    zone: chrono_tz::Tz,
    quarter: i64,
    last: (usize, usize),
}

impl LocalHours {
    fn new(zone: chrono_tz::Tz) -> Self {
        Self {
            zone,
            quarter: i64::MIN,
            last: (0, 0),
        }
    }

    fn of(&mut self, at: DateTime<Utc>) -> (usize, usize) {
        use chrono::Offset as _;
        let quarter = at.timestamp().div_euclid(900);
        if quarter == self.quarter {
            return self.last;
        }
        let local = at.with_timezone(&self.zone);
        let found = (
            local.weekday().num_days_from_monday() as usize,
            local.hour() as usize,
        );
        // Kept only when the whole quarter has one offset, a whole number of quarters (some
        // zones changed at odd minutes, and local mean time is not in quarters).
        let offset = |secs: i64| {
            DateTime::from_timestamp(secs, 0)
                .map(|t| t.with_timezone(&self.zone).offset().fix().local_minus_utc())
        };
        let start = offset(quarter * 900);
        if start.is_some_and(|o| o % 900 == 0) && start == offset(quarter * 900 + 899) {
            self.quarter = quarter;
            self.last = found;
        }
        found
    }
}

#[cfg(test)]
mod tests;
