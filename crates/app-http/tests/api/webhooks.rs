//! Mail and notices pushed to Frontdesk, and the operations endpoints that go with them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{GMAIL_TOKEN, INBOUND_SECRET, TestApp, Who};

async fn post_mail(app: &TestApp, secret: &str, content_type: &str, raw: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/webhooks/inbound-email"))
        .bearer_auth(secret)
        .header("content-type", content_type)
        .body(raw.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const FIRST: &str = "From: Dana <dana@customer.test>\r\nTo: support@frontdesk.test\r\n\
    Subject: Cannot log in to my account\r\nMessage-ID: <hook-1@customer.test>\r\n\r\n\
    The password reset link does not work.\r\n";

both!(
    raw_mail_posted_to_the_webhook_goes_through_the_intake,
    async |app: &TestApp| {
        let (status, created) = post_mail(app, INBOUND_SECRET, "message/rfc822", FIRST).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["outcome"], "created");
        assert_eq!(created["category"], "technical");
        let ticket = created["ticket"].as_str().unwrap().to_owned();
        let (status, again) = post_mail(app, INBOUND_SECRET, "message/rfc822", FIRST).await;
        assert_eq!(
            (status, again["outcome"].as_str()),
            (200, Some("duplicate"))
        );
        let reply = format!(
            "From: dana@customer.test\r\nTo: support@frontdesk.test\r\nSubject: Re: [{ticket}] Cannot log in\r\n\
             Message-ID: <hook-2@customer.test>\r\nIn-Reply-To: <hook-1@customer.test>\r\n\r\nStill broken.\r\n"
        );
        let (status, appended) =
            post_mail(app, INBOUND_SECRET, "message/rfc822; charset=utf-8", &reply).await;
        assert_eq!(
            (status, appended["outcome"].as_str()),
            (200, Some("appended"))
        );
        assert_eq!(appended["ticket"], ticket.as_str());

        let (status, _) =
            post_mail(app, "wrong-secret-wrong-secret", "message/rfc822", FIRST).await;
        assert_eq!(status, 401);
        let (status, _) = post_mail(app, INBOUND_SECRET, "application/json", FIRST).await;
        assert_eq!(status, 415);

        // No sender: kept in quarantine with its bytes, and the sender need not retry.
        let orphan = "Subject: who am I\r\nMessage-ID: <orphan@x.test>\r\n\r\nno from\r\n";
        let (status, kept) = post_mail(app, INBOUND_SECRET, "message/rfc822", orphan).await;
        assert_eq!(
            (status, kept["outcome"].as_str()),
            (202, Some("quarantined")),
            "{kept}"
        );
        let (status, entries) = app
            .json("get", "/api/admin/quarantine", Who::Manager, None)
            .await;
        assert_eq!(status, 200);
        let entry = &entries.as_array().unwrap()[0];
        assert_eq!(entry["source"], "webhook:inbound-email");
        assert!(entry["preview"].as_str().unwrap().contains("who am I"));
        let id = entry["id"].as_str().unwrap();
        let (status, problem) = app
            .json(
                "post",
                &format!("/api/admin/quarantine/{id}/reprocess"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let (_, entries) = app
            .json("get", "/api/admin/quarantine", Who::Manager, None)
            .await;
        assert_eq!(entries[0]["attempts"], 2);
    }
);

both!(poll_now_reads_the_mailboxes, async |app: &TestApp| {
    std::fs::write(app.maildir_new().join("1.eml"), FIRST).unwrap();
    let (status, passes) = app.json("post", "/api/admin/poll", Who::Admin, None).await;
    assert_eq!(status, 200, "{passes}");
    assert_eq!(passes[0]["created"], 1, "{passes}");
    let (_, list) = app.json("get", "/api/tickets", Who::Admin, None).await;
    assert_eq!(list["total"], 1);
});

both!(
    a_gmail_push_with_the_token_wakes_the_mailboxes,
    async |app: &TestApp| {
        use base64::Engine as _;
        std::fs::write(app.maildir_new().join("1.eml"), FIRST).unwrap();
        let data = base64::engine::general_purpose::STANDARD
            .encode(br#"{"emailAddress": "support@frontdesk.test", "historyId": 9876}"#);
        let push = json!({"message": {"data": data, "messageId": "1"}, "subscription": "projects/p/subscriptions/s"});
        let url = |token: &str| app.url(&format!("/api/webhooks/gmail?token={token}"));
        let r = app
            .client
            .post(url("wrong"))
            .json(&push)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let bad = json!({"message": {"data": "not base64 at all!"}});
        let r = app
            .client
            .post(url(GMAIL_TOKEN))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let r = app
            .client
            .post(url(GMAIL_TOKEN))
            .json(&push)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
        let mut total = 0;
        for _ in 0..50 {
            let (_, list) = app.json("get", "/api/tickets", Who::Admin, None).await;
            total = list["total"].as_u64().unwrap();
            if total == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            total, 1,
            "the push led to a pass that ingested the waiting mail"
        );
    }
);

#[test]
fn the_webhooks_typed_answer_has_the_import_lines_shape() {
    use frontdesk_domain::MessageId;
    use frontdesk_domain::ports::QuarantineKind;
    use frontdesk_domain::service::Received;
    use frontdesk_http::views::IntakeView;
    let quarantined = Received::Quarantined {
        message_id: MessageId::parse("x@y").unwrap(),
        error: "machine mail (bulk)".into(),
        kind: QuarantineKind::Machine,
    };
    assert_eq!(
        serde_json::to_value(IntakeView::of("webhook", &quarantined)).unwrap(),
        frontdesk_poller::import::line("webhook", &quarantined),
        "one contract for every way mail comes in"
    );
}
