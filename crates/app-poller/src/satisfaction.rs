//! Satisfaction surveys: the signed, single-ticket rating links and the pass that mails a survey
//! for each resolution the settings ask for (the domain's `SurveySettings`).
//!
//! A token is `base64url(ticket id ‖ issued at ‖ tag)`: 16 bytes of the ticket's UUID, the
//! issuing instant as 8 bytes of Unix seconds, and the first 16 bytes of the HMAC-SHA256 of both
//! under a key kept in the database (`satisfaction_signing_key`, made on first use, shared by
//! every process). A forged or altered token fails the tag; an old one fails the window.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::satisfaction::{RATING_WINDOW, Rating, may_rate};
use ring::hmac;
use uuid::Uuid;

use crate::app::Frontdesk;

const TAG_BYTES: usize = 16;
const TOKEN_BYTES: usize = 16 + 8 + TAG_BYTES;

/// Signs and checks rating tokens.
pub struct SurveyKey(hmac::Key);

impl std::fmt::Debug for SurveyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SurveyKey(***)")
    }
}

impl SurveyKey {
    /// The key kept in the database, made on first use.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn load(db: &Database) -> Result<Self, StoreError> {
        let secret = db
            .secret(
                "satisfaction_signing_key",
                || {
                    let mut bytes = [0u8; 32];
                    let _ = ring::rand::SecureRandom::fill(
                        &ring::rand::SystemRandom::new(),
                        &mut bytes,
                    );
                    hex::encode(bytes)
                },
                Utc::now(),
            )
            .await?;
        Ok(Self::new(secret.as_bytes()))
    }

    /// A key from `secret`'s bytes.
    #[must_use]
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    fn tag(&self, body: &[u8]) -> [u8; TAG_BYTES] {
        let full = hmac::sign(&self.0, body);
        let mut tag = [0u8; TAG_BYTES];
        tag.copy_from_slice(&full.as_ref()[..TAG_BYTES]);
        tag
    }

    /// The token for rating `ticket`, issued at `issued`.
    #[must_use]
    pub fn token(&self, ticket: Uuid, issued: DateTime<Utc>) -> String {
        let mut bytes = Vec::with_capacity(TOKEN_BYTES);
        bytes.extend_from_slice(ticket.as_bytes());
        bytes.extend_from_slice(&issued.timestamp().to_be_bytes());
        let tag = self.tag(&bytes);
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The ticket a token rates, while it may still rate it at `now`; `None` for a token that is
    /// forged, altered, malformed or expired.
    #[must_use]
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> Option<(Uuid, DateTime<Utc>)> {
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).ok()?;
        if bytes.len() != TOKEN_BYTES {
            return None;
        }
        let (body, tag) = bytes.split_at(16 + 8);
        let expected = self.tag(body);
        // Compared in constant time: every byte is looked at whatever differs.
        let differ = expected
            .iter()
            .zip(tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if differ != 0 {
            return None;
        }
        let ticket = Uuid::from_slice(&body[..16]).ok()?;
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&body[16..]);
        let issued = DateTime::from_timestamp(i64::from_be_bytes(secs), 0)?;
        may_rate(issued, now).then_some((ticket, issued))
    }
}

/// The rating links of `ticket` for a survey issued at `issued`, under `base` (the public URL).
#[must_use]
pub fn links(
    key: &SurveyKey,
    base: &str,
    ticket: Uuid,
    issued: DateTime<Utc>,
) -> Vec<(Rating, String)> {
    let token = key.token(ticket, issued);
    Rating::ALL
        .into_iter()
        .map(|r| (r, format!("{base}/rate/{token}?r={}", r.as_str())))
        .collect()
}

/// Mails the surveys owed at `now` (at most 100 a pass); how many went out.
///
/// # Errors
/// A description of what failed.
pub async fn send_surveys(app: &Frontdesk, now: DateTime<Utc>) -> Result<usize, String> {
    let settings = app.config.survey_settings().map_err(|e| e.to_string())?;
    if !settings.enabled {
        return Ok(0);
    }
    let to = now - settings.delay;
    let from = to - RATING_WINDOW + TimeDelta::minutes(1);
    let owed = app
        .db
        .surveys_owed(&settings.statuses, from, to, 100)
        .await
        .map_err(|e| e.to_string())?;
    let mut sent = 0;
    let base = app.config.public_url();
    for ticket in owed {
        let Some(resolved_at) = ticket.resolved_at else {
            continue;
        };
        if !settings.survey_due(ticket.status, Some(resolved_at), now) {
            continue;
        }
        let mail = app.desk.satisfaction_mail(
            &ticket,
            &links(&app.survey_key, &base, ticket.id.as_uuid(), now),
        );
        if app
            .db
            .send_survey(ticket.id, resolved_at, mail, now)
            .await
            .map_err(|e| e.to_string())?
        {
            sent += 1;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn tokens_rate_one_ticket_for_a_week_and_cannot_be_forged() {
        let key = SurveyKey::new(b"0123456789abcdef0123456789abcdef");
        let ticket = Uuid::from_u128(42);
        let issued = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let token = key.token(ticket, issued);
        assert_eq!(
            key.check(&token, issued + TimeDelta::days(6)),
            Some((ticket, issued))
        );
        assert_eq!(
            key.check(&token, issued + TimeDelta::days(8)),
            None,
            "expired"
        );
        let other = SurveyKey::new(b"another key, another key, another");
        assert_eq!(other.check(&token, issued), None, "another key");
        // Another ticket's id in a real token's body fails the tag.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[0] ^= 1;
        assert_eq!(key.check(&URL_SAFE_NO_PAD.encode(&bytes), issued), None);
        assert_eq!(key.check("not-a-token", issued), None);
    }
}
