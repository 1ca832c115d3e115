//! Sign-in, refresh rotation with replay detection, sign-in limits, API tokens, deactivation,
//! customer sign-up.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, login};

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app
        .client
        .get(app.url("/api/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

both!(
    sign_in_then_refresh_rotates_and_a_replayed_refresh_revokes_the_sign_in,
    async |app: &TestApp| {
        let (status, tokens) = login(app, "Agent@Frontdesk.test", PASSWORD).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 900);
        assert_eq!(tokens["user"]["role"], "agent");
        let access = tokens["access_token"].as_str().unwrap();
        let (status, who) = me(app, access).await;
        assert_eq!(status, 200);
        assert_eq!(who["email"], "agent@frontdesk.test");

        let first = tokens["refresh_token"].as_str().unwrap();
        let refresh = |t: &str| json!({"refresh_token": t});
        let (status, second) = app
            .json(
                "post",
                "/api/auth/refresh",
                Who::Anonymous,
                Some(&refresh(first)),
            )
            .await;
        assert_eq!(status, 200);
        let second = second["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        // The first token again: a copy is in someone else's hands.
        let (status, _) = app
            .json(
                "post",
                "/api/auth/refresh",
                Who::Anonymous,
                Some(&refresh(first)),
            )
            .await;
        assert_eq!(status, 401);
        let (status, _) = app
            .json(
                "post",
                "/api/auth/refresh",
                Who::Anonymous,
                Some(&refresh(&second)),
            )
            .await;
        assert_eq!(status, 401, "the whole sign-in is revoked after a replay");

        let (status, customer) = login(app, "alice@customer.test", PASSWORD).await;
        assert_eq!(status, 200);
        assert_eq!(customer["user"]["role"], "customer");
    }
);

both!(
    wrong_passwords_are_refused_alike_and_then_rate_limited,
    async |app: &TestApp| {
        let (status, wrong) = login(app, "agent@frontdesk.test", "not the password").await;
        assert_eq!(status, 401);
        let (status, unknown) = login(app, "nobody@frontdesk.test", "not the password").await;
        assert_eq!(status, 401);
        assert_eq!(
            wrong["detail"], unknown["detail"],
            "no hint which addresses exist"
        );
        for _ in 0..4 {
            login(app, "agent@frontdesk.test", "still wrong").await;
        }
        let (status, limited) = login(app, "agent@frontdesk.test", PASSWORD).await;
        assert_eq!(status, 429, "{limited}");
        assert_eq!(limited["type"], "urn:frontdesk:problem:rate-limited");
        let (status, _) = login(app, "manager@frontdesk.test", PASSWORD).await;
        assert_eq!(
            status, 200,
            "other accounts are not locked by one account's failures"
        );
    }
);

both!(
    api_tokens_are_shown_once_work_and_stop_when_revoked,
    async |app: &TestApp| {
        let (status, created) = app
            .json(
                "post",
                "/api/auth/tokens",
                Who::Admin,
                Some(&json!({"name": "CRM", "staff_id": app.agent.id.as_uuid()})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let token = created["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("fdk_"));
        let (status, who) = me(app, &token).await;
        assert_eq!(status, 200);
        assert_eq!(who["role"], "agent");
        let (_, listed) = app.json("get", "/api/auth/tokens", Who::Admin, None).await;
        assert!(
            !listed.to_string().contains(&token),
            "tokens are never listed"
        );
        let id = created["id"].as_str().unwrap();
        let (status, _) = app
            .json(
                "delete",
                &format!("/api/auth/tokens/{id}"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(me(app, &token).await.0, 401);
    }
);

both!(
    a_deactivated_member_loses_access_at_once,
    async |app: &TestApp| {
        let token = app.token(Who::Agent).unwrap();
        assert_eq!(me(app, &token).await.0, 200);
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", app.agent.id),
                Who::Admin,
                Some(&json!({"active": false})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(me(app, &token).await.0, 401);
        assert_eq!(login(app, "agent@frontdesk.test", PASSWORD).await.0, 401);
    }
);

both!(
    an_address_is_one_identity_and_a_former_staff_member_keeps_the_portal,
    async |app: &TestApp| {
        // A customer's address never becomes a staff member's.
        let (status, body) = app
            .json(
                "post",
                "/api/staff",
                Who::Admin,
                Some(&json!({"email": "Alice@Customer.test", "name": "Alice", "role": "agent"})),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("customer account")
        );

        // Data from before the rule holds both: the active staff member signs in; once
        // deactivated, the customer account is reachable again (not locked out for good).
        let both = frontdesk_domain::staff::Staff {
            id: frontdesk_domain::StaffId::from_uuid(uuid::Uuid::now_v7()),
            email: app.customer.clone(),
            name: "Alice at work".into(),
            role: frontdesk_domain::Role::Agent,
            availability: frontdesk_domain::Availability::Offline,
            shift: None,
            active: true,
        };
        let hash = frontdesk_http::auth::password::hash("another long passphrase", None).unwrap();
        app.fresh
            .db
            .create_staff(&both, Some(&hash), chrono::Utc::now())
            .await
            .unwrap();
        let (status, _) = login(app, app.customer.as_str(), "another long passphrase").await;
        assert_eq!(status, 200, "the active staff member signs in");
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", both.id),
                Who::Admin,
                Some(&json!({"active": false})),
            )
            .await;
        assert_eq!(status, 200);
        let (status, signed) = login(app, app.customer.as_str(), PASSWORD).await;
        assert_eq!(status, 200, "{signed}");
        let token = signed["access_token"].as_str().unwrap();
        let (_, who) = me(app, token).await;
        assert_eq!(who["role"], "customer", "{who}");
        // And the staff member cannot be reactivated onto the customer's address.
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", both.id),
                Who::Admin,
                Some(&json!({"active": true})),
            )
            .await;
        assert_eq!(status, 409);
    }
);

both!(
    each_person_chooses_the_notifications_they_receive,
    async |app: &TestApp| {
        let url = format!("/api/staff/{}/notifications", app.agent.id);
        let (status, all) = app.json("get", &url, Who::Agent, None).await;
        assert_eq!(status, 200);
        assert_eq!(
            all,
            json!({"assigned": true, "sla_warning": true, "sla_breach": true, "escalated": true})
        );
        let (status, now) = app
            .json(
                "put",
                &url,
                Who::Agent,
                Some(&json!({"assigned": false, "sla_warning": false})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            (&now["assigned"], &now["sla_warning"]),
            (&json!(false), &json!(false))
        );
        let (_, again) = app
            .json("put", &url, Who::Admin, Some(&json!({"sla_warning": true})))
            .await;
        assert_eq!(
            again,
            json!({"assigned": false, "sla_warning": true, "sla_breach": true, "escalated": true})
        );
        let muted = app.state.db().muted_of(app.agent.id).await.unwrap();
        assert_eq!(muted, [frontdesk_domain::ports::NotificationKind::Assigned]);
        let (status, _) = app
            .json("put", &url, Who::Agent, Some(&json!({"loud": true})))
            .await;
        assert_eq!(status, 422);
    }
);
