//! What the health check answers: when a maintenance pass last succeeded, and the last error.

use super::*;

/// What the daemon's health check reports: when the database last answered, and the last
/// error seen.
#[derive(Debug, Default)]
pub struct Health {
    /// Unix seconds of the last successful maintenance pass.
    last_ok: AtomicI64,
    last_error: std::sync::Mutex<Option<String>>,
}

impl Health {
    pub(super) fn ok(&self) {
        self.last_ok
            .store(Utc::now().timestamp(), Ordering::Relaxed);
        if let Ok(mut e) = self.last_error.lock() {
            *e = None;
        }
    }

    pub(super) fn failed(&self, error: &str) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = Some(error.to_owned());
        }
    }

    /// `Ok` when a maintenance pass succeeded within `stale`; otherwise why not.
    ///
    /// # Errors
    /// The reason the daemon is unhealthy.
    pub fn check(&self, stale: Duration) -> Result<(), String> {
        let last = self.last_ok.load(Ordering::Relaxed);
        let age = Utc::now().timestamp() - last;
        let error = self.last_error.lock().ok().and_then(|e| e.clone());
        if let Some(error) = error {
            return Err(error);
        }
        if last > 0 && age <= i64::try_from(stale.as_secs()).unwrap_or(i64::MAX) {
            return Ok(());
        }
        Err(if last == 0 {
            "no maintenance pass has completed yet".to_owned()
        } else {
            format!("the last successful pass was {age} s ago")
        })
    }
}
