//! Sign-in attempts counted per account and per client address over a sliding window; past the
//! limit, sign-in is refused (429) until the window moves on. An attempt is reserved before its
//! password is checked, under one lock, so a burst of simultaneous guesses cannot all pass the
//! check before any of them is counted; a successful sign-in gives its reservation back.
//! Accounts are keyed by their normalised address (`<Bob@Example.com >` is `bob@example.com`).
//! Kept in memory: a restart forgets the counts, which only helps someone who can restart the
//! server anyway.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::email::EmailAddress;

/// How far back attempts count.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Most keys remembered, so a flood of made-up addresses cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

type Windows = HashMap<String, VecDeque<DateTime<Utc>>>;

/// Attempts per key over [`WINDOW`].
#[derive(Debug, Default)]
pub struct RateLimiter {
    attempts: Mutex<Windows>,
}

impl RateLimiter {
    /// Counts one attempt against every `(key, limit)` at once, unless any key is at its limit.
    ///
    /// # Errors
    /// The wait, in seconds, before another attempt is allowed; nothing is counted then.
    pub fn reserve(&self, keys: &[(String, u32)], now: DateTime<Utc>) -> Result<(), i64> {
        let mut attempts = self.lock();
        let mut wait = 0;
        for (key, limit) in keys {
            if let Some(times) = attempts.get_mut(key) {
                prune(times, now);
                if times.len() >= (*limit).max(1) as usize
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max((*oldest + WINDOW - now).num_seconds().max(1));
                }
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        if attempts.len() >= MAX_KEYS {
            attempts.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for (key, _) in keys {
            attempts.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }

    /// Gives back one attempt reserved at `at` under `key`.
    pub fn release(&self, key: &str, at: DateTime<Utc>) {
        let mut attempts = self.lock();
        if let Some(times) = attempts.get_mut(key)
            && let Some(i) = times.iter().rposition(|t| *t == at)
        {
            times.remove(i);
        }
    }

    /// Forgets every attempt under `key`.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The limiter key of an account: its normalised address when the text is one, else the text
/// trimmed and lower-cased (an unknown account is limited all the same).
#[must_use]
pub fn account_key(raw: &str) -> String {
    EmailAddress::parse(raw).map_or_else(|_| raw.trim().to_lowercase(), |e| e.normalized())
}

/// A reserved sign-in attempt, to be given back if the password was right.
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    account: String,
    ip: String,
    at: DateTime<Utc>,
}

/// Sign-in attempts per account and per client address.
#[derive(Debug)]
pub struct LoginLimiter {
    per_account: u32,
    per_ip: u32,
    attempts: RateLimiter,
}

impl LoginLimiter {
    #[must_use]
    pub fn new(per_account: u32, per_ip: u32) -> Self {
        Self {
            per_account: per_account.max(1),
            per_ip: per_ip.max(1),
            attempts: RateLimiter::default(),
        }
    }

    /// Reserves an attempt for `account` (any spelling of the address) from `ip`; it counts as a
    /// failure unless [`LoginLimiter::succeeded`] gives it back.
    ///
    /// # Errors
    /// The wait, in seconds, when the account or the address is at its limit.
    pub fn reserve(&self, account: &str, ip: &str, now: DateTime<Utc>) -> Result<Attempt, i64> {
        let attempt = Attempt {
            account: format!("account:{}", account_key(account)),
            ip: format!("ip:{ip}"),
            at: now,
        };
        self.attempts.reserve(
            &[
                (attempt.account.clone(), self.per_account),
                (attempt.ip.clone(), self.per_ip),
            ],
            now,
        )?;
        Ok(attempt)
    }

    /// The attempt's password was never checked (the server was busy): it does not count.
    pub fn cancel(&self, attempt: Attempt) {
        self.attempts.release(&attempt.account, attempt.at);
        self.attempts.release(&attempt.ip, attempt.at);
    }

    /// The attempt's password was right: the account's failures are forgotten and the attempt
    /// no longer counts against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        self.attempts.forget(&attempt.account);
        self.attempts.release(&attempt.ip, attempt.at);
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
            let _failed = l.reserve("a@x", "1.1.1.1", t).unwrap();
        }
        assert!(l.reserve("a@x", "2.2.2.2", t).is_err());
        assert!(l.reserve("b@x", "1.1.1.1", t).is_ok());
        assert!(l.reserve("a@x", "1.1.1.1", t + WINDOW).is_ok());
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let l = LoginLimiter::new(100, 2);
        let t = Utc::now();
        let _failed = l.reserve("a@x", "9.9.9.9", t).unwrap();
        let ok = l.reserve("b@x", "9.9.9.9", t).unwrap();
        assert!(l.reserve("c@x", "9.9.9.9", t).is_err());
        l.succeeded(ok);
        assert!(l.reserve("c@x", "9.9.9.9", t).is_ok());
    }

    #[test]
    fn simultaneous_attempts_are_counted_before_any_password_is_checked() {
        let l = LoginLimiter::new(5, 20);
        let t = Utc::now();
        let reserved: Vec<_> = (0..60)
            .map(|_| l.reserve("bf@example.com", "7.7.7.7", t))
            .collect();
        assert_eq!(reserved.iter().filter(|r| r.is_ok()).count(), 5);
    }

    #[test]
    fn every_spelling_of_an_address_shares_one_account_limit() {
        let l = LoginLimiter::new(2, 100);
        let t = Utc::now();
        let _a = l.reserve("bf@example.com", "1.1.1.1", t).unwrap();
        let _b = l.reserve("BF@Example.COM", "1.1.1.2", t).unwrap();
        for spelling in ["<bf@example.com>", "< bf@example.com>", " bf@EXAMPLE.com "] {
            assert!(l.reserve(spelling, "1.1.1.3", t).is_err(), "{spelling}");
        }
    }
}
