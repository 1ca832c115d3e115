//! What managers keep: canned responses.

use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who};

both!(
    canned_responses_are_kept_by_managers_and_rendered_for_a_ticket,
    async |app: &TestApp| {
        let (s, refund) = app
            .json(
                "post",
                "/api/canned-responses",
                Who::Manager,
                Some(&json!({"title": "Refund sent", "category": "billing",
                    "body": "Hello {customer_name}, the refund for {ticket_number} is on its way. {agent_name}"})),
            )
            .await;
        assert_eq!(s, 201, "{refund}");
        let (s, general) = app
            .json(
                "post",
                "/api/canned-responses",
                Who::Admin,
                Some(&json!({"title": "Thanks", "body": "Thank you for writing."})),
            )
            .await;
        assert_eq!(s, 201, "{general}");
        let (_, billing) = app
            .json(
                "get",
                "/api/canned-responses?category=billing",
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(billing.as_array().unwrap().len(), 2, "{billing}");
        let (_, order) = app
            .json(
                "get",
                "/api/canned-responses?category=order",
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(
            order.as_array().unwrap().len(),
            1,
            "only the general one: {order}"
        );
        let t = app.ticket("Refund please", "Charged twice").await;
        let id = refund["id"].as_str().unwrap();
        let (s, r) = app
            .json(
                "get",
                &format!("/api/canned-responses/{id}?ticket={}", t.number),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(
            r["rendered"],
            format!(
                "Hello Alice, the refund for {} is on its way. Ana Agent",
                t.number
            )
        );
        let (s, r) = app
            .json(
                "patch",
                &format!("/api/canned-responses/{id}"),
                Who::Manager,
                Some(&json!({"category": null, "title": "Refund issued"})),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert!(r["category"].is_null());
        assert_eq!(r["title"], "Refund issued");
        for (body, why) in [
            (json!({"title": "", "body": "x"}), "empty title"),
            (json!({"title": "T", "body": "   "}), "empty body"),
            (
                json!({"title": "T", "body": "x", "category": "gossip"}),
                "unknown category",
            ),
            (
                json!({"title": "Two\nlines", "body": "x"}),
                "title on two lines",
            ),
        ] {
            let (s, r) = app
                .json("post", "/api/canned-responses", Who::Manager, Some(&body))
                .await;
            assert_eq!(s, 422, "{why}: {r}");
        }
        let (s, _) = app
            .json(
                "delete",
                &format!("/api/canned-responses/{id}"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 204);
        let (s, _) = app
            .json(
                "get",
                &format!("/api/canned-responses/{id}"),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(s, 404);
    }
);
