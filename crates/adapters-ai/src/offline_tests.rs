use chrono::Utc;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::Sentiment;
use frontdesk_domain::sla::SlaPolicies;
use frontdesk_domain::staff::Customer;
use frontdesk_domain::ticket::{Channel, Priority, TicketDraft, TicketId, TicketNumber};

use super::*;

fn ticket(subject: &str, body: &str) -> Ticket {
    let now = Utc::now();
    Ticket::create(
        TicketDraft {
            id: TicketId::from_uuid(uuid::Uuid::nil()),
            customer: Customer::new(
                EmailAddress::parse("jane@example.com").unwrap(),
                Some("Jane Doe".into()),
            ),
            subject: subject.into(),
            description: body.into(),
            priority: Priority::Medium,
            category: Category::Other,
            channel: Channel::Email,
            tags: vec![],
            sla: SlaPolicies::default().start(Priority::Medium, Category::Other, now),
            follow_up_of: None,
            provider_thread: None,
            created_at: now,
            closed_at: None,
        },
        TicketNumber::new(42).unwrap(),
    )
}

#[tokio::test]
async fn every_category_gets_its_own_draft_with_the_variables_filled() {
    let ai = OfflineAssistant::default();
    for (subject, category) in [
        ("Where is my order", Category::Order),
        ("Product quality", Category::Product),
        ("Refund for double charge", Category::Billing),
        ("Cannot login", Category::Technical),
        ("Hello", Category::Other),
    ] {
        let t = ticket(subject, "see subject");
        let draft = ai
            .draft_reply(
                &t,
                &[],
                &DraftContext {
                    agent_name: Some("Sam".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(draft.body.starts_with("Hello Jane Doe,"), "{}", draft.body);
        assert!(
            draft.body.contains("TKT-000042") && draft.body.contains("Sam"),
            "{}",
            draft.body
        );
        assert!(
            !draft.body.contains('{'),
            "no unresolved variables: {}",
            draft.body
        );
        assert_eq!(draft.sources, [format!("built-in:{category}")]);
        assert!(
            draft.confidence < 0.85,
            "never above the auto-send threshold"
        );
    }
}

#[tokio::test]
async fn a_canned_response_named_after_the_category_is_used_with_its_variables() {
    let ai = OfflineAssistant::default();
    let context = DraftContext {
        canned_responses: vec![(
            "Billing".into(),
            "About \"{subject}\": refunds take 5 days, {customer_name}.".into(),
        )],
        signature: Some("— {agent_name}, Example Shop".into()),
        agent_name: Some("Sam".into()),
        ..Default::default()
    };
    let draft = ai
        .draft_reply(
            &ticket("Refund please", "I was charged twice"),
            &[],
            &context,
        )
        .await
        .unwrap();
    assert!(
        draft
            .body
            .contains("About \"Refund please\": refunds take 5 days, Jane Doe."),
        "{}",
        draft.body
    );
    assert!(
        draft.body.ends_with("— Sam, Example Shop"),
        "{}",
        draft.body
    );
    assert_eq!(draft.sources, ["Billing"]);
}

#[tokio::test]
async fn analysis_reads_priority_category_mood_language_and_mentions() {
    let ai = OfflineAssistant::default();
    let a = ai
        .analyze(
            &ticket(
                "URGENT: order 123456 never arrived",
                "This is unacceptable. My order 123456 is late. I am furious!",
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (a.priority, a.category, a.sentiment),
        (Priority::Urgent, Category::Order, Sentiment::Negative)
    );
    assert!(a.mentions_order && !a.mentions_account);
    assert_eq!(a.language, "en");
    assert_eq!(
        a.summary,
        "This is unacceptable. My order 123456 is late. I am furious!"
    );
    let de = ai
        .analyze(
            &ticket(
                "Passwort",
                "Ich kann mich nicht anmelden, bitte helfen Sie mir mit dem Account.",
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(de.language, "de");
    assert!(de.mentions_account);
    let happy = ai
        .analyze(&ticket("Thanks", "Great service, thank you!"), &[])
        .await
        .unwrap();
    assert_eq!(happy.sentiment, Sentiment::Positive);
}

#[tokio::test]
async fn a_long_message_is_summarised_in_at_most_three_sentences() {
    let ai = OfflineAssistant::default();
    let body = "My router keeps dropping the connection. It started on Monday. \
                The router restarts every hour. I have tried another cable. \
                The lights on the router blink red.";
    let summary = ai
        .analyze(&ticket("Router drops the connection", body), &[])
        .await
        .unwrap()
        .summary;
    assert_eq!(
        summary.matches(['.', '!', '?']).count(),
        3,
        "three sentences: {summary}"
    );
    assert!(summary.starts_with("My router keeps dropping"), "{summary}");
    let long = "word ".repeat(200);
    assert!(
        ai.analyze(&ticket("x", &long), &[])
            .await
            .unwrap()
            .summary
            .chars()
            .count()
            <= 301
    );
    assert_eq!(
        ai.analyze(&ticket("Subject only", "  "), &[])
            .await
            .unwrap()
            .summary,
        "Subject only"
    );
}
