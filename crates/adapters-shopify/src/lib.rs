//! Orders from a Shopify shop through the Admin GraphQL API, behind the domain's
//! [`OrderLookup`] port: an order by its name (`#1001`), a customer's newest orders by address.
//! Only status, items, fulfilment and tracking are asked for — never prices, payment or
//! addresses — so no payment detail can reach a page or a model.
//!
//! Shopify limits each shop by query cost (a bucket that refills at `restoreRate` points a
//! second; every answer says how full it is in `extensions.cost.throttleStatus`). The client
//! remembers the last throttle status and, before a query the bucket cannot pay for, waits
//! until it can; a `THROTTLED` answer (HTTP 200 with that error code) or an HTTP 429 is waited
//! out and tried again, within the configured longest wait. HTTP 401/403 are `Rejected`
//! (a wrong token or a missing `read_orders` scope); 5xx and network errors `Unavailable`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::EmailAddress;
use frontdesk_domain::order::{Order, OrderError, OrderItem, OrderLookup, Shipment};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// The Admin API version asked for (Shopify supports each for a year).
pub const DEFAULT_API_VERSION: &str = "2025-07";

/// What a query costs at most, in Shopify's points (the orders query below, 5 orders with 20
/// lines and 10 fulfilments each, is estimated at about this).
const QUERY_COST: f64 = 60.0;

/// An Admin API access token; never printed.
#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// Where the shop is and how to reach it.
#[derive(Debug, Clone)]
pub struct ShopifyConfig {
    /// The shop's address: `https://example.myshopify.com` (tests point it elsewhere).
    pub shop_url: String,
    pub api_version: String,
    pub token: AccessToken,
    /// Limit for one HTTP attempt.
    pub timeout: Duration,
    /// The longest wait for the rate limit before the lookup is given up as unavailable.
    pub max_wait: Duration,
}

/// Why the client could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    ShopUrl(String),
    Token,
    Client(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ShopUrl(u) => write!(f, "orders.shop_url {u:?} is not an http(s) URL"),
            Self::Token => f.write_str("the Shopify access token is empty or not a header value"),
            Self::Client(e) => write!(f, "the HTTP client could not be built: {e}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The shop's rate-limit bucket as last reported.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    available: f64,
    restore_rate: f64,
    at: tokio::time::Instant,
}

/// [`OrderLookup`] on a Shopify shop.
#[derive(Debug)]
pub struct ShopifyOrders {
    endpoint: String,
    admin: String,
    http: reqwest::Client,
    max_wait: Duration,
    bucket: Mutex<Option<Bucket>>,
}

const ORDERS_QUERY: &str = "query Orders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) {
    nodes {
      id
      name
      email
      createdAt
      cancelledAt
      closedAt
      displayFulfillmentStatus
      lineItems(first: 20) { nodes { title quantity sku } }
      fulfillments(first: 10) {
        displayStatus
        estimatedDeliveryAt
        trackingInfo(first: 5) { company number url }
      }
    }
  }
}";

impl ShopifyOrders {
    /// # Errors
    /// [`ConfigError`] for a shop URL that is not http(s) or a token that is empty.
    pub fn new(config: ShopifyConfig) -> Result<Self, ConfigError> {
        let shop = config.shop_url.trim().trim_end_matches('/');
        if !(shop.starts_with("https://") || shop.starts_with("http://")) {
            return Err(ConfigError::ShopUrl(config.shop_url.clone()));
        }
        if config.token.0.trim().is_empty() {
            return Err(ConfigError::Token);
        }
        let mut token =
            HeaderValue::from_str(config.token.0.trim()).map_err(|_| ConfigError::Token)?;
        token.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("X-Shopify-Access-Token", token);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .build()
            .map_err(|e| ConfigError::Client(e.to_string()))?;
        Ok(Self {
            endpoint: format!("{shop}/admin/api/{}/graphql.json", config.api_version),
            admin: format!("{shop}/admin/orders"),
            http,
            max_wait: config.max_wait,
            bucket: Mutex::new(None),
        })
    }

    /// Runs the orders query with Shopify's search syntax `query`.
    async fn orders(&self, query: &str, first: usize) -> Result<Vec<Order>, OrderError> {
        let body = json!({
            "query": ORDERS_QUERY,
            "variables": {"query": query, "first": first.clamp(1, 5)},
        });
        let mut waited = Duration::ZERO;
        loop {
            self.wait_for_points(&mut waited).await?;
            let response = self
                .http
                .post(&self.endpoint)
                .json(&body)
                .send()
                .await
                .map_err(|e| OrderError::Unavailable(describe(&e)))?;
            let status = response.status();
            if status.as_u16() == 429 {
                let retry = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .unwrap_or(1.0);
                self.pause(seconds(retry.clamp(0.0, 60.0)), &mut waited)
                    .await?;
                continue;
            }
            if matches!(status.as_u16(), 401 | 403) {
                return Err(OrderError::Rejected(format!(
                    "HTTP {}: check the access token and its read_orders scope",
                    status.as_u16()
                )));
            }
            if !status.is_success() {
                let rejected = status.is_client_error();
                let message = format!("HTTP {}", status.as_u16());
                return Err(if rejected {
                    OrderError::Rejected(message)
                } else {
                    OrderError::Unavailable(message)
                });
            }
            let answer: Answer = response
                .json()
                .await
                .map_err(|e| OrderError::Unavailable(format!("unreadable answer: {e}")))?;
            if let Some(t) = answer.extensions.as_ref().and_then(|e| e.cost.as_ref()) {
                *self.bucket.lock().await = Some(Bucket {
                    available: t.throttle_status.currently_available,
                    restore_rate: t.throttle_status.restore_rate.max(1.0),
                    at: tokio::time::Instant::now(),
                });
            }
            if let Some(errors) = answer.errors.filter(|e| !e.is_empty()) {
                if errors.iter().any(|e| e.code() == Some("THROTTLED")) {
                    let cost = answer
                        .extensions
                        .as_ref()
                        .and_then(|e| e.cost.as_ref())
                        .map_or(QUERY_COST, |c| c.requested_query_cost.unwrap_or(QUERY_COST));
                    let bucket = *self.bucket.lock().await;
                    let wait =
                        bucket.map_or(1.0, |b| ((cost - b.available) / b.restore_rate).max(0.5));
                    self.pause(seconds(wait.min(60.0)), &mut waited).await?;
                    continue;
                }
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                return Err(OrderError::Rejected(messages.join("; ")));
            }
            let nodes = answer
                .data
                .and_then(|d| d.orders)
                .map(|o| o.nodes)
                .ok_or_else(|| OrderError::Unavailable("an answer without orders".into()))?;
            return Ok(nodes.into_iter().map(|n| self.order(n)).collect());
        }
    }

    /// Waits until the bucket as last reported has refilled enough for a query.
    async fn wait_for_points(&self, waited: &mut Duration) -> Result<(), OrderError> {
        let Some(b) = *self.bucket.lock().await else {
            return Ok(());
        };
        let now_available = b.available + b.at.elapsed().as_secs_f64() * b.restore_rate;
        if now_available >= QUERY_COST {
            return Ok(());
        }
        let wait = (QUERY_COST - now_available) / b.restore_rate;
        self.pause(seconds(wait.min(3_600.0)), waited).await
    }

    async fn pause(&self, wait: Duration, waited: &mut Duration) -> Result<(), OrderError> {
        if waited
            .checked_add(wait)
            .is_none_or(|total| total > self.max_wait)
        {
            return Err(OrderError::Unavailable(format!(
                "the shop's rate limit would need a wait of {:.1} s more",
                wait.as_secs_f64()
            )));
        }
        tracing::debug!(
            wait_ms = wait.as_millis(),
            "waiting for Shopify's rate limit"
        );
        tokio::time::sleep(wait).await;
        *waited += wait;
        Ok(())
    }

    fn order(&self, n: OrderNode) -> Order {
        let numeric = n.id.rsplit('/').next().unwrap_or_default().to_owned();
        Order {
            admin_url: (!numeric.is_empty()).then(|| format!("{}/{numeric}", self.admin)),
            id: n.id,
            name: n.name,
            email: n.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()),
            created_at: n.created_at,
            cancelled_at: n.cancelled_at,
            closed_at: n.closed_at,
            fulfilment: words(&n.display_fulfillment_status),
            items: n
                .line_items
                .nodes
                .into_iter()
                .map(|l| OrderItem {
                    title: l.title,
                    quantity: u32::try_from(l.quantity).unwrap_or(0),
                    sku: l.sku.filter(|s| !s.is_empty()),
                })
                .collect(),
            shipments: n
                .fulfillments
                .into_iter()
                .map(|f| {
                    let tracking = f.tracking_info.into_iter().next();
                    Shipment {
                        status: f.display_status.as_deref().map_or_else(String::new, words),
                        carrier: tracking.as_ref().and_then(|t| t.company.clone()),
                        tracking_number: tracking.as_ref().and_then(|t| t.number.clone()),
                        tracking_url: tracking
                            .and_then(|t| t.url)
                            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                        estimated_delivery: f.estimated_delivery_at,
                    }
                })
                .collect(),
        }
    }
}

/// `secs` as a duration; what is not a finite, positive number of seconds (a shop's odd answer)
/// is one second.
fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::from_secs(1))
}

/// `PARTIALLY_FULFILLED` → `partially fulfilled`.
fn words(status: &str) -> String {
    status.to_lowercase().replace('_', " ")
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the shop did not answer in time".into()
    } else if e.is_connect() {
        "the shop could not be reached".into()
    } else {
        "the request to the shop failed".into()
    }
}

/// A value for Shopify's search syntax, quoted.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace(['"', '\\'], ""))
}

/// `result`, its error logged (a draft goes on without the order; the log says why).
fn logged<T>(result: Result<T, OrderError>) -> Result<T, OrderError> {
    if let Err(e) = &result {
        tracing::warn!(error = %e, "an order lookup in Shopify failed");
    }
    result
}

#[async_trait]
impl OrderLookup for ShopifyOrders {
    async fn by_number(&self, number: &str) -> Result<Option<Order>, OrderError> {
        let bare = number.trim().trim_start_matches('#');
        if bare.is_empty() {
            return Ok(None);
        }
        let found = logged(
            self.orders(&format!("name:{}", quoted(&format!("#{bare}"))), 5)
                .await,
        )?;
        // The search matches loosely: keep the order named exactly so.
        Ok(found
            .into_iter()
            .find(|o| o.name.trim_start_matches('#').eq_ignore_ascii_case(bare)))
    }

    async fn recent_for(
        &self,
        address: &EmailAddress,
        limit: usize,
    ) -> Result<Vec<Order>, OrderError> {
        let found = logged(
            self.orders(&format!("email:{}", quoted(address.as_str())), limit)
                .await,
        )?;
        Ok(found
            .into_iter()
            .filter(|o| o.belongs_to(address))
            .take(limit)
            .collect())
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: Option<Data>,
    errors: Option<Vec<GraphQlError>>,
    extensions: Option<Extensions>,
}

#[derive(Debug, Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    extensions: Option<Value>,
}

impl GraphQlError {
    fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }
}

#[derive(Debug, Deserialize)]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: Option<f64>,
    throttle_status: ThrottleStatus,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    currently_available: f64,
    restore_rate: f64,
}

#[derive(Debug, Deserialize)]
struct Data {
    orders: Option<Nodes<OrderNode>>,
}

#[derive(Debug, Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderNode {
    id: String,
    name: String,
    email: Option<String>,
    created_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    display_fulfillment_status: String,
    line_items: Nodes<LineItem>,
    #[serde(default)]
    fulfillments: Vec<Fulfillment>,
}

#[derive(Debug, Deserialize)]
struct LineItem {
    title: String,
    quantity: i64,
    sku: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fulfillment {
    display_status: Option<String>,
    estimated_delivery_at: Option<DateTime<Utc>>,
    #[serde(default)]
    tracking_info: Vec<TrackingInfo>,
}

#[derive(Debug, Deserialize)]
struct TrackingInfo {
    company: Option<String>,
    number: Option<String>,
    url: Option<String>,
}
