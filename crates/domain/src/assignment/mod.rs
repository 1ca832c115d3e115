//! Automatic assignment: who gets the next unassigned ticket.

use chrono::{DateTime, Utc};

use crate::ports::AgentLoad;
use crate::staff::StaffId;

/// How automatic assignment picks an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// In turn, in a stable order, starting after whoever got the last ticket.
    #[default]
    RoundRobin,
    /// Whoever has the fewest active tickets; ties go round-robin.
    LeastLoaded,
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "round_robin" | "round-robin" => Ok(Self::RoundRobin),
            "least_loaded" | "least-loaded" => Ok(Self::LeastLoaded),
            other => Err(format!(
                "unknown assignment strategy `{other}` (round_robin, least_loaded)"
            )),
        }
    }
}

/// Picks the agent for the next ticket among `candidates`: only active agents and managers who
/// are available and inside their shift at `now`, and under `max_open` active tickets when a cap
/// is set. `last` is whoever was picked last time (round-robin position).
#[must_use]
pub fn pick(
    strategy: Strategy,
    candidates: &[AgentLoad],
    last: Option<StaffId>,
    now: DateTime<Utc>,
    max_open: Option<u32>,
) -> Option<StaffId> {
    let mut eligible: Vec<&AgentLoad> = candidates
        .iter()
        .filter(|c| c.staff.can_take_work(now))
        .filter(|c| max_open.is_none_or(|cap| c.open_tickets < cap))
        .collect();
    // A stable ring: the order candidates come in must not change who is next.
    eligible.sort_by_key(|c| c.staff.id);
    if let Strategy::LeastLoaded = strategy {
        let least = eligible.iter().map(|c| c.open_tickets).min()?;
        eligible.retain(|c| c.open_tickets == least);
    }
    let next = last
        .and_then(|l| eligible.iter().find(|c| c.staff.id > l))
        .or_else(|| eligible.first())?;
    Some(next.staff.id)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, Weekday};
    use uuid::Uuid;

    use super::*;
    use crate::email::EmailAddress;
    use crate::staff::{Availability, Role, ShiftWindow, Staff};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .to_utc() // a Monday
    }

    fn agent(n: u128, load: u32) -> AgentLoad {
        AgentLoad {
            staff: Staff {
                id: StaffId::from_uuid(Uuid::from_u128(n)),
                email: EmailAddress::parse(&format!("a{n}@x.com")).unwrap(),
                name: format!("Agent {n}"),
                role: Role::Agent,
                availability: Availability::Available,
                shift: None,
                active: true,
            },
            open_tickets: load,
        }
    }

    fn sid(n: u128) -> StaffId {
        StaffId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn round_robin_takes_turns_and_wraps() {
        let team = [agent(3, 0), agent(1, 0), agent(2, 0)];
        let mut last = None;
        let mut order = Vec::new();
        for _ in 0..4 {
            last = pick(Strategy::RoundRobin, &team, last, now(), None);
            order.push(last.unwrap());
        }
        assert_eq!(order, [sid(1), sid(2), sid(3), sid(1)]);
    }

    #[test]
    fn least_loaded_prefers_the_fewest_open_tickets() {
        let team = [agent(1, 5), agent(2, 1), agent(3, 1)];
        assert_eq!(
            pick(Strategy::LeastLoaded, &team, None, now(), None),
            Some(sid(2))
        );
        assert_eq!(
            pick(Strategy::LeastLoaded, &team, Some(sid(2)), now(), None),
            Some(sid(3))
        );
    }

    #[test]
    fn unavailable_inactive_admins_and_off_shift_staff_get_nothing() {
        let mut busy = agent(1, 0);
        busy.staff.availability = Availability::Busy;
        let mut gone = agent(2, 0);
        gone.staff.active = false;
        let mut admin = agent(3, 0);
        admin.staff.role = Role::Admin;
        let mut night = agent(4, 0);
        let start = NaiveTime::from_hms_opt(22, 0, 0).unwrap();
        let end = NaiveTime::from_hms_opt(6, 0, 0).unwrap();
        night.staff.shift = Some(ShiftWindow::new("UTC", vec![Weekday::Mon], start, end).unwrap());
        let team = [busy, gone, admin, night];
        assert_eq!(pick(Strategy::RoundRobin, &team, None, now(), None), None);
    }

    #[test]
    fn a_load_cap_skips_full_agents() {
        let team = [agent(1, 10), agent(2, 3)];
        assert_eq!(
            pick(Strategy::RoundRobin, &team, None, now(), Some(10)),
            Some(sid(2))
        );
        assert_eq!(
            pick(Strategy::RoundRobin, &team, None, now(), Some(3)),
            None
        );
    }

    #[test]
    fn strategies_parse_from_config_names() {
        assert_eq!(
            "least_loaded".parse::<Strategy>(),
            Ok(Strategy::LeastLoaded)
        );
        assert!("random".parse::<Strategy>().is_err());
    }
}
