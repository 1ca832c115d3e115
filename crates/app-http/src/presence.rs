//! Who else has a ticket open, and who is writing a reply on it right now: what the ticket
//! page's presence line shows. Each open page sends a heartbeat every few seconds (saying
//! whether its composer is being typed in); someone silent for [`GONE_AFTER`] has left.
//!
//! Kept in this process's memory: presence is a few seconds' worth of state, not a record.
//! Several API servers behind one address would each know only their own viewers
//! (docs/decisions.md).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// A viewer without a heartbeat for this long has left.
pub const GONE_AFTER: Duration = Duration::from_secs(15);
/// Tickets tracked at most; beyond, the oldest-seen are forgotten.
const MAX_TICKETS: usize = 10_000;

#[derive(Debug, Clone)]
struct Here {
    name: String,
    at: Instant,
    typing: bool,
}

/// Someone else on the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub name: String,
    /// Writing a reply or note right now.
    pub typing: bool,
}

/// Every ticket's viewers.
#[derive(Debug, Default)]
pub struct Presence {
    tickets: Mutex<HashMap<String, HashMap<Uuid, Here>>>,
}

impl Presence {
    /// Records that `who` has `ticket` open (and whether they are typing), and answers who
    /// else has.
    pub fn beat(
        &self,
        ticket: &str,
        who: Uuid,
        name: &str,
        typing: bool,
        now: Instant,
    ) -> Vec<Viewer> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        if tickets.len() >= MAX_TICKETS && !tickets.contains_key(ticket) {
            tickets.retain(|_, here| {
                here.retain(|_, h| now.saturating_duration_since(h.at) < GONE_AFTER);
                !here.is_empty()
            });
        }
        let here = tickets.entry(ticket.to_owned()).or_default();
        here.insert(
            who,
            Here {
                name: name.to_owned(),
                at: now,
                typing,
            },
        );
        others(here, who, now)
    }

    /// Who else has `ticket` open, without recording anyone.
    pub fn others(&self, ticket: &str, me: Uuid, now: Instant) -> Vec<Viewer> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        tickets
            .get_mut(ticket)
            .map(|here| others(here, me, now))
            .unwrap_or_default()
    }

    /// `who` closed the ticket.
    pub fn leave(&self, ticket: &str, who: Uuid) {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(here) = tickets.get_mut(ticket) {
            here.remove(&who);
            if here.is_empty() {
                tickets.remove(ticket);
            }
        }
    }
}

fn others(here: &mut HashMap<Uuid, Here>, me: Uuid, now: Instant) -> Vec<Viewer> {
    here.retain(|_, h| now.saturating_duration_since(h.at) < GONE_AFTER);
    let mut seen: Vec<Viewer> = here
        .iter()
        .filter(|(id, _)| **id != me)
        .map(|(_, h)| Viewer {
            name: h.name.clone(),
            typing: h.typing,
        })
        .collect();
    seen.sort_by(|a, b| a.name.cmp(&b.name));
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_see_each_other_until_they_go_quiet_or_leave() {
        let p = Presence::default();
        let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let t0 = Instant::now();
        assert!(p.beat("TKT-000001", ann, "Ann", false, t0).is_empty());
        let seen = p.beat("TKT-000001", bob, "Bob", true, t0);
        assert_eq!(
            seen,
            vec![Viewer {
                name: "Ann".to_owned(),
                typing: false
            }]
        );
        assert_eq!(
            p.others("TKT-000001", ann, t0),
            vec![Viewer {
                name: "Bob".to_owned(),
                typing: true
            }]
        );
        assert!(p.others("TKT-000002", ann, t0).is_empty());
        // Bob goes quiet: gone after the timeout.
        let later = t0 + GONE_AFTER;
        assert!(p.beat("TKT-000001", ann, "Ann", false, later).is_empty());
        p.beat("TKT-000001", bob, "Bob", false, later);
        p.leave("TKT-000001", bob);
        assert!(p.others("TKT-000001", ann, later).is_empty());
    }
}
