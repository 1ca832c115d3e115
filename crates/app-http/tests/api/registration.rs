//! Customer registration with a proven address (issue 15, item 1): nothing is visible before
//! the mailed link is used with the registration's password, the answer never tells whether an
//! address has an account, the helpdesk's own address cannot be registered, and admins keep the
//! accounts.

use frontdesk_domain::ports::{Job, JobQueue as _, OutboundEmail};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, login};

async fn register(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/register",
        Who::Anonymous,
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

async fn verify(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/verify",
        Who::Anonymous,
        Some(&json!({"token": token, "password": password})),
    )
    .await
}

/// The mails queued since the last call (claimed, so each is seen once).
pub(crate) async fn mails(app: &TestApp) -> Vec<OutboundEmail> {
    let claimed = app
        .state
        .db()
        .claim(chrono::Utc::now(), chrono::TimeDelta::minutes(5), 100)
        .await
        .unwrap();
    claimed
        .into_iter()
        .filter_map(|c| match c.job {
            Job::SendEmail(m) => Some(*m),
            _ => None,
        })
        .collect()
}

/// The token of the confirmation link in `mail`.
pub(crate) fn token_in(mail: &OutboundEmail) -> String {
    let at = mail.body_text.find("token=").expect("a confirmation link") + "token=".len();
    mail.body_text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect()
}

async fn alices_tickets(app: &TestApp, token: &str) -> Value {
    let r = app
        .client
        .get(app.url("/api/tickets"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

both!(
    registering_someone_elses_address_shows_nothing_until_the_mailed_link_is_used,
    async |app: &TestApp| {
        app.ticket("My order 1234", "Where is it?").await;
        let attacker_password = "mallory's own passphrase";
        // Alice (who mailed in) has an account in the fixture; pretend she had none.
        app.state
            .db()
            .delete_customer_account(&app.customer)
            .await
            .unwrap();
        mails(app).await;

        let (status, answer) = register(app, "alice@customer.test", attacker_password).await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(answer["status"], "confirmation_sent");
        assert!(
            answer.get("access_token").is_none(),
            "no tokens before the address is proven"
        );
        let (status, refused) = login(app, "alice@customer.test", attacker_password).await;
        assert_eq!(status, 403, "{refused}");

        let sent = mails(app).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to[0].as_str(), "alice@customer.test");
        assert!(sent[0].ticket_id.is_none());
        let token = token_in(&sent[0]);
        assert!(token.len() >= 40, "{token}");
        // Whoever only sees the mailbox (a link scanner, say) lacks the password.
        assert_eq!(verify(app, &token, "a guess at the password").await.0, 422);
        // The right password with the link: confirmed and signed in, once.
        let (status, tokens) = verify(app, &token, attacker_password).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["user"]["role"], "customer");
        let listed = alices_tickets(app, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(listed["total"], 1, "{listed}");
        assert_eq!(
            verify(app, &token, attacker_password).await.0,
            400,
            "single use"
        );
    }
);

both!(
    the_answer_is_the_same_for_new_taken_and_staff_addresses,
    async |app: &TestApp| {
        mails(app).await;
        let new = register(app, "carol@customer.test", PASSWORD).await;
        let existing = register(app, "alice@customer.test", "another passphrase here").await;
        let staff = register(app, "Agent@Frontdesk.test", "another passphrase here").await;
        assert_eq!(new, existing);
        assert_eq!(new, staff);
        let sent = mails(app).await;
        let to: Vec<&str> = sent.iter().map(|m| m.to[0].as_str()).collect();
        assert_eq!(to.len(), 3, "{to:?}");
        assert!(sent.iter().any(|m| m.subject == "Confirm your address"));
        assert_eq!(
            sent.iter()
                .filter(|m| m.subject == "Your account already exists")
                .count(),
            2
        );
        // Nothing changed for the taken addresses.
        assert_eq!(login(app, "alice@customer.test", PASSWORD).await.0, 200);
        assert_eq!(login(app, "agent@frontdesk.test", PASSWORD).await.0, 200);
    }
);

both!(
    the_helpdesks_own_address_can_never_be_registered,
    async |app: &TestApp| {
        for own in ["support@frontdesk.test", "<Support@Frontdesk.test>"] {
            let (status, problem) = register(app, own, PASSWORD).await;
            assert_eq!(status, 422, "{problem}");
            assert!(problem["errors"]["email"].is_string(), "{problem}");
        }
    }
);

both!(
    a_new_registration_replaces_the_pending_link_and_password,
    async |app: &TestApp| {
        mails(app).await;
        register(app, "dora@customer.test", "first passphrase of dora").await;
        let first = token_in(&mails(app).await[0]);
        register(app, "dora@customer.test", "second passphrase of dora").await;
        let second = token_in(&mails(app).await[0]);
        assert_eq!(verify(app, &first, "first passphrase of dora").await.0, 400);
        assert_eq!(
            verify(app, &second, "first passphrase of dora").await.0,
            422
        );
        assert_eq!(
            verify(app, &second, "second passphrase of dora").await.0,
            200
        );
    }
);

both!(
    registration_is_rate_limited_per_client_and_per_address,
    async |app: &TestApp| {
        for _ in 0..3 {
            assert_eq!(register(app, "erin@customer.test", PASSWORD).await.0, 202);
        }
        let (status, problem) = register(app, "erin@customer.test", PASSWORD).await;
        assert_eq!(status, 429, "{problem}");
        let mut statuses = Vec::new();
        for i in 0..10 {
            statuses.push(
                register(app, &format!("user{i}@customer.test"), PASSWORD)
                    .await
                    .0,
            );
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count(),
            4,
            "{statuses:?}"
        );
    }
);

both!(
    admins_list_deactivate_and_delete_customer_accounts,
    async |app: &TestApp| {
        let (status, listed) = app.json("get", "/api/customers", Who::Admin, None).await;
        assert_eq!(status, 200);
        let alice = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == "alice@customer.test")
            .unwrap();
        assert_eq!(alice["confirmed"], true);
        assert!(alice.get("password_hash").is_none());
        let (_, tokens) = login(app, "alice@customer.test", PASSWORD).await;
        let refresh = tokens["refresh_token"].as_str().unwrap();

        let path = "/api/customers/alice@customer.test";
        let (status, changed) = app
            .json("patch", path, Who::Admin, Some(&json!({"active": false})))
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["active"], false);
        assert_eq!(login(app, "alice@customer.test", PASSWORD).await.0, 401);
        let (status, _) = app
            .json(
                "post",
                "/api/auth/refresh",
                Who::Anonymous,
                Some(&json!({"refresh_token": refresh})),
            )
            .await;
        assert_eq!(status, 401, "deactivation ends every sign-in");
        assert_eq!(
            app.json("get", "/api/auth/me", Who::Customer, None).await.0,
            401
        );

        assert_eq!(app.json("delete", path, Who::Admin, None).await.0, 204);
        assert_eq!(app.json("delete", path, Who::Admin, None).await.0, 404);
        let (_, listed) = app.json("get", "/api/customers", Who::Admin, None).await;
        assert!(!listed.to_string().contains("alice@customer.test"));
    }
);

both!(
    the_mailed_link_opens_a_page_that_confirms_with_the_password,
    async |app: &TestApp| {
        mails(app).await;
        register(app, "fay@customer.test", "fay's own passphrase").await;
        let token = token_in(&mails(app).await[0]);
        let page = app
            .client
            .get(app.url(&format!("/verify-email?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("form-action 'self'")
                && csp.contains("style-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<label for=\"password\">Password</label>"),
            "{html}"
        );
        // Its one stylesheet, from this server (the CSP allows nothing else).
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/assets/portal.css\">"),
            "{html}"
        );
        let css = app
            .client
            .get(app.url("/assets/portal.css"))
            .send()
            .await
            .unwrap();
        assert_eq!(css.status(), 200);
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert!(
            css.text()
                .await
                .unwrap()
                .contains("prefers-color-scheme: dark")
        );
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let post = |password: &'static str, cookie: Option<String>, csrf: String| {
            let mut r = app.client.post(app.url("/verify-email")).form(&[
                ("token", token.as_str()),
                ("csrf", csrf.as_str()),
                ("password", password),
            ]);
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r.send()
        };
        let forged = post("fay's own passphrase", None, csrf.clone())
            .await
            .unwrap();
        assert_eq!(
            forged.status(),
            403,
            "a form posted without the page's cookie"
        );
        let wrong = post("not fay's passphrase", Some(cookie.clone()), csrf.clone())
            .await
            .unwrap();
        assert_eq!(wrong.status(), 422);
        let html = wrong.text().await.unwrap();
        assert!(
            html.contains("role=\"alert\"") && html.contains("aria-invalid=\"true\""),
            "{html}"
        );
        let done = post("fay's own passphrase", Some(cookie), csrf)
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
        assert!(
            done.text()
                .await
                .unwrap()
                .contains("fay@customer.test</strong> is confirmed")
        );
        assert_eq!(
            login(app, "fay@customer.test", "fay's own passphrase")
                .await
                .0,
            200
        );

        let bogus = app
            .client
            .get(app.url("/verify-email?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
            .send()
            .await
            .unwrap();
        assert_eq!(bogus.status(), 400);
        assert!(!bogus.text().await.unwrap().contains("<script>"));
    }
);
