//! The SLA clocks a ticket carries and how they run, pause, stop and report their state.

use chrono::{DateTime, TimeDelta, Utc};

use super::Calendar;

/// Where a clock stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockState {
    /// Running (or paused) with more than the warning share of the target left.
    Ok,
    /// Less than the warning share (20 % by default) of the target left.
    Warning,
    /// The deadline has passed, or the clock stopped after it.
    Breached,
    /// Stopped before the deadline.
    Met,
}

impl ClockState {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Breached => "breached",
            Self::Met => "met",
        }
    }
}

/// How a clock looks at a glance (`003_…txt`'s colour-coded timers): green while more than half
/// of its target is left, amber from half down to the warning share, red in warning or breached;
/// a stopped clock that was met has no colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Green,
    Amber,
    Red,
    /// Stopped in time: nothing to watch.
    Done,
}

impl Band {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
            Self::Done => "done",
        }
    }
}

/// A clock's state at one instant, with what a dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockStatus {
    pub state: ClockState,
    pub paused: bool,
    /// Counted time left; negative once breached.
    pub remaining: TimeDelta,
    /// The deadline while the clock runs; `None` while paused or stopped.
    pub due_at: Option<DateTime<Utc>>,
}

impl ClockStatus {
    /// The deadline as a promise worth showing a customer ("we aim to answer by …"): while the
    /// clock runs and is not overdue; `None` when paused, stopped or breached (a time already
    /// past promises nothing).
    #[must_use]
    pub fn promise(&self) -> Option<DateTime<Utc>> {
        match self.state {
            ClockState::Ok | ClockState::Warning if !self.paused => self.due_at,
            _ => None,
        }
    }

    /// The clock's [`Band`] against its `target`: the warning share (the state) decides red, so
    /// the colour and the SLA warning never disagree.
    #[must_use]
    pub fn band(&self, target: TimeDelta) -> Band {
        match self.state {
            ClockState::Met => Band::Done,
            ClockState::Breached | ClockState::Warning => Band::Red,
            ClockState::Ok if self.remaining * 2 < target => Band::Amber,
            ClockState::Ok => Band::Green,
        }
    }
}

/// One SLA clock (first response or resolution). Time counts according to the policy's
/// [`Calendar`]; pauses and stops freeze the counted time that was left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    /// The counted time allowed.
    pub target: TimeDelta,
    pub started_at: DateTime<Utc>,
    /// The deadline as last computed; authoritative only while running.
    pub due_at: DateTime<Utc>,
    /// Set while paused: since when.
    pub paused_since: Option<DateTime<Utc>>,
    /// Set when stopped (first response given, ticket resolved).
    pub stopped_at: Option<DateTime<Utc>>,
    /// Counted time that was left when the clock paused or stopped; negative if overdue then.
    pub remaining_at_stop: Option<TimeDelta>,
    /// The sweep already raised the warning for this clock.
    pub warning_notified: bool,
    /// The sweep already escalated this clock's breach.
    pub breach_escalated: bool,
}

impl SlaClock {
    /// A running clock with `target` counted time from `now`.
    #[must_use]
    pub fn start(now: DateTime<Utc>, target: TimeDelta, calendar: &Calendar) -> Self {
        Self {
            target,
            started_at: now,
            due_at: calendar.add(now, target),
            paused_since: None,
            stopped_at: None,
            remaining_at_stop: None,
            warning_notified: false,
            breach_escalated: false,
        }
    }

    #[must_use]
    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.stopped_at.is_some()
    }

    fn remaining_now(&self, now: DateTime<Utc>, calendar: &Calendar) -> TimeDelta {
        match self.remaining_at_stop {
            Some(left) => left,
            None => calendar.between(now, self.due_at),
        }
    }

    /// Pauses a running clock (ticket waiting on the customer or a third party).
    pub fn pause(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if self.is_paused() || self.is_stopped() {
            return;
        }
        self.remaining_at_stop = Some(calendar.between(now, self.due_at));
        self.paused_since = Some(now);
    }

    /// Resumes a paused clock: the time that was left counts again from `now`.
    pub fn resume(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if self.paused_since.take().is_none() {
            return;
        }
        self.restart_with_remaining(now, calendar);
    }

    fn restart_with_remaining(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if let Some(left) = self.remaining_at_stop.take() {
            // An overdue clock keeps its old deadline: pausing never un-breaches.
            if left > TimeDelta::zero() {
                self.due_at = calendar.add(now, left);
            }
        }
    }

    /// Stops the clock: the target was met if counted time was left.
    pub fn stop(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if self.is_stopped() {
            return;
        }
        let left = self.remaining_now(now, calendar);
        self.paused_since = None;
        self.remaining_at_stop = Some(left);
        self.stopped_at = Some(now);
    }

    /// Restarts a stopped clock (a resolved ticket reopened) with the time it had left.
    pub fn restart(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if self.stopped_at.take().is_none() {
            return;
        }
        self.restart_with_remaining(now, calendar);
        self.warning_notified = false;
    }

    /// Moves the clock to a new target (the ticket's priority changed), keeping the counted time
    /// already used. A breach that happened stays one: an overdue clock keeps its deadline and
    /// its flags, whatever the new target (it stays in `?sla=breached` and in the reports).
    pub fn retarget(&mut self, target: TimeDelta, now: DateTime<Utc>, calendar: &Calendar) {
        if self.is_stopped() {
            return;
        }
        if self.remaining_now(now, calendar) <= TimeDelta::zero() {
            return;
        }
        let delta = target - self.target;
        self.target = target;
        if let Some(left) = self.remaining_at_stop.as_mut() {
            *left += delta;
            return;
        }
        let left = calendar.between(now, self.due_at) + delta;
        self.due_at = if left > TimeDelta::zero() {
            calendar.add(now, left)
        } else {
            now
        };
        if delta > TimeDelta::zero() {
            self.breach_escalated = false;
            self.warning_notified = false;
        }
    }

    /// Moves a running clock from the calendar `old` to `new` at `now`: the counted time it had
    /// left under `old` is counted on `new` from now on, so its remaining time (and whether it
    /// warns) is what it was a moment before. Paused and stopped clocks keep counted time, not
    /// deadlines, and an overdue clock keeps its breach.
    pub fn recalendar(&mut self, now: DateTime<Utc>, old: &Calendar, new: &Calendar) {
        if self.is_paused() || self.is_stopped() {
            return;
        }
        let left = old.between(now, self.due_at);
        if left > TimeDelta::zero() {
            self.due_at = new.add(now, left);
        }
    }

    /// The clock's state at `now`; `warning_percent` is the share of the target below which a
    /// running clock warns.
    #[must_use]
    pub fn status(
        &self,
        now: DateTime<Utc>,
        calendar: &Calendar,
        warning_percent: u8,
    ) -> ClockStatus {
        let remaining = self.remaining_now(now, calendar);
        let overdue = remaining <= TimeDelta::zero();
        let state = if self.is_stopped() {
            if overdue {
                ClockState::Breached
            } else {
                ClockState::Met
            }
        } else if overdue {
            ClockState::Breached
        } else if remaining * 100 < self.target * i32::from(warning_percent) {
            ClockState::Warning
        } else {
            ClockState::Ok
        };
        let running = !self.is_paused() && !self.is_stopped();
        ClockStatus {
            state,
            paused: self.is_paused(),
            remaining,
            due_at: running.then_some(self.due_at),
        }
    }
}

/// The two clocks of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSla {
    pub first_response: SlaClock,
    pub resolution: SlaClock,
}

impl TicketSla {
    /// Both clocks moved from calendar `old` to `new` ([`SlaClock::recalendar`]).
    pub fn recalendar(&mut self, now: DateTime<Utc>, old: &Calendar, new: &Calendar) {
        self.first_response.recalendar(now, old, new);
        self.resolution.recalendar(now, old, new);
    }

    /// The earliest deadline among the clocks that are running (neither paused nor stopped):
    /// what "sort by SLA due" and "due soon" mean. `None` when no clock runs.
    #[must_use]
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        [&self.first_response, &self.resolution]
            .into_iter()
            .filter(|c| !c.is_paused() && !c.is_stopped())
            .map(|c| c.due_at)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const CAL: Calendar = Calendar::Always;

    #[test]
    fn a_fresh_clock_is_ok_and_due_after_its_target() {
        let c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(4), &CAL);
        let s = c.status(t("2026-01-01T01:00:00Z"), &CAL, 20);
        assert_eq!(s.state, ClockState::Ok);
        assert_eq!(s.due_at, Some(t("2026-01-01T04:00:00Z")));
        assert_eq!(s.remaining, TimeDelta::hours(3));
    }

    #[test]
    fn bands_follow_the_share_left_and_the_warning() {
        let target = TimeDelta::hours(10);
        let at = |state, hours_left: i64| ClockStatus {
            state,
            paused: false,
            remaining: TimeDelta::hours(hours_left),
            due_at: None,
        };
        assert_eq!(at(ClockState::Ok, 6).band(target), Band::Green);
        assert_eq!(at(ClockState::Ok, 5).band(target), Band::Green);
        assert_eq!(at(ClockState::Ok, 4).band(target), Band::Amber);
        assert_eq!(at(ClockState::Ok, 2).band(target), Band::Amber);
        assert_eq!(at(ClockState::Warning, 1).band(target), Band::Red);
        assert_eq!(at(ClockState::Breached, -1).band(target), Band::Red);
        assert_eq!(at(ClockState::Met, 3).band(target), Band::Done);
    }

    #[test]
    fn under_twenty_percent_left_is_a_warning() {
        let c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::minutes(100), &CAL);
        assert_eq!(
            c.status(t("2026-01-01T01:20:00Z"), &CAL, 20).state,
            ClockState::Ok
        );
        assert_eq!(
            c.status(t("2026-01-01T01:20:01Z"), &CAL, 20).state,
            ClockState::Warning
        );
    }

    #[test]
    fn past_the_deadline_is_breached() {
        let c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(1), &CAL);
        let s = c.status(t("2026-01-01T01:00:00Z"), &CAL, 20);
        assert_eq!(s.state, ClockState::Breached);
    }

    #[test]
    fn stopping_in_time_is_met_and_late_is_breached() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(1), &CAL);
        c.stop(t("2026-01-01T00:30:00Z"), &CAL);
        assert_eq!(
            c.status(t("2026-01-09T00:00:00Z"), &CAL, 20).state,
            ClockState::Met
        );
        let mut late = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(1), &CAL);
        late.stop(t("2026-01-01T02:00:00Z"), &CAL);
        assert_eq!(
            late.status(t("2026-01-01T02:00:00Z"), &CAL, 20).state,
            ClockState::Breached
        );
    }

    #[test]
    fn a_paused_clock_does_not_run_out() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(4), &CAL);
        c.pause(t("2026-01-01T01:00:00Z"), &CAL);
        let s = c.status(t("2026-01-05T00:00:00Z"), &CAL, 20);
        assert_eq!(
            (s.state, s.paused, s.remaining, s.due_at),
            (ClockState::Ok, true, TimeDelta::hours(3), None)
        );
    }

    #[test]
    fn resuming_counts_the_time_left_from_the_resume() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(4), &CAL);
        c.pause(t("2026-01-01T01:00:00Z"), &CAL);
        c.pause(t("2026-01-01T02:00:00Z"), &CAL); // a second pause changes nothing
        c.resume(t("2026-01-02T00:00:00Z"), &CAL);
        assert_eq!(c.due_at, t("2026-01-02T03:00:00Z"));
        assert!(!c.is_paused());
    }

    #[test]
    fn pausing_an_overdue_clock_keeps_it_breached() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(1), &CAL);
        c.pause(t("2026-01-01T03:00:00Z"), &CAL);
        assert_eq!(
            c.status(t("2026-01-01T03:00:00Z"), &CAL, 20).state,
            ClockState::Breached
        );
        c.resume(t("2026-01-02T00:00:00Z"), &CAL);
        assert_eq!(c.due_at, t("2026-01-01T01:00:00Z"));
    }

    #[test]
    fn restarting_a_stopped_clock_continues_with_its_time_left() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(10), &CAL);
        c.stop(t("2026-01-01T04:00:00Z"), &CAL);
        c.restart(t("2026-01-03T00:00:00Z"), &CAL);
        assert_eq!(c.due_at, t("2026-01-03T06:00:00Z"));
        assert!(!c.is_stopped());
    }

    #[test]
    fn retargeting_keeps_the_time_already_used() {
        let mut c = SlaClock::start(t("2026-01-01T00:00:00Z"), TimeDelta::hours(8), &CAL);
        c.retarget(TimeDelta::hours(2), t("2026-01-01T01:00:00Z"), &CAL);
        assert_eq!(c.due_at, t("2026-01-01T02:00:00Z"));
        c.retarget(TimeDelta::minutes(30), t("2026-01-01T01:00:00Z"), &CAL);
        assert_eq!(
            c.status(t("2026-01-01T01:00:00Z"), &CAL, 20).state,
            ClockState::Breached
        );
    }
}
