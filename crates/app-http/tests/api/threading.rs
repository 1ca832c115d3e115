//! Mail that refers to someone else's ticket: only the ticket's participants join it; anyone
//! else opens a ticket of their own that staff see linked to it (a merge suggestion).

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, Who, post_mail, read_until};

/// Posts a mail that must be accepted: the JSON answer.
async fn accepted(app: &TestApp, raw: &str) -> Value {
    let (status, body) = post_mail(app, raw).await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    body
}

const ALICE: &str = "From: Alice <alice@customer.test>\r\nTo: support@frontdesk.test\r\n\
    Cc: Bob <bob@customer.test>\r\nSubject: My order 77 never arrived\r\n\
    Message-ID: <alice-1@customer.test>\r\n\r\nThe parcel is lost, please help.\r\n";

fn mallory(id: &str, in_reply_to: &str, references: &str) -> String {
    format!(
        "From: Mallory <mallory@attacker.test>\r\nTo: support@frontdesk.test\r\n\
         Subject: Re: My order 77 never arrived\r\nMessage-ID: <{id}@attacker.test>\r\n\
         In-Reply-To: {in_reply_to}\r\nReferences: {references}\r\n\r\n\
         Please send the refund to my account instead.\r\n"
    )
}

async fn detail(app: &TestApp, ticket: &str, who: Who) -> Value {
    let (status, body) = app
        .json("get", &format!("/api/tickets/{ticket}"), who, None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Alice's ticket as she sees it: only her own words and the staff's answers, no suggestions.
async fn alice_sees_only_her_conversation(app: &TestApp, ticket: &str) {
    let mine = detail(app, ticket, Who::Customer).await;
    assert!(mine.get("merge_suggestions").is_none(), "{mine}");
    for m in mine["messages"].as_array().unwrap() {
        let body = m["body"].as_str().unwrap();
        assert!(!body.contains("refund to my account"), "{mine}");
        assert_ne!(m["author_email"], "mallory@attacker.test", "{mine}");
    }
}

/// The staff view of `ticket` links to `other` with the reason and the evidence.
async fn staff_see_the_suggestion(app: &TestApp, ticket: &str, other: &str, evidence: &str) {
    let staff = detail(app, ticket, Who::Agent).await;
    let suggestions = staff["merge_suggestions"].as_array().unwrap();
    let found = suggestions
        .iter()
        .find(|s| s["ticket"] == other)
        .unwrap_or_else(|| panic!("no suggestion to {other}: {staff}"));
    let reason = found["reason"].as_str().unwrap();
    assert!(reason.contains("mallory@attacker.test"), "{reason}");
    assert!(reason.contains("not a participant"), "{reason}");
    assert!(
        found["evidence"].as_str().unwrap().contains(evidence),
        "{found}"
    );
}

both!(
    a_stranger_replying_to_a_customers_mail_opens_a_linked_ticket_for_staff,
    async |app: &TestApp| {
        let first = accepted(app, ALICE).await;
        assert_eq!(first["outcome"], "created", "{first}");
        let alice = first["ticket"].as_str().unwrap().to_owned();
        let mut alice_events = app.call("get", "/api/events", Who::Customer, None).await;
        read_until(&mut alice_events, |t| t.contains(": connected")).await;

        let attack = mallory("m-1", "<alice-1@customer.test>", "<alice-1@customer.test>");
        let placed = accepted(app, &attack).await;
        assert_eq!(placed["outcome"], "created", "{placed}");
        let stranger = placed["ticket"].as_str().unwrap().to_owned();
        assert_ne!(stranger, alice);
        alice_sees_only_her_conversation(app, &alice).await;
        let own = detail(app, &alice, Who::Customer).await;
        assert_eq!(own["messages"].as_array().unwrap().len(), 1, "{own}");
        staff_see_the_suggestion(app, &stranger, &alice, "alice-1@customer.test").await;
        staff_see_the_suggestion(app, &alice, &stranger, "alice-1@customer.test").await;
        let theirs = detail(app, &stranger, Who::Agent).await;
        assert_eq!(theirs["customer"]["email"], "mallory@attacker.test");

        // A staff answer on Alice's ticket, then Mallory replies to that answer.
        let (status, _) = app
            .json(
                "post",
                &format!("/api/tickets/{alice}/reply"),
                Who::Agent,
                Some(&json!({"content": "We are sending a new parcel."})),
            )
            .await;
        assert_eq!(status, 201);
        let seen = read_until(&mut alice_events, |t| t.contains("\"kind\":\"agent\"")).await;
        // Her own first message is the only customer message she was told about.
        assert_eq!(seen.matches("\"kind\":\"customer\"").count(), 1, "{seen}");
        assert!(!seen.contains(&stranger), "{seen}");
        let staff = detail(app, &alice, Who::Agent).await;
        let ours = staff["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "agent")
            .and_then(|m| m["email"]["message_id"].as_str())
            .unwrap()
            .to_owned();
        let attack = mallory("m-2", &ours, &format!("<alice-1@customer.test> {ours}"));
        let placed = accepted(app, &attack).await;
        assert_eq!(placed["outcome"], "created", "{placed}");
        let second = placed["ticket"].as_str().unwrap().to_owned();
        assert!(second != alice && second != stranger, "{placed}");
        alice_sees_only_her_conversation(app, &alice).await;
        staff_see_the_suggestion(app, &second, &alice, ours.trim_matches(['<', '>'])).await;

        // Mallory answers the acknowledgement we mailed Alice.
        frontdesk_poller::jobs::run_jobs(&app.state.app, 20, &|| false, &mut Vec::new())
            .await
            .unwrap();
        let outbox = app.state.app.config.outbox.path.join("new");
        let acknowledgement = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .find(|m| m.contains("To: alice@customer.test") && !m.contains("new parcel"))
            .unwrap_or_else(|| panic!("no acknowledgement to Alice in the outbox"));
        let ack_id = acknowledgement
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap()
            .trim()
            .to_owned();
        let attack = mallory("m-3", &ack_id, &format!("<alice-1@customer.test> {ack_id}"));
        let placed = accepted(app, &attack).await;
        assert_eq!(placed["outcome"], "created", "{placed}");
        alice_sees_only_her_conversation(app, &alice).await;
        let staff = detail(app, &alice, Who::Agent).await;
        assert_eq!(staff["merge_suggestions"].as_array().unwrap().len(), 3);
        let customers = detail(app, &alice, Who::Customer).await;
        assert_eq!(
            customers["messages"].as_array().unwrap().len(),
            2,
            "{customers}"
        );
    }
);

both!(
    people_on_a_tickets_mail_still_reply_onto_it,
    async |app: &TestApp| {
        let first = accepted(app, ALICE).await;
        let alice = first["ticket"].as_str().unwrap().to_owned();
        // Bob was on Cc of Alice's mail: a participant.
        let bob = "From: bob@customer.test\r\nTo: support@frontdesk.test\r\n\
            Subject: Re: My order 77 never arrived\r\nMessage-ID: <bob-1@customer.test>\r\n\
            In-Reply-To: <alice-1@customer.test>\r\n\r\nI am her colleague, same problem.\r\n";
        let placed = accepted(app, bob).await;
        assert_eq!(placed["outcome"], "appended", "{placed}");
        assert_eq!(placed["ticket"], alice.as_str());
        // Alice herself, with the tag only.
        let again = format!(
            "From: alice@customer.test\r\nTo: support@frontdesk.test\r\n\
             Subject: Re: [{alice}] lost parcel\r\nMessage-ID: <alice-2@customer.test>\r\n\r\nAny news?\r\n"
        );
        let placed = accepted(app, &again).await;
        assert_eq!(placed["outcome"], "appended", "{placed}");
        let staff = detail(app, &alice, Who::Agent).await;
        assert_eq!(staff["merge_suggestions"], json!([]), "{staff}");
        assert_eq!(staff["messages"].as_array().unwrap().len(), 3);
    }
);

both!(
    mail_with_two_senders_never_joins_an_existing_ticket,
    async |app: &TestApp| {
        let first = accepted(app, ALICE).await;
        let alice = first["ticket"].as_str().unwrap().to_owned();
        let forged = "From: mallory@attacker.test\r\nFrom: alice@customer.test\r\n\
            To: support@frontdesk.test\r\nSubject: Re: My order 77 never arrived\r\n\
            Message-ID: <two-from@attacker.test>\r\nIn-Reply-To: <alice-1@customer.test>\r\n\r\n\
            Please send the refund to my account instead.\r\n";
        let placed = accepted(app, forged).await;
        assert_eq!(placed["outcome"], "created", "{placed}");
        let new = placed["ticket"].as_str().unwrap().to_owned();
        alice_sees_only_her_conversation(app, &alice).await;
        let staff = detail(app, &new, Who::Agent).await;
        let text = staff.to_string();
        assert!(text.contains("mallory@attacker.test"), "{staff}");
        let suggestion = &staff["merge_suggestions"][0];
        assert_eq!(suggestion["ticket"], alice.as_str(), "{staff}");
        assert!(
            suggestion["evidence"]
                .as_str()
                .unwrap()
                .contains("mallory@attacker.test"),
            "{staff}"
        );
    }
);

both!(
    merge_suggestions_are_in_the_openapi_schema_of_a_ticket,
    async |app: &TestApp| {
        let (status, doc) = app
            .json("get", "/api/openapi.json", Who::Anonymous, None)
            .await;
        assert_eq!(status, 200);
        let schemas = &doc["components"]["schemas"];
        // The ticket's own fields are flattened in: its properties sit in one of `allOf`.
        let detail = schemas["TicketDetail"]["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|part| part["properties"].get("merge_suggestions"))
            .unwrap_or_else(|| panic!("{}", schemas["TicketDetail"]));
        assert_eq!(detail["type"], "array", "absent for customers, never null");
        let link = &schemas["MergeSuggestionView"]["properties"];
        for field in ["ticket", "reason", "evidence"] {
            assert!(link[field].is_object(), "{field}: {link}");
        }
    }
);
