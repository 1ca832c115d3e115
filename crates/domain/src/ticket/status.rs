//! The ticket status lifecycle: `new → open → pending → resolved → closed`, plus `on_hold`.

use super::kinds::{ParseEnumError, string_enum};
use std::fmt;

string_enum!(
    /// Where a ticket is in its life.
    Status, "status", {
        /// Just arrived; nobody has answered yet.
        New => "new",
        /// Being worked on by staff.
        Open => "open",
        /// Waiting for the customer; the resolution clock is paused.
        Pending => "pending",
        /// Waiting on a third party; the resolution clock is paused.
        OnHold => "on_hold",
        /// Staff consider it solved; a customer reply reopens it.
        Resolved => "resolved",
        /// Final. A customer reply opens a follow-up ticket instead.
        Closed => "closed",
    }
);

/// A status change the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a ticket cannot go from `{from}` to `{to}`")]
pub struct TransitionError {
    pub from: Status,
    pub to: Status,
}

impl Status {
    /// Whether staff may move a ticket from `self` to `to`. Staying put is allowed (a no-op).
    ///
    /// Nothing goes back to `new` (it means "never answered"), and nothing leaves `closed`:
    /// a closed ticket is history, and new activity opens a follow-up.
    #[must_use]
    pub fn can_become(self, to: Self) -> bool {
        use Status::{Closed, New, OnHold, Open, Pending, Resolved};
        if self == to {
            return true;
        }
        match (self, to) {
            (_, New) | (Closed, _) => false,
            (New | Open | Pending | OnHold, Open | Pending | OnHold | Resolved | Closed) => true,
            (Resolved, Open | Closed) => true,
            (Resolved, _) => false,
        }
    }

    /// Checks a transition.
    ///
    /// # Errors
    /// [`TransitionError`] when [`Status::can_become`] says no.
    pub fn transition(self, to: Self) -> Result<Self, TransitionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// Whether the resolution clock is paused in this status (waiting on someone else).
    #[must_use]
    pub fn pauses_resolution(self) -> bool {
        matches!(self, Self::Pending | Self::OnHold)
    }

    /// Whether the ticket still needs work (counts as open in queues and SLA sweeps).
    #[must_use]
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_documented_path_is_allowed() {
        assert!(New.can_become(Open));
        assert!(Open.can_become(Pending));
        assert!(Pending.can_become(Resolved));
        assert!(Resolved.can_become(Closed));
        assert!(Open.can_become(OnHold) && OnHold.can_become(Open));
    }

    #[test]
    fn nothing_goes_back_to_new() {
        for s in Status::ALL.iter().filter(|s| **s != New) {
            assert_eq!(
                s.transition(New),
                Err(TransitionError { from: *s, to: New })
            );
        }
    }

    #[test]
    fn closed_is_final() {
        for s in Status::ALL.iter().filter(|s| **s != Closed) {
            assert!(Closed.transition(*s).is_err(), "closed -> {s}");
        }
        assert_eq!(Closed.transition(Closed), Ok(Closed));
    }

    #[test]
    fn resolved_reopens_or_closes_only() {
        assert!(Resolved.can_become(Open));
        assert!(!Resolved.can_become(Pending));
        assert!(!Resolved.can_become(OnHold));
    }

    #[test]
    fn waiting_statuses_pause_resolution() {
        let paused: Vec<_> = Status::ALL
            .iter()
            .filter(|s| s.pauses_resolution())
            .collect();
        assert_eq!(paused, [&Pending, &OnHold]);
        assert_eq!("on_hold".parse::<Status>().unwrap(), OnHold);
    }
}
