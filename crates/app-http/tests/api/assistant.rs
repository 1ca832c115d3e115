//! Grounded drafts through the API: the offline assistant answers from the help centre with a
//! citation, auto mode sends only what cites a source, and every draft held back is counted by
//! its reason in `/api/analytics/assistant`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, Who, post_mail};

/// Mails a request from Alice, the fixture customer: its ticket's id.
async fn mailed(app: &TestApp, id: &str, subject: &str, body: &str) -> String {
    let raw = format!(
        "From: Alice <alice@customer.test>\r\nTo: support@frontdesk.test\r\n\
         Subject: {subject}\r\nMessage-ID: <{id}@customer.test>\r\n\r\n{body}\r\n"
    );
    let (status, answer) = post_mail(app, &raw).await;
    assert!(matches!(status, 200 | 201), "{status} {answer}");
    answer["ticket"].as_str().unwrap().to_owned()
}

async fn draft_of(app: &TestApp, id: impl std::fmt::Display) -> Value {
    let (status, t) = app
        .json("get", &format!("/api/tickets/{id}"), Who::Agent, None)
        .await;
    assert_eq!(status, 200, "{t}");
    t["ai"].clone()
}

crate::both!(
    grounded_drafts_cite_the_help_centre_and_auto_mode_sends_only_those,
    "[ai]\nmode = \"auto\"\nauto_send_threshold = 0.3\n",
    async |app: &TestApp| {
        let (status, article) = app
            .json(
                "post",
                "/api/kb/articles",
                Who::Manager,
                Some(&json!({
                    "title": "How do I return an order?",
                    "body_markdown": "You can return any order within 30 days.\n\n## Refunds\n\n\
                        We refund returned orders within 5 business days of receiving them.",
                    "status": "published",
                    "visibility": "public",
                })),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        assert_eq!(article["status"], "published");
        let grounded = mailed(
            app,
            "g1",
            "Refund for my returned order",
            "When do I get the refund for the order I sent back?",
        )
        .await;
        let unknown = mailed(
            app,
            "u1",
            "Invoice address",
            "Please change the company name on invoice 8812.",
        )
        .await;
        let person = mailed(
            app,
            "p1",
            "Refund",
            "My refund is late. I want to speak to a real person about the refund.",
        )
        .await;
        let report =
            frontdesk_poller::jobs::run_jobs(&app.state.app, 20, &|| false, &mut Vec::new())
                .await
                .unwrap();
        assert!(report.done >= 3, "{report:?}");

        let d = draft_of(app, &grounded).await;
        assert_eq!(d["state"], "sent", "{d}");
        assert_eq!(d["hold"], Value::Null);
        assert_eq!(
            d["citations"],
            json!([{
                "n": 1, "source": "kb", "id": article["id"],
                "title": "How do I return an order? — Refunds",
                "url": "/help/how-do-i-return-an-order#s-refunds",
            }])
        );
        assert_eq!(d["citation_defects"], 0);
        assert_eq!(d["unsupported_promises"], json!([]));
        let body = d["body"].as_str().unwrap();
        assert!(
            body.contains("“How do I return an order? — Refunds” [1]"),
            "{body}"
        );
        assert!(body.contains("> We refund returned orders within 5 business days"));
        let customer_body = d["customer_body"].as_str().unwrap();
        assert!(
            customer_body.contains("[1] How do I return an order? — Refunds: http")
                && customer_body.ends_with("/help/how-do-i-return-an-order#s-refunds"),
            "{customer_body}"
        );
        // The reply went out with the footnote.
        frontdesk_poller::jobs::run_jobs(&app.state.app, 20, &|| false, &mut Vec::new())
            .await
            .unwrap();
        let outbox = app.state.app.config.outbox.path.join("new");
        let sent: Vec<String> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .filter(|m| m.contains("Our help centre answers this"))
            .collect();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].contains("#s-refunds"), "{}", sent[0]);

        let d = draft_of(app, &unknown).await;
        assert_eq!(
            (d["state"].as_str(), d["hold"].as_str()),
            (Some("draft"), Some("no_source")),
            "{d}"
        );
        assert_eq!(d["citations"], json!([]));
        assert_eq!(d["hold_label"], "the draft cites no source");
        let d = draft_of(app, &person).await;
        assert_eq!(d["hold"], "human_requested", "{d}");

        // Customers never see the assistant's work.
        let (_, mine) = app
            .json(
                "get",
                &format!("/api/tickets/{}", grounded),
                Who::Customer,
                None,
            )
            .await;
        assert!(mine.get("ai").is_none_or(Value::is_null), "{mine}");

        let (status, a) = app
            .json("get", "/api/analytics/assistant", Who::Manager, None)
            .await;
        assert_eq!(status, 200, "{a}");
        assert_eq!(
            (
                a["drafts"].as_u64(),
                a["sent_automatically"].as_u64(),
                a["held"].as_u64(),
                a["grounded"].as_u64()
            ),
            (Some(3), Some(1), Some(2), Some(2)),
            "{a}"
        );
        let holds = a["holds"].as_array().unwrap();
        assert_eq!(holds.len(), 14);
        let count = |reason: &str| {
            holds
                .iter()
                .find(|h| h["reason"] == reason)
                .and_then(|h| h["count"].as_u64())
        };
        assert_eq!(count("no_source"), Some(1));
        assert_eq!(count("human_requested"), Some(1));
        assert_eq!(count("unsupported_promise"), Some(0));
        assert_eq!(
            app.json("get", "/api/analytics/assistant", Who::Agent, None)
                .await
                .0,
            403
        );
        assert_eq!(
            app.json(
                "get",
                "/api/analytics/assistant?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                Who::Manager,
                None
            )
            .await
            .0,
            422
        );
    }
);

/// A Shopify shop on wiremock holding order #1001 of Alice's, answering in the Admin GraphQL
/// API's documented shape.
async fn shop() -> wiremock::MockServer {
    use wiremock::matchers::{header, method, path};
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(method("POST"))
        .and(path("/admin/api/2025-07/graphql.json"))
        .and(header("X-Shopify-Access-Token", "shpat_test"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "data": {"orders": {"nodes": [{
                "id": "gid://shopify/Order/77",
                "name": "#1001",
                "email": "alice@customer.test",
                "createdAt": "2026-11-20T10:15:00Z",
                "cancelledAt": null,
                "closedAt": null,
                "displayFulfillmentStatus": "FULFILLED",
                "lineItems": {"nodes": [{"title": "Kettle", "quantity": 1, "sku": "K-1"}]},
                "fulfillments": [{"displayStatus": "IN_TRANSIT",
                    "estimatedDeliveryAt": "2026-12-04T12:00:00Z",
                    "trackingInfo": [{"company": "DHL", "number": "00340434",
                        "url": "https://www.dhl.com/track?n=00340434"}]}]
            }]}},
            "extensions": {"cost": {"requestedQueryCost": 52, "actualQueryCost": 8,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0,
                    "restoreRate": 100.0}}}
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_the_order_a_ticket_is_about_and_whose_it_is() {
    crate::helpers::within_limit(async {
        let shop = shop().await;
        let token = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(token.path(), "shpat_test\n").unwrap();
        let app = crate::helpers::spawn_app_with(
            frontdesk_adapters_db::testing::Fresh::sqlite().await,
            &format!(
                "[orders]\nprovider = \"shopify\"\nshop_url = \"{}\"\naccess_token_file = \"{}\"\n",
                shop.uri(),
                token.path().display()
            ),
        )
        .await;
        let mine = mailed(&app, "o1", "Where is order #1001?", "It has not arrived.").await;
        let (status, o) = app
            .json(
                "get",
                &format!("/api/tickets/{mine}/order"),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["numbers"], json!(["1001"]));
        assert_eq!(o["belongs_to_customer"], true);
        assert_eq!(o["order"]["name"], "#1001");
        assert_eq!(o["order"]["fulfilment"], "fulfilled");
        assert_eq!(o["order"]["state"], "open");
        assert_eq!(o["order"]["items"][0]["title"], "Kettle");
        assert_eq!(o["order"]["shipments"][0]["tracking_number"], "00340434");
        assert_eq!(o["order"]["shipments"][0]["status"], "in transit");
        assert!(
            o["order"]["admin_url"]
                .as_str()
                .unwrap()
                .ends_with("/admin/orders/77")
        );
        let text = o.to_string().to_lowercase();
        for field in ["price", "total", "payment", "card"] {
            assert!(!text.contains(field), "{field} in {o}");
        }
        // The customer may not look (another's order would show for a number typed).
        let (status, _) = app
            .json(
                "get",
                &format!("/api/tickets/{mine}/order"),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(status, 403);

        // Someone else names Alice's order: staff see it, marked as not theirs.
        let raw = "From: Mallory <mallory@customer.test>\r\nTo: support@frontdesk.test\r\n\
                   Subject: Order #1001\r\nMessage-ID: <m1@customer.test>\r\n\r\n\
                   Where is my order?\r\n";
        let (_, placed) = post_mail(&app, raw).await;
        let theirs = placed["ticket"].as_str().unwrap();
        let (status, o) = app
            .json(
                "get",
                &format!("/api/tickets/{theirs}/order"),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["belongs_to_customer"], false);

        // A shop that is down is a 503 for the API.
        shop.reset().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(503))
            .mount(&shop)
            .await;
        let (status, p) = app
            .json(
                "get",
                &format!("/api/tickets/{mine}/order"),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 503, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("the shop"));
        app.finish().await;
    })
    .await;
}
