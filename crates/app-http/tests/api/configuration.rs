//! What managers keep: canned responses.

use serde_json::json;

use crate::both;
use crate::helpers::{ALLOW_LOOPBACK_WEBHOOKS, TestApp, Who};

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

both!(
    outbound_webhooks_receive_signed_ticket_events_through_the_jobs_queue,
    // The receiver is a local server: internal targets are refused unless allowed.
    ALLOW_LOOPBACK_WEBHOOKS,
    async |app: &TestApp| {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/down"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        // A ticket from before the subscription is never sent.
        app.ticket("Old news", "Before anyone listened").await;
        let (s, hook) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(&json!({"url": format!("{}/hook", server.uri()),
                             "events": ["ticket.created"]})),
            )
            .await;
        assert_eq!(s, 201, "{hook}");
        let secret = hook["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let (s, down) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Admin,
                Some(&json!({"url": format!("{}/down", server.uri()),
                             "secret": "a-secret-of-our-own-choosing"})),
            )
            .await;
        assert_eq!(s, 201, "{down}");
        let (_, listed) = app
            .json("get", "/api/outbound-webhooks", Who::Manager, None)
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert!(listed[0].get("secret").is_none(), "never listed: {listed}");

        let t = app
            .ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        let report = frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        assert!(report.jobs.done >= 1, "{report:?}");
        assert!(
            report.jobs.retried >= 1,
            "the 503 one is retried later: {report:?}"
        );
        let received = server.received_requests().await.unwrap();
        let delivered: Vec<_> = received
            .iter()
            .filter(|r| r.url.path() == "/hook")
            .collect();
        assert_eq!(
            delivered.len(),
            1,
            "only ticket.created, only the new ticket"
        );
        let r = delivered[0];
        assert_eq!(r.headers["x-frontdesk-event"], "ticket.created");
        let body = std::str::from_utf8(&r.body).unwrap();
        let sent: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(sent["ticket"]["number"], t.number.to_string());
        assert_eq!(
            r.headers["x-frontdesk-delivery"].to_str().unwrap(),
            sent["id"].to_string()
        );
        let signature = r.headers["x-frontdesk-signature"].to_str().unwrap();
        let t_part: i64 = signature
            .strip_prefix("t=")
            .and_then(|s| s.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            frontdesk_poller::outbound::signature(&secret, t_part, body)
        );
        // A second pass sends nothing new to the healthy one.
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        let again = server.received_requests().await.unwrap();
        assert_eq!(again.iter().filter(|r| r.url.path() == "/hook").count(), 1);

        for (body, why) in [
            (json!({"url": "ftp://files.example.test/x"}), "not http"),
            (json!({"url": "https://"}), "no host"),
            (
                json!({"url": "https://x.test", "events": ["ticket.exploded"]}),
                "unknown event",
            ),
            (json!({"url": "https://x.test", "events": []}), "no events"),
            (
                json!({"url": "https://x.test", "secret": "short"}),
                "short secret",
            ),
        ] {
            let (s, r) = app
                .json("post", "/api/outbound-webhooks", Who::Manager, Some(&body))
                .await;
            assert_eq!(s, 422, "{why}: {r}");
        }
        let id = down["id"].as_str().unwrap();
        let (s, r) = app
            .json(
                "patch",
                &format!("/api/outbound-webhooks/{id}"),
                Who::Manager,
                Some(&json!({"active": false})),
            )
            .await;
        assert_eq!((s, &r["active"]), (200, &json!(false)), "{r}");
        let (s, _) = app
            .json(
                "delete",
                &format!("/api/outbound-webhooks/{id}"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(s, 204);
    }
);

fn first_response_minutes(r: &serde_json::Value, priority: &str, category: &str) -> i64 {
    r["effective"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["priority"] == priority && t["category"] == category)
        .unwrap()["first_response_minutes"]
        .as_i64()
        .unwrap()
}

both!(
    sla_policies_and_the_calendar_set_by_api_apply_to_new_tickets,
    async |app: &TestApp| {
        let (s, r) = app
            .json("get", "/api/sla/policies", Who::Manager, None)
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["effective"].as_array().unwrap().len(), 20);
        assert_eq!(first_response_minutes(&r, "urgent", "technical"), 60);
        let (s, p) = app
            .json(
                "post",
                "/api/sla/policies",
                Who::Manager,
                Some(&json!({"priority": "urgent", "first_response_minutes": 15,
                             "resolution_minutes": 120})),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let (s, _) = app
            .json(
                "post",
                "/api/sla/policies",
                Who::Admin,
                Some(&json!({"priority": "urgent", "first_response_minutes": 5,
                             "resolution_minutes": 60})),
            )
            .await;
        assert_eq!(s, 409, "one policy per priority and category");
        let (_, r) = app
            .json("get", "/api/sla/policies", Who::Manager, None)
            .await;
        assert_eq!(first_response_minutes(&r, "urgent", "technical"), 15);
        let t = app
            .ticket(
                "URGENT: the site is down",
                "Nothing loads since this morning",
            )
            .await;
        let (_, detail) = app
            .json("get", &format!("/api/tickets/{}", t.id), Who::Agent, None)
            .await;
        assert_eq!(detail["priority"], "urgent", "{detail}");
        assert_eq!(
            detail["sla"]["first_response"]["target_secs"], 900,
            "{detail}"
        );
        let id = p["id"].as_str().unwrap();
        let (s, r) = app
            .json(
                "patch",
                &format!("/api/sla/policies/{id}"),
                Who::Manager,
                Some(&json!({"first_response_minutes": 30})),
            )
            .await;
        assert_eq!((s, &r["first_response_minutes"]), (200, &json!(30)), "{r}");
        let (s, r) = app
            .json(
                "patch",
                &format!("/api/sla/policies/{id}"),
                Who::Manager,
                Some(&json!({"resolution_minutes": 0})),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        let (s, _) = app
            .json(
                "delete",
                &format!("/api/sla/policies/{id}"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 204);
        let (_, r) = app
            .json("get", "/api/sla/policies", Who::Manager, None)
            .await;
        assert_eq!(
            first_response_minutes(&r, "urgent", "technical"),
            60,
            "back to the file's"
        );

        let (s, r) = app
            .json(
                "put",
                "/api/sla/calendar",
                Who::Manager,
                Some(&json!({"time_zone": "Mars/Olympus_Mons", "monday": ["09:00-17:00"]})),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        let (s, r) = app
            .json(
                "put",
                "/api/sla/calendar",
                Who::Manager,
                Some(&json!({"time_zone": "Europe/Berlin", "monday": ["25:00-26:00"]})),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        let week = json!({"time_zone": "Europe/Berlin", "monday": ["09:00-17:00"],
            "tuesday": ["09:00-17:00"], "holidays": ["2026-12-25"]});
        let (s, r) = app
            .json("put", "/api/sla/calendar", Who::Manager, Some(&week))
            .await;
        assert_eq!(s, 200, "{r}");
        let (_, r) = app.json("get", "/api/sla/calendar", Who::Admin, None).await;
        assert_eq!(r["source"], "api");
        assert_eq!(r["calendar"]["holidays"], json!(["2026-12-25"]));
        assert_eq!(r["calendar"]["tuesday"], json!(["09:00-17:00"]));
        let (s, _) = app
            .json("delete", "/api/sla/calendar", Who::Manager, None)
            .await;
        assert_eq!(s, 204);
        let (_, r) = app.json("get", "/api/sla/calendar", Who::Admin, None).await;
        assert_eq!(r["source"], "configuration");
    }
);
