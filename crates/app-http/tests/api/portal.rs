//! The portal's password-free sign-in (issue 19): a single-use link valid 15 minutes, mailed to
//! the address typed; the same answer for every address; limited per address; using it proves
//! the address and shows every ticket of it; it never lends an unproven registration's password.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, login};
use crate::registration::mails;

async fn ask(app: &TestApp, email: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/portal-link",
        Who::Anonymous,
        Some(&json!({ "email": email })),
    )
    .await
}

async fn use_link(app: &TestApp, token: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/portal-link/use",
        Who::Anonymous,
        Some(&json!({ "token": token })),
    )
    .await
}

/// The token of the one portal link mailed to `to` since the last look.
async fn link_to(app: &TestApp, to: &str) -> String {
    let sent: Vec<_> = mails(app)
        .await
        .into_iter()
        .filter(|m| m.to[0].as_str() == to)
        .collect();
    assert_eq!(sent.len(), 1, "one link to {to}");
    assert_eq!(sent[0].subject, "Your sign-in link");
    let body = &sent[0].body_text;
    let at = body.find("/portal/link?token=").expect("a link") + "/portal/link?token=".len();
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect()
}

both!(
    a_mailed_link_signs_a_customer_in_once_and_shows_every_ticket_of_the_address,
    async |app: &TestApp| {
        mails(app).await;
        // A customer who only ever mailed in: a ticket, no account.
        let (status, _) = app
            .json(
                "post",
                "/api/tickets",
                Who::Agent,
                Some(
                    &json!({"subject": "Phone call: refund", "description": "Called in",
                             "customer_email": "dora@customer.test"}),
                ),
            )
            .await;
        assert_eq!(status, 201);
        mails(app).await;
        // The same answer for a customer, a staff member, the helpdesk itself and a stranger.
        let staff = app.agent.email.to_string();
        let mut answers = Vec::new();
        for email in [
            "dora@customer.test",
            staff.as_str(),
            "support@frontdesk.test",
            "x@y.test",
        ] {
            answers.push(ask(app, email).await);
        }
        assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
        assert_eq!(answers[0].0, 202);
        let queued = mails(app).await;
        let to: Vec<&str> = queued.iter().map(|m| m.to[0].as_str()).collect();
        assert!(
            to.contains(&"dora@customer.test") && to.contains(&"x@y.test"),
            "{to:?}"
        );
        assert!(!to.contains(&staff.as_str()) && !to.contains(&"support@frontdesk.test"));

        assert_eq!(ask(app, "dora@customer.test").await.0, 202);
        let token = link_to(app, "dora@customer.test").await;
        let (status, tokens) = use_link(app, &token).await;
        assert_eq!(status, 200, "{tokens}");
        let list: Value = app
            .client
            .get(app.url("/api/tickets"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["subject"], "Phone call: refund");
        // Once only; a made-up or expired link never.
        assert_eq!(use_link(app, &token).await.0, 400);
        assert_eq!(
            use_link(app, "fdp_made-up-made-up-made-up-made-up").await.0,
            400
        );
        let stale = "fdp_stale-stale-stale-stale-stale-stale";
        let now = chrono::Utc::now();
        let email = frontdesk_domain::email::EmailAddress::parse("dora@customer.test").unwrap();
        let mail = app.state.desk().portal_link_mail(&email, "x");
        app.state
            .db()
            .issue_portal_link(
                &email,
                &frontdesk_http::auth::tokens::digest(stale),
                now - chrono::TimeDelta::minutes(1),
                mail,
                now - chrono::TimeDelta::minutes(16),
            )
            .await
            .unwrap();
        assert_eq!(use_link(app, stale).await.0, 400);
        // A link has no password: no password signs the account in.
        assert_eq!(login(app, "dora@customer.test", "").await.0 / 100, 4);
    }
);

both!(
    a_link_never_lends_an_unproven_registrations_password_and_is_limited,
    async |app: &TestApp| {
        mails(app).await;
        // Mallory registers Erin's address with his own password; Erin never confirms it.
        let (status, _) = app
            .json(
                "post",
                "/api/auth/register",
                Who::Anonymous,
                Some(&json!({"email": "erin@customer.test", "password": "mallory's passphrase"})),
            )
            .await;
        assert_eq!(status, 202);
        mails(app).await;
        assert_eq!(ask(app, "erin@customer.test").await.0, 202);
        let token = link_to(app, "erin@customer.test").await;
        assert_eq!(use_link(app, &token).await.0, 200);
        assert_eq!(
            login(app, "erin@customer.test", "mallory's passphrase")
                .await
                .0,
            401,
            "the unproven password is gone"
        );
        // Three links an address in 15 minutes, whoever asks.
        for _ in 0..2 {
            assert_eq!(ask(app, "erin@customer.test").await.0, 202);
        }
        let (status, problem) = ask(app, "erin@customer.test").await;
        assert_eq!(status, 429, "{problem}");
        // Alice, with a password, still signs in with it.
        assert_eq!(login(app, &app.customer.to_string(), PASSWORD).await.0, 200);
        assert_eq!(ask(app, "not an address").await.0, 422);
    }
);
