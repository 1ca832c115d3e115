//! The probe classes of the security review (issue 15) that concern sign-in and accounts, each
//! through real HTTP: raced and re-spelled sign-in guesses, password policy, sessions that must
//! end on a password change, and what API tokens may not do.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, login};

async fn refresh(app: &TestApp, token: &str) -> u16 {
    app.json(
        "post",
        "/api/auth/refresh",
        Who::Anonymous,
        Some(&json!({"refresh_token": token})),
    )
    .await
    .0
}

both!(
    simultaneous_guesses_cannot_race_the_sign_in_limit,
    async |app: &TestApp| {
        // 59 wrong guesses and the right password, all at once, from one address.
        let guesses = (0..60).map(|i| {
            let password = if i == 59 {
                PASSWORD.to_owned()
            } else {
                format!("wrong guess {i}")
            };
            async move { login(app, "agent@frontdesk.test", &password).await.0 }
        });
        let statuses = futures_util::future::join_all(guesses).await;
        let checked = statuses.iter().filter(|s| matches!(s, 200 | 401)).count();
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert!(
            checked <= 5,
            "at most the account's limit is checked: {statuses:?}"
        );
        assert_eq!(checked + limited, 60, "{statuses:?}");
    }
);

both!(
    every_spelling_of_an_address_shares_its_lock,
    async |app: &TestApp| {
        for _ in 0..5 {
            assert_eq!(login(app, "bf@example.com", "not it at all").await.0, 401);
        }
        for spelling in [
            "bf@example.com",
            "<bf@example.com>",
            "< bf@example.com>",
            "BF@Example.com ",
        ] {
            assert_eq!(
                login(app, spelling, "not it at all").await.0,
                429,
                "{spelling}"
            );
        }
    }
);

both!(
    weak_passwords_are_refused_with_the_field_named,
    async |app: &TestApp| {
        for (i, weak) in [
            "1234567890",
            "          ",
            "\0\0\0\0\0\0\0\0\0\0",
            "qwertyuiop",
            "aaaaaaaaaaaa",
        ]
        .into_iter()
        .enumerate()
        {
            let body = json!({"email": format!("dave{i}@customer.test"), "password": weak});
            let (status, problem) = app
                .json("post", "/api/auth/register", Who::Anonymous, Some(&body))
                .await;
            assert_eq!(status, 422, "{weak:?}: {problem}");
            assert!(problem["errors"]["password"].is_string(), "{problem}");
        }
        let (status, problem) = app
            .json(
                "patch",
                &format!("/api/staff/{}", app.agent.id),
                Who::Admin,
                Some(&json!({"password": "password1234"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
    }
);

both!(
    changing_a_password_needs_the_current_one_and_ends_every_sign_in,
    async |app: &TestApp| {
        let (status, tokens) = login(app, "agent@frontdesk.test", PASSWORD).await;
        assert_eq!(status, 200);
        let old_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let path = format!("/api/staff/{}", app.agent.id);
        let new = "a brand new passphrase for ana";

        let (status, problem) = app
            .json("patch", &path, Who::Agent, Some(&json!({"password": new})))
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(
            problem["errors"]["current_password"].is_string(),
            "{problem}"
        );
        let wrong = json!({"password": new, "current_password": "not my password"});
        let (status, _) = app.json("patch", &path, Who::Agent, Some(&wrong)).await;
        assert_eq!(status, 422);

        let right = json!({"password": new, "current_password": PASSWORD});
        let (status, changed) = app.json("patch", &path, Who::Agent, Some(&right)).await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(
            refresh(app, &old_refresh).await,
            401,
            "the old sign-in is over"
        );
        assert_eq!(login(app, "agent@frontdesk.test", PASSWORD).await.0, 401);
        assert_eq!(login(app, "agent@frontdesk.test", new).await.0, 200);
    }
);

both!(
    a_role_change_or_deactivation_ends_every_sign_in,
    async |app: &TestApp| {
        let (_, agent) = login(app, "agent@frontdesk.test", PASSWORD).await;
        let (_, other) = login(app, "agent2@frontdesk.test", PASSWORD).await;
        let agent_refresh = agent["refresh_token"].as_str().unwrap().to_owned();
        let other_refresh = other["refresh_token"].as_str().unwrap().to_owned();
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", app.agent.id),
                Who::Admin,
                Some(&json!({"role": "manager"})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(refresh(app, &agent_refresh).await, 401);
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", app.other_agent.id),
                Who::Admin,
                Some(&json!({"active": false})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(refresh(app, &other_refresh).await, 401);
    }
);

both!(
    an_api_token_cannot_change_passwords_or_roles,
    async |app: &TestApp| {
        let (status, created) = app
            .json(
                "post",
                "/api/auth/tokens",
                Who::Admin,
                Some(&json!({"name": "CRM"})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let token = created["token"].as_str().unwrap();
        for change in [
            json!({"password": "a brand new passphrase for ada", "current_password": PASSWORD}),
            json!({"role": "agent"}),
        ] {
            let r = app
                .client
                .patch(app.url(&format!("/api/staff/{}", app.admin.id)))
                .bearer_auth(token)
                .json(&change)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 403, "{change}");
        }
    }
);

both!(
    every_response_carries_the_security_headers,
    async |app: &TestApp| {
        for (path, who) in [
            ("/api/tickets", Who::Agent),
            ("/api/tickets", Who::Anonymous),
            ("/api/no-such-route", Who::Anonymous),
            ("/api/openapi.json", Who::Anonymous),
            ("/api/docs/", Who::Anonymous),
            ("/healthz", Who::Anonymous),
        ] {
            let r = app.call("get", path, who, None).await;
            let h = r.headers();
            let get = |name: &str| {
                h.get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
            };
            assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
            let csp = get("content-security-policy");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(!csp.contains("script-src 'unsafe-inline'"), "{path}: {csp}");
        }
        let docs = app.call("get", "/api/docs/", Who::Anonymous, None).await;
        let html = docs.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("<script type=\"text/javascript\">"),
            "Swagger UI must run without inline script under its CSP"
        );
    }
);

both!(
    control_characters_in_a_search_are_a_400_not_a_500,
    async |app: &TestApp| {
        for q in ["%00", "a%00b", "%1B%5B31m", "x%0Dy"] {
            let (status, problem) = app
                .json("get", &format!("/api/tickets?q={q}"), Who::Agent, None)
                .await;
            assert_eq!(status, 400, "{q}: {problem}");
            assert_eq!(
                problem["type"], "urn:frontdesk:problem:bad-request",
                "{problem}"
            );
        }
    }
);

both!(
    read_tokens_only_read_and_tokens_expire,
    async |app: &TestApp| {
        let create = |body: Value| async move {
            app.json("post", "/api/auth/tokens", Who::Admin, Some(&body))
                .await
        };
        let (status, read) = create(json!({"name": "BI export", "scope": "read"})).await;
        assert_eq!(status, 201, "{read}");
        assert_eq!(read["scope"], "read");
        let token = read["token"].as_str().unwrap().to_owned();
        let with = |method: reqwest::Method, path: &str| {
            app.client
                .request(method, app.url(path))
                .bearer_auth(&token)
        };
        assert_eq!(
            with(reqwest::Method::GET, "/api/tickets")
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let post = with(reqwest::Method::POST, "/api/tickets")
            .json(
                &json!({"subject": "x", "description": "y", "customer_email": "bob@customer.test"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 403);

        let past = (chrono::Utc::now() - chrono::TimeDelta::hours(1)).to_rfc3339();
        let (status, problem) = create(json!({"name": "old", "expires_at": past})).await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem["errors"]["expires_at"].is_string());
        let soon = (chrono::Utc::now() + chrono::TimeDelta::seconds(2)).to_rfc3339();
        let (status, short) = create(json!({"name": "short-lived", "expires_at": soon})).await;
        assert_eq!(status, 201, "{short}");
        let short = short["token"].as_str().unwrap().to_owned();
        let me = |t: String| async move {
            app.client
                .get(app.url("/api/auth/me"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        };
        assert_eq!(me(short.clone()).await, 200);
        tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
        assert_eq!(me(short).await, 401, "an expired token no longer works");
    }
);

both!(
    api_tokens_cannot_manage_tokens_or_staff,
    async |app: &TestApp| {
        let (_, full) = app
            .json(
                "post",
                "/api/auth/tokens",
                Who::Admin,
                Some(&json!({"name": "automation"})),
            )
            .await;
        let token = full["token"].as_str().unwrap();
        for (method, path, body) in [
            (reqwest::Method::GET, "/api/auth/tokens", None),
            (
                reqwest::Method::POST,
                "/api/auth/tokens",
                Some(json!({"name": "another"})),
            ),
            (
                reqwest::Method::POST,
                "/api/staff",
                Some(json!({"email": "new@frontdesk.test", "name": "New", "role": "admin"})),
            ),
        ] {
            let mut r = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(token);
            if let Some(b) = &body {
                r = r.json(b);
            }
            assert_eq!(r.send().await.unwrap().status(), 403, "{method} {path}");
        }
    }
);

both!(
    customers_get_a_reduced_ticket_view_and_cannot_probe_staff_fields,
    async |app: &TestApp| {
        let t = app.ticket("Order 77 is late", "Where is it?").await;
        let path = format!("/api/tickets/{}", t.id);
        let (status, _) = app
            .json(
                "patch",
                &path,
                Who::Agent,
                Some(&json!({"priority": "urgent", "tags": ["vip", "refund-risk"], "assignee": app.agent.id.as_uuid()})),
            )
            .await;
        assert_eq!(status, 200);
        app.json(
            "post",
            &format!("{path}/escalate"),
            Who::Agent,
            Some(&json!({"reason": "VIP"})),
        )
        .await;
        app.json(
            "post",
            &format!("{path}/reply"),
            Who::Agent,
            Some(&json!({"content": "On it"})),
        )
        .await;

        let (_, staff) = app.json("get", &path, Who::Agent, None).await;
        assert_eq!(staff["priority"], "urgent");
        let (status, mine) = app.json("get", &path, Who::Customer, None).await;
        assert_eq!(status, 200);
        for hidden in [
            "priority",
            "category",
            "assignee",
            "tags",
            "escalation_level",
            "version",
            "sla",
        ] {
            assert!(
                mine.get(hidden).is_none(),
                "{hidden} shown to the customer: {mine}"
            );
        }
        assert!(mine["ai"].is_null() && mine["notes"] == json!([]), "{mine}");
        let text = mine.to_string();
        assert!(
            !text.contains("refund-risk") && !text.contains(&app.agent.id.to_string()),
            "{text}"
        );
        assert!(
            !text.contains("agent@frontdesk.test"),
            "staff addresses stay inside: {text}"
        );
        let (_, listed) = app.json("get", "/api/tickets", Who::Customer, None).await;
        assert!(listed["items"][0].get("priority").is_none(), "{listed}");
        for probe in [
            "tag=vip",
            "priority=urgent",
            "sla=breached",
            "assignee=unassigned",
            "q=refund",
            "sort=priority",
        ] {
            let (status, _) = app
                .json("get", &format!("/api/tickets?{probe}"), Who::Customer, None)
                .await;
            assert_eq!(status, 400, "{probe}");
        }
        let (status, _) = app
            .json(
                "get",
                "/api/tickets?status=new,open&sort=-updated",
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(status, 200);
    }
);

both!(
    a_trickled_body_is_cut_off_at_its_deadline,
    "[http]\nbody_grace_secs = 1\nbody_min_bytes_per_sec = 1024\n",
    async |app: &TestApp| {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let address = app.address.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let body =
            br#"{"email": "agent@frontdesk.test", "password": "correct horse battery staple"}"#;
        let head = format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        // One byte every 300 ms: the whole body would take over 20 s.
        for byte in body {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            let mut buf = [0u8; 4096];
            match tokio::time::timeout(std::time::Duration::from_millis(300), stream.read(&mut buf))
                .await
            {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    answer.extend_from_slice(&buf[..n]);
                    break;
                }
                Err(_) => {}
            }
        }
        let elapsed = started.elapsed();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            elapsed < std::time::Duration::from_secs(5),
            "cut off after {elapsed:?}"
        );
    }
);
