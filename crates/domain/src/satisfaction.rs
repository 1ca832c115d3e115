//! Customer satisfaction (CSAT): when a ticket reaches a status that asks for it (resolved, by
//! default), the customer is mailed a one-click rating — good, okay or bad — then an optional
//! comment. No sign-in: the link carries a signed token for that one ticket. A rating can be
//! changed for [`RATING_WINDOW`]; one rating per ticket, the last counts.

use chrono::{DateTime, TimeDelta, Utc};

use crate::ticket::Status;

/// How long after the survey a rating can be given or changed.
pub const RATING_WINDOW: TimeDelta = TimeDelta::days(7);

/// Comments are at most this many characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// A rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rating {
    Good,
    Okay,
    Bad,
}

impl Rating {
    /// Every rating, best first.
    pub const ALL: [Self; 3] = [Self::Good, Self::Okay, Self::Bad];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Okay => "okay",
            Self::Bad => "bad",
        }
    }

    /// The rating named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// When surveys go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveySettings {
    pub enabled: bool,
    /// The statuses that ask for a rating.
    pub statuses: Vec<Status>,
    /// How long after reaching such a status the survey waits (a quick reopen cancels it).
    pub delay: TimeDelta,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            statuses: vec![Status::Resolved],
            delay: TimeDelta::zero(),
        }
    }
}

impl SurveySettings {
    /// Whether a ticket in `status`, resolved at `resolved_at`, is owed a survey at `now`: the
    /// status asks for one, the delay has passed, and the rating window has not (a ticket
    /// resolved long ago, or imported, is never surveyed late).
    #[must_use]
    pub fn survey_due(
        &self,
        status: Status,
        resolved_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(at) = resolved_at else {
            return false;
        };
        self.enabled
            && self.statuses.contains(&status)
            && at + self.delay <= now
            && now < at + self.delay + RATING_WINDOW
    }
}

/// Whether a rating may be given or changed at `now` for a survey issued at `issued_at`.
#[must_use]
pub fn may_rate(issued_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    issued_at <= now + TimeDelta::minutes(5) && now < issued_at + RATING_WINDOW
}

/// Ratings counted together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingCounts {
    pub good: u64,
    pub okay: u64,
    pub bad: u64,
}

impl RatingCounts {
    /// Counts one more rating.
    pub fn add(&mut self, rating: Rating) {
        match rating {
            Rating::Good => self.good += 1,
            Rating::Okay => self.okay += 1,
            Rating::Bad => self.bad += 1,
        }
    }

    /// All ratings.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.good + self.okay + self.bad
    }

    /// CSAT: the share of "good" among all ratings, in percent with one decimal; none before a
    /// rating.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn csat_percent(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.good as f64 * 1000.0 / total as f64).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn surveys_go_out_after_the_delay_for_the_statuses_asked_only() {
        let mut s = SurveySettings::default();
        assert!(s.survey_due(Status::Resolved, Some(at(1, 9)), at(1, 9)));
        assert!(!s.survey_due(Status::Open, Some(at(1, 9)), at(1, 10)));
        assert!(!s.survey_due(Status::Resolved, None, at(1, 10)));
        assert!(
            !s.survey_due(Status::Resolved, Some(at(1, 9)), at(9, 9)),
            "too late"
        );
        s.delay = TimeDelta::hours(2);
        assert!(!s.survey_due(Status::Resolved, Some(at(1, 9)), at(1, 10)));
        assert!(s.survey_due(Status::Resolved, Some(at(1, 9)), at(1, 11)));
        s.enabled = false;
        assert!(!s.survey_due(Status::Resolved, Some(at(1, 9)), at(1, 11)));
    }

    #[test]
    fn ratings_can_change_for_a_week() {
        assert!(may_rate(at(1, 9), at(7, 9)));
        assert!(!may_rate(at(1, 9), at(8, 9)));
        assert!(!may_rate(at(8, 9), at(1, 9)), "issued in the future");
    }

    #[test]
    fn csat_is_the_share_of_good() {
        let mut c = RatingCounts::default();
        assert_eq!(c.csat_percent(), None);
        for r in [Rating::Good, Rating::Good, Rating::Okay] {
            c.add(r);
        }
        assert_eq!(c.csat_percent(), Some(66.7));
        assert_eq!(Rating::parse("okay"), Some(Rating::Okay));
        assert_eq!(Rating::parse("great"), None);
    }
}
