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

/// A webhook signing secret: checks that a delivery was signed with it (HMAC, in constant time).
#[derive(Debug)]
pub struct Signer {
    key: hmac::Key,
}

impl Signer {
    /// HMAC-SHA256 (Zendesk).
    #[must_use]
    pub fn sha256(secret: &str) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
        }
    }

    /// HMAC-SHA1, which Intercom still signs with (`X-Hub-Signature: sha1=…`).
    #[must_use]
    pub fn sha1(secret: &str) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes()),
        }
    }

    /// Whether `signature` is the HMAC of `signed`.
    #[must_use]
    pub fn verify(&self, signed: &[u8], signature: &[u8]) -> bool {
        hmac::verify(&self.key, signed, signature).is_ok()
    }

    /// The HMAC of `signed` (for tests and outbound signing).
    #[must_use]
    pub fn sign(&self, signed: &[u8]) -> Vec<u8> {
        hmac::sign(&self.key, signed).as_ref().to_vec()
    }
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

    #[test]
    fn a_signature_verifies_only_for_its_body_and_key() {
        // Zendesk's documented example: base64(HMAC-SHA256(timestamp + body)).
        let zendesk = Signer::sha256("dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==");
        let signed = b"2021-07-25T10:00:00Z{\"say\": \"hello\"}";
        let sig = zendesk.sign(signed);
        assert!(zendesk.verify(signed, &sig));
        assert!(!zendesk.verify(b"2021-07-25T10:00:01Z{\"say\": \"hello\"}", &sig));
        assert!(!Signer::sha256("another-secret").verify(signed, &sig));
        let intercom = Signer::sha1("client-secret");
        assert_eq!(intercom.sign(b"{}").len(), 20);
    }
}
