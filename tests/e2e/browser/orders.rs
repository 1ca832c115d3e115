//! The order panel beside a ticket, in Chromium: loaded from a Shopify shop (wiremock answering
//! in the Admin GraphQL API's documented shape) after the page, with status, items and tracking;
//! an order the shop has under another address is marked so; a shop that is down says so and
//! offers to try again. axe-core checks each state.

use frontdesk_domain::Role;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::Site;
use super::driver::{Browser, Size};
use super::workspace::sign_in;

const PASSWORD: &str = "correct horse battery staple";

fn shopify_orders() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": {"orders": {"nodes": [{
            "id": "gid://shopify/Order/77",
            "name": "#1001",
            "email": "casey@customer.test",
            "createdAt": "2026-11-20T10:15:00Z",
            "cancelledAt": null,
            "closedAt": null,
            "displayFulfillmentStatus": "FULFILLED",
            "lineItems": {"nodes": [{"title": "Kettle <b>Deluxe</b>", "quantity": 2, "sku": "K-1"}]},
            "fulfillments": [{"displayStatus": "IN_TRANSIT",
                "estimatedDeliveryAt": "2026-12-04T12:00:00Z",
                "trackingInfo": [{"company": "DHL", "number": "00340434",
                    "url": "javascript:alert(1)"}]}]
        }]}},
        "extensions": {"cost": {"requestedQueryCost": 52, "actualQueryCost": 8,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0,
                "restoreRate": 100.0}}}
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_a_ticket_is_about_is_beside_it() {
    let shop = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/api/2025-07/graphql.json"))
        .respond_with(shopify_orders())
        .mount(&shop)
        .await;
    let token_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(token_file.path(), "shpat_test\n").unwrap();
    let site = Site::start_with(&format!(
        "[orders]\nprovider = \"shopify\"\nshop_url = \"{}\"\naccess_token_file = \"{}\"\n",
        shop.uri(),
        token_file.path().display()
    ))
    .await;
    site.staff("ana@frontdesk.test", "Ana Agent", Role::Agent, PASSWORD)
        .await;
    let token = site.token("ana@frontdesk.test", PASSWORD).await;
    let own = site
        .ticket(
            &token,
            "casey@customer.test",
            "Where is order #1001?",
            "Not here yet.",
        )
        .await;
    let other = site
        .ticket(
            &token,
            "mallory@customer.test",
            "Order 1001",
            "Where is my order?",
        )
        .await;

    let browser = Browser::open(Size::Phone).await;
    browser.goto(&format!("{}/tickets/{own}", site.base)).await;
    sign_in(&browser, "ana@frontdesk.test", PASSWORD).await;
    browser
        .until_text("//*[@id='order-panel']", "00340434")
        .await;
    let panel = browser.text("//*[@id='order-panel']").await;
    for wanted in [
        "#1001",
        "open, fulfilled",
        "2 × Kettle <b>Deluxe</b>",
        "in transit",
        "DHL",
    ] {
        assert!(panel.contains(wanted), "{wanted} in {panel}");
    }
    assert!(!panel.contains("another address"), "{panel}");
    // A tracking link that is not http(s) is no link.
    let links = browser
        .client
        .find_all(fantoccini::Locator::XPath("//*[@id='order-panel']//a"))
        .await
        .unwrap();
    for link in links {
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        assert!(href.starts_with("http"), "{href}");
    }
    browser.assert_accessible("the order panel").await;

    browser
        .goto(&format!("{}/tickets/{other}", site.base))
        .await;
    browser
        .until_text("//*[@id='order-panel']", "under another address")
        .await;
    browser
        .assert_accessible("an order of another address")
        .await;

    // The shop goes down: the panel says so and can try again.
    shop.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&shop)
        .await;
    browser.goto(&format!("{}/tickets/{own}", site.base)).await;
    browser
        .until_text("//*[@id='order-panel']", "The shop could not be asked")
        .await;
    browser.assert_accessible("the shop is down").await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}
