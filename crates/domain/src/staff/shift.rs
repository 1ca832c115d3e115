//! Shift windows: the days and local hours a staff member works.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// Why a shift definition is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("unknown time zone `{0}`")]
    UnknownTimeZone(String),
    #[error("a shift must start and end at different times")]
    Empty,
    #[error("a shift must include at least one weekday")]
    NoDays,
}

/// Working hours on some weekdays in a time zone. A window whose end is before its start runs
/// overnight (22:00–06:00) and belongs to the day it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftWindow {
    tz: Tz,
    days: Vec<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
}

impl ShiftWindow {
    /// Builds a shift.
    ///
    /// # Errors
    /// [`ShiftError`] for an unknown zone, no days, or `start == end`.
    pub fn new(
        time_zone: &str,
        days: Vec<Weekday>,
        start: NaiveTime,
        end: NaiveTime,
    ) -> Result<Self, ShiftError> {
        let tz: Tz = time_zone
            .parse()
            .map_err(|_| ShiftError::UnknownTimeZone(time_zone.to_owned()))?;
        if days.is_empty() {
            return Err(ShiftError::NoDays);
        }
        if start == end {
            return Err(ShiftError::Empty);
        }
        Ok(Self {
            tz,
            days,
            start,
            end,
        })
    }

    #[must_use]
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    #[must_use]
    pub fn days(&self) -> &[Weekday] {
        &self.days
    }

    #[must_use]
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    #[must_use]
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether `now` falls inside the shift.
    #[must_use]
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.tz);
        let time = local.time().with_nanosecond(0).unwrap_or(local.time());
        let day = local.weekday();
        if self.start < self.end {
            self.days.contains(&day) && time >= self.start && time < self.end
        } else {
            // Overnight: the evening part belongs to today, the morning part to yesterday's shift.
            (self.days.contains(&day) && time >= self.start)
                || (self.days.contains(&day.pred()) && time < self.end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_day_shift_contains_its_local_hours_only() {
        let s =
            ShiftWindow::new("America/New_York", vec![Weekday::Mon], hm(9, 0), hm(17, 0)).unwrap();
        // Monday 2026-11-23 09:00 EST is 14:00 UTC.
        assert!(s.contains(at("2026-11-23T14:00:00Z")));
        assert!(!s.contains(at("2026-11-23T13:59:59Z")));
        assert!(!s.contains(at("2026-11-23T22:00:00Z")));
        assert!(!s.contains(at("2026-11-24T14:00:00Z")));
    }

    #[test]
    fn an_overnight_shift_runs_into_the_next_morning() {
        let s = ShiftWindow::new("UTC", vec![Weekday::Fri], hm(22, 0), hm(6, 0)).unwrap();
        assert!(s.contains(at("2026-11-20T23:00:00Z"))); // Friday night
        assert!(s.contains(at("2026-11-21T05:00:00Z"))); // Saturday morning
        assert!(!s.contains(at("2026-11-21T23:00:00Z"))); // Saturday night: no shift
        assert!(!s.contains(at("2026-11-20T05:00:00Z"))); // Friday morning belongs to Thursday
    }

    #[test]
    fn invalid_shifts_are_rejected() {
        assert_eq!(
            ShiftWindow::new("UTC", vec![], hm(9, 0), hm(17, 0)),
            Err(ShiftError::NoDays)
        );
        assert_eq!(
            ShiftWindow::new("UTC", vec![Weekday::Mon], hm(9, 0), hm(9, 0)),
            Err(ShiftError::Empty)
        );
        assert!(matches!(
            ShiftWindow::new("Nowhere/City", vec![Weekday::Mon], hm(9, 0), hm(17, 0)),
            Err(ShiftError::UnknownTimeZone(_))
        ));
    }
}
