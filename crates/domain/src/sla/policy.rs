//! SLA policies: which targets apply to a ticket, on which calendar, and what a breach does.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Calendar, ClockStatus, SlaClock, TicketSla};
use crate::ticket::{Category, Priority, SlaClockName};

/// One slice of "at risk" ([`SlaPolicies::risk_bands`]): tickets of this priority and category
/// whose `clock` runs and falls due after now but before `due_before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskBand {
    pub priority: Priority,
    pub category: Category,
    pub clock: SlaClockName,
    pub due_before: DateTime<Utc>,
}

/// The two targets of a policy, in counted (business) time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTargets {
    pub first_response: TimeDelta,
    pub resolution: TimeDelta,
}

impl SlaTargets {
    /// Targets given in whole hours.
    #[must_use]
    pub fn hours(first_response: i64, resolution: i64) -> Self {
        Self {
            first_response: TimeDelta::hours(first_response),
            resolution: TimeDelta::hours(resolution),
        }
    }
}

/// Why a set of SLA policies is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaPolicyError {
    #[error("SLA target for {what} must be between one minute and one year")]
    TargetOutOfRange { what: String },
    #[error("SLA warning threshold must be between 1 and 99 percent, got {0}")]
    WarningPercent(u8),
}

/// What happens when a clock breaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationPolicy {
    /// Raise the ticket's priority one step on each breach (default on).
    pub raise_priority: bool,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            raise_priority: true,
        }
    }
}

/// Every SLA rule of a helpdesk: targets per priority, optional per-category overrides, the
/// calendar targets count on, the warning threshold and the escalation behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicies {
    by_priority: HashMap<Priority, SlaTargets>,
    by_priority_and_category: HashMap<(Priority, Category), SlaTargets>,
    calendar: Calendar,
    warning_percent: u8,
    escalation: EscalationPolicy,
}

impl Default for SlaPolicies {
    /// Urgent 1 h / 4 h, high 2 h / 24 h, medium 8 h / 48 h, low 24 h / 120 h, around the clock,
    /// warning under 20 % left, priority raised on breach.
    fn default() -> Self {
        let by_priority = HashMap::from([
            (Priority::Urgent, SlaTargets::hours(1, 4)),
            (Priority::High, SlaTargets::hours(2, 24)),
            (Priority::Medium, SlaTargets::hours(8, 48)),
            (Priority::Low, SlaTargets::hours(24, 120)),
        ]);
        Self {
            by_priority,
            by_priority_and_category: HashMap::new(),
            calendar: Calendar::Always,
            warning_percent: 20,
            escalation: EscalationPolicy::default(),
        }
    }
}

/// The shortest SLA target: a minute.
pub const MIN_TARGET_MINUTES: u32 = 1;
/// The longest SLA target: a (leap) year.
pub const MAX_TARGET_MINUTES: u32 = 366 * 24 * 60;

fn in_bounds(d: TimeDelta) -> bool {
    d >= TimeDelta::minutes(i64::from(MIN_TARGET_MINUTES))
        && d <= TimeDelta::minutes(i64::from(MAX_TARGET_MINUTES))
}

/// Which of a policy's two targets is out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "the first-response target must be {MIN_TARGET_MINUTES} to {MAX_TARGET_MINUTES} minutes"
    )]
    FirstResponse,
    #[error("the resolution target must be {MIN_TARGET_MINUTES} to {MAX_TARGET_MINUTES} minutes")]
    Resolution,
}

impl TargetError {
    /// The field of a policy it is about: `first_response_minutes` or `resolution_minutes`.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response_minutes",
            Self::Resolution => "resolution_minutes",
        }
    }
}

impl SlaTargets {
    /// Targets given in minutes, as a policy stored through the API has them, checked against
    /// the bounds every policy obeys, so nothing out of them is ever stored.
    ///
    /// # Errors
    /// [`TargetError`] naming the first target out of bounds.
    pub fn from_minutes(first_response: u32, resolution: u32) -> Result<Self, TargetError> {
        let targets = Self {
            first_response: TimeDelta::minutes(i64::from(first_response)),
            resolution: TimeDelta::minutes(i64::from(resolution)),
        };
        if !in_bounds(targets.first_response) {
            return Err(TargetError::FirstResponse);
        }
        if !in_bounds(targets.resolution) {
            return Err(TargetError::Resolution);
        }
        Ok(targets)
    }
}

fn check(what: impl FnOnce() -> String, targets: SlaTargets) -> Result<SlaTargets, SlaPolicyError> {
    if in_bounds(targets.first_response) && in_bounds(targets.resolution) {
        Ok(targets)
    } else {
        Err(SlaPolicyError::TargetOutOfRange { what: what() })
    }
}

impl SlaPolicies {
    /// Replaces the targets of one priority.
    ///
    /// # Errors
    /// [`SlaPolicyError::TargetOutOfRange`] for a target under a minute or over a year.
    pub fn with_priority(
        mut self,
        priority: Priority,
        targets: SlaTargets,
    ) -> Result<Self, SlaPolicyError> {
        let targets = check(|| format!("priority {priority}"), targets)?;
        self.by_priority.insert(priority, targets);
        Ok(self)
    }

    /// Adds targets for one priority within one category, taking precedence over the priority's.
    ///
    /// # Errors
    /// [`SlaPolicyError::TargetOutOfRange`] for a target under a minute or over a year.
    pub fn with_category_override(
        mut self,
        priority: Priority,
        category: Category,
        targets: SlaTargets,
    ) -> Result<Self, SlaPolicyError> {
        let targets = check(
            || format!("priority {priority} in category {category}"),
            targets,
        )?;
        self.by_priority_and_category
            .insert((priority, category), targets);
        Ok(self)
    }

    #[must_use]
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = calendar;
        self
    }

    #[must_use]
    pub fn with_escalation(mut self, escalation: EscalationPolicy) -> Self {
        self.escalation = escalation;
        self
    }

    /// Sets the share of the target below which a clock warns.
    ///
    /// # Errors
    /// [`SlaPolicyError::WarningPercent`] outside 1..=99.
    pub fn with_warning_percent(mut self, percent: u8) -> Result<Self, SlaPolicyError> {
        if !(1..=99).contains(&percent) {
            return Err(SlaPolicyError::WarningPercent(percent));
        }
        self.warning_percent = percent;
        Ok(self)
    }

    /// The targets for a ticket of this priority and category.
    #[must_use]
    pub fn targets(&self, priority: Priority, category: Category) -> SlaTargets {
        self.by_priority_and_category
            .get(&(priority, category))
            .or_else(|| self.by_priority.get(&priority))
            .copied()
            // Every priority has targets from `Default`; `with_priority` only replaces them.
            .unwrap_or_else(|| SlaTargets::hours(8, 48))
    }

    /// "At risk", as every reader asks it (the ticket list's `?sla=at_risk`, the realtime
    /// report, the pages): a running clock with less than the warning share of its target left,
    /// counted on the calendar — the very rule that raises the SLA warning
    /// ([`SlaClock::status`]). As bands storage can filter on: for each priority, category and
    /// clock, a deadline after `now` and before the instant that share of the target from now.
    #[must_use]
    pub fn risk_bands(&self, now: DateTime<Utc>) -> Vec<RiskBand> {
        let mut bands = Vec::new();
        for priority in Priority::ALL {
            for category in Category::ALL {
                let t = self.targets(*priority, *category);
                for (clock, target) in [
                    (SlaClockName::FirstResponse, t.first_response),
                    (SlaClockName::Resolution, t.resolution),
                ] {
                    let share = target * i32::from(self.warning_percent) / 100;
                    bands.push(RiskBand {
                        priority: *priority,
                        category: *category,
                        clock,
                        due_before: self.calendar.add(now, share),
                    });
                }
            }
        }
        bands
    }

    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    #[must_use]
    pub fn escalation(&self) -> EscalationPolicy {
        self.escalation
    }

    /// Fresh clocks for a ticket created at `now`.
    #[must_use]
    pub fn start(&self, priority: Priority, category: Category, now: DateTime<Utc>) -> TicketSla {
        let targets = self.targets(priority, category);
        TicketSla {
            first_response: SlaClock::start(now, targets.first_response, &self.calendar),
            resolution: SlaClock::start(now, targets.resolution, &self.calendar),
        }
    }

    /// Moves both clocks to the targets of a new priority or category.
    pub fn retarget(
        &self,
        sla: &mut TicketSla,
        priority: Priority,
        category: Category,
        now: DateTime<Utc>,
    ) {
        let targets = self.targets(priority, category);
        sla.first_response
            .retarget(targets.first_response, now, &self.calendar);
        sla.resolution
            .retarget(targets.resolution, now, &self.calendar);
    }

    /// A clock's state at `now` under these policies.
    #[must_use]
    pub fn status(&self, clock: &SlaClock, now: DateTime<Utc>) -> ClockStatus {
        clock.status(now, &self.calendar, self.warning_percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::ClockState;

    #[test]
    fn targets_in_minutes_are_checked_against_the_bounds_every_policy_obeys() {
        assert_eq!(
            SlaTargets::from_minutes(30, 480),
            Ok(SlaTargets {
                first_response: TimeDelta::minutes(30),
                resolution: TimeDelta::hours(8)
            })
        );
        assert_eq!(
            SlaTargets::from_minutes(0, 480),
            Err(TargetError::FirstResponse)
        );
        let over = MAX_TARGET_MINUTES + 1;
        assert_eq!(
            SlaTargets::from_minutes(30, over),
            Err(TargetError::Resolution)
        );
        assert_eq!(TargetError::Resolution.field(), "resolution_minutes");
    }

    #[test]
    fn at_risk_bands_end_at_the_warning_share_of_each_target() {
        let p = SlaPolicies::default();
        let now: DateTime<Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
        let bands = p.risk_bands(now);
        assert_eq!(bands.len(), Priority::ALL.len() * Category::ALL.len() * 2);
        let urgent_fr = bands
            .iter()
            .find(|b| {
                b.priority == Priority::Urgent
                    && b.category == Category::Other
                    && b.clock == SlaClockName::FirstResponse
            })
            .unwrap();
        assert_eq!(
            urgent_fr.due_before,
            now + TimeDelta::minutes(12),
            "20 % of 1 h"
        );
    }

    #[test]
    fn defaults_follow_the_product_table() {
        let p = SlaPolicies::default();
        assert_eq!(
            p.targets(Priority::Urgent, Category::Other),
            SlaTargets::hours(1, 4)
        );
        assert_eq!(
            p.targets(Priority::High, Category::Order),
            SlaTargets::hours(2, 24)
        );
        assert_eq!(
            p.targets(Priority::Medium, Category::Billing),
            SlaTargets::hours(8, 48)
        );
        assert_eq!(
            p.targets(Priority::Low, Category::Product),
            SlaTargets::hours(24, 120)
        );
    }

    #[test]
    fn a_category_override_wins_over_the_priority() {
        let p = SlaPolicies::default()
            .with_category_override(Priority::High, Category::Billing, SlaTargets::hours(1, 8))
            .unwrap();
        assert_eq!(
            p.targets(Priority::High, Category::Billing),
            SlaTargets::hours(1, 8)
        );
        assert_eq!(
            p.targets(Priority::High, Category::Order),
            SlaTargets::hours(2, 24)
        );
    }

    #[test]
    fn absurd_targets_and_thresholds_are_rejected() {
        let zero = SlaTargets {
            first_response: TimeDelta::zero(),
            resolution: TimeDelta::hours(1),
        };
        assert!(
            SlaPolicies::default()
                .with_priority(Priority::Low, zero)
                .is_err()
        );
        assert!(
            SlaPolicies::default()
                .with_priority(Priority::Low, SlaTargets::hours(1, 9000))
                .is_err()
        );
        assert_eq!(
            SlaPolicies::default().with_warning_percent(0),
            Err(SlaPolicyError::WarningPercent(0))
        );
    }

    #[test]
    fn start_and_status_use_the_configured_threshold() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let p = SlaPolicies::default().with_warning_percent(50).unwrap();
        let sla = p.start(Priority::Urgent, Category::Other, now);
        assert_eq!(sla.first_response.due_at, now + TimeDelta::hours(1));
        assert_eq!(sla.resolution.due_at, now + TimeDelta::hours(4));
        let later = now + TimeDelta::minutes(31);
        assert_eq!(
            p.status(&sla.first_response, later).state,
            ClockState::Warning
        );
    }
}
