//! The SLA policies in force, replaceable while the helpdesk runs (managers edit them through
//! the API; every process picks the change up on its next maintenance pass).

use std::sync::{Arc, PoisonError, RwLock};

use super::SlaPolicies;

/// Shared, swappable policies. Readers take a snapshot ([`LiveSla::current`]) and use it for a
/// whole use case, so one decision never mixes two versions.
#[derive(Debug, Clone, Default)]
pub struct LiveSla(Arc<RwLock<Arc<SlaPolicies>>>);

impl LiveSla {
    #[must_use]
    pub fn new(policies: SlaPolicies) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(policies))))
    }

    /// The policies in force now.
    #[must_use]
    pub fn current(&self) -> Arc<SlaPolicies> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `policies` in force for every later use case.
    pub fn replace(&self, policies: SlaPolicies) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(policies);
    }
}

impl From<SlaPolicies> for LiveSla {
    fn from(p: SlaPolicies) -> Self {
        Self::new(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::SlaTargets;
    use crate::ticket::{Category, Priority};

    #[test]
    fn a_snapshot_stays_as_it_was_when_the_policies_are_replaced() {
        let live = LiveSla::default();
        let before = live.current();
        let faster = SlaPolicies::default()
            .with_priority(Priority::Low, SlaTargets::hours(1, 2))
            .unwrap();
        live.clone().replace(faster);
        assert_eq!(
            before.targets(Priority::Low, Category::Other),
            SlaTargets::hours(24, 120)
        );
        assert_eq!(
            live.current().targets(Priority::Low, Category::Other),
            SlaTargets::hours(1, 2)
        );
    }
}
