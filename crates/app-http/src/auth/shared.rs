//! Shared secrets of the inbound webhooks, compared in constant time.

use ring::hmac;
use ring::rand::SystemRandom;

/// A configured shared secret. The comparison signs the secret with a random per-process key
/// once and checks what a caller sends with `hmac::verify`, which is constant-time.
pub struct SharedSecret {
    key: hmac::Key,
    tag: hmac::Tag,
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(***)")
    }
}

impl SharedSecret {
    /// `None` when randomness is unavailable (it is not, on Linux).
    #[must_use]
    pub fn new(secret: &str) -> Option<Self> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new()).ok()?;
        let tag = hmac::sign(&key, secret.as_bytes());
        Some(Self { key, tag })
    }

    /// Whether `provided` is the secret.
    #[must_use]
    pub fn matches(&self, provided: &str) -> bool {
        hmac::verify(&self.key, provided.as_bytes(), self.tag.as_ref()).is_ok()
    }
}

/// Whether `signature` (hex or base64, as the sender documents) is the HMAC-SHA256 of `body`
/// under `secret`, checked in constant time.
#[must_use]
pub fn hmac_sha256_matches(secret: &[u8], body: &[u8], signature: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, body, signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_matches() {
        let s = SharedSecret::new("s3cret-value").unwrap();
        assert!(s.matches("s3cret-value"));
        assert!(!s.matches("s3cret-valuE"));
        assert!(!s.matches(""));
        assert_eq!(format!("{s:?}"), "SharedSecret(***)");
    }
}
