//! The Shopify adapter against wiremock answering in the Admin GraphQL API's documented shapes
//! (`data.orders.nodes`, `errors[].extensions.code = "THROTTLED"`,
//! `extensions.cost.throttleStatus`): what is asked, what is read, and how limits and failures
//! are handled.

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use frontdesk_adapters_shopify::{AccessToken, ShopifyConfig, ShopifyOrders};
use frontdesk_domain::EmailAddress;
use frontdesk_domain::order::{OrderError, OrderLookup};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "shpat_0123456789abcdef";
const ENDPOINT: &str = "/admin/api/2025-07/graphql.json";

fn shop(server: &MockServer, max_wait: Duration) -> ShopifyOrders {
    ShopifyOrders::new(ShopifyConfig {
        shop_url: server.uri(),
        api_version: "2025-07".into(),
        token: AccessToken::new(TOKEN),
        timeout: Duration::from_secs(5),
        max_wait,
    })
    .unwrap()
}

fn cost(available: f64) -> Value {
    json!({"cost": {
        "requestedQueryCost": 52, "actualQueryCost": 12,
        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0}
    }})
}

fn order(name: &str, email: &str) -> Value {
    json!({
        "id": "gid://shopify/Order/5512345",
        "name": name,
        "email": email,
        "createdAt": "2026-11-20T10:15:00Z",
        "cancelledAt": null,
        "closedAt": null,
        "displayFulfillmentStatus": "PARTIALLY_FULFILLED",
        "lineItems": {"nodes": [
            {"title": "Kettle", "quantity": 2, "sku": "K-1"},
            {"title": "Descaler", "quantity": 1, "sku": ""}
        ]},
        "fulfillments": [{
            "displayStatus": "IN_TRANSIT",
            "estimatedDeliveryAt": "2026-12-04T12:00:00Z",
            "trackingInfo": [{"company": "DHL", "number": "00340434", "url": "https://www.dhl.com/track?n=00340434"}]
        }]
    })
}

fn orders(nodes: Vec<Value>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": {"orders": {"nodes": nodes}},
        "extensions": cost(1948.0),
    }))
}

async fn sent(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn an_order_by_its_number_with_status_items_and_tracking_and_no_payment_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(header("X-Shopify-Access-Token", TOKEN))
        .and(header("content-type", "application/json"))
        .respond_with(orders(vec![order("#1001", "Ann@X.com")]))
        .mount(&server)
        .await;
    let found = shop(&server, Duration::from_secs(5))
        .by_number("#1001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "#1001");
    assert!(found.belongs_to(&EmailAddress::parse("ann@x.com").unwrap()));
    assert_eq!(found.fulfilment, "partially fulfilled");
    assert_eq!(found.state(), "open");
    assert_eq!(found.items.len(), 2);
    assert_eq!(
        (found.items[0].quantity, found.items[1].sku.as_deref()),
        (2, None)
    );
    let s = &found.shipments[0];
    assert_eq!(
        (
            s.status.as_str(),
            s.carrier.as_deref(),
            s.tracking_number.as_deref()
        ),
        ("in transit", Some("DHL"), Some("00340434"))
    );
    assert_eq!(
        s.estimated_delivery.unwrap().to_rfc3339(),
        "2026-12-04T12:00:00+00:00"
    );
    assert_eq!(
        found.admin_url.unwrap(),
        format!("{}/admin/orders/5512345", server.uri())
    );
    let body = &sent(&server).await[0];
    assert_eq!(body["variables"]["query"], "name:\"#1001\"");
    let query = body["query"].as_str().unwrap().to_lowercase();
    assert!(query.contains("orders(first: $first, query: $query"));
    for field in [
        "price",
        "total",
        "payment",
        "transaction",
        "billing",
        "address",
        "card",
    ] {
        assert!(!query.contains(field), "the query asks for {field}");
    }
}

#[tokio::test]
async fn a_loose_match_is_not_the_order_and_another_address_is_not_the_customers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(orders(vec![
            order("#10012", "ann@x.com"),
            order("#1003", "bob@y.com"),
        ]))
        .mount(&server)
        .await;
    let shop = shop(&server, Duration::from_secs(5));
    assert_eq!(shop.by_number("1001").await.unwrap(), None);
    let ann = EmailAddress::parse("ann@x.com").unwrap();
    let recent = shop.recent_for(&ann, 3).await.unwrap();
    let names: Vec<&str> = recent.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["#10012"]);
    assert_eq!(
        sent(&server).await[1]["variables"]["query"],
        "email:\"ann@x.com\""
    );
}

#[tokio::test]
async fn a_throttled_query_waits_for_the_bucket_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": {"cost": {"requestedQueryCost": 52,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 12.0, "restoreRate": 100.0}}}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(orders(vec![order("#1001", "ann@x.com")]))
        .mount(&server)
        .await;
    let found = shop(&server, Duration::from_secs(5))
        .by_number("1001")
        .await
        .unwrap();
    assert!(found.is_some());
    assert_eq!(sent(&server).await.len(), 2);
}

#[tokio::test]
async fn a_limit_longer_than_the_longest_wait_is_unavailable_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": {"requestedQueryCost": 52,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 0.0, "restoreRate": 1.0}}}
        })))
        .mount(&server)
        .await;
    let err = shop(&server, Duration::from_secs(2))
        .by_number("1001")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OrderError::Unavailable(m) if m.contains("rate limit")),
        "{err}"
    );
    assert_eq!(sent(&server).await.len(), 1);
}

#[tokio::test]
async fn http_429_is_waited_out_and_errors_are_typed_without_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // An odd Retry-After is a second's wait, never a crash.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "NaN"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(orders(vec![]))
        .mount(&server)
        .await;
    assert_eq!(
        shop(&server, Duration::from_secs(5))
            .by_number("1001")
            .await
            .unwrap(),
        None
    );

    for (status, rejected) in [(401, true), (403, true), (503, false)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(
                json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            ))
            .mount(&server)
            .await;
        let shop = shop(&server, Duration::from_secs(5));
        let err = shop.by_number("1001").await.unwrap_err();
        assert_eq!(
            matches!(err, OrderError::Rejected(_)),
            rejected,
            "{status}: {err}"
        );
        assert!(!err.to_string().contains(TOKEN));
        assert!(!format!("{shop:?}").contains(TOKEN));
    }

    // A query error (HTTP 200 with errors) is the shop refusing it.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"message": "Field 'orders' doesn't exist on type 'QueryRoot'",
                "extensions": {"code": "undefinedField"}}]
        })))
        .mount(&server)
        .await;
    let err = shop(&server, Duration::from_secs(5))
        .by_number("1001")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OrderError::Rejected(m) if m.contains("doesn't exist")),
        "{err}"
    );

    // Nobody listening.
    let gone = ShopifyOrders::new(ShopifyConfig {
        shop_url: "http://127.0.0.1:9".into(),
        api_version: "2025-07".into(),
        token: AccessToken::new(TOKEN),
        timeout: Duration::from_secs(2),
        max_wait: Duration::from_secs(1),
    })
    .unwrap();
    assert!(matches!(
        gone.by_number("1001").await,
        Err(OrderError::Unavailable(_))
    ));
}

#[test]
fn bad_settings_are_refused() {
    let config = |url: &str, token: &str| ShopifyConfig {
        shop_url: url.into(),
        api_version: "2025-07".into(),
        token: AccessToken::new(token),
        timeout: Duration::from_secs(1),
        max_wait: Duration::from_secs(1),
    };
    assert!(ShopifyOrders::new(config("example.myshopify.com", TOKEN)).is_err());
    assert!(ShopifyOrders::new(config("https://example.myshopify.com", " ")).is_err());
    assert!(ShopifyOrders::new(config("https://example.myshopify.com", "a\nb")).is_err());
}
