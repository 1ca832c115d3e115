//! A delivery's life in the log: queued (`pending`), sent (`delivered`), answered with a
//! temporary failure and queued again (`retrying`), refused for good or out of attempts
//! (`failed`), or not sent because its subscription was paused or removed (`skipped`).

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Retrying,
    Failed,
    Skipped,
}

impl DeliveryState {
    /// Every state, in the order of a delivery's life.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Delivered,
        Self::Retrying,
        Self::Failed,
        Self::Skipped,
    ];

    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Retrying => "retrying",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    /// The state named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether nothing more happens to the delivery by itself.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed | Self::Skipped)
    }
}

/// Why a delivery cannot be sent again now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeliveryRefused {
    #[error("the webhook is paused: resume it before redelivering")]
    Paused,
    #[error("this delivery is still queued or being retried")]
    InFlight,
}

/// Whether a delivery in `state` to a subscription that is `active` may be queued again: once
/// it is over (delivered, failed or skipped), and only to a subscription that is not paused
/// (a paused one would skip it).
///
/// # Errors
/// [`RedeliveryRefused`].
pub fn may_redeliver(state: DeliveryState, active: bool) -> Result<(), RedeliveryRefused> {
    if !active {
        return Err(RedeliveryRefused::Paused);
    }
    if !state.is_final() {
        return Err(RedeliveryRefused::InFlight);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_from_their_names() {
        for s in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeliveryState::parse("lost"), None);
    }

    #[test]
    fn only_finished_deliveries_to_active_subscriptions_are_sent_again() {
        use DeliveryState::*;
        for s in [Delivered, Failed, Skipped] {
            assert_eq!(may_redeliver(s, true), Ok(()));
            assert_eq!(may_redeliver(s, false), Err(RedeliveryRefused::Paused));
        }
        for s in [Pending, Retrying] {
            assert_eq!(may_redeliver(s, true), Err(RedeliveryRefused::InFlight));
        }
    }
}
