//! Recently loaded callers, so a busy client does not cost a database read per request just to
//! learn who it is.
//!
//! An entry lives one second. Every change this process makes to an account or an API token
//! empties the cache first, so here a deactivation, a role change or a revoked token takes effect
//! on the very next request; a change made by another process (a second API server) takes effect
//! within the second. The cache is bounded: when full, it is emptied.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::caller::Caller;

/// How long a loaded caller is trusted without reading the account again.
pub const TTL: Duration = Duration::from_secs(1);

/// The most callers kept; a bigger crowd empties the cache and starts over.
const CAPACITY: usize = 4096;

/// What a credential was found to name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// An access token's subject (`staff:<uuid>` or `customer:<address>`).
    Subject(String),
    /// An API token, by its digest (never the token itself).
    ApiToken(String),
}

#[derive(Debug)]
struct Entry {
    caller: Caller,
    loaded: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Credential, Entry>,
    /// Counts the clearings, so a caller loaded before a change is not stored after it.
    generation: u64,
}

/// Callers loaded within the last [`TTL`].
#[derive(Debug, Default)]
pub struct CallerCache {
    inner: Mutex<Inner>,
}

impl CallerCache {
    /// The caller `credential` named less than [`TTL`] ago, if any; otherwise the generation
    /// to hand to [`CallerCache::put`] once the caller is loaded.
    ///
    /// # Errors
    /// The current generation when nothing usable is cached.
    pub fn get(&self, credential: &Credential, now: Instant) -> Result<Caller, u64> {
        let Ok(inner) = self.inner.lock() else {
            return Err(u64::MAX);
        };
        match inner.entries.get(credential) {
            Some(e) if now.saturating_duration_since(e.loaded) < TTL => Ok(e.caller.clone()),
            _ => Err(inner.generation),
        }
    }

    /// Remembers what `credential` names, loaded at `loaded` — unless the cache was cleared
    /// since `generation` was handed out, as what was loaded may predate the change.
    pub fn put(&self, credential: Credential, caller: Caller, loaded: Instant, generation: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.clear();
        }
        inner.entries.insert(credential, Entry { caller, loaded });
    }

    /// Forgets everything: an account or a token changed.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.clear();
            inner.generation = inner.generation.wrapping_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use frontdesk_domain::email::EmailAddress;

    use super::*;
    use crate::auth::Principal;

    fn customer(address: &str) -> Caller {
        Caller {
            principal: Principal::Customer(EmailAddress::parse(address).unwrap()),
            api_token: None,
        }
    }

    fn subject(s: &str) -> Credential {
        Credential::Subject(s.to_owned())
    }

    fn address(c: Result<Caller, u64>) -> Option<String> {
        match c.map(|c| c.principal) {
            Ok(Principal::Customer(e)) => Some(e.normalized()),
            _ => None,
        }
    }

    #[test]
    fn an_entry_is_trusted_for_one_second() {
        let cache = CallerCache::default();
        let t0 = Instant::now();
        let key = subject("customer:a@example.com");
        let generation = cache.get(&key, t0).unwrap_err();
        cache.put(key.clone(), customer("a@example.com"), t0, generation);
        assert_eq!(
            address(cache.get(&key, t0 + Duration::from_millis(999))).as_deref(),
            Some("a@example.com")
        );
        assert_eq!(cache.get(&key, t0 + TTL).unwrap_err(), generation);
        assert!(cache.get(&subject("customer:b@example.com"), t0).is_err());
    }

    #[test]
    fn clearing_forgets_every_caller_and_api_tokens_are_their_own_keys() {
        let cache = CallerCache::default();
        let t0 = Instant::now();
        cache.put(subject("x"), customer("a@example.com"), t0, 0);
        cache.put(
            Credential::ApiToken("x".into()),
            customer("b@example.com"),
            t0,
            0,
        );
        assert_eq!(
            address(cache.get(&Credential::ApiToken("x".into()), t0)).as_deref(),
            Some("b@example.com")
        );
        cache.clear();
        assert_eq!(cache.get(&subject("x"), t0).unwrap_err(), 1);
        assert!(cache.get(&Credential::ApiToken("x".into()), t0).is_err());
    }

    #[test]
    fn a_caller_loaded_before_a_change_is_not_kept_after_it() {
        let cache = CallerCache::default();
        let t0 = Instant::now();
        let generation = cache.get(&subject("x"), t0).unwrap_err();
        // The account is deactivated while the request is reading it.
        cache.clear();
        cache.put(subject("x"), customer("a@example.com"), t0, generation);
        assert!(cache.get(&subject("x"), t0).is_err());
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = CallerCache::default();
        let t0 = Instant::now();
        for i in 0..CAPACITY {
            cache.put(subject(&i.to_string()), customer("a@example.com"), t0, 0);
        }
        assert!(cache.get(&subject("0"), t0).is_ok());
        cache.put(subject("one more"), customer("a@example.com"), t0, 0);
        assert!(cache.get(&subject("0"), t0).is_err());
        assert!(cache.get(&subject("one more"), t0).is_ok());
    }
}
