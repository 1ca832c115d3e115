//! Staff invitations and password resets (issue 18): a new member is mailed a single-use,
//! expiring link to choose a password; an admin can mail a reset link; using a link signs the
//! member out everywhere; a newer link replaces an older one; deactivated members' links die.

use frontdesk_domain::access::{StaffLink, StaffLinkPurpose};
use frontdesk_domain::staff::StaffId;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, login};
use crate::registration::{mails, token_in};

const CHOSEN: &str = "a new member's own passphrase";

async fn set_password(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/set-password",
        Who::Anonymous,
        Some(&json!({"token": token, "password": password})),
    )
    .await
}

/// The one mail queued since the last look, to `to`: its subject and the link's token.
async fn mailed_link(app: &TestApp, to: &str) -> (String, String) {
    let sent = mails(app).await;
    assert_eq!(sent.len(), 1, "one mail: {sent:?}");
    assert_eq!(sent[0].to[0].as_str(), to);
    assert!(sent[0].body_text.contains("/set-password?token=fds_"));
    (sent[0].subject.clone(), token_in(&sent[0]))
}

both!(
    a_new_member_chooses_a_password_through_the_mailed_invitation_once,
    async |app: &TestApp| {
        mails(app).await;
        let (status, member) = app
            .json(
                "post",
                "/api/staff",
                Who::Admin,
                Some(
                    &json!({"email": "newcomer@frontdesk.test", "name": "Nia Newcomer",
                             "role": "agent"}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{member}");
        let (subject, first) = mailed_link(app, "newcomer@frontdesk.test").await;
        assert_eq!(subject, "You are invited to the helpdesk");
        // Nobody can sign in before the link is used.
        assert_eq!(login(app, "newcomer@frontdesk.test", CHOSEN).await.0, 401);

        // A second invitation replaces the first.
        let id = member["id"].as_str().unwrap();
        let (status, sent) = app
            .json(
                "post",
                &format!("/api/staff/{id}/invitation"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        assert_eq!(sent["status"], "invitation_sent");
        let (_, second) = mailed_link(app, "newcomer@frontdesk.test").await;
        assert_eq!(set_password(app, &first, CHOSEN).await.0, 400);

        // The password's rules hold, and a refused password does not spend the link.
        let (status, problem) = set_password(app, &second, "short").await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem["errors"]["password"].is_string(), "{problem}");
        let (status, tokens) = set_password(app, &second, CHOSEN).await;
        assert_eq!(status, 200, "{tokens}");
        assert!(tokens["access_token"].is_string());
        assert_eq!(login(app, "newcomer@frontdesk.test", CHOSEN).await.0, 200);
        // Once only.
        let (status, problem) = set_password(app, &second, "yet another passphrase").await;
        assert_eq!(status, 400, "{problem}");
        assert_eq!(login(app, "newcomer@frontdesk.test", CHOSEN).await.0, 200);
        // With a password given, no invitation is sent unless asked for.
        let (status, _) = app
            .json(
                "post",
                "/api/staff",
                Who::Admin,
                Some(&json!({"email": "ready@frontdesk.test", "name": "Ready",
                             "role": "agent", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 201);
        assert!(mails(app).await.is_empty());
    }
);

both!(
    a_reset_link_ends_every_sign_in_and_dies_with_deactivation_or_age,
    async |app: &TestApp| {
        mails(app).await;
        let agent = app.agent.email.to_string();
        let (_, signed_in) = login(app, &agent, PASSWORD).await;
        let refresh = signed_in["refresh_token"].as_str().unwrap().to_owned();
        let path = format!("/api/staff/{}/password-reset", app.agent.id);
        let (status, sent) = app.json("post", &path, Who::Admin, None).await;
        assert_eq!(status, 202, "{sent}");
        assert_eq!(sent["status"], "reset_sent");
        let (subject, token) = mailed_link(app, &agent).await;
        assert_eq!(subject, "Choose a new password");
        // The old password works until the link is used.
        assert_eq!(login(app, &agent, PASSWORD).await.0, 200);
        assert_eq!(set_password(app, &token, CHOSEN).await.0, 200);
        assert_eq!(login(app, &agent, PASSWORD).await.0, 401);
        assert_eq!(login(app, &agent, CHOSEN).await.0, 200);
        let (status, _) = app
            .json(
                "post",
                "/api/auth/refresh",
                Who::Anonymous,
                Some(&json!({"refresh_token": refresh})),
            )
            .await;
        assert_eq!(status, 401, "the sign-in from before the reset ended");

        // A link sent before deactivation does not work after it; none is sent after it.
        app.json("post", &path, Who::Admin, None).await;
        let (_, token) = mailed_link(app, &agent).await;
        let member = format!("/api/staff/{}", app.agent.id);
        let (status, _) = app
            .json(
                "patch",
                &member,
                Who::Admin,
                Some(&json!({"active": false})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(set_password(app, &token, PASSWORD).await.0, 400);
        let (status, problem) = app.json("post", &path, Who::Admin, None).await;
        assert_eq!(status, 409, "{problem}");
        assert!(mails(app).await.is_empty());

        // An expired link does not work.
        let token = "fds_expired-link-expired-link-expired-link";
        let now = chrono::Utc::now();
        let mut old = StaffLink::new(StaffLinkPurpose::Reset, now - chrono::TimeDelta::hours(3));
        old.used_at = None;
        let manager: StaffId = app.manager.id;
        let mail = app
            .state
            .desk()
            .password_reset_mail(&app.manager.email, "M", "A", "x");
        app.state
            .db()
            .issue_staff_link(
                manager,
                &old,
                &frontdesk_http::auth::tokens::digest(token),
                None,
                mail,
                now,
            )
            .await
            .unwrap();
        let (status, problem) = set_password(app, token, CHOSEN).await;
        assert_eq!(status, 400, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("expired"));
        assert_eq!(
            login(app, &app.manager.email.to_string(), PASSWORD).await.0,
            200
        );
        // Only admins send links.
        let path = format!("/api/staff/{}/invitation", app.manager.id);
        assert_eq!(app.json("post", &path, Who::Manager, None).await.0, 403);
    }
);
