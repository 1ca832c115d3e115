//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum), in PHC string format so parameters can be raised later.
//!
//! Each hash holds 19 MiB while it runs, so the server runs at most a fixed number at once
//! ([`HashPool`]): a flood of sign-ins or registrations waits briefly, then gets 503 with
//! `Retry-After`, instead of taking the server's memory.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use frontdesk_domain::access::{MAX_PASSWORD_BYTES, PasswordRejected, check_password};
use frontdesk_domain::email::EmailAddress;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;

/// Why a password could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error(transparent)]
    Rejected(#[from] PasswordRejected),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
}

/// Checks a new password against the policy (the domain's [`check_password`]) and hashes it.
///
/// # Errors
/// [`PasswordError::Rejected`] for a password the policy refuses.
pub fn hash(password: &str, email: Option<&EmailAddress>) -> Result<String, PasswordError> {
    check_password(password, email)?;
    let salt = salt()?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches `stored`. With no stored hash (unknown account, or one without a
/// password) a dummy hash is checked anyway, so the answer takes as long either way and response
/// times do not reveal which addresses have accounts.
#[must_use]
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let dummy = dummy_hash();
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && real
}

/// The pool is full: every slot stayed busy for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many sign-ins are being checked right now; try again shortly")]
pub struct Busy;

/// Runs password hashes on the blocking thread pool, at most `slots` at once. A request waits up
/// to `wait` for a slot, then gets [`Busy`].
#[derive(Debug, Clone)]
pub struct HashPool {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl HashPool {
    /// How long a request waits for a free slot before it is turned away.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

    /// A pool of `slots` (at least one) concurrent hashes.
    #[must_use]
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// Two hashes per core: enough to keep the cores busy, 19 MiB each.
    #[must_use]
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(2 * cores, Self::DEFAULT_WAIT)
    }

    /// Runs `work` (a hash or a verification) in a free slot.
    ///
    /// # Errors
    /// [`Busy`] when no slot came free in time; a panic inside `work` is reported as busy too
    /// (it cannot happen with argon2, whose errors are values).
    pub async fn run<T, F>(&self, work: F) -> Result<T, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let result = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await;
        result.map_err(|_| Busy)
    }

    /// Checks the policy, then hashes `password` in a slot.
    ///
    /// # Errors
    /// [`PasswordError`] (policy first, so a refused password costs no slot), or [`Busy`].
    pub async fn hash(
        &self,
        password: String,
        email: Option<EmailAddress>,
    ) -> Result<Result<String, PasswordError>, Busy> {
        if let Err(rejected) = check_password(&password, email.as_ref()) {
            return Ok(Err(rejected.into()));
        }
        self.run(move || hash(&password, email.as_ref())).await
    }

    /// [`verify`] in a slot.
    ///
    /// # Errors
    /// [`Busy`] when no slot came free in time.
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool, Busy> {
        self.run(move || verify(stored.as_deref(), &password)).await
    }
}

/// 16 random bytes from the operating system.
fn salt() -> Result<SaltString, PasswordError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| PasswordError::Hash("no randomness available".to_owned()))?;
    SaltString::encode_b64(&bytes).map_err(|e| PasswordError::Hash(e.to_string()))
}

fn dummy_hash() -> &'static String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        salt()
            .ok()
            .and_then(|salt| {
                Argon2::default()
                    .hash_password(b"frontdesk-dummy-password", &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let h = hash("correct horse battery", None).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(Some(&h), "correct horse battery"));
        assert!(!verify(Some(&h), "correct horse battery!"));
        assert!(!verify(None, "correct horse battery"));
        assert!(!verify(Some("not a hash"), "x"));
    }

    #[test]
    fn the_policy_refuses_before_hashing() {
        assert_eq!(
            hash("short", None),
            Err(PasswordError::Rejected(PasswordRejected::TooShort))
        );
        assert_eq!(
            hash(&"x".repeat(2000), None),
            Err(PasswordError::Rejected(PasswordRejected::TooLong))
        );
        assert_eq!(
            hash("1234567890", None),
            Err(PasswordError::Rejected(PasswordRejected::Common))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pool_never_runs_more_than_its_slots_and_turns_away_after_the_wait() {
        let pool = HashPool::new(2, Duration::from_millis(50));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs = (0..6).map(|_| {
            let (pool, running, peak) = (pool.clone(), Arc::clone(&running), Arc::clone(&peak));
            async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(200));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }
        });
        let results = futures_util::future::join_all(jobs).await;
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
        assert_eq!(results.iter().filter(|r| **r == Err(Busy)).count(), 4);
    }
}
