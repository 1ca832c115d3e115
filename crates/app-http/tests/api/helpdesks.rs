//! Zendesk and Intercom conversations through their signed webhooks.

use base64::Engine as _;
use chrono::{TimeDelta, Utc};
use frontdesk_http::auth::shared::Signer;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{INTERCOM_SECRET, TestApp, Who, ZENDESK_SECRET};

async fn zendesk(
    app: &TestApp,
    body: &Value,
    at: chrono::DateTime<Utc>,
    secret: &str,
) -> (u16, Value) {
    let raw = body.to_string();
    let timestamp = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let signature = base64::engine::general_purpose::STANDARD
        .encode(Signer::sha256(secret).sign(format!("{timestamp}{raw}").as_bytes()));
    let r = app
        .client
        .post(app.url("/api/webhooks/zendesk"))
        .header("content-type", "application/json")
        .header("x-zendesk-webhook-signature", signature)
        .header("x-zendesk-webhook-signature-timestamp", timestamp)
        .body(raw)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn intercom(app: &TestApp, body: &Value, secret: &str) -> (u16, Value) {
    let raw = body.to_string();
    let signature = hex::encode(Signer::sha1(secret).sign(raw.as_bytes()));
    let r = app
        .client
        .post(app.url("/api/webhooks/intercom"))
        .header("content-type", "application/json")
        .header("x-hub-signature", format!("sha1={signature}"))
        .body(raw)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn ticket(app: &TestApp, number: &Value) -> Value {
    let (s, t) = app
        .json(
            "get",
            &format!("/api/tickets/{}", number.as_str().unwrap()),
            Who::Agent,
            None,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    t
}

both!(
    a_zendesk_ticket_and_its_comments_become_one_classified_ticket,
    async |app: &TestApp| {
        let opened = json!({"ticket": {
            "id": 4711, "title": "Refund for order 5512\r\nBcc: evil@attacker.test",
            "description": "I was charged twice, please refund one payment.",
            "requester": {"email": "zoe@customer.test", "name": "Zoe Z"}}});
        let (s, r) = zendesk(app, &opened, Utc::now(), ZENDESK_SECRET).await;
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["outcome"], "created");
        let number = r["ticket"].clone();
        let t = ticket(app, &number).await;
        assert_eq!(t["channel"], "zendesk", "{t}");
        assert_eq!(t["category"], "billing", "{t}");
        assert_eq!(t["customer"]["email"], "zoe@customer.test", "{t}");
        let subject = t["subject"].as_str().unwrap();
        assert!(
            !subject.contains('\n') && !subject.contains('\r'),
            "{subject}"
        );
        // Zendesk retries a delivery it is unsure of: nothing doubles.
        let (s, r) = zendesk(app, &opened, Utc::now(), ZENDESK_SECRET).await;
        assert_eq!((s, r["outcome"].as_str()), (200, Some("duplicate")), "{r}");
        let comment = json!({"ticket": opened["ticket"].clone(),
            "comment": {"id": "901", "body": "Any news on the refund?",
                        "author": {"email": "zoe@customer.test"}}});
        let (s, r) = zendesk(app, &comment, Utc::now(), ZENDESK_SECRET).await;
        assert_eq!((s, r["outcome"].as_str()), (200, Some("appended")), "{r}");
        assert_eq!(r["ticket"], number);
        let t = ticket(app, &number).await;
        assert_eq!(t["messages"].as_array().unwrap().len(), 2, "{t}");

        let (s, _) = zendesk(app, &opened, Utc::now(), "not-the-zendesk-secret").await;
        assert_eq!(s, 401, "a wrong signature");
        let (s, r) = zendesk(
            app,
            &opened,
            Utc::now() - TimeDelta::hours(1),
            ZENDESK_SECRET,
        )
        .await;
        assert_eq!(s, 401, "an old signed delivery is a replay: {r}");
        let (s, r) = zendesk(
            app,
            &json!({"ticket": {"id": 1}}),
            Utc::now(),
            ZENDESK_SECRET,
        )
        .await;
        assert_eq!(s, 422, "{r}");
        let bad_address =
            json!({"ticket": {"id": 2, "title": "x", "requester": {"email": "not an address"}}});
        let (s, r) = zendesk(app, &bad_address, Utc::now(), ZENDESK_SECRET).await;
        assert_eq!(s, 422, "{r}");
    }
);

fn conversation(parts: Value) -> Value {
    json!({"type": "conversation", "id": "215468",
        "source": {"type": "conversation", "subject": "",
                   "body": "<p>My <b>app</b> crashes with an error on start.</p>",
                   "author": {"type": "user", "id": "5f1", "name": "Ivy", "email": "ivy@customer.test"}},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts}})
}

both!(
    an_intercom_conversation_and_the_users_replies_become_one_ticket,
    async |app: &TestApp| {
        let (s, r) = intercom(
            app,
            &json!({"type": "notification_event", "topic": "ping",
            "data": {"item": {"type": "ping", "message": "hello"}}}),
            INTERCOM_SECRET,
        )
        .await;
        assert_eq!((s, &r["ignored"]), (200, &json!("ping")), "{r}");
        let created = json!({"type": "notification_event", "topic": "conversation.user.created",
            "data": {"item": conversation(json!([]))}});
        let (s, r) = intercom(app, &created, INTERCOM_SECRET).await;
        assert_eq!(s, 201, "{r}");
        let number = r["ticket"].clone();
        let t = ticket(app, &number).await;
        assert_eq!(t["channel"], "intercom");
        assert_eq!(t["category"], "technical", "{t}");
        assert!(
            t["messages"][0]["body"]
                .as_str()
                .unwrap()
                .contains("crashes"),
            "{t}"
        );
        // An agent's part (in Intercom) is not a customer message.
        let admin_part = json!({"type": "notification_event", "topic": "conversation.user.replied",
            "data": {"item": conversation(json!([{"id": "77", "part_type": "comment",
                "body": "<p>We are on it</p>", "author": {"type": "admin", "id": "1"}}]))}});
        let (s, r) = intercom(app, &admin_part, INTERCOM_SECRET).await;
        assert_eq!(s, 200, "{r}");
        assert!(r["ignored"].is_string(), "{r}");
        let replied = json!({"type": "notification_event", "topic": "conversation.user.replied",
            "data": {"item": conversation(json!([{"id": "78", "part_type": "comment",
                "body": "<p>Still crashing</p>", "author": {"type": "user", "id": "5f1"}}]))}});
        let (s, r) = intercom(app, &replied, INTERCOM_SECRET).await;
        assert_eq!((s, r["outcome"].as_str()), (200, Some("appended")), "{r}");
        assert_eq!(r["ticket"], number);
        let (s, _) = intercom(app, &replied, "a-different-client-secret").await;
        assert_eq!(s, 401);
        let mut anonymous = created.clone();
        anonymous["data"]["item"]["id"] = json!("999");
        anonymous["data"]["item"]["source"]["author"] = json!({"type": "lead", "id": "x"});
        let (s, r) = intercom(app, &anonymous, INTERCOM_SECRET).await;
        assert_eq!(s, 422, "no address to answer: {r}");
    }
);
