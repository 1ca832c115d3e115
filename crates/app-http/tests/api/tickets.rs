//! Tickets through the API: creation, listing with filters and pages, the detail view, changes
//! with `If-Match`, replies (queued as threaded mail), notes, customer replies, attachments.

use chrono::Utc;
use frontdesk_adapters_gmail::mime::{MimeLimits, parse_message};
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who};

/// A mail from Alice with a PDF, ingested as if polled; returns the ticket id and the
/// attachment id.
pub async fn ticket_with_attachment(app: &TestApp) -> (uuid::Uuid, String) {
    let raw = "From: Alice <alice@customer.test>\r\nTo: support@frontdesk.test\r\n\
        Subject: Invoice attached\r\nMessage-ID: <inv-1@customer.test>\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nSee the invoice.\r\n\
        --b\r\nContent-Type: application/pdf\r\n\
        Content-Disposition: attachment; filename=\"../../etc/invoice.pdf\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
    let mail = parse_message(raw.as_bytes(), Utc::now(), &MimeLimits::default()).unwrap();
    let result = app.state.desk().ingest(mail).await.unwrap();
    let id = result.ticket_id.unwrap().as_uuid();
    let (_, detail) = app
        .json("get", &format!("/api/tickets/{id}"), Who::Agent, None)
        .await;
    let att = detail["attachments"][0]["id"].as_str().unwrap().to_owned();
    (id, att)
}

both!(
    staff_open_tickets_classified_and_list_them_in_pages,
    async |app: &TestApp| {
        for (subject, description) in [
            (
                "URGENT: payment failed twice",
                "I was charged twice for my invoice",
            ),
            ("Question about sizes", "Do the shoes run small?"),
            (
                "Order 7781 never arrived",
                "Tracking shows nothing since Monday",
            ),
        ] {
            let (status, t) = app
                .json(
                    "post",
                    "/api/tickets",
                    Who::Agent,
                    Some(&json!({
                    "subject": subject, "description": description,
                    "customer_email": "Bob@Customer.test", "customer_name": "Bob"})),
                )
                .await;
            assert_eq!(status, 201, "{t}");
            assert!(t["number"].as_str().unwrap().starts_with("TKT-"));
            assert_eq!(t["channel"], "api");
            assert_eq!(t["status"], "new");
        }
        let (_, urgent) = app
            .json(
                "get",
                "/api/tickets?priority=urgent&customer=bob@customer.test",
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(urgent["total"], 1, "{urgent}");
        assert_eq!(urgent["items"][0]["category"], "billing");
        assert!(urgent["items"][0]["sla"]["first_response"]["due_at"].is_string());

        let (_, first) = app
            .json(
                "get",
                "/api/tickets?customer=bob@customer.test&limit=2&sort=created",
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(first["total"], 3);
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let next = first["next"].as_str().unwrap();
        let (_, second) = app
            .json(
                "get",
                &format!(
                    "/api/tickets?customer=bob@customer.test&limit=2&sort=created&after={next}"
                ),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(second["items"].as_array().unwrap().len(), 1);
        assert!(second["next"].is_null());
        assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
        assert_eq!(second["items"][0]["subject"], "Order 7781 never arrived");

        let (_, found) = app
            .json("get", "/api/tickets?q=tracking", Who::Agent, None)
            .await;
        assert_eq!(found["total"], 1);
        let (status, _) = app
            .json("get", "/api/tickets?sort=sideways", Who::Agent, None)
            .await;
        assert_eq!(status, 400);
    }
);

both!(
    customers_see_only_their_own_tickets_and_never_notes,
    async |app: &TestApp| {
        let t = app
            .ticket("My order is late", "Order 1234 has not arrived")
            .await;
        let id = t.id.as_uuid();
        let (status, _) = app
            .json(
                "post",
                &format!("/api/tickets/{id}/notes"),
                Who::Agent,
                Some(&json!({"content": "internal: courier lost it"})),
            )
            .await;
        assert_eq!(status, 201);
        let (_, staff_view) = app
            .json("get", &format!("/api/tickets/{id}"), Who::Agent, None)
            .await;
        assert_eq!(staff_view["notes"].as_array().unwrap().len(), 1);
        let (status, mine) = app
            .json(
                "get",
                &format!("/api/tickets/{}", t.number),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(mine["notes"].as_array().unwrap().is_empty());
        assert!(!mine.to_string().contains("courier lost it"));
        assert!(mine["ai"].is_null());
        let (status, problem) = app
            .json(
                "get",
                &format!("/api/tickets/{id}"),
                Who::OtherCustomer,
                None,
            )
            .await;
        assert_eq!(status, 404);
        assert_eq!(problem["type"], "urn:frontdesk:problem:not-found");
        let (_, theirs) = app
            .json("get", "/api/tickets", Who::OtherCustomer, None)
            .await;
        assert_eq!(theirs["total"], 0);
        let (status, _) = app
            .json(
                "get",
                "/api/tickets?customer=mallory@customer.test",
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(
            status, 400,
            "a customer's filter cannot widen what they see"
        );
    }
);

both!(
    only_edits_change_the_etag_notes_and_no_op_patches_do_not,
    async |app: &TestApp| {
        let t = app.ticket("Squeaky door", "It squeaks").await;
        let url = format!("/api/tickets/{}", t.id);
        let etag = |r: &reqwest::Response| r.headers()["etag"].to_str().unwrap().to_owned();
        let before = etag(&app.call("get", &url, Who::Agent, None).await);
        let noop = app.call("patch", &url, Who::Agent, Some(&json!({}))).await;
        assert_eq!((noop.status().as_u16(), etag(&noop)), (200, before.clone()));
        let (status, _) = app
            .json(
                "post",
                &format!("{url}/notes"),
                Who::Agent,
                Some(&json!({"content": "Customer called"})),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(etag(&app.call("get", &url, Who::Agent, None).await), before);
        let edit = app
            .client
            .patch(app.url(&url))
            .bearer_auth(app.token(Who::Agent).unwrap())
            .header("If-Match", &before)
            .json(&json!({"tags": ["door"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            edit.status().as_u16(),
            200,
            "the note did not make the copy stale"
        );
        assert_ne!(etag(&edit), before);
    }
);

both!(
    a_stale_if_match_is_refused_and_changes_nothing,
    async |app: &TestApp| {
        let t = app
            .ticket("Broken zipper", "The zipper broke on day one")
            .await;
        let url = app.url(&format!("/api/tickets/{}", t.id));
        let get = app
            .client
            .get(&url)
            .bearer_auth(app.token(Who::Agent).unwrap())
            .send()
            .await
            .unwrap();
        let etag = get.headers()["etag"].to_str().unwrap().to_owned();
        let first = app
            .client
            .patch(&url)
            .bearer_auth(app.token(Who::Agent).unwrap())
            .header("If-Match", &etag)
            .json(&json!({"status": "open", "tags": ["Zipper", "zipper", " quality "]}))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status().as_u16(), 200);
        let body: serde_json::Value = first.json().await.unwrap();
        assert_eq!(body["tags"], json!(["quality", "zipper"]));
        let second = app
            .client
            .patch(&url)
            .bearer_auth(app.token(Who::Manager).unwrap())
            .header("If-Match", &etag)
            .json(&json!({"priority": if t.priority.as_str() == "low" { "high" } else { "low" }}))
            .send()
            .await
            .unwrap();
        assert_eq!(second.status().as_u16(), 412);
        let (_, now) = app
            .json("get", &format!("/api/tickets/{}", t.id), Who::Agent, None)
            .await;
        assert_eq!(
            now["priority"],
            t.priority.as_str(),
            "the refused change left no trace"
        );
        assert_eq!(now["status"], "open");
        let (status, _) = app
            .json(
                "patch",
                &format!("/api/tickets/{}", t.id),
                Who::Agent,
                Some(&json!({"status": "new"})),
            )
            .await;
        assert_eq!(status, 409, "nothing goes back to new");
        let (status, p) = app
            .json(
                "patch",
                &format!("/api/tickets/{}", t.id),
                Who::Agent,
                Some(&json!({"assignee": uuid::Uuid::now_v7()})),
            )
            .await;
        assert_eq!(status, 422, "{p}");
    }
);

both!(
    a_staff_reply_is_queued_as_threaded_mail_and_is_the_first_response,
    async |app: &TestApp| {
        let (id, _) = ticket_with_attachment(app).await;
        let (status, t) = app
            .json(
                "post",
                &format!("/api/tickets/{id}/reply"),
                Who::Agent,
                Some(&json!({"content": "Thanks, the invoice is fine."})),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        assert!(t["first_response_at"].is_string());
        assert_eq!(t["sla"]["first_response"]["state"], "met");
        let report =
            frontdesk_poller::jobs::run_jobs(&app.state.app, 20, &|| false, &mut Vec::new())
                .await
                .unwrap();
        assert!(report.done >= 1, "{report:?}");
        let outbox = app.state.app.config.outbox.path.join("new");
        let sent: Vec<String> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .filter(|m| m.contains("the invoice is fine"))
            .collect();
        assert_eq!(sent.len(), 1);
        assert!(
            sent[0].contains("In-Reply-To: <inv-1@customer.test>"),
            "{}",
            sent[0]
        );
        assert!(sent[0].contains("[TKT-"));
        let (_, detail) = app
            .json("get", &format!("/api/tickets/{id}"), Who::Customer, None)
            .await;
        let kinds: Vec<&str> = detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["customer", "agent"]);
    }
);

both!(
    a_customer_reply_in_the_portal_reopens_a_resolved_ticket,
    async |app: &TestApp| {
        let t = app.ticket("Refund", "Please refund order 55").await;
        let url = format!("/api/tickets/{}", t.id);
        app.json(
            "patch",
            &url,
            Who::Agent,
            Some(&json!({"status": "resolved"})),
        )
        .await;
        let (status, after) = app
            .json(
                "post",
                &format!("{url}/reply"),
                Who::Customer,
                Some(&json!({"content": "Still no refund."})),
            )
            .await;
        assert_eq!(status, 201, "{after}");
        assert_eq!(after["status"], "open");
        app.json(
            "patch",
            &url,
            Who::Agent,
            Some(&json!({"status": "closed"})),
        )
        .await;
        // On a closed ticket the reply opens a follow-up, as a mailed one does.
        let (status, follow) = app
            .json(
                "post",
                &format!("{url}/reply"),
                Who::Customer,
                Some(&json!({"content": "Hello?"})),
            )
            .await;
        assert_eq!(status, 201, "{follow}");
        assert_ne!(follow["id"], json!(t.id.as_uuid()));
        assert_eq!(follow["follow_up_of"], json!(t.id.as_uuid()));
        assert_eq!(
            (&follow["status"], &follow["subject"], &follow["channel"]),
            (&json!("new"), &json!("Refund"), &json!("web"))
        );
        let (_, closed) = app.json("get", &url, Who::Customer, None).await;
        assert_eq!(closed["status"], "closed", "the closed ticket stays closed");
    }
);

both!(take_assign_and_escalate, async |app: &TestApp| {
    let t = app.ticket("Printer on fire", "Really").await;
    let url = format!("/api/tickets/{}", t.id);
    let (status, taken) = app
        .json("post", &format!("{url}/take"), Who::Agent, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(taken["assignee"], json!(app.agent.id.as_uuid()));
    let (_, queue) = app
        .json("get", "/api/tickets/queue", Who::Agent, None)
        .await;
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == json!(t.id.as_uuid()))
    );
    let (status, _) = app
        .json("post", &format!("{url}/take"), Who::Manager, None)
        .await;
    assert_eq!(status, 409);
    let (status, given) = app
        .json(
            "post",
            &format!("{url}/assign"),
            Who::Manager,
            Some(&json!({"staff_id": app.other_agent.id.as_uuid()})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(given["assignee"], json!(app.other_agent.id.as_uuid()));
    let (status, escalated) = app
        .json(
            "post",
            &format!("{url}/escalate"),
            Who::Agent,
            Some(&json!({"reason": "fire"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(escalated["escalation_level"], 1);
});

both!(
    agents_limited_to_their_own_and_unassigned_tickets,
    "[http]\nagents_see_all = false\n",
    async |app: &TestApp| {
        let t = app.ticket("Mine", "a").await;
        let other = app.ticket("Theirs", "b").await;
        app.json(
            "post",
            &format!("/api/tickets/{}/assign", other.id),
            Who::Manager,
            Some(&json!({"staff_id": app.other_agent.id.as_uuid()})),
        )
        .await;
        let (status, _) = app
            .json(
                "get",
                &format!("/api/tickets/{}", other.id),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .json("get", &format!("/api/tickets/{}", t.id), Who::Agent, None)
            .await;
        assert_eq!(status, 200);
        let (_, list) = app.json("get", "/api/tickets", Who::Agent, None).await;
        assert_eq!(list["total"], 1);
        let (_, all) = app.json("get", "/api/tickets", Who::Manager, None).await;
        assert_eq!(all["total"], 2);
    }
);

both!(
    attachments_download_with_a_safe_name_and_their_type,
    async |app: &TestApp| {
        let (id, att) = ticket_with_attachment(app).await;
        let response = app
            .call(
                "get",
                &format!("/api/tickets/{id}/attachments/{att}"),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            disposition.contains("invoice.pdf") && !disposition.contains(".."),
            "{disposition}"
        );
        assert!(response.bytes().await.unwrap().starts_with(b"%PDF"));
        let other = app.ticket("Other", "x").await;
        let (status, _) = app
            .json(
                "get",
                &format!("/api/tickets/{}/attachments/{att}", other.id),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(
            status, 404,
            "an attachment is reachable only through its own ticket"
        );
    }
);

both!(
    merging_a_duplicate_moves_its_conversation_and_search_to_the_survivor,
    async |app: &TestApp| {
        let keep = app
            .ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        let dup = app
            .ticket("Parcel missing", "Still no zanzibarite delivery")
            .await;
        let (s, r) = app
            .json(
                "post",
                &format!("/api/tickets/{}/merge", dup.id),
                Who::Agent,
                Some(&json!({"into": keep.number.to_string()})),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["id"], keep.id.to_string());
        let (_, kept) = app
            .json(
                "get",
                &format!("/api/tickets/{}", keep.id),
                Who::Agent,
                None,
            )
            .await;
        let bodies: Vec<&str> = kept["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default())
            .collect();
        assert!(
            bodies.iter().any(|b| b.contains("zanzibarite")),
            "{bodies:?}"
        );
        let (_, gone) = app
            .json("get", &format!("/api/tickets/{}", dup.id), Who::Agent, None)
            .await;
        assert_eq!(gone["status"], "closed");
        assert_eq!(gone["merged_into"], keep.id.to_string());
        assert_eq!(gone["messages"].as_array().unwrap().len(), 0);
        let (_, found) = app
            .json("get", "/api/tickets?q=zanzibarite", Who::Agent, None)
            .await;
        let ids: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [keep.id.to_string()], "{found}");
        for (into, status) in [
            (keep.number.to_string(), 409),
            (dup.number.to_string(), 409),
            ("TKT-999999".to_owned(), 422),
        ] {
            let source = if status == 409 && into == keep.number.to_string() {
                dup.id
            } else {
                keep.id
            };
            let (s, r) = app
                .json(
                    "post",
                    &format!("/api/tickets/{source}/merge"),
                    Who::Agent,
                    Some(&json!({ "into": into })),
                )
                .await;
            assert_eq!(s, status, "{into}: {r}");
        }
        let (s, _) = app
            .json(
                "post",
                &format!("/api/tickets/{}/merge", keep.id),
                Who::Agent,
                Some(&json!({"into": keep.id.to_string()})),
            )
            .await;
        assert_eq!(s, 409, "not into itself");
    }
);

both!(
    merging_two_customers_tickets_needs_a_managers_force_and_hides_the_other_customers_messages,
    async |app: &TestApp| {
        use frontdesk_domain::service::NewTicket;
        use frontdesk_domain::staff::Customer;
        use frontdesk_domain::ticket::{Actor, Channel};
        let keep = app
            .ticket("Order 1234 is late", "Where is my parcel?")
            .await;
        let theirs = app
            .state
            .desk()
            .open(NewTicket {
                customer: Customer::new(app.other_customer.clone(), None),
                subject: "My own order".to_owned(),
                body: "Mallory's zanzibarite account details".to_owned(),
                channel: Channel::Web,
                priority: None,
                category: None,
                tags: Vec::new(),
                actor: Actor::Customer(app.other_customer.clone()),
            })
            .await
            .unwrap()
            .ticket;
        let merge = format!("/api/tickets/{}/merge", theirs.id);
        for (who, force, status) in [
            (Who::Agent, false, 409),
            (Who::Manager, false, 409),
            (Who::Agent, true, 403),
        ] {
            let response = app
                .call(
                    "post",
                    &merge,
                    who,
                    Some(&json!({"into": keep.number.to_string(), "force": force})),
                )
                .await;
            assert_eq!(response.status(), status, "{who:?} force={force}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
        let (_, untouched) = app
            .json(
                "get",
                &format!("/api/tickets/{}", theirs.id),
                Who::Manager,
                None,
            )
            .await;
        assert_ne!(untouched["status"], "closed", "{untouched}");

        let (s, r) = app
            .json(
                "post",
                &merge,
                Who::Manager,
                Some(&json!({"into": keep.number.to_string(), "force": true})),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        let (s, staff_view) = app
            .json(
                "get",
                &format!("/api/tickets/{}", keep.id),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert!(
            staff_view.to_string().contains("zanzibarite"),
            "staff see the merged messages: {staff_view}"
        );
        let (s, alice_view) = app
            .json(
                "get",
                &format!("/api/tickets/{}", keep.id),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(s, 200, "{alice_view}");
        assert!(
            !alice_view.to_string().contains("zanzibarite"),
            "{alice_view}"
        );
        assert!(alice_view.to_string().contains("Where is my parcel?"));
        let (_, found) = app
            .json("get", "/api/tickets?q=zanzibarite", Who::Customer, None)
            .await;
        assert!(!found.to_string().contains(&keep.id.to_string()), "{found}");
    }
);

both!(
    a_bulk_change_goes_through_each_tickets_rules_and_answers_per_ticket,
    async |app: &TestApp| {
        let a = app.ticket("Lamp broken", "It flickers").await;
        let b = app.ticket("Order late", "Where is it").await;
        // `b` is closed: nothing leaves closed, so its status change is refused.
        app.json(
            "patch",
            &format!("/api/tickets/{}", b.id),
            Who::Agent,
            Some(&json!({"status": "closed"})),
        )
        .await;
        let (status, r) = app
            .json(
                "post",
                "/api/tickets/bulk",
                Who::Agent,
                Some(&json!({
                    "tickets": [a.number.to_string(), b.id.as_uuid(), "TKT-999999"],
                    "status": "pending",
                    "add_tags": ["Batch"]
                })),
            )
            .await;
        assert_eq!(status, 200, "{r}");
        let results = r["results"].as_array().unwrap();
        assert_eq!(
            results
                .iter()
                .map(|x| (
                    x["outcome"].as_str().unwrap(),
                    x["status"].as_u64().unwrap()
                ))
                .collect::<Vec<_>>(),
            [("done", 200), ("refused", 409), ("refused", 404)],
            "{r}"
        );
        let (_, after) = app
            .json("get", &format!("/api/tickets/{}", a.id), Who::Agent, None)
            .await;
        assert_eq!(after["status"], "pending");
        assert_eq!(after["tags"], json!(["batch"]));
        let (_, closed) = app
            .json("get", &format!("/api/tickets/{}", b.id), Who::Agent, None)
            .await;
        assert_eq!(
            closed["status"], "closed",
            "a refused ticket is left as it was"
        );
        let (status, _) = app
            .json(
                "post",
                "/api/tickets/bulk",
                Who::Agent,
                Some(&json!({"tickets": [a.number.to_string()]})),
            )
            .await;
        assert_eq!(status, 422, "a change that changes nothing is refused");
        let (status, _) = app
            .json(
                "post",
                "/api/tickets/bulk",
                Who::Customer,
                Some(&json!({"tickets": [a.number.to_string()], "take": true})),
            )
            .await;
        assert_eq!(status, 403);
    }
);
