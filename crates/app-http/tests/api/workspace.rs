//! The workspace's sessions and the reply guard, over plain HTTP on both databases: what the
//! browser tests cannot see — cookies' flags, refused forms, cross-site posts, the session's end
//! — and the same collision guard on the API.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{PASSWORD, TestApp, Who, read_until};

/// The value of `name` in the response's `Set-Cookie` headers, with the whole header.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_owned();
            (value, v.to_owned())
        })
}

/// `GET path` with the session cookie `session`.
async fn page(app: &TestApp, path: &str, session: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("cookie", format!("fd_session={session}"))
        .send()
        .await
        .unwrap()
}

/// The `csrf` field of a page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..].split('"').next().unwrap().to_owned()
}

/// Signs in at `/login` as `email`; the session cookie and the session's CSRF token.
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let form = app.client.get(app.url("/login")).send().await.unwrap();
    let (login_csrf, _) = set_cookie(&form, "fd_login_csrf").unwrap();
    let field = csrf_of(&form.text().await.unwrap());
    assert_eq!(
        field, login_csrf,
        "double submit: the field matches the cookie"
    );
    let done = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("fd_login_csrf={login_csrf}"))
        .form(&[
            ("csrf", field.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/tickets"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(done.headers()["location"], "/tickets");
    let (session, header) = set_cookie(&done, "fd_session").expect("a session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let list = page(app, "/tickets", &session).await;
    assert_eq!(list.status().as_u16(), 200);
    let csp = list.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let csrf = csrf_of(&list.text().await.unwrap());
    (session, csrf)
}

both!(
    the_workspace_session_guards_every_change,
    async |app: &TestApp| {
        let t = app.ticket("Lost parcel", "Where is it?").await;
        let take = app.url(&format!("/tickets/{}/take", t.number));

        // Without a session: to the sign-in, and back after.
        let away = app
            .client
            .get(app.url("/tickets?status=open"))
            .send()
            .await
            .unwrap();
        assert_eq!(away.status().as_u16(), 303);
        assert_eq!(
            away.headers()["location"],
            "/login?next=%2Ftickets%3Fstatus%3Dopen"
        );

        // A sign-in form without its cookie (another site's) is refused.
        let forged = app
            .client
            .post(app.url("/login"))
            .form(&[
                ("csrf", "x"),
                ("email", app.agent.email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 403);
        assert!(set_cookie(&forged, "fd_session").is_none());

        let (session, csrf) = sign_in(app, app.agent.email.as_str()).await;
        let cookie = format!("fd_session={session}");
        // A change without the token, or from another site, changes nothing.
        for (token, origin) in [
            ("", None),
            ("wrong", None),
            (csrf.as_str(), Some("https://evil.test")),
        ] {
            let mut request = app.client.post(&take).header("cookie", &cookie);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let refused = request.form(&[("csrf", token)]).send().await.unwrap();
            assert_eq!(
                refused.status().as_u16(),
                403,
                "token {token:?}, origin {origin:?}"
            );
        }
        let (_, seen) = app
            .json("get", &format!("/api/tickets/{}", t.id), Who::Agent, None)
            .await;
        assert_eq!(seen["assignee"], Value::Null, "nothing was taken");
        // With the token (as a form field, or as htmx's header) it is.
        let taken = app
            .client
            .post(&take)
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(taken.status().as_u16(), 303);
        let (_, seen) = app
            .json("get", &format!("/api/tickets/{}", t.id), Who::Agent, None)
            .await;
        assert_eq!(seen["assignee"], json!(app.agent.id.as_uuid()));

        // Signing out ends the session for good.
        let out = app
            .client
            .post(app.url("/logout"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status().as_u16(), 303);
        let after = page(app, "/tickets", &session).await;
        assert_eq!(after.status().as_u16(), 303, "the old cookie opens nothing");

        // A deactivation ends the member's sessions at once.
        let (session, _) = sign_in(app, app.other_agent.email.as_str()).await;
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/staff/{}", app.other_agent.id),
                Who::Admin,
                Some(&json!({ "active": false })),
            )
            .await;
        assert_eq!(status, 200);
        let after = page(app, "/tickets", &session).await;
        assert_eq!(after.status().as_u16(), 303);

        // A customer's right password opens no staff session.
        let form = app.client.get(app.url("/login")).send().await.unwrap();
        let (login_csrf, _) = set_cookie(&form, "fd_login_csrf").unwrap();
        let customer = app
            .client
            .post(app.url("/login"))
            .header("cookie", format!("fd_login_csrf={login_csrf}"))
            .form(&[
                ("csrf", login_csrf.as_str()),
                ("email", app.customer.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(customer.status().as_u16(), 403);
        assert!(set_cookie(&customer, "fd_session").is_none());
        assert!(customer.text().await.unwrap().contains("customer portal"));
    }
);

both!(
    a_reply_that_missed_new_activity_is_held_back,
    async |app: &TestApp| {
        let t = app.ticket("Refund?", "I want my money back.").await;
        let url = format!("/api/tickets/{}", t.id);
        let (_, before) = app.json("get", &url, Who::Agent, None).await;
        let version = before["version"].as_u64().unwrap();
        let first = before["messages"][0]["id"].clone();

        // A colleague answers meanwhile.
        let (status, _) = app
            .json(
                "post",
                &format!("{url}/reply"),
                Who::Manager,
                Some(&json!({"content": "On it."})),
            )
            .await;
        assert_eq!(status, 201);
        for stale in [
            json!({"content": "Refund sent.", "seen_version": version}),
            json!({"content": "Refund sent.", "seen_message": first}),
        ] {
            let (status, problem) = app
                .json("post", &format!("{url}/reply"), Who::Agent, Some(&stale))
                .await;
            assert_eq!(status, 409, "{problem}");
            assert_eq!(problem["type"], "urn:frontdesk:problem:new-activity");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("review before sending")
            );
        }
        let stale = app
            .client
            .post(app.url(&format!("{url}/reply")))
            .bearer_auth(app.token(Who::Agent).unwrap())
            .header("if-match", format!("\"{version}\""))
            .json(&json!({"content": "Refund sent."}))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status().as_u16(), 409);

        // Having seen the colleague's reply (a note after it does not count), the reply goes.
        let (_, now) = app.json("get", &url, Who::Agent, None).await;
        let newest = now["messages"].as_array().unwrap().last().unwrap()["id"].clone();
        let (status, _) = app
            .json(
                "post",
                &format!("{url}/notes"),
                Who::Manager,
                Some(&json!({"content": "fyi"})),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = app
            .json(
                "post",
                &format!("{url}/reply"),
                Who::Agent,
                Some(&json!({"content": "Refund sent.", "seen_message": newest})),
            )
            .await;
        assert_eq!(status, 201);
    }
);

both!(
    an_agent_limited_to_own_tickets_sees_no_other_in_any_list_count_or_live_update,
    "[http]\nagents_see_all = false\n",
    async |app: &TestApp| {
        let theirs = app.ticket("Colleague's secret case", "zebra").await;
        let open = app.ticket("Nobody's case yet", "zebra").await;
        let mine = app.ticket("My own case", "zebra").await;
        for (t, who) in [(&theirs, &app.other_agent), (&mine, &app.agent)] {
            let (status, _) = app
                .json(
                    "post",
                    &format!("/api/tickets/{}/assign", t.id),
                    Who::Manager,
                    Some(&json!({ "staff_id": who.id.as_uuid() })),
                )
                .await;
            assert_eq!(status, 200);
        }
        let (session, csrf) = sign_in(app, app.agent.email.as_str()).await;
        let cookie = format!("fd_session={session}");
        let fetch = async |path: &str| {
            let r = page(app, path, &session).await;
            (r.status().as_u16(), r.text().await.unwrap())
        };
        for path in [
            "/tickets",
            "/tickets?q=zebra",
            "/tickets?assignee=me_or_unassigned",
        ] {
            let (status, body) = fetch(path).await;
            assert_eq!(status, 200, "{path}");
            assert!(
                !body.contains("Colleague&#39;s secret case")
                    && !body.contains(&theirs.number.to_string()),
                "{path} shows another's ticket"
            );
            assert!(
                body.contains(&open.number.to_string()) && body.contains(&mine.number.to_string()),
                "{path}"
            );
            assert!(
                body.contains(">2 tickets<"),
                "{path}: the count covers only what may be seen"
            );
        }
        let (status, _) = fetch(&format!("/tickets/{}", theirs.number)).await;
        assert_eq!(status, 404, "another's ticket is not found, as in the API");
        let (status, body) = fetch(&format!("/tickets/{}", mine.number)).await;
        assert_eq!(status, 200);
        assert!(
            !body.contains(&theirs.number.to_string()),
            "not among the customer's other tickets either"
        );
        let bulk = app
            .client
            .post(app.url("/tickets/bulk"))
            .header("cookie", &cookie)
            .body(format!(
                "csrf={csrf}&action=take&tickets={}&tickets={}",
                theirs.number, open.number
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        let outcome = bulk.text().await.unwrap();
        assert!(
            outcome.contains("1 ticket changed") && outcome.contains("no ticket"),
            "{outcome}"
        );

        // Live: the colleague's ticket's events never reach the page's stream.
        let mut stream = page(app, "/events", &session).await;
        assert_eq!(stream.status().as_u16(), 200);
        read_until(&mut stream, |t| t.contains(": connected")).await;
        for t in [&theirs, &mine] {
            let (status, _) = app
                .json(
                    "post",
                    &format!("/api/tickets/{}/notes", t.id),
                    Who::Manager,
                    Some(&json!({ "content": "a note" })),
                )
                .await;
            assert_eq!(status, 201);
        }
        let seen = read_until(&mut stream, |t| t.contains(&mine.number.to_string())).await;
        assert!(!seen.contains(&theirs.number.to_string()), "{seen}");
    }
);

both!(
    every_filter_of_the_list_page_narrows_to_what_it_says,
    async |app: &TestApp| {
        let a = app.ticket("Order 77 lost in transit", "parcel").await;
        let b = app.ticket("Invoice twice", "billing trouble").await;
        let c = app.ticket("Cannot log in", "password reset").await;
        let patch = async |t: &frontdesk_domain::ticket::Ticket, body: Value| {
            let (status, answer) = app
                .json(
                    "patch",
                    &format!("/api/tickets/{}", t.id),
                    Who::Manager,
                    Some(&body),
                )
                .await;
            assert_eq!(status, 200, "{answer}");
        };
        patch(
            &a,
            json!({"priority": "urgent", "category": "order", "tags": ["vip"]}),
        )
        .await;
        patch(
            &b,
            json!({"status": "pending", "category": "billing", "assignee": app.agent.id.as_uuid()}),
        )
        .await;
        patch(&c, json!({"priority": "low", "category": "technical", "assignee": app.other_agent.id.as_uuid()})).await;
        let (session, _) = sign_in(app, app.agent.email.as_str()).await;
        let today = chrono::Utc::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let cases: Vec<(String, Vec<&frontdesk_domain::ticket::Ticket>)> = vec![
            ("status=pending".to_owned(), vec![&b]),
            ("status=new%2Copen".to_owned(), vec![&a, &c]),
            ("priority=urgent".to_owned(), vec![&a]),
            ("priority=urgent%2Chigh".to_owned(), vec![&a]),
            ("category=technical".to_owned(), vec![&c]),
            ("assignee=me".to_owned(), vec![&b]),
            ("assignee=unassigned".to_owned(), vec![&a]),
            ("assignee=me_or_unassigned".to_owned(), vec![&a, &b]),
            (format!("assignee={}", app.other_agent.id), vec![&c]),
            ("tag=vip".to_owned(), vec![&a]),
            (
                format!("customer={}", app.customer.as_str().replace('@', "%40")),
                vec![&a, &b, &c],
            ),
            ("sla=breached".to_owned(), vec![]),
            ("sla=at_risk".to_owned(), vec![]),
            (
                format!("created_from={today}&created_to={today}"),
                vec![&a, &b, &c],
            ),
            (format!("created_from={tomorrow}"), vec![]),
            ("q=invoice".to_owned(), vec![&b]),
            ("q=password".to_owned(), vec![&c]),
            ("priority=urgent&category=billing".to_owned(), vec![]),
        ];
        for (query, expected) in cases {
            let response = page(app, &format!("/tickets?{query}"), &session).await;
            assert_eq!(response.status().as_u16(), 200, "{query}");
            let body = response.text().await.unwrap();
            let total = format!(
                ">{} {}<",
                expected.len(),
                if expected.len() == 1 {
                    "ticket"
                } else {
                    "tickets"
                }
            );
            assert!(body.contains(&total), "{query}: not {total}");
            for t in [&a, &b, &c] {
                let row = format!("data-ticket=\"{}\"", t.number);
                assert_eq!(
                    body.contains(&row),
                    expected.iter().any(|e| e.id == t.id),
                    "{query}: {} listed or not",
                    t.number
                );
            }
        }
        // Sorts keep every ticket; a refused value marks its control.
        for sort in ["created", "-updated", "sla_due", "-priority"] {
            let body = page(app, &format!("/tickets?sort={sort}"), &session)
                .await
                .text()
                .await
                .unwrap();
            assert!(body.contains(">3 tickets<"), "sort {sort}");
        }
        let refused = page(app, "/tickets?status=lost", &session).await;
        assert_eq!(refused.status().as_u16(), 400);
        let body = refused.text().await.unwrap();
        assert!(
            body.contains("id=\"status\" name=\"status\" aria-invalid=\"true\""),
            "the control is marked"
        );
    }
);
