//! Access tokens (JWT, HS256, short-lived), refresh tokens and API tokens (random, opaque,
//! stored only as SHA-256 digests).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The prefix of API tokens, so they are recognisable in a leaked-secret scan and told apart
/// from JWTs without parsing.
pub const API_TOKEN_PREFIX: &str = "fdk_";
/// The prefix of the tokens in address-confirmation links.
pub const CONFIRMATION_TOKEN_PREFIX: &str = "fdc_";
/// The prefix of the tokens in the links staff get to choose a password.
pub const STAFF_LINK_PREFIX: &str = "fds_";
/// The prefix of refresh tokens.
pub const REFRESH_TOKEN_PREFIX: &str = "fdr_";
/// The prefix of the tokens in portal sign-in links.
pub const PORTAL_LINK_PREFIX: &str = "fdp_";
const ISSUER: &str = "frontdesk";
const AUDIENCE: &str = "frontdesk-api";

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `staff:<uuid>` or `customer:<address>`.
    pub sub: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// The key that signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_lifetime: TimeDelta,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("access_lifetime", &self.access_lifetime)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused. Deliberately vague towards the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

impl TokenKeys {
    /// Keys from a secret of at least 32 bytes.
    #[must_use]
    pub fn new(secret: &[u8], access_lifetime: TimeDelta) -> Self {
        // Only HS256: a token naming any other algorithm (`none` included) fails validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_lifetime,
        }
    }

    #[must_use]
    pub fn access_lifetime(&self) -> TimeDelta {
        self.access_lifetime
    }

    /// A signed access token for `subject` with `role`, valid from `now`.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] if signing fails (it does not with an HMAC key).
    pub fn issue(
        &self,
        subject: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            sub: subject.to_owned(),
            role: role.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: (now + self.access_lifetime).timestamp(),
            jti: random_token("")?,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Invalid)
    }

    /// The claims of a valid access token.
    ///
    /// # Errors
    /// [`TokenError::Expired`] or [`TokenError::Invalid`] (bad signature, other algorithm,
    /// wrong issuer or audience, malformed).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

/// 32 random bytes from the operating system, base64url, after `prefix`.
///
/// # Errors
/// [`TokenError::Invalid`] if the system has no randomness to give (it does not fail on Linux).
pub fn random_token(prefix: &str) -> Result<String, TokenError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| TokenError::Invalid)?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Whether `token` looks like one of ours made with `prefix`: the prefix, then 20 to 100
/// characters of URL-safe base64. Pages echo a link's token into a form only when it does.
#[must_use]
pub fn looks_like(token: &str, prefix: &str) -> bool {
    token.strip_prefix(prefix).is_some_and(|rest| {
        (20..=100).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    })
}

/// The digest a token is stored and looked up by.
#[must_use]
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32], TimeDelta::minutes(15))
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let now = Utc::now();
        let token = keys().issue("staff:abc", "agent", now).unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.sub, "staff:abc");
        assert_eq!(claims.role, "agent");
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn expired_forged_and_unsigned_tokens_are_refused() {
        let old = keys()
            .issue("staff:abc", "agent", Utc::now() - TimeDelta::hours(1))
            .unwrap();
        assert_eq!(keys().verify(&old), Err(TokenError::Expired));
        let other = TokenKeys::new(&[8u8; 32], TimeDelta::minutes(15))
            .issue("staff:abc", "admin", Utc::now())
            .unwrap();
        assert_eq!(keys().verify(&other), Err(TokenError::Invalid));
        // alg: none, with the claims of a valid token and no signature.
        let valid = keys().issue("staff:abc", "admin", Utc::now()).unwrap();
        let payload = valid.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            keys().verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
        assert_eq!(keys().verify("garbage"), Err(TokenError::Invalid));
    }

    #[test]
    fn random_tokens_differ_and_digests_are_hex() {
        let a = random_token(API_TOKEN_PREFIX).unwrap();
        let b = random_token(API_TOKEN_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("fdk_") && a.len() > 40);
        assert_eq!(digest("x").len(), 64);
    }
}
