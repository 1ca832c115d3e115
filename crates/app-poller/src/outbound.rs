//! Delivering outbound webhooks: one signed POST per queued event.
//!
//! Each request carries `X-Frontdesk-Event`, `X-Frontdesk-Delivery` (the event id, for the
//! receiver to deduplicate retries) and `X-Frontdesk-Signature: t=<unix seconds>,v1=<hex>`, the
//! HMAC-SHA256 of `<t>.<body>` under the subscription's secret: the timestamp is signed so an
//! old delivery cannot be replayed as new.

use std::time::Duration;

use chrono::Utc;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::WebhookDelivery;
use ring::hmac;

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Network trouble, a timeout, 408, 429 or 5xx: try again later.
    Transient(String),
    /// Any other answer: the receiver refuses it.
    Permanent(String),
}

/// The HTTP client for deliveries: 10 s per request, no redirects (a subscription names the
/// one address it is sent to).
///
/// # Errors
/// The client cannot be built (no TLS roots).
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Frontdesk-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
#[must_use]
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(tag.as_ref()))
}

/// Sends one delivery. A subscription that was removed or switched off since is done with.
///
/// # Errors
/// [`DeliveryError`] as the receiver or the network decided.
pub async fn deliver(
    db: &Database,
    http: &reqwest::Client,
    d: &WebhookDelivery,
) -> Result<(), DeliveryError> {
    let hook = db
        .webhook(d.webhook)
        .await
        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
    let Some(hook) = hook.filter(|h| h.active) else {
        return Ok(());
    };
    let now = Utc::now().timestamp();
    let response = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-frontdesk-event", &d.event)
        .header("x-frontdesk-delivery", d.event_id.to_string())
        .header(
            "x-frontdesk-signature",
            signature(&hook.secret, now, &d.body),
        )
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| DeliveryError::Transient(format!("POST to the webhook failed: {e}")))?;
    let status = response.status();
    if status.is_success() {
        metrics::counter!("frontdesk_webhook_deliveries_total", "result" => "delivered")
            .increment(1);
        return Ok(());
    }
    let what = format!("the webhook answered {status}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(DeliveryError::Transient(what))
    } else {
        Err(DeliveryError::Permanent(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let a = signature("s3cret-s3cret-s3cret", 1_700_000_000, "{}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("s3cret-s3cret-s3cret", 1_700_000_001, "{}"));
        assert_ne!(a, signature("s3cret-s3cret-s3cret", 1_700_000_000, "[]"));
        assert_ne!(a, signature("another-secret-value", 1_700_000_000, "{}"));
    }
}
