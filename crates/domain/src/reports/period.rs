//! A reporting period cut into calendar intervals in the team's time zone.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// At most this many intervals in one report, so a year by the hour cannot be asked for.
pub const MAX_BUCKETS: usize = 1_000;

/// How a period is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    Hour,
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    Month,
}

impl Interval {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

impl std::str::FromStr for Interval {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hour" => Ok(Self::Hour),
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            other => Err(PeriodError::UnknownInterval(other.to_owned())),
        }
    }
}

/// Why a period cannot be reported on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("`to` must be after `from`")]
    Empty,
    #[error("unknown interval `{0}` (expected hour, day, week or month)")]
    UnknownInterval(String),
    #[error("the period holds more than {MAX_BUCKETS} intervals; choose a longer interval")]
    TooManyBuckets,
}

/// `[from, to)` cut at the interval's boundaries in `time_zone`; the first and last intervals
/// are clipped to the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    interval: Interval,
    time_zone: Tz,
    /// Interval starts, the first being `from`, each followed by the next or by `to`.
    starts: Vec<DateTime<Utc>>,
}

impl Period {
    /// Reports count in whole seconds: `from` and `to` are cut to the second.
    ///
    /// # Errors
    /// [`PeriodError::Empty`] unless `from < to`; [`PeriodError::TooManyBuckets`] when the
    /// period would hold more than [`MAX_BUCKETS`] intervals.
    pub fn new(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        interval: Interval,
        time_zone: Tz,
    ) -> Result<Self, PeriodError> {
        use chrono::SubsecRound;
        let (from, to) = (from.trunc_subsecs(0), to.trunc_subsecs(0));
        if from >= to {
            return Err(PeriodError::Empty);
        }
        let mut starts = vec![from];
        let mut boundary = floor(from, interval, time_zone);
        loop {
            boundary = next(boundary, interval, time_zone);
            if boundary >= to {
                break;
            }
            if starts.len() == MAX_BUCKETS {
                return Err(PeriodError::TooManyBuckets);
            }
            if boundary > from {
                starts.push(boundary);
            }
        }
        Ok(Self {
            from,
            to,
            interval,
            time_zone,
            starts,
        })
    }

    #[must_use]
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    #[must_use]
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    #[must_use]
    pub fn interval(&self) -> Interval {
        self.interval
    }

    #[must_use]
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The intervals as `[start, end)`.
    pub fn buckets(&self) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.starts.iter().enumerate().map(|(i, &start)| {
            let end = self.starts.get(i + 1).copied().unwrap_or(self.to);
            (start, end)
        })
    }

    /// Which interval `at` falls in, if it is within the period.
    #[must_use]
    pub fn bucket_of(&self, at: DateTime<Utc>) -> Option<usize> {
        if at < self.from || at >= self.to {
            return None;
        }
        Some(self.starts.partition_point(|&s| s <= at) - 1)
    }

    /// How many intervals the period holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Never true: a period holds at least one interval.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// Local wall-clock time back to an instant; a time skipped by a daylight-saving change is
/// taken as the first instant after the gap.
fn instant(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += chrono::TimeDelta::minutes(30);
    }
    tz.from_utc_datetime(&local).with_timezone(&Utc)
}

fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// The start of the interval holding `at`.
fn floor(at: DateTime<Utc>, interval: Interval, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).naive_local();
    let date = local.date();
    let start = match interval {
        Interval::Hour => midnight(date) + chrono::TimeDelta::hours(i64::from(local.hour())),
        Interval::Day => midnight(date),
        Interval::Week => {
            midnight(date - Days::new(u64::from(date.weekday().num_days_from_monday())))
        }
        Interval::Month => midnight(date.with_day(1).unwrap_or(date)),
    };
    instant(start, tz)
}

/// The start of the interval after the one starting at `start`.
fn next(start: DateTime<Utc>, interval: Interval, tz: Tz) -> DateTime<Utc> {
    let local = start.with_timezone(&tz).naive_local();
    let following = match interval {
        // Hours step in absolute time: a repeated autumn hour is an interval of its own.
        Interval::Hour => return start + chrono::TimeDelta::hours(1),
        Interval::Day => local + Days::new(1),
        Interval::Week => local + Days::new(7),
        Interval::Month => local + Months::new(1),
    };
    instant(following, tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_cut_at_local_midnight_and_clipped_to_the_period() {
        let p = Period::new(
            at("2026-03-01T12:00:00Z"),
            at("2026-03-03T06:00:00Z"),
            Interval::Day,
            Tz::Europe__Berlin,
        )
        .unwrap();
        let b: Vec<_> = p.buckets().collect();
        assert_eq!(
            b,
            vec![
                (at("2026-03-01T12:00:00Z"), at("2026-03-01T23:00:00Z")),
                (at("2026-03-01T23:00:00Z"), at("2026-03-02T23:00:00Z")),
                (at("2026-03-02T23:00:00Z"), at("2026-03-03T06:00:00Z")),
            ]
        );
        assert_eq!(p.bucket_of(at("2026-03-01T22:59:59Z")), Some(0));
        assert_eq!(p.bucket_of(at("2026-03-01T23:00:00Z")), Some(1));
        assert_eq!(p.bucket_of(at("2026-03-03T06:00:00Z")), None);
        assert_eq!(p.bucket_of(at("2026-03-01T11:00:00Z")), None);
    }

    #[test]
    fn a_day_across_the_spring_change_is_23_hours_long() {
        let p = Period::new(
            at("2026-03-28T23:00:00Z"),
            at("2026-03-30T22:00:00Z"),
            Interval::Day,
            Tz::Europe__Berlin,
        )
        .unwrap();
        let b: Vec<_> = p.buckets().collect();
        assert_eq!(b[0].1 - b[0].0, chrono::TimeDelta::hours(23));
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let w = Period::new(
            at("2026-11-18T00:00:00Z"),
            at("2026-11-30T00:00:00Z"),
            Interval::Week,
            Tz::UTC,
        )
        .unwrap();
        let starts: Vec<_> = w.buckets().map(|b| b.0).collect();
        assert_eq!(
            starts,
            vec![at("2026-11-18T00:00:00Z"), at("2026-11-23T00:00:00Z")]
        );
        let m = Period::new(
            at("2026-01-15T00:00:00Z"),
            at("2026-04-01T00:00:00Z"),
            Interval::Month,
            Tz::UTC,
        )
        .unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m.buckets().nth(1).unwrap().0, at("2026-02-01T00:00:00Z"));
    }

    #[test]
    fn empty_and_oversized_periods_are_refused() {
        let t = at("2026-01-01T00:00:00Z");
        assert_eq!(
            Period::new(t, t, Interval::Day, Tz::UTC),
            Err(PeriodError::Empty)
        );
        assert_eq!(
            Period::new(t, at("2027-01-01T00:00:00Z"), Interval::Hour, Tz::UTC),
            Err(PeriodError::TooManyBuckets)
        );
        assert!(Period::new(t, at("2027-01-01T00:00:00Z"), Interval::Day, Tz::UTC).is_ok());
        assert_eq!(
            "fortnight".parse::<Interval>(),
            Err(PeriodError::UnknownInterval("fortnight".into()))
        );
    }
}
