//! Failed sign-ins counted per account and per client address over a sliding window; past the
//! limit, sign-in is refused (429) until the window moves on. Kept in memory: a restart forgets
//! the counts, which only helps someone who can restart the server anyway.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// How far back failures count.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Most keys remembered, so a flood of made-up addresses cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct LoginLimiter {
    per_account: u32,
    per_ip: u32,
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl LoginLimiter {
    #[must_use]
    pub fn new(per_account: u32, per_ip: u32) -> Self {
        Self {
            per_account: per_account.max(1),
            per_ip: per_ip.max(1),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the account or the address is over its limit.
    ///
    /// # Errors
    /// The wait, in seconds, before another attempt is allowed.
    pub fn check(&self, account: &str, ip: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let mut failures = self.lock();
        let mut wait = 0;
        for (key, limit) in [
            (format!("account:{account}"), self.per_account),
            (format!("ip:{ip}"), self.per_ip),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                prune(times, now);
                if times.len() >= limit as usize
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max((*oldest + WINDOW - now).num_seconds().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, ip: &str, now: DateTime<Utc>) {
        let mut failures = self.lock();
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in [format!("account:{account}"), format!("ip:{ip}")] {
            let times = failures.entry(key).or_default();
            prune(times, now);
            times.push_back(now);
        }
    }

    /// Forgets an account's failures after a successful sign-in.
    pub fn succeeded(&self, account: &str) {
        self.lock().remove(&format!("account:{account}"));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<DateTime<Utc>>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn prune(times: &mut VecDeque<DateTime<Utc>>, now: DateTime<Utc>) {
    while times.front().is_some_and(|t| *t + WINDOW <= now) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_locked_after_its_limit_and_released_by_time() {
        let l = LoginLimiter::new(3, 100);
        let t = Utc::now();
        for _ in 0..3 {
            assert!(l.check("a@x", "1.1.1.1", t).is_ok());
            l.failed("a@x", "1.1.1.1", t);
        }
        assert!(l.check("a@x", "2.2.2.2", t).is_err());
        assert!(l.check("b@x", "1.1.1.1", t).is_ok());
        assert!(l.check("a@x", "1.1.1.1", t + WINDOW).is_ok());
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let l = LoginLimiter::new(100, 2);
        let t = Utc::now();
        l.failed("a@x", "9.9.9.9", t);
        l.failed("b@x", "9.9.9.9", t);
        assert!(l.check("c@x", "9.9.9.9", t).is_err());
        l.succeeded("a@x");
        assert!(l.check("c@x", "9.9.9.9", t).is_err());
    }
}
