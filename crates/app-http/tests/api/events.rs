//! Server-sent events, filtered by who listens.

use std::time::Duration;

use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who, read_until};

both!(
    events_stream_to_each_caller_what_they_may_see,
    async |app: &TestApp| {
        let mut staff = app.call("get", "/api/events", Who::Manager, None).await;
        assert_eq!(staff.status().as_u16(), 200);
        assert_eq!(
            staff.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let mut alice = app.call("get", "/api/events", Who::Customer, None).await;
        let mut mallory = app
            .call("get", "/api/events", Who::OtherCustomer, None)
            .await;
        // Wait for the streams to be open before anything happens.
        for s in [&mut staff, &mut alice, &mut mallory] {
            read_until(s, |t| t.contains(": connected")).await;
        }
        let t = app.ticket("Order 99 is late", "Where is it?").await;
        let number = t.number.to_string();
        app.json(
            "post",
            &format!("/api/tickets/{}/notes", t.id),
            Who::Agent,
            Some(&json!({"content": "internal: check the warehouse"})),
        )
        .await;
        app.json(
            "post",
            &format!("/api/tickets/{}/reply", t.id),
            Who::Agent,
            Some(&json!({"content": "It ships today"})),
        )
        .await;
        let seen = read_until(&mut staff, |t| {
            t.matches("event: message.added").count() >= 3
        })
        .await;
        assert!(seen.contains("event: ticket.created"), "{seen}");
        assert!(seen.contains(&number), "{seen}");
        assert!(
            seen.contains("\"kind\":\"note\""),
            "staff see notes: {seen}"
        );
        let own = read_until(&mut alice, |t| t.contains("\"kind\":\"agent\"")).await;
        assert!(own.contains("event: ticket.created"), "{own}");
        assert!(
            !own.contains("\"kind\":\"note\""),
            "no notes for customers: {own}"
        );
        assert!(
            !own.contains("assigned"),
            "no assignments for customers: {own}"
        );
        // Mallory's own ticket comes after Alice's events; none of Alice's reached her.
        let (s, r) = app
            .json(
                "post",
                "/api/tickets",
                Who::OtherCustomer,
                Some(&json!({"subject": "My invoice", "description": "Wrong VAT"})),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        let theirs = read_until(&mut mallory, |t| t.contains("event: ticket.created")).await;
        assert!(!theirs.contains(&number), "{theirs}");
        assert!(theirs.contains(r["number"].as_str().unwrap()), "{theirs}");

        // A client that reconnects with Last-Event-ID gets what it missed.
        let first_id: i64 = seen
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .parse()
            .unwrap();
        let mut again = app
            .client
            .get(app.url("/api/events"))
            .bearer_auth(app.token(Who::Manager).unwrap())
            .header("last-event-id", first_id.to_string())
            .send()
            .await
            .unwrap();
        let replay = read_until(&mut again, |t| {
            t.contains("My invoice") || t.contains(r["number"].as_str().unwrap())
        })
        .await;
        assert!(!replay.contains(&format!("id: {first_id}\n")), "{replay}");
        assert!(replay.contains("\"kind\":\"note\""), "{replay}");
        let (s, _) = app
            .client
            .get(app.url("/api/events"))
            .bearer_auth(app.token(Who::Manager).unwrap())
            .header("last-event-id", "yesterday")
            .send()
            .await
            .map(|r| (r.status().as_u16(), ()))
            .unwrap();
        assert_eq!(s, 400);
    }
);

/// Reads the stream until it ends (or fails after 10 s), returning what arrived.
async fn read_to_end(r: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .unwrap_or_else(|_| panic!("still open after 10 s; received so far:\n{text}"));
        match chunk {
            Ok(Some(c)) => text.push_str(std::str::from_utf8(&c).unwrap()),
            Ok(None) | Err(_) => return text,
        }
    }
}

both!(
    an_event_stream_ends_when_its_staff_member_is_deactivated,
    "[http]\nevent_keep_alive_secs = 1\n",
    async |app: &TestApp| {
        let mut agent = app.call("get", "/api/events", Who::Agent, None).await;
        let mut manager = app.call("get", "/api/events", Who::Manager, None).await;
        for s in [&mut agent, &mut manager] {
            assert_eq!(s.status(), 200);
            read_until(s, |t| t.contains(": connected")).await;
        }
        // Still open after a keep-alive or two: the check passes for an active account.
        read_until(&mut agent, |t| t.matches(": keep-alive").count() >= 2).await;
        let mut gone = app.agent.clone();
        gone.active = false;
        app.state
            .db()
            .save_staff(&gone, chrono::Utc::now())
            .await
            .unwrap();
        let rest = read_to_end(&mut agent).await;
        assert!(rest.contains("signed out"), "{rest}");
        // The manager's stream goes on.
        read_until(&mut manager, |t| t.matches(": keep-alive").count() >= 3).await;
    }
);

both!(
    an_event_stream_ends_when_its_access_token_expires,
    async |app: &TestApp| {
        // A token with two seconds left (the lifetime is 15 minutes).
        let issued =
            chrono::Utc::now() - chrono::TimeDelta::minutes(15) + chrono::TimeDelta::seconds(2);
        let token = app
            .state
            .keys
            .issue(
                &frontdesk_http::auth::customer_subject(&app.customer),
                "customer",
                issued,
            )
            .unwrap();
        let mut stream = app
            .client
            .get(app.url("/api/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let started = std::time::Instant::now();
        let text = read_to_end(&mut stream).await;
        assert!(text.contains(": connected"), "{text}");
        assert!(text.contains("signed out"), "{text}");
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
    }
);

both!(
    event_streams_are_capped_per_account_and_in_all,
    // The server notices a closed stream when it next writes: a keep-alive every second.
    "[http]\nevent_streams_per_caller = 2\nevent_streams_total = 3\nevent_keep_alive_secs = 1\n",
    async |app: &TestApp| {
        let first = app.call("get", "/api/events", Who::Customer, None).await;
        let second = app.call("get", "/api/events", Who::Customer, None).await;
        assert_eq!(
            (first.status().as_u16(), second.status().as_u16()),
            (200, 200)
        );
        // A third stream of the same account, even with a new token, is refused.
        let third = app.call("get", "/api/events", Who::Customer, None).await;
        assert_eq!(third.status(), 429);
        assert_eq!(third.headers()["content-type"], "application/problem+json");
        assert_eq!(third.headers()["retry-after"], "30");
        let problem: serde_json::Value = third.json().await.unwrap();
        assert_eq!(problem["status"], 429, "{problem}");
        // Another account still gets one, until the server's limit.
        let other = app
            .call("get", "/api/events", Who::OtherCustomer, None)
            .await;
        assert_eq!(other.status(), 200);
        let over = app.call("get", "/api/events", Who::Manager, None).await;
        assert_eq!(over.status(), 429);
        // Closing a stream frees its place (by the next keep-alive).
        drop(first);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let again = app.call("get", "/api/events", Who::Customer, None).await;
            if again.status() == 200 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the place was never freed"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        drop((second, other));
    }
);
