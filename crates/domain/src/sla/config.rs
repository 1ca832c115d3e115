//! SLA settings as they appear in the configuration file, and their validation into
//! [`SlaPolicies`].

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{
    BusinessCalendar, Calendar, CalendarError, EscalationPolicy, SlaPolicies, SlaPolicyError,
    SlaTargets, TimeFrame,
};
use crate::ticket::{Category, ParseEnumError, Priority};

/// Why the `[sla]` settings are unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaConfigError {
    #[error(transparent)]
    Name(#[from] ParseEnumError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Policy(#[from] SlaPolicyError),
    #[error("holiday `{0}` is not a date of the form YYYY-MM-DD")]
    Holiday(String),
}

/// `[sla]`: warning threshold, escalation, calendar and per-priority targets. Everything is
/// optional; what is left out keeps the defaults of [`SlaPolicies::default`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    pub warning_percent: Option<u8>,
    pub raise_priority_on_breach: Option<bool>,
    pub calendar: Option<CalendarConfig>,
    #[serde(default)]
    pub policies: Vec<PolicyConfig>,
}

/// `[[sla.policies]]`: targets in minutes for a priority, optionally only within a category.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    pub priority: String,
    pub category: Option<String>,
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
}

/// `[sla.calendar]`: business hours in an IANA time zone, frames as `"09:00-17:00"`, holidays as
/// `"2026-12-25"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    pub time_zone: String,
    #[serde(default)]
    pub monday: Vec<String>,
    #[serde(default)]
    pub tuesday: Vec<String>,
    #[serde(default)]
    pub wednesday: Vec<String>,
    #[serde(default)]
    pub thursday: Vec<String>,
    #[serde(default)]
    pub friday: Vec<String>,
    #[serde(default)]
    pub saturday: Vec<String>,
    #[serde(default)]
    pub sunday: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl CalendarConfig {
    /// Validates the calendar.
    ///
    /// # Errors
    /// [`SlaConfigError`] naming the bad zone, frame or holiday.
    pub fn build(&self) -> Result<BusinessCalendar, SlaConfigError> {
        let days = [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ];
        let mut week: [Vec<TimeFrame>; 7] = Default::default();
        for (frames, raw) in week.iter_mut().zip(days) {
            *frames = raw
                .iter()
                .map(|f| TimeFrame::parse(f))
                .collect::<Result<_, _>>()?;
        }
        let holidays = self
            .holidays
            .iter()
            .map(|h| {
                h.parse::<NaiveDate>()
                    .map_err(|_| SlaConfigError::Holiday(h.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BusinessCalendar::new(&self.time_zone, week, holidays)?)
    }
}

impl SlaConfig {
    /// Validates the settings into policies.
    ///
    /// # Errors
    /// [`SlaConfigError`] for an unknown priority or category name, a bad calendar, or an
    /// out-of-range target or threshold.
    pub fn build(&self) -> Result<SlaPolicies, SlaConfigError> {
        self.overlay(SlaPolicies::default())
    }

    /// The calendar `calendar` describes: business hours, or around the clock for `None`.
    ///
    /// # Errors
    /// [`SlaConfigError`] for a calendar that does not build.
    pub fn calendar_of(calendar: Option<&CalendarConfig>) -> Result<Calendar, SlaConfigError> {
        Ok(match calendar {
            Some(c) => Calendar::Business(Box::new(c.build()?)),
            None => Calendar::Always,
        })
    }

    /// These settings applied over `base`: what they set replaces what `base` had (how the
    /// policies kept in the database refine those of the configuration file).
    ///
    /// # Errors
    /// As [`SlaConfig::build`].
    pub fn overlay(&self, base: SlaPolicies) -> Result<SlaPolicies, SlaConfigError> {
        let mut policies = base;
        if let Some(percent) = self.warning_percent {
            policies = policies.with_warning_percent(percent)?;
        }
        if let Some(raise) = self.raise_priority_on_breach {
            policies = policies.with_escalation(EscalationPolicy {
                raise_priority: raise,
            });
        }
        if let Some(calendar) = &self.calendar {
            policies = policies.with_calendar(Calendar::Business(Box::new(calendar.build()?)));
        }
        for p in &self.policies {
            let priority: Priority = p.priority.parse()?;
            let targets = SlaTargets {
                first_response: TimeDelta::minutes(i64::from(p.first_response_minutes)),
                resolution: TimeDelta::minutes(i64::from(p.resolution_minutes)),
            };
            policies = match &p.category {
                Some(c) => {
                    policies.with_category_override(priority, c.parse::<Category>()?, targets)?
                }
                None => policies.with_priority(priority, targets)?,
            };
        }
        Ok(policies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> CalendarConfig {
        CalendarConfig {
            time_zone: "Europe/London".into(),
            monday: vec!["09:00-12:00".into(), "13:00-17:00".into()],
            tuesday: vec![],
            wednesday: vec![],
            thursday: vec![],
            friday: vec![],
            saturday: vec![],
            sunday: vec![],
            holidays: vec!["2026-12-25".into()],
        }
    }

    #[test]
    fn an_empty_section_gives_the_defaults() {
        assert_eq!(
            SlaConfig::default().build().unwrap(),
            SlaPolicies::default()
        );
    }

    #[test]
    fn policies_and_calendar_are_applied() {
        let cfg = SlaConfig {
            warning_percent: Some(25),
            raise_priority_on_breach: Some(false),
            calendar: Some(calendar()),
            policies: vec![PolicyConfig {
                priority: "high".into(),
                category: Some("billing".into()),
                first_response_minutes: 30,
                resolution_minutes: 600,
            }],
        };
        let p = cfg.build().unwrap();
        assert_eq!(
            p.targets(Priority::High, Category::Billing),
            SlaTargets {
                first_response: TimeDelta::minutes(30),
                resolution: TimeDelta::minutes(600)
            }
        );
        assert!(!p.escalation().raise_priority);
        assert!(matches!(p.calendar(), Calendar::Business(_)));
    }

    #[test]
    fn bad_names_frames_and_holidays_are_reported() {
        let bad_priority = SlaConfig {
            policies: vec![PolicyConfig {
                priority: "critical".into(),
                category: None,
                first_response_minutes: 1,
                resolution_minutes: 2,
            }],
            ..SlaConfig::default()
        };
        assert!(matches!(bad_priority.build(), Err(SlaConfigError::Name(_))));
        let mut cal = calendar();
        cal.holidays = vec!["25/12/2026".into()];
        assert_eq!(
            cal.build().unwrap_err(),
            SlaConfigError::Holiday("25/12/2026".into())
        );
        let mut cal = calendar();
        cal.monday = vec!["9am-5pm".into()];
        assert!(matches!(
            cal.build(),
            Err(SlaConfigError::Calendar(CalendarError::BadFrame(_)))
        ));
    }
}
