//! Outbound webhooks reach public addresses only (unless configured), checked at creation and
//! again at connect time, and their URLs are never shown or logged with a password or query.

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both;
use crate::helpers::{ALLOW_LOOPBACK_WEBHOOKS, TestApp, Who};

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

/// Stores a subscription as it is, past the API's checks: as if its name resolved to a public
/// address when it was created and to another one now, or it was stored before the checks.
async fn stored_hook(app: &TestApp, url: &str) {
    let now = chrono::Utc::now();
    app.state
        .db()
        .save_webhook(&frontdesk_domain::webhook::Subscription {
            id: uuid::Uuid::now_v7(),
            url: url.to_owned(),
            secret: "0123456789abcdef0123".to_owned(),
            events: frontdesk_domain::webhook::EventSelection::Only(vec![
                frontdesk_domain::webhook::PublicEvent::TicketCreated,
            ]),
            active: true,
            created_at: now - chrono::TimeDelta::seconds(5),
            updated_at: now,
        })
        .await
        .unwrap();
}

both!(
    webhooks_to_internal_or_encoded_addresses_are_refused_by_default,
    async |app: &TestApp| {
        let server = receiver(204).await;
        let port = server.address().port();
        for url in [
            format!("http://127.0.0.1:{port}/hook"),
            format!("http://localhost:{port}/hook"),
            "http://2130706433/hook".to_owned(),
            "http://0x7f000001/hook".to_owned(),
            "http://0177.0.0.1/hook".to_owned(),
            "http://127.1/hook".to_owned(),
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "http://10.0.0.1/hook".to_owned(),
            "http://172.16.0.1/hook".to_owned(),
            "http://192.168.1.1/hook".to_owned(),
            "http://100.64.0.1/hook".to_owned(),
            "http://0.0.0.0/hook".to_owned(),
            "http://[::1]/hook".to_owned(),
            "http://[fc00::1]/hook".to_owned(),
            "http://[fe80::1]/hook".to_owned(),
            "http://[::ffff:127.0.0.1]/hook".to_owned(),
            "http://[::ffff:a9fe:a9fe]/hook".to_owned(),
            "http://[64:ff9b::7f00:1]/hook".to_owned(),
            "file:///etc/passwd".to_owned(),
            "gopher://127.0.0.1:70/_x".to_owned(),
        ] {
            let response = app
                .call(
                    "post",
                    "/api/outbound-webhooks",
                    Who::Manager,
                    Some(&json!({"url": url})),
                )
                .await;
            assert_eq!(response.status(), 422, "{url}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let problem: serde_json::Value = response.json().await.unwrap();
            assert!(problem["errors"]["url"].is_string(), "{url}: {problem}");
        }
        let (_, listed) = app
            .json("get", "/api/outbound-webhooks", Who::Manager, None)
            .await;
        assert_eq!(listed, json!([]), "nothing was created");

        // A public address is fine; moving it to loopback afterwards is not.
        let (s, hook) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(&json!({"url": "https://93.184.215.14/hook"})),
            )
            .await;
        assert_eq!(s, 201, "{hook}");
        let (s, r) = app
            .json(
                "patch",
                &format!("/api/outbound-webhooks/{}", hook["id"].as_str().unwrap()),
                Who::Manager,
                Some(&json!({"url": format!("http://0x7f000001:{port}/hook")})),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        assert!(
            r["errors"]["url"].as_str().unwrap().contains("loopback"),
            "{r}"
        );
        assert!(server.received_requests().await.unwrap().is_empty());
    }
);

both!(
    a_stored_webhook_whose_host_now_resolves_to_loopback_is_not_delivered,
    async |app: &TestApp| {
        let server = receiver(204).await;
        let port = server.address().port();
        stored_hook(
            app,
            &format!("http://localhost:{port}/hook?api_key=SECRET-KEY"),
        )
        .await;
        stored_hook(app, &format!("http://2130706433:{port}/hook")).await;
        app.ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        assert!(
            server.received_requests().await.unwrap().is_empty(),
            "nothing reached the local server"
        );
        let jobs =
            frontdesk_adapters_db::testing::jobs_of_kind(app.state.db(), "deliver_webhook").await;
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        for (state, error) in &jobs {
            let error = error.as_deref().unwrap();
            assert_eq!(state, "failed", "{error}");
            assert!(error.contains("loopback"), "{error}");
            assert!(!error.contains("SECRET-KEY"), "{error}");
        }
    }
);

both!(
    allowed_internal_targets_are_delivered_to,
    ALLOW_LOOPBACK_WEBHOOKS,
    async |app: &TestApp| {
        let server = receiver(204).await;
        let port = server.address().port();
        let (s, hook) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(&json!({"url": format!("http://2130706433:{port}/hook"),
                             "events": ["ticket.created"]})),
            )
            .await;
        assert_eq!(s, 201, "{hook}");
        assert_eq!(
            hook["url"],
            format!("http://127.0.0.1:{port}/hook"),
            "stored normalised"
        );
        // Only the allowed address: localhost may also be ::1, and 127.0.0.2 is not allowed.
        let (s, r) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(&json!({"url": format!("http://127.0.0.2:{port}/hook")})),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        app.ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
);

both!(
    webhook_urls_are_listed_and_logged_without_their_password_or_query,
    ALLOW_LOOPBACK_WEBHOOKS,
    async |app: &TestApp| {
        let server = receiver(503).await;
        let port = server.address().port();
        let url = format!("http://crm:hunter2-pw@127.0.0.1:{port}/in?api_key=SECRET-KEY");
        let (s, created) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(&json!({"url": url, "events": ["ticket.created"]})),
            )
            .await;
        assert_eq!(s, 201, "{created}");
        let redacted = format!("http://crm:***@127.0.0.1:{port}/in?***");
        assert_eq!(created["url"], redacted);
        let (_, listed) = app
            .json("get", "/api/outbound-webhooks", Who::Admin, None)
            .await;
        assert_eq!(listed[0]["url"], redacted);
        let (_, patched) = app
            .json(
                "patch",
                &format!("/api/outbound-webhooks/{}", created["id"].as_str().unwrap()),
                Who::Manager,
                Some(&json!({"events": ["ticket.created"]})),
            )
            .await;
        for shown in [&created, &listed, &patched] {
            let text = shown.to_string();
            assert!(
                !text.contains("hunter2-pw") && !text.contains("SECRET-KEY"),
                "{text}"
            );
        }

        // A second one where nothing listens: the connection error carries no URL of its own.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        let (s, r) = app
            .json(
                "post",
                "/api/outbound-webhooks",
                Who::Manager,
                Some(
                    &json!({"url": format!("http://127.0.0.1:{closed_port}/x?token=SECRET-KEY"),
                             "events": ["ticket.created"]}),
                ),
            )
            .await;
        assert_eq!(s, 201, "{r}");

        // The receivers are down: the deliveries fail, and their errors name the redacted URLs.
        app.ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "the full URL is used"
        );
        let jobs =
            frontdesk_adapters_db::testing::jobs_of_kind(app.state.db(), "deliver_webhook").await;
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        for (state, error) in &jobs {
            assert_eq!(state, "queued", "retried later: {jobs:?}");
            let error = error.as_deref().unwrap();
            assert!(error.contains("?***"), "{error}");
            assert!(
                !error.contains("hunter2-pw") && !error.contains("SECRET-KEY"),
                "{error}"
            );
        }
        assert!(
            jobs.iter()
                .any(|(_, e)| e.as_deref().unwrap().contains(&redacted))
        );
    }
);

/// The delivery log of webhook `id`, as a manager reads it.
async fn log_of(app: &TestApp, id: &str, query: &str) -> serde_json::Value {
    let (status, page) = app
        .json(
            "get",
            &format!("/api/outbound-webhooks/{id}/deliveries{query}"),
            Who::Manager,
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page
}

async fn subscribe(app: &TestApp, url: String) -> String {
    let (status, hook) = app
        .json(
            "post",
            "/api/outbound-webhooks",
            Who::Manager,
            Some(&json!({"url": url, "events": ["ticket.created"]})),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    hook["id"].as_str().unwrap().to_owned()
}

both!(
    the_delivery_log_shows_each_attempt_and_redelivers_what_is_over,
    ALLOW_LOOPBACK_WEBHOOKS,
    async |app: &TestApp| {
        let ok = receiver(200).await;
        let down = receiver(503).await;
        let ok_id = subscribe(app, format!("{}/hook", ok.uri())).await;
        let down_id = subscribe(app, format!("{}/hook", down.uri())).await;
        app.ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();

        let page = log_of(app, &ok_id, "").await;
        let first = &page["items"][0];
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        assert_eq!(first["state"], "delivered", "{first}");
        assert_eq!(first["http_status"], 200);
        assert_eq!(first["attempts"], 1);
        assert_eq!(first["event"], "ticket.created");
        assert!(first["last_error"].is_null() && first["next_attempt_at"].is_null());
        let retrying = log_of(app, &down_id, "").await["items"][0].clone();
        assert_eq!(retrying["state"], "retrying", "{retrying}");
        assert_eq!(retrying["http_status"], 503);
        assert!(retrying["last_error"].as_str().unwrap().contains("503"));
        assert!(retrying["next_attempt_at"].is_string());

        // Only what is over is sent again.
        let again = |hook: &str, delivery: &serde_json::Value| {
            format!(
                "/api/outbound-webhooks/{hook}/deliveries/{}/redeliver",
                delivery["id"].as_str().unwrap()
            )
        };
        let (status, problem) = app
            .json("post", &again(&down_id, &retrying), Who::Manager, None)
            .await;
        assert_eq!(status, 409, "{problem}");
        let (status, problem) = app
            .json("post", &again(&down_id, first), Who::Manager, None)
            .await;
        assert_eq!(status, 404, "another webhook's delivery: {problem}");
        let (status, queued) = app
            .json("post", &again(&ok_id, first), Who::Admin, None)
            .await;
        assert_eq!(status, 202, "{queued}");
        assert_eq!(queued["state"], "pending");
        assert_eq!(queued["redelivery_of"], first["id"]);
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        let received = ok.received_requests().await.unwrap();
        assert_eq!(received.len(), 2, "sent again");
        assert_eq!(
            received[0].headers["x-frontdesk-delivery"],
            received[1].headers["x-frontdesk-delivery"]
        );
        assert_eq!(received[0].body, received[1].body);
        let page = log_of(app, &ok_id, "").await;
        assert_eq!(page["items"][0]["state"], "delivered", "{page}");
        assert_eq!(page["items"][0]["redelivery_of"], first["id"]);

        // Pages, newest first.
        let newest = log_of(app, &ok_id, "?limit=1").await;
        assert_eq!(newest["items"].as_array().unwrap().len(), 1);
        let next = newest["next"].as_str().unwrap();
        let older = log_of(app, &ok_id, &format!("?limit=1&before={next}")).await;
        assert_eq!(older["items"][0]["id"], first["id"]);
        assert!(older["next"].is_null());

        // Paused before it ran: skipped, and not sent again while paused.
        app.ticket("Broken lid", "The lid cracked").await;
        app.state
            .db()
            .dispatch_webhook_events(100, chrono::Utc::now())
            .await
            .unwrap();
        let pause = |active: bool| json!({ "active": active });
        let path = format!("/api/outbound-webhooks/{ok_id}");
        app.json("patch", &path, Who::Manager, Some(&pause(false)))
            .await;
        frontdesk_poller::daemon::maintain(&app.state.app, &|| false)
            .await
            .unwrap();
        let skipped = log_of(app, &ok_id, "").await["items"][0].clone();
        assert_eq!(skipped["state"], "skipped", "{skipped}");
        assert!(skipped["http_status"].is_null());
        assert_eq!(ok.received_requests().await.unwrap().len(), 2);
        let (status, _) = app
            .json("post", &again(&ok_id, &skipped), Who::Manager, None)
            .await;
        assert_eq!(status, 409, "paused");

        for (query, want) in [("?limit=0", 422), ("?limit=201", 422), ("?before=x", 400)] {
            let (status, _) = app
                .json(
                    "get",
                    &format!("/api/outbound-webhooks/{ok_id}/deliveries{query}"),
                    Who::Manager,
                    None,
                )
                .await;
            assert_eq!(status, want, "{query}");
        }
        let (status, _) = app
            .json(
                "get",
                &format!("/api/outbound-webhooks/{}/deliveries", uuid::Uuid::now_v7()),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(status, 404);
        // Removing the webhook removes its log.
        app.json("delete", &path, Who::Manager, None).await;
        let (status, _) = app
            .json("get", &format!("{path}/deliveries"), Who::Manager, None)
            .await;
        assert_eq!(status, 404);
    }
);
