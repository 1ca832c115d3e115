//! The authorisation matrix: every route × every role (and anonymous) against the expected
//! status, from one table. A route in the server's table without a row here fails the test.

use frontdesk_http::routes::ENDPOINTS;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{EVERYONE, PASSWORD, TestApp, Who};

/// Expected statuses for [anonymous, customer (owner), other customer, agent, manager, admin].
type Row = (&'static str, &'static str, [u16; 6]);

const TABLE: &[Row] = &[
    ("get", "/healthz", [200, 200, 200, 200, 200, 200]),
    // This test process exports no metrics.
    ("get", "/metrics", [404, 404, 404, 404, 404, 404]),
    ("post", "/api/auth/login", [200, 200, 200, 200, 200, 200]),
    ("post", "/api/auth/refresh", [401, 401, 401, 401, 401, 401]),
    ("post", "/api/auth/logout", [204, 204, 204, 204, 204, 204]),
    ("post", "/api/auth/register", [202, 202, 202, 202, 202, 202]),
    ("post", "/api/auth/verify", [400, 400, 400, 400, 400, 400]),
    (
        "post",
        "/api/auth/set-password",
        [400, 400, 400, 400, 400, 400],
    ),
    (
        "post",
        "/api/auth/portal-link",
        [202, 202, 202, 202, 202, 202],
    ),
    (
        "post",
        "/api/auth/portal-link/use",
        [400, 400, 400, 400, 400, 400],
    ),
    ("get", "/api/customers", [401, 403, 403, 403, 403, 200]),
    (
        "patch",
        "/api/customers/{email}",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "delete",
        "/api/customers/{email}",
        [401, 403, 403, 403, 403, 404],
    ),
    ("get", "/api/auth/me", [401, 200, 200, 200, 200, 200]),
    ("get", "/api/auth/tokens", [401, 403, 403, 403, 403, 200]),
    ("post", "/api/auth/tokens", [401, 403, 403, 403, 403, 201]),
    (
        "delete",
        "/api/auth/tokens/{id}",
        [401, 403, 403, 403, 403, 404],
    ),
    ("get", "/api/tickets", [401, 200, 200, 200, 200, 200]),
    ("post", "/api/tickets", [401, 201, 201, 201, 201, 201]),
    ("get", "/api/tickets/queue", [401, 403, 403, 200, 200, 200]),
    ("post", "/api/tickets/bulk", [401, 403, 403, 200, 200, 200]),
    (
        "get",
        "/api/tickets/export.csv",
        [401, 403, 403, 200, 200, 200],
    ),
    ("get", "/api/tickets/{id}", [401, 200, 404, 200, 200, 200]),
    ("patch", "/api/tickets/{id}", [401, 403, 404, 200, 200, 200]),
    (
        "post",
        "/api/tickets/{id}/reply",
        [401, 201, 404, 201, 201, 201],
    ),
    (
        "post",
        "/api/tickets/{id}/notes",
        [401, 403, 404, 201, 201, 201],
    ),
    (
        "post",
        "/api/tickets/{id}/assign",
        [401, 403, 404, 200, 200, 200],
    ),
    (
        "post",
        "/api/tickets/{id}/take",
        [401, 403, 404, 200, 200, 200],
    ),
    (
        "post",
        "/api/tickets/{id}/escalate",
        [401, 403, 404, 200, 200, 200],
    ),
    (
        "post",
        "/api/tickets/{id}/merge",
        [401, 403, 404, 200, 200, 200],
    ),
    (
        "get",
        "/api/tickets/{id}/attachments/{att}",
        [401, 200, 404, 200, 200, 200],
    ),
    (
        "get",
        "/api/tickets/{id}/order",
        [401, 403, 403, 200, 200, 200],
    ),
    ("get", "/api/staff", [401, 403, 403, 200, 200, 200]),
    ("post", "/api/staff", [401, 403, 403, 403, 403, 201]),
    ("patch", "/api/staff/{id}", [401, 403, 403, 200, 403, 200]),
    // Links to choose a password: admins only, even for the agent's own.
    (
        "post",
        "/api/staff/{id}/invitation",
        [401, 403, 403, 403, 403, 202],
    ),
    (
        "post",
        "/api/staff/{id}/password-reset",
        [401, 403, 403, 403, 403, 202],
    ),
    (
        "put",
        "/api/staff/{id}/status",
        [401, 403, 403, 200, 200, 200],
    ),
    // The agent's own choices; nobody else's but an admin's.
    (
        "get",
        "/api/staff/{id}/notifications",
        [401, 403, 403, 200, 403, 200],
    ),
    (
        "put",
        "/api/staff/{id}/notifications",
        [401, 403, 403, 200, 403, 200],
    ),
    (
        "get",
        "/api/admin/quarantine",
        [401, 403, 403, 403, 200, 200],
    ),
    ("get", "/api/machine-mail", [401, 403, 403, 200, 200, 200]),
    (
        "get",
        "/api/admin/sender-filters",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "put",
        "/api/admin/sender-filters",
        [401, 403, 403, 403, 200, 200],
    ),
    // No such entry: every staff member may promote, nobody finds this one.
    (
        "post",
        "/api/machine-mail/{id}/promote",
        [401, 403, 403, 404, 404, 404],
    ),
    (
        "post",
        "/api/admin/quarantine/{id}/reprocess",
        [401, 403, 403, 403, 404, 404],
    ),
    (
        "post",
        "/api/admin/quarantine/{id}/dismiss",
        [401, 403, 403, 403, 404, 404],
    ),
    (
        "get",
        "/api/admin/quarantine/{id}/raw",
        [401, 403, 403, 403, 404, 404],
    ),
    (
        "get",
        "/api/admin/mailboxes",
        [401, 403, 403, 403, 200, 200],
    ),
    ("post", "/api/admin/poll", [401, 403, 403, 403, 200, 200]),
    // Webhooks take their shared secret, not a sign-in: a role's token is the wrong secret.
    (
        "post",
        "/api/webhooks/inbound-email",
        [401, 401, 401, 401, 401, 401],
    ),
    (
        "post",
        "/api/webhooks/gmail",
        [401, 401, 401, 401, 401, 401],
    ),
    (
        "post",
        "/api/webhooks/zendesk",
        [401, 401, 401, 401, 401, 401],
    ),
    (
        "post",
        "/api/webhooks/intercom",
        [401, 401, 401, 401, 401, 401],
    ),
    (
        "get",
        "/api/analytics/realtime",
        [401, 403, 403, 403, 200, 200],
    ),
    ("get", "/api/events", [401, 200, 200, 200, 200, 200]),
    (
        "get",
        "/api/canned-responses",
        [401, 403, 403, 200, 200, 200],
    ),
    (
        "post",
        "/api/canned-responses",
        [401, 403, 403, 403, 201, 201],
    ),
    (
        "get",
        "/api/canned-responses/{id}",
        [401, 403, 403, 200, 200, 200],
    ),
    (
        "patch",
        "/api/canned-responses/{id}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "delete",
        "/api/canned-responses/{id}",
        [401, 403, 403, 403, 204, 204],
    ),
    ("get", "/api/sla/policies", [401, 403, 403, 403, 200, 200]),
    ("post", "/api/sla/policies", [401, 403, 403, 403, 201, 201]),
    (
        "patch",
        "/api/sla/policies/{id}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "delete",
        "/api/sla/policies/{id}",
        [401, 403, 403, 403, 204, 204],
    ),
    ("get", "/api/sla/calendar", [401, 403, 403, 403, 200, 200]),
    ("put", "/api/sla/calendar", [401, 403, 403, 403, 200, 200]),
    // The manager's delete removes the calendar the PUT row set; then there is none.
    (
        "delete",
        "/api/sla/calendar",
        [401, 403, 403, 403, 204, 404],
    ),
    ("get", "/api/journeys", [401, 200, 200, 200, 200, 200]),
    ("post", "/api/journeys", [401, 403, 403, 403, 201, 201]),
    // A fresh draft each: staff read it, customers only ever see the active form.
    ("get", "/api/journeys/{id}", [401, 404, 404, 200, 200, 200]),
    ("put", "/api/journeys/{id}", [401, 403, 403, 403, 200, 200]),
    (
        "post",
        "/api/journeys/{id}/publish",
        [401, 403, 403, 403, 200, 200],
    ),
    // A fresh active version each.
    (
        "post",
        "/api/journeys/{id}/archive",
        [401, 403, 403, 403, 200, 200],
    ),
    ("get", "/api/kb/articles", [200, 200, 200, 200, 200, 200]),
    ("post", "/api/kb/articles", [401, 403, 403, 201, 201, 201]),
    (
        "get",
        "/api/kb/articles/{id}",
        [200, 200, 200, 200, 200, 200],
    ),
    (
        "patch",
        "/api/kb/articles/{id}",
        [401, 403, 403, 200, 200, 200],
    ),
    (
        "delete",
        "/api/kb/articles/{id}",
        [401, 403, 403, 403, 204, 204],
    ),
    (
        "post",
        "/api/kb/articles/{id}/feedback",
        [204, 204, 204, 204, 204, 204],
    ),
    ("get", "/api/kb/search", [200, 200, 200, 200, 200, 200]),
    ("get", "/api/kb/categories", [200, 200, 200, 200, 200, 200]),
    ("post", "/api/kb/categories", [401, 403, 403, 403, 201, 201]),
    (
        "patch",
        "/api/kb/categories/{id}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "delete",
        "/api/kb/categories/{id}",
        [401, 403, 403, 403, 204, 204],
    ),
    (
        "get",
        "/api/outbound-webhooks",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "post",
        "/api/outbound-webhooks",
        [401, 403, 403, 403, 201, 201],
    ),
    (
        "patch",
        "/api/outbound-webhooks/{id}",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "delete",
        "/api/outbound-webhooks/{id}",
        [401, 403, 403, 403, 204, 204],
    ),
    (
        "get",
        "/api/outbound-webhooks/{id}/deliveries",
        [401, 403, 403, 403, 200, 200],
    ),
    // A delivery of another webhook (or none) is not found.
    (
        "post",
        "/api/outbound-webhooks/{id}/deliveries/{delivery}/redeliver",
        [401, 403, 403, 403, 404, 404],
    ),
    (
        "get",
        "/api/analytics/satisfaction",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "get",
        "/api/analytics/deflection",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "get",
        "/api/analytics/assistant",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "get",
        "/api/analytics/historical",
        [401, 403, 403, 403, 200, 200],
    ),
    (
        "get",
        "/api/analytics/historical.csv",
        [401, 403, 403, 403, 200, 200],
    ),
    // The agent column asks for the agent's own figures.
    (
        "get",
        "/api/staff/{id}/performance",
        [401, 403, 403, 200, 200, 200],
    ),
];

fn column(who: Who) -> usize {
    EVERYONE.iter().position(|w| *w == who).unwrap()
}

/// A request body that is valid for `who` on this route.
fn body(
    app: &TestApp,
    (method, path): (&str, &str),
    who: Who,
    n: usize,
    merge_into: &str,
) -> Option<Value> {
    let staff = matches!(who, Who::Agent | Who::Manager | Who::Admin);
    Some(match (method, path) {
        ("post", "/api/auth/login") => {
            json!({"email": "alice@customer.test", "password": PASSWORD})
        }
        ("post", "/api/auth/refresh") => json!({"refresh_token": "fdr_not-a-token"}),
        ("post", "/api/auth/logout") => json!({"refresh_token": "fdr_not-a-token"}),
        ("post", "/api/auth/register") => {
            json!({"email": format!("new{n}@customer.test"), "password": PASSWORD})
        }
        ("post", "/api/auth/verify") => json!({"token": "fdc_not-a-token", "password": PASSWORD}),
        ("post", "/api/auth/portal-link") => json!({"email": format!("link{n}@customer.test")}),
        ("post", "/api/auth/portal-link/use") => json!({"token": "fdp_not-a-token"}),
        ("post", "/api/auth/set-password") => {
            json!({"token": "fds_not-a-token", "password": PASSWORD})
        }
        ("patch", "/api/customers/{email}") => json!({"active": true}),
        ("post", "/api/auth/tokens") => json!({"name": "CRM sync"}),
        ("post", "/api/tickets") if staff => json!({
            "subject": "Phone call: refund", "description": "Customer called about a refund",
            "customer_email": "bob@customer.test"}),
        ("post", "/api/tickets") => {
            json!({"subject": "Where is my order?", "description": "It is late"})
        }
        ("patch", "/api/tickets/{id}") => json!({"priority": "high"}),
        ("post", "/api/admin/quarantine/{id}/dismiss") => json!({"reason": "spam"}),
        ("post", "/api/tickets/bulk") => json!({"tickets": ["TKT-000001"], "add_tags": ["vip"]}),
        ("post", "/api/tickets/{id}/reply") => json!({"content": "Thanks, looking into it"}),
        ("post", "/api/tickets/{id}/notes") => json!({"content": "Checked the warehouse"}),
        ("post", "/api/tickets/{id}/assign") => json!({"staff_id": app.agent.id.as_uuid()}),
        ("post", "/api/tickets/{id}/escalate") => json!({"reason": "VIP customer"}),
        ("post", "/api/tickets/{id}/merge") => json!({ "into": merge_into }),
        ("post", "/api/canned-responses") => {
            json!({"title": "Refund sent", "body": "Hello {customer_name}, the refund is on its way."})
        }
        ("patch", "/api/canned-responses/{id}") => json!({"title": "Refund issued"}),
        ("post", "/api/outbound-webhooks") => {
            json!({"url": "https://crm.example.test/hooks/frontdesk", "events": ["ticket.created"]})
        }
        ("patch", "/api/outbound-webhooks/{id}") => json!({"active": false}),
        ("post" | "put", "/api/journeys" | "/api/journeys/{id}") => json!({
            "name": format!("Support {n}"),
            "questions": [{"key": "what", "label": "What happened?", "kind": "long_text",
                           "required": true}]}),
        ("post", "/api/kb/articles") => {
            json!({"title": format!("Returns {n}"), "body_markdown": "Print the label."})
        }
        ("patch", "/api/kb/articles/{id}") => json!({"title": format!("Returns, changed {n}")}),
        ("post", "/api/kb/articles/{id}/feedback") => json!({"helpful": true}),
        ("post", "/api/kb/categories") => json!({"name": format!("Shipping {n}")}),
        ("patch", "/api/kb/categories/{id}") => json!({"name": format!("Delivery {n}")}),
        ("post", "/api/sla/policies") => json!({
            "priority": "high",
            "category": if who == Who::Admin { "billing" } else { "order" },
            "first_response_minutes": 30, "resolution_minutes": 480}),
        ("patch", "/api/sla/policies/{id}") => json!({"first_response_minutes": 45}),
        ("put", "/api/sla/calendar") => {
            json!({"time_zone": "Europe/Berlin", "monday": ["09:00-17:00"]})
        }
        ("post", "/api/staff") => json!({
            "email": format!("new{n}@frontdesk.test"), "name": "New Person", "role": "agent"}),
        ("patch", "/api/staff/{id}") => json!({"name": "Ana A. Agent"}),
        ("put", "/api/staff/{id}/status") => json!({"availability": "busy"}),
        ("put", "/api/staff/{id}/notifications") => json!({"assigned": false}),
        ("put", "/api/admin/sender-filters") => json!({"deny": ["spammy.example"]}),
        ("post", "/api/webhooks/gmail") => json!({"message": {"data": "e30="}}),
        _ => return None,
    })
}

/// A fresh record for a configuration route's `{id}` (a canned response, a webhook, the only SLA
/// policy), so one role's change or delete cannot decide the next cell; `None` for other routes.
async fn fresh_record(app: &TestApp, path: &str) -> Option<String> {
    let db = app.state.db();
    let now = chrono::Utc::now();
    let id = uuid::Uuid::now_v7();
    if path.starts_with("/api/canned-responses/{id}") {
        let c = frontdesk_adapters_db::CannedResponse {
            id,
            title: "Where is my order".into(),
            category: None,
            body: "It ships today.".into(),
            created_at: now,
            updated_at: now,
        };
        db.save_canned_response(&c).await.unwrap();
    } else if path.starts_with("/api/journeys/{id}") {
        let d = frontdesk_domain::journey::Definition {
            name: "Support".into(),
            intro: String::new(),
            questions: vec![frontdesk_domain::journey::Question {
                key: "what".into(),
                label: "What happened?".into(),
                help: String::new(),
                kind: frontdesk_domain::journey::QuestionKind::LongText,
                required: true,
                options: vec![],
                images_only: false,
                show_if: None,
            }],
            rules: vec![],
        };
        let j = db.create_journey(id, &d, now).await.unwrap();
        if path.ends_with("/archive") {
            db.publish_journey(j.id, now).await.unwrap();
        }
    } else if path.starts_with("/api/kb/articles/{id}") {
        let a = frontdesk_domain::kb::Article {
            id,
            slug: format!("article-{id}"),
            title: "How to return an order".into(),
            body_markdown: "Print the label.".into(),
            category_id: None,
            status: frontdesk_domain::kb::ArticleStatus::Published,
            visibility: frontdesk_domain::kb::Visibility::Public,
            author: None,
            views: 0,
            helpful_yes: 0,
            helpful_no: 0,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
        };
        db.save_kb_article(&a).await.unwrap();
        app.state.kb.invalidate();
    } else if path.starts_with("/api/kb/categories/{id}") {
        let c = frontdesk_domain::kb::Category {
            id,
            name: format!("Category {id}"),
            slug: format!("category-{id}"),
            position: 0,
        };
        db.save_kb_category(&c, now).await.unwrap();
        app.state.kb.invalidate();
    } else if path.starts_with("/api/outbound-webhooks/{id}") {
        let w = frontdesk_domain::webhook::Subscription {
            id,
            url: "https://crm.example.test/hook".into(),
            secret: "0123456789abcdef0123".into(),
            events: frontdesk_domain::webhook::EventSelection::All,
            active: true,
            created_at: now,
            updated_at: now,
        };
        db.save_webhook(&w).await.unwrap();
    } else if path.starts_with("/api/sla/policies/{id}") {
        for p in db.sla_policies().await.unwrap() {
            db.delete_sla_policy(p.id).await.unwrap();
        }
        let p = frontdesk_adapters_db::SlaPolicyRecord {
            id,
            priority: frontdesk_domain::ticket::Priority::Low,
            category: None,
            first_response_minutes: 600,
            resolution_minutes: 6000,
            created_at: now,
            updated_at: now,
        };
        db.save_sla_policy(&p).await.unwrap();
    } else {
        return None;
    }
    Some(id.to_string())
}

both!(
    every_route_answers_every_role_as_the_table_says,
    async |app: &TestApp| {
        for e in ENDPOINTS {
            assert!(
                TABLE.iter().any(|(m, p, _)| *m == e.method && *p == e.path),
                "{} {} has no row in the authorisation matrix",
                e.method,
                e.path
            );
        }
        // One attachment, on a ticket of the customer, for the download row.
        let with_attachment = crate::tickets::ticket_with_attachment(app).await;
        // What every merge cell merges into.
        let survivor = app
            .ticket("Order 1234 is late (first mail)", "Where is it?")
            .await
            .number
            .to_string();
        let mut failures = Vec::new();
        let mut n = 0;
        for (method, path, expected) in TABLE {
            assert!(
                ENDPOINTS
                    .iter()
                    .any(|e| e.method == *method && e.path == *path),
                "{method} {path} is in the matrix but not served"
            );
            for who in EVERYONE {
                n += 1;
                // A fresh ticket per cell, so one role's change cannot decide the next one's.
                let (ticket, att) = if path.contains("{att}") {
                    with_attachment.clone()
                } else {
                    (
                        app.ticket("Order 1234 is late", "Where is my parcel?")
                            .await
                            .id
                            .as_uuid(),
                        String::new(),
                    )
                };
                let record = fresh_record(app, path).await;
                let url = record
                    .map_or_else(|| path.to_string(), |id| path.replace("{id}", &id))
                    .replace("/api/tickets/{id}", &format!("/api/tickets/{ticket}"))
                    .replace("{att}", &att)
                    .replace("{delivery}", &uuid::Uuid::now_v7().to_string())
                    .replace("/api/staff/{id}", &format!("/api/staff/{}", app.agent.id))
                    .replace(
                        "/api/customers/{email}",
                        if *method == "patch" {
                            "/api/customers/alice@customer.test"
                        } else {
                            "/api/customers/nobody@customer.test"
                        },
                    )
                    .replace(
                        "/api/auth/tokens/{id}",
                        &format!("/api/auth/tokens/{}", uuid::Uuid::now_v7()),
                    )
                    .replace(
                        "/api/admin/quarantine/{id}",
                        &format!("/api/admin/quarantine/{}", uuid::Uuid::now_v7()),
                    )
                    .replace(
                        "/api/machine-mail/{id}",
                        &format!("/api/machine-mail/{}", uuid::Uuid::now_v7()),
                    );
                let status = app
                    .call(
                        method,
                        &url,
                        who,
                        body(app, (method, path), who, n, &survivor).as_ref(),
                    )
                    .await
                    .status()
                    .as_u16();
                let want = expected[column(who)];
                if status != want {
                    failures.push(format!(
                        "{method} {path} as {who:?}: {status}, expected {want}"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
);
