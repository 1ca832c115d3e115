//! Server-sent events, filtered by who listens.

use std::time::Duration;

use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who};

/// Reads the stream until `done` holds for what arrived (or fails after 10 s).
async fn read_until(r: &mut reqwest::Response, done: impl Fn(&str) -> bool) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&text) {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .unwrap_or_else(|_| panic!("timed out; received so far:\n{text}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    text
}

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
