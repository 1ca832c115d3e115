//! Delivering outbound webhooks: one signed POST per queued event.
//!
//! Each request carries `X-Frontdesk-Event`, `X-Frontdesk-Delivery` (the event id, for the
//! receiver to deduplicate retries) and `X-Frontdesk-Signature: t=<unix seconds>,v1=<hex>`, the
//! HMAC-SHA256 of `<t>.<body>` under the subscription's secret: the timestamp is signed so an
//! old delivery cannot be replayed as new.
//!
//! Only the targets [`TargetPolicy`] allows are reached: a subscription's host is resolved and
//! checked when it is created ([`check_target`]) and again on every connection (the client's
//! resolver drops refused addresses, so a name that later resolves to 127.0.0.1 fails), and
//! redirects are never followed. URLs in errors and logs are redacted ([`redact_url`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::WebhookDelivery;
use frontdesk_domain::webhook::{RefusedAddress, TargetHost, TargetPolicy, WebhookUrl, redact_url};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use ring::hmac;

/// How long resolving a subscription's host may take when it is created.
const LOOKUP_LIMIT: Duration = Duration::from_secs(5);

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Network trouble, a timeout, 408, 429 or 5xx: try again later.
    Transient(String),
    /// Any other answer, or a target that is not allowed: the receiver refuses it, or we do.
    Permanent(String),
}

/// Sends deliveries to allowed targets only.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    targets: Arc<TargetPolicy>,
}

/// A name whose every address is refused (the resolver's error, found again in the error chain).
#[derive(Debug, thiserror::Error)]
#[error("{name} resolves only to refused addresses: {reason}")]
struct RefusedName {
    name: String,
    reason: RefusedAddress,
}

/// Resolves with the system resolver and drops the addresses the policy refuses.
#[derive(Debug)]
struct CheckedResolver {
    targets: Arc<TargetPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let targets = self.targets.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match targets.check(a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refusal.get_or_insert(e);
                        false
                    }
                })
                .collect();
            match refusal {
                Some(reason) if allowed.is_empty() => Err(RefusedName { name, reason }.into()),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

impl WebhookClient {
    /// The client for deliveries: 10 s per request, no redirects (a subscription names the one
    /// address it is sent to), no proxy (a proxy would reach targets we could not check), and
    /// every resolved address checked against `targets`.
    ///
    /// # Errors
    /// The client cannot be built (no TLS roots).
    pub fn new(targets: TargetPolicy) -> Result<Self, reqwest::Error> {
        let targets = Arc::new(targets);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver {
                targets: targets.clone(),
            }))
            .user_agent(concat!("Frontdesk-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, targets })
    }

    /// The addresses it may reach.
    #[must_use]
    pub fn targets(&self) -> &TargetPolicy {
        &self.targets
    }
}

/// Checks a new subscription's URL: an address must be allowed, and a name must resolve to
/// allowed addresses only. A name that does not resolve now is accepted (every delivery is
/// checked again when it connects).
///
/// # Errors
/// The first refused address, as a sentence naming it.
pub async fn check_target(targets: &TargetPolicy, url: &WebhookUrl) -> Result<(), String> {
    match url.host() {
        TargetHost::Address(a) => targets.check(a).map_err(|e| e.to_string()),
        TargetHost::Name(name) => {
            let lookup = tokio::net::lookup_host((name.as_str(), url.port()));
            let Ok(Ok(found)) = tokio::time::timeout(LOOKUP_LIMIT, lookup).await else {
                return Ok(());
            };
            for a in found {
                targets
                    .check(a.ip())
                    .map_err(|e| format!("{name} resolves to {e}"))?;
            }
            Ok(())
        }
    }
}

/// Whether a refused target is somewhere in `e`'s chain of causes.
fn refused_name(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(r) = c.downcast_ref::<RefusedName>() {
            return Some(r.to_string());
        }
        cause = c.source();
    }
    None
}

/// `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
#[must_use]
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(tag.as_ref()))
}

/// What a delivery came to when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The receiver answered 2xx.
    Delivered,
    /// Not sent: the subscription was paused or removed since the event was queued.
    Skipped,
}

/// One attempt: the receiver's HTTP status, when it answered, and the outcome.
#[derive(Debug)]
pub struct Attempt {
    pub status: Option<u16>,
    pub outcome: Result<Sent, DeliveryError>,
}

/// Sends one delivery. A subscription that was removed or switched off since is done with
/// ([`Sent::Skipped`]). Errors are [`DeliveryError`] as the receiver or the network decided,
/// or [`DeliveryError::Permanent`] for a target that is not allowed; messages never hold the
/// URL's password or query.
pub async fn deliver(db: &Database, client: &WebhookClient, d: &WebhookDelivery) -> Attempt {
    let mut status = None;
    let outcome = send(db, client, d, &mut status).await;
    Attempt { status, outcome }
}

async fn send(
    db: &Database,
    client: &WebhookClient,
    d: &WebhookDelivery,
    answered: &mut Option<u16>,
) -> Result<Sent, DeliveryError> {
    let hook = db
        .webhook(d.webhook)
        .await
        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
    let Some(hook) = hook.filter(|h| h.active) else {
        return Ok(Sent::Skipped);
    };
    let url = WebhookUrl::parse(&hook.url).map_err(|e| {
        DeliveryError::Permanent(format!("{} cannot be sent to: {e}", redact_url(&hook.url)))
    })?;
    // An address in the URL is connected to without resolving: check it here.
    if let TargetHost::Address(a) = url.host() {
        client
            .targets
            .check(a)
            .map_err(|e| DeliveryError::Permanent(format!("not sent to {url}: {e}")))?;
    }
    let now = Utc::now().timestamp();
    let response = client
        .http
        .post(url.as_str())
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
        .map_err(|e| match refused_name(&e) {
            Some(refused) => DeliveryError::Permanent(format!("not sent to {url}: {refused}")),
            None => DeliveryError::Transient(format!(
                "POST to {url} failed: {}",
                error_chain(&e.without_url())
            )),
        })?;
    let status = response.status();
    *answered = Some(status.as_u16());
    if status.is_success() {
        metrics::counter!("frontdesk_webhook_deliveries_total", "result" => "delivered")
            .increment(1);
        return Ok(Sent::Delivered);
    }
    let what = format!("{url} answered {status}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(DeliveryError::Transient(what))
    } else {
        Err(DeliveryError::Permanent(what))
    }
}

/// `e` and its causes, `: `-separated (reqwest's own message is only "error sending request").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
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
