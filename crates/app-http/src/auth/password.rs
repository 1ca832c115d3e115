//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommended minimum), in PHC string format so parameters can be raised later.
//!
//! Each hash works in 19 MiB, so the server runs at most a fixed number at once ([`HashPool`]),
//! each in a work area the pool keeps while it is busy and frees when it goes idle: a flood of
//! sign-ins or registrations waits briefly, then gets 503 with `Retry-After`, and memory stays
//! at the slots' work areas instead of growing with the flood (the allocator would otherwise
//! keep a freed 19 MiB area per thread for a while).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    size: usize,
    wait: Duration,
    /// Work areas of finished hashes, reused while the pool is busy.
    areas: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl HashPool {
    /// How long a request waits for a free slot before it is turned away.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

    /// A pool of `slots` (at least one) concurrent hashes.
    #[must_use]
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            size: slots.max(1),
            wait,
            areas: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Two hashes per core: enough to keep the cores busy, 19 MiB each.
    #[must_use]
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(2 * cores, Self::DEFAULT_WAIT)
    }

    /// Runs `work` (a hash or a verification) in a free slot, with a work area.
    ///
    /// # Errors
    /// [`Busy`] when no slot came free in time; a panic inside `work` is reported as busy too
    /// (it cannot happen with argon2, whose errors are values).
    pub async fn run<T, F>(&self, work: F) -> Result<T, Busy>
    where
        F: FnOnce(&mut Vec<Block>) -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let pool = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut area = pool.take_area();
            let out = work(&mut area);
            pool.give_back(area);
            drop(permit);
            out
        })
        .await;
        result.map_err(|_| Busy)
    }

    fn take_area(&self) -> Vec<Block> {
        self.areas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Keeps `area` for the next hash while others run; the last one out frees them all.
    fn give_back(&self, area: Vec<Block>) {
        let mut areas = self.areas.lock().unwrap_or_else(PoisonError::into_inner);
        // This hash still holds its permit: the pool is idle when it is the only one out.
        if self.slots.available_permits() + 1 >= self.size {
            areas.clear();
        } else {
            areas.push(area);
        }
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
        self.run(move |area| hash_in(password.as_bytes(), area))
            .await
    }

    /// [`verify`] in a slot.
    ///
    /// # Errors
    /// [`Busy`] when no slot came free in time.
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool, Busy> {
        self.run(move |area| {
            if password.len() > MAX_PASSWORD_BYTES {
                return false;
            }
            match stored {
                Some(stored) => verify_in(&stored, password.as_bytes(), area),
                // Same work as a real check, so timing does not tell unknown accounts apart.
                None => {
                    let _ = verify_in(dummy_hash(), password.as_bytes(), area);
                    false
                }
            }
        })
        .await
    }
}

/// The argon2id hash of `password` in PHC form, computed in `area`.
fn hash_in(password: &[u8], area: &mut Vec<Block>) -> Result<String, PasswordError> {
    let fail = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let salt = salt()?;
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| fail(&e))?;
    let params = Params::default();
    area.resize(params.block_count(), Block::default());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::default()
        .hash_password_into_with_memory(password, salt_raw, &mut out, &mut area[..])
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, computed in `area` (grown when the stored
/// parameters need more).
fn verify_in(stored: &str, password: &[u8], area: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    area.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt_raw,
        &mut out,
        &mut area[..],
    );
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
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
    async fn hashes_made_in_a_work_area_verify_both_ways_with_the_standard_ones() {
        let pool = HashPool::new(2, Duration::from_secs(5));
        let ours = pool
            .hash("correct horse battery".to_owned(), None)
            .await
            .unwrap()
            .unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(verify(Some(&ours), "correct horse battery"));
        let standard = hash("correct horse battery", None).unwrap();
        let check = |stored: &str, password: &str| {
            pool.verify(Some(stored.to_owned()), password.to_owned())
        };
        assert!(check(&standard, "correct horse battery").await.unwrap());
        assert!(check(&ours, "correct horse battery").await.unwrap());
        assert!(!check(&ours, "correct horse battery!").await.unwrap());
        assert!(!check("not a hash", "x").await.unwrap());
        assert!(
            !pool
                .verify(None, "correct horse battery".to_owned())
                .await
                .unwrap()
        );
        assert!(
            pool.areas.lock().unwrap().is_empty(),
            "an idle pool keeps no work area"
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
                pool.run(move |_area| {
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
