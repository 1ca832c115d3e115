//! Intake forms over the API (issue 19): managers write drafts and publish them, one version is
//! active, published versions never change, customers read the active form and open a request
//! through it, and the ticket keeps its answers and the mapped fields.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, Who};

fn support(name: &str) -> Value {
    json!({
        "name": name,
        "intro": "Tell us what happened.",
        "questions": [
            {"key": "issue", "label": "What is it about?", "kind": "single_choice",
             "required": true, "options": ["Order issue", "Product question", "Other"]},
            {"key": "order", "label": "Order number", "kind": "order_number", "required": true,
             "show_if": {"question": "issue", "any_of": ["Order issue"]}},
            {"key": "parts", "label": "What is affected?", "kind": "multiple_choice",
             "options": ["Box", "Item"],
             "show_if": {"question": "issue", "any_of": ["Order issue"]}},
            {"key": "photos", "label": "Photos", "kind": "upload", "images_only": true,
             "show_if": {"question": "issue", "any_of": ["Order issue"]}},
            {"key": "details", "label": "Anything else?", "kind": "long_text"}
        ],
        "rules": [
            {"when": {"question": "issue", "any_of": ["Order issue"]},
             "category": "order", "tags": ["form-order"]},
            {"when": {"question": "parts", "any_of": ["Item"]}, "priority": "high"}
        ]
    })
}

both!(
    forms_are_versioned_published_and_answered,
    async |app: &TestApp| {
        // Every problem is named where it is.
        let mut bad = support("Broken");
        bad["questions"][1]["show_if"]["any_of"] = json!(["Lost parcel"]);
        bad["rules"][1]["priority"] = json!("whenever");
        let (s, p) = app
            .json("post", "/api/journeys", Who::Manager, Some(&bad))
            .await;
        assert_eq!(s, 422, "{p}");
        assert!(p["errors"]["questions[1].show_if"].is_string(), "{p}");
        assert!(p["errors"]["rules[1].priority"].is_string(), "{p}");
        let (s, first) = app
            .json(
                "post",
                "/api/journeys",
                Who::Manager,
                Some(&support("Support")),
            )
            .await;
        assert_eq!(s, 201, "{first}");
        assert_eq!(
            (first["status"].as_str(), first["version"].as_u64()),
            (Some("draft"), Some(1))
        );
        let id = first["id"].as_str().unwrap().to_owned();
        // Customers see no draft.
        let (_, list) = app.json("get", "/api/journeys", Who::Customer, None).await;
        assert_eq!(list["items"], json!([]));
        // Without an active form, answers are refused and nothing is opened.
        let ask = json!({"subject": "Dented box", "answers": {"issue": "Other"}});
        let (s, p) = app
            .json("post", "/api/tickets", Who::Customer, Some(&ask))
            .await;
        assert_eq!(s, 422, "{p}");
        let (s, v) = app
            .json(
                "put",
                &format!("/api/journeys/{id}"),
                Who::Admin,
                Some(&support("General support")),
            )
            .await;
        assert_eq!(
            (s, v["name"].as_str()),
            (200, Some("General support")),
            "{v}"
        );
        let (s, v) = app
            .json(
                "post",
                &format!("/api/journeys/{id}/publish"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!((s, v["status"].as_str()), (200, Some("active")), "{v}");
        assert!(v["published_at"].is_string());
        // Published: fixed.
        let (s, p) = app
            .json(
                "put",
                &format!("/api/journeys/{id}"),
                Who::Manager,
                Some(&support("Changed")),
            )
            .await;
        assert_eq!(s, 409, "{p}");
        let (_, list) = app.json("get", "/api/journeys", Who::Customer, None).await;
        assert_eq!(list["items"][0]["id"], json!(id));
        assert!(
            list["items"][0].get("tickets").is_none(),
            "counts are staff's"
        );
        // A customer answers: the branch's required order number is asked for first.
        let missing = json!({"subject": "Dented box",
            "answers": {"issue": "Order issue", "parts": ["Item", "Box"]}});
        let (s, p) = app
            .json("post", "/api/tickets", Who::Customer, Some(&missing))
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(
            p["errors"]["answers.order"],
            json!("this question needs an answer"),
            "{p}"
        );
        let wrong = json!({"subject": "x", "answers": {"issue": 3}});
        let (s, _) = app
            .json("post", "/api/tickets", Who::Customer, Some(&wrong))
            .await;
        assert_eq!(s, 422);
        let good = json!({"subject": "Dented box",
            "answers": {"issue": "order issue", "order": "#1001", "parts": ["Item", "Box"],
                        "details": "The corner is crushed"}});
        let (s, t) = app
            .json("post", "/api/tickets", Who::Customer, Some(&good))
            .await;
        assert_eq!(s, 201, "{t}");
        let number = t["number"].as_str().unwrap().to_owned();
        // The customer sees when the first answer is due, until it is given.
        assert!(t["expected_reply_by"].is_string(), "{t}");
        let (_, detail) = app
            .json("get", &format!("/api/tickets/{number}"), Who::Agent, None)
            .await;
        // The customer's view leaves the staff fields out; staff see what the rules set.
        assert_eq!(
            (detail["category"].as_str(), detail["priority"].as_str()),
            (Some("order"), Some("high"))
        );
        let tags: Vec<&str> = detail["tags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            tags.contains(&"form-order") && tags.contains(&"order:1001"),
            "{tags:?}"
        );
        assert_eq!(detail["intake"]["version"], json!(1));
        assert_eq!(detail["intake"]["name"], json!("General support"));
        let answers = detail["intake"]["answers"].as_array().unwrap();
        let keys: Vec<&str> = answers.iter().filter_map(|a| a["key"].as_str()).collect();
        assert_eq!(keys, ["issue", "order", "parts", "details"]);
        assert_eq!(answers[2]["values"], json!(["Box", "Item"]));
        assert!(
            detail["description"]
                .as_str()
                .unwrap()
                .contains("Order number: #1001"),
            "{detail}"
        );
        let (s, _) = app
            .json(
                "post",
                &format!("/api/tickets/{number}/reply"),
                Who::Agent,
                Some(&json!({"content": "We are on it."})),
            )
            .await;
        assert_eq!(s, 201);
        let (_, mine) = app
            .json(
                "get",
                &format!("/api/tickets/{number}"),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(mine["expected_reply_by"], Value::Null, "answered: {mine}");
        // A second version replaces the first; the ticket keeps version 1.
        let (_, second) = app
            .json(
                "post",
                "/api/journeys",
                Who::Manager,
                Some(&support("Support v2")),
            )
            .await;
        let second_id = second["id"].as_str().unwrap().to_owned();
        assert_eq!(second["version"], json!(2));
        let (s, _) = app
            .json(
                "post",
                &format!("/api/journeys/{second_id}/publish"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 200);
        let (_, all) = app.json("get", "/api/journeys", Who::Agent, None).await;
        let states: Vec<(u64, &str, u64)> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| {
                (
                    j["version"].as_u64().unwrap(),
                    j["status"].as_str().unwrap(),
                    j["tickets"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(states, [(2, "active", 0), (1, "archived", 1)]);
        let (s, _) = app
            .json(
                "post",
                &format!("/api/journeys/{id}/publish"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 409, "an archived version stays archived");
        let (_, detail) = app
            .json("get", &format!("/api/tickets/{number}"), Who::Agent, None)
            .await;
        assert_eq!(detail["intake"]["version"], json!(1));
        // Retiring the active form: the portal's plain form again.
        let (s, _) = app
            .json(
                "post",
                &format!("/api/journeys/{second_id}/archive"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(s, 200);
        let (_, list) = app.json("get", "/api/journeys", Who::Customer, None).await;
        assert_eq!(list["items"], json!([]));
        // A ticket without a form has no intake.
        let (_, plain) = app
            .json(
                "post",
                "/api/tickets",
                Who::Customer,
                Some(&json!({"subject": "Hello", "description": "Just a question"})),
            )
            .await;
        let (_, detail) = app
            .json(
                "get",
                &format!("/api/tickets/{}", plain["number"].as_str().unwrap()),
                Who::Customer,
                None,
            )
            .await;
        assert_eq!(detail["intake"], Value::Null);
    }
);
