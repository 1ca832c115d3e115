//! Business-hours calendars: which instants count towards an SLA target.
//!
//! Frames are given in local wall-clock time of an IANA zone and converted per date, so targets
//! follow daylight-saving changes: a frame that crosses a spring-forward gap is an hour shorter,
//! one that crosses a fall-back overlap an hour longer.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

const MINUTES_PER_DAY: u16 = 24 * 60;
/// How far ahead a deadline is searched before it is declared unreachable (about 50 years).
const MAX_DAYS: u32 = 366 * 50;

/// Why a calendar definition is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone `{0}` (expected an IANA name such as `Europe/Berlin`)")]
    UnknownTimeZone(String),
    #[error("time frame `{0}` is not of the form `HH:MM-HH:MM` within one day")]
    BadFrame(String),
    #[error("time frames on {day} overlap or are out of order")]
    Overlap { day: &'static str },
    #[error("the calendar has no business hours at all")]
    NoHours,
}

/// A span of wall-clock time within one day, `[start, end)` in minutes after midnight.
/// `end` may be 1440 (`24:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeFrame {
    start: u16,
    end: u16,
}

impl TimeFrame {
    /// Parses `09:00-17:30`; `24:00` is accepted as an end.
    ///
    /// # Errors
    /// [`CalendarError::BadFrame`] for anything else, or an empty frame.
    pub fn parse(raw: &str) -> Result<Self, CalendarError> {
        let bad = || CalendarError::BadFrame(raw.to_owned());
        let (a, b) = raw.trim().split_once('-').ok_or_else(bad)?;
        let minutes = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
            (m < 60 && h * 60 + m <= MINUTES_PER_DAY).then_some(h * 60 + m)
        };
        let (start, end) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
        if start >= end {
            return Err(bad());
        }
        Ok(Self { start, end })
    }

    /// The whole day, `00:00-24:00`.
    #[must_use]
    pub fn all_day() -> Self {
        Self {
            start: 0,
            end: MINUTES_PER_DAY,
        }
    }
}

/// Weekly business hours in a time zone, minus holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Frames per weekday, Monday first, sorted and non-overlapping.
    week: [Vec<TimeFrame>; 7],
    holidays: BTreeSet<NaiveDate>,
    /// Business seconds in a week without holidays or clock changes.
    week_seconds: i64,
}

const DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl BusinessCalendar {
    /// Builds a calendar from an IANA zone name, frames per weekday (Monday first) and holidays
    /// (local dates on which no frame counts).
    ///
    /// # Errors
    /// [`CalendarError`] for an unknown zone, overlapping frames, or a week without any hours.
    pub fn new(
        time_zone: &str,
        mut week: [Vec<TimeFrame>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let tz: Tz = time_zone
            .parse()
            .map_err(|_| CalendarError::UnknownTimeZone(time_zone.to_owned()))?;
        let mut week_seconds = 0;
        for (day, frames) in week.iter_mut().enumerate() {
            frames.sort();
            if frames.windows(2).any(|w| w[0].end > w[1].start) {
                return Err(CalendarError::Overlap {
                    day: DAY_NAMES[day],
                });
            }
            week_seconds += frames
                .iter()
                .map(|f| i64::from(f.end - f.start) * 60)
                .sum::<i64>();
        }
        if week_seconds == 0 {
            return Err(CalendarError::NoHours);
        }
        Ok(Self {
            tz,
            week,
            holidays: holidays.into_iter().collect(),
            week_seconds,
        })
    }

    /// Monday to Friday, 09:00–17:00, in `time_zone`.
    ///
    /// # Errors
    /// [`CalendarError::UnknownTimeZone`].
    pub fn office_hours(time_zone: &str) -> Result<Self, CalendarError> {
        let nine_to_five = vec![TimeFrame {
            start: 9 * 60,
            end: 17 * 60,
        }];
        let mut week: [Vec<TimeFrame>; 7] = Default::default();
        for day in week.iter_mut().take(5) {
            day.clone_from(&nine_to_five);
        }
        Self::new(time_zone, week, [])
    }

    /// The calendar's IANA time zone.
    #[must_use]
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether the week starting at `date` is a plain week: no holiday and no UTC-offset change,
    /// so it holds exactly `week_seconds` of business time and can be skipped in one step.
    fn is_plain_week(&self, date: NaiveDate) -> bool {
        let end = date + TimeDelta::days(7);
        self.holidays.range(date..end).next().is_none()
            && self.offset_at_midnight(date) == self.offset_at_midnight(end)
    }

    fn offset_at_midnight(&self, date: NaiveDate) -> i32 {
        let naive = date.and_time(chrono::NaiveTime::MIN);
        self.tz
            .offset_from_utc_datetime(&naive)
            .fix()
            .local_minus_utc()
    }

    /// The UTC instant of `minute` after local midnight on `date`. In an overlap (clocks going
    /// back) a frame start takes the earlier instant and a frame end the later, so the frame
    /// contains the whole repeated hour; in a gap (clocks going forward) the instant is moved past
    /// the gap, as a wall clock would be.
    fn instant(&self, date: NaiveDate, minute: u16, is_start: bool) -> DateTime<Utc> {
        let naive = date.and_time(chrono::NaiveTime::MIN) + TimeDelta::minutes(i64::from(minute));
        match self.tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(early, late) => {
                if is_start { early } else { late }.with_timezone(&Utc)
            }
            chrono::LocalResult::None => {
                let before = self
                    .tz
                    .offset_from_utc_datetime(&(naive - TimeDelta::days(1)));
                let offset = TimeDelta::seconds(i64::from(before.fix().local_minus_utc()));
                (naive - offset).and_utc()
            }
        }
    }

    /// The business frames of `date` as UTC instants.
    fn frames_on(&self, date: NaiveDate) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> {
        let frames: &[TimeFrame] = if self.is_holiday(date) {
            &[]
        } else {
            &self.week[date.weekday().num_days_from_monday() as usize]
        };
        frames.iter().map(move |f| {
            (
                self.instant(date, f.start, true),
                self.instant(date, f.end, false),
            )
        })
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    fn add(&self, start: DateTime<Utc>, amount: TimeDelta) -> DateTime<Utc> {
        let mut remaining = amount;
        // The previous local day too: its frames may end after `start` in UTC terms when the
        // zone's offset changes overnight.
        let mut date = self.local_date(start) - TimeDelta::days(1);
        let mut first_days = 2;
        for _ in 0..MAX_DAYS {
            if first_days == 0
                && remaining.num_seconds() > self.week_seconds
                && self.is_plain_week(date)
            {
                remaining -= TimeDelta::seconds(self.week_seconds);
                date += TimeDelta::days(7);
                continue;
            }
            first_days = (first_days - 1).max(0);
            for (from, to) in self.frames_on(date) {
                let from = from.max(start);
                if from >= to {
                    continue;
                }
                let available = to - from;
                if remaining <= available {
                    return from + remaining;
                }
                remaining -= available;
            }
            date += TimeDelta::days(1);
        }
        DateTime::<Utc>::MAX_UTC
    }

    fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let mut total = TimeDelta::zero();
        let mut date = self.local_date(from) - TimeDelta::days(1);
        let last = self.local_date(to);
        let mut first_days = 2;
        while date <= last {
            if first_days == 0 && date + TimeDelta::days(8) < last && self.is_plain_week(date) {
                total += TimeDelta::seconds(self.week_seconds);
                date += TimeDelta::days(7);
                continue;
            }
            first_days = (first_days - 1).max(0);
            for (a, b) in self.frames_on(date) {
                let (a, b) = (a.max(from), b.min(to));
                if a < b {
                    total += b - a;
                }
            }
            date += TimeDelta::days(1);
        }
        total
    }
}

/// Which instants count towards SLA targets.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Calendar {
    /// Every instant counts (24/7 support).
    #[default]
    Always,
    /// Only business hours count.
    Business(Box<BusinessCalendar>),
}

impl Calendar {
    /// The instant at which `amount` of counted time has passed after `start`.
    /// Returns `DateTime::<Utc>::MAX_UTC` if that lies more than fifty years ahead.
    #[must_use]
    pub fn add(&self, start: DateTime<Utc>, amount: TimeDelta) -> DateTime<Utc> {
        if amount <= TimeDelta::zero() {
            return start;
        }
        match self {
            Self::Always => start
                .checked_add_signed(amount)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            Self::Business(cal) => cal.add(start, amount),
        }
    }

    /// Counted time from `from` to `to`; negative when `to` is before `from`.
    #[must_use]
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to < from {
            return -self.between(to, from);
        }
        match self {
            Self::Always => to - from,
            Self::Business(cal) => cal.between(from, to),
        }
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
