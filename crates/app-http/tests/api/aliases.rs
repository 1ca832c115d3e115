//! The paths the product's source documents use answer exactly as ours do.

use frontdesk_http::routes::{ALIASES, ENDPOINTS};
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who};

both!(
    every_alias_answers_as_the_route_it_names,
    async |app: &TestApp| {
        for alias in ALIASES {
            let (method, path) = alias.of;
            assert!(
                ENDPOINTS
                    .iter()
                    .any(|e| e.method == method && e.path == path),
                "{} {} names no route",
                alias.method,
                alias.path
            );
            // Unauthenticated, both refuse alike (a token, a signature or a secret is needed).
            let concrete = |p: &str| p.replace("{id}", "TKT-000001");
            let (ours, _) = app
                .json(method, &concrete(path), Who::Anonymous, Some(&json!({})))
                .await;
            let (theirs, body) = app
                .json(
                    alias.method,
                    &concrete(alias.path),
                    Who::Anonymous,
                    Some(&json!({})),
                )
                .await;
            assert_eq!(theirs, ours, "{} {}: {body}", alias.method, alias.path);
            assert!(
                (400..500).contains(&theirs),
                "{} {}",
                alias.method,
                alias.path
            );
        }
    }
);

both!(
    the_source_documents_requests_work_as_written,
    async |app: &TestApp| {
        // The getting-started guide's ticket, sent by staff (the API needs a token).
        let (status, created) = app
            .json(
                "post",
                "/api/tickets/create",
                Who::Agent,
                Some(&json!({
                    "customer_email": "john.doe@example.com",
                    "customer_name": "John Doe",
                    "subject": "Order hasn't shipped yet",
                    "description": "My order #2021 was placed a week ago but hasn't shipped.",
                    "order_id": "2021",
                    "source": "web"
                })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["channel"], "web");
        assert!(
            created["tags"]
                .as_array()
                .unwrap()
                .contains(&json!("order:2021")),
            "{created}"
        );
        let id = created["id"].as_str().unwrap();
        let (status, bad) = app
            .json(
                "post",
                "/api/tickets/create",
                Who::Agent,
                Some(&json!({"customer_email": "a@b.example", "subject": "s",
                    "description": "d", "order_id": "20 21"})),
            )
            .await;
        assert_eq!(status, 422, "{bad}");
        assert!(bad["errors"]["order_id"].is_string(), "{bad}");

        let url = format!("/api/tickets/{id}/status");
        let (status, t) = app
            .json(
                "put",
                &url,
                Who::Agent,
                Some(&json!({"status": "resolved"})),
            )
            .await;
        assert_eq!((status, &t["status"]), (200, &json!("resolved")), "{t}");
        let (status, _) = app
            .json("put", &url, Who::Agent, Some(&json!({"priority": "low"})))
            .await;
        assert_eq!(status, 422, "the status path changes the status only");
        let (status, _) = app
            .json("put", &url, Who::Customer, Some(&json!({"status": "open"})))
            .await;
        assert!(matches!(status, 403 | 404), "{status}");

        let (_, staff) = app.json("get", "/api/staff", Who::Admin, None).await;
        let (status, agents) = app.json("get", "/api/agents", Who::Admin, None).await;
        assert_eq!((status, agents), (200, staff));

        let docs = app.client.get(app.url("/api/docs")).send().await.unwrap();
        assert_eq!(docs.status().as_u16(), 308);
        assert_eq!(docs.headers()["location"], "/api/docs/");
    }
);
