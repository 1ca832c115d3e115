//! Mail that refers to a ticket its sender may not join: a ticket of its own, linked for staff.

use super::*;
use crate::ports::Job;
use crate::ticket::{EventKind, MessageKind};

#[tokio::test]
async fn a_strangers_reply_opens_their_own_ticket_linked_to_the_first() {
    let w = world();
    let first = w.open_ticket().await; // a@c from jane@x.com
    let before = w.store.with(|s| s.events.len());
    let r = w
        .ingest(replying(
            mail("evil@c", "mallory@attacker.test", "Re: Help", "pay me"),
            "a@c",
            &["a@c"],
        ))
        .await;
    assert_eq!(r.outcome, IngestOutcome::Created);
    let second = r.ticket_id.unwrap();
    assert_ne!(second, first);
    assert_eq!(
        w.ticket(second).customer.email.as_str(),
        "mallory@attacker.test"
    );
    w.store.with(|s| {
        assert!(
            s.messages
                .iter()
                .filter(|m| m.ticket_id == first)
                .all(|m| m.body_text != "pay me")
        );
        // Nothing about it is recorded on the first ticket (its customer's event stream).
        assert!(s.events[before..].iter().all(|e| e.ticket_id == second));
        assert_eq!(s.merge_suggestions.len(), 1);
        let link = &s.merge_suggestions[0];
        assert_eq!((link.ticket, link.other), (second, first));
        assert_eq!(
            link.reason,
            "mallory@attacker.test is not a participant of TKT-000001"
        );
        assert_eq!(link.evidence, "In-Reply-To: <a@c>; References: <a@c>");
    });
}

#[tokio::test]
async fn the_strangers_ticket_keeps_its_own_thread_afterwards() {
    let w = world();
    w.open_ticket().await;
    let own = w
        .ingest(replying(
            mail("evil@c", "mallory@attacker.test", "Re: Help", "pay me"),
            "a@c",
            &["a@c"],
        ))
        .await;
    // Mallory answers her own mail: it references Jane's too, yet joins her own ticket.
    let again = w
        .ingest(replying(
            mail("evil2@c", "mallory@attacker.test", "Re: Help", "well?"),
            "evil@c",
            &["a@c", "evil@c"],
        ))
        .await;
    assert_eq!(
        (again.outcome, again.ticket_id),
        (IngestOutcome::Appended, own.ticket_id)
    );
}

#[tokio::test]
async fn mail_naming_two_senders_opens_a_ticket_quoting_them_for_staff_only() {
    let w = world();
    let first = w.open_ticket().await;
    let mut forged = replying(
        mail("two@c", "jane@x.com", "Re: Help", "pay me"),
        "a@c",
        &[],
    );
    forged.ambiguous_from = vec!["mallory@attacker.test".into(), "jane@x.com".into()];
    let r = w.ingest(forged).await;
    assert_eq!(r.outcome, IngestOutcome::Created);
    let second = r.ticket_id.unwrap();
    w.store.with(|s| {
        let system: Vec<&str> = s
            .messages
            .iter()
            .filter(|m| m.ticket_id == second && m.kind == MessageKind::System)
            .map(|m| m.body_text.as_str())
            .collect();
        assert_eq!(system.len(), 1);
        assert!(system[0].contains("From: mallory@attacker.test\nFrom: jane@x.com"));
        assert!(s.events.iter().any(|e| e.ticket_id == second
            && e.kind
                == EventKind::MessageAdded {
                    kind: MessageKind::System
                }));
        let acknowledged = s
            .jobs
            .iter()
            .any(|j| matches!(j, Job::AutoAcknowledge { ticket_id, .. } if *ticket_id == second));
        assert!(!acknowledged, "nobody is acknowledged");
        assert_eq!(s.merge_suggestions[0].other, first);
        assert!(
            s.merge_suggestions[0]
                .evidence
                .starts_with("From: mallory@attacker.test")
        );
    });
}

#[tokio::test]
async fn a_batch_links_a_strangers_reply_to_a_ticket_of_the_same_batch() {
    let w = world();
    let mut first = mail("n1@c", "bob@x.com", "New question", "hello");
    first.cc = vec![Mailbox::new(
        None,
        EmailAddress::parse("carol@x.com").unwrap(),
    )];
    let batch = [
        first,
        replying(
            mail("n2@c", "eve@y.com", "Re: New question", "me too"),
            "n1@c",
            &["n1@c"],
        ),
        // Carol was on the Cc of Bob's mail: she joins his ticket.
        replying(
            mail("n3@c", "carol@x.com", "Re: New question", "and me"),
            "n1@c",
            &["n1@c"],
        ),
        // Eve answers her own mail, which named Bob's: it stays on her ticket.
        replying(
            mail("n4@c", "eve@y.com", "Re: New question", "hello?"),
            "n2@c",
            &["n1@c", "n2@c"],
        ),
    ];
    let results = w.desk.ingest_batch(&batch).await.unwrap();
    let results: Vec<IngestResult> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        results.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        [
            IngestOutcome::Created,
            IngestOutcome::Created,
            IngestOutcome::Appended,
            IngestOutcome::Appended
        ]
    );
    assert_eq!(results[2].ticket_id, results[0].ticket_id);
    assert_eq!(results[3].ticket_id, results[1].ticket_id);
    w.store.with(|s| {
        assert_eq!(s.batches, 1);
        assert_eq!(s.merge_suggestions.len(), 1);
        let link = &s.merge_suggestions[0];
        assert_eq!(
            (Some(link.ticket), Some(link.other)),
            (results[1].ticket_id, results[0].ticket_id)
        );
        assert_eq!(
            link.reason,
            "eve@y.com is not a participant of the ticket it refers to"
        );
    });
}

#[tokio::test]
async fn a_mail_bridging_two_conversations_goes_where_in_reply_to_says_and_merges_nothing() {
    let w = world();
    // Jane has two conversations.
    let lamp = w.open_ticket().await; // a@c
    let order = w
        .ingest(mail("o@c", "jane@x.com", "Order 7", "late"))
        .await
        .ticket_id
        .unwrap();
    assert_ne!(lamp, order);
    // She answers the lamp conversation, quoting the order one in References too.
    let bridge = replying(
        mail("b@c", "jane@x.com", "Re: Help", "both?"),
        "a@c",
        &["o@c", "a@c"],
    );
    let r = w.ingest(bridge).await;
    assert_eq!(
        (r.outcome, r.ticket_id),
        (IngestOutcome::Appended, Some(lamp)),
        "placed where In-Reply-To points, though the order ticket is newer"
    );
    w.store.with(|s| {
        assert_eq!(s.merge_suggestions.len(), 1);
        let link = &s.merge_suggestions[0];
        assert_eq!((link.ticket, link.other), (lamp, order));
        assert_eq!(
            link.reason,
            "one mail refers to messages of both TKT-000001 and TKT-000002; \
             it was added to the first only"
        );
        assert_eq!(s.thread_keys[&MessageId::parse("o@c").unwrap()], order);
    });
    // A later answer on the order conversation still goes there: nothing was merged, and the
    // same bridge again adds no second suggestion.
    let r = w
        .ingest(replying(
            mail("c@c", "jane@x.com", "Re: Order 7", "any news?"),
            "o@c",
            &["o@c"],
        ))
        .await;
    assert_eq!(r.ticket_id, Some(order));
    let again = replying(
        mail("d@c", "jane@x.com", "Re: Help", "both again"),
        "b@c",
        &["o@c", "a@c", "b@c"],
    );
    assert_eq!(w.ingest(again).await.ticket_id, Some(lamp));
    assert_eq!(w.store.with(|s| s.merge_suggestions.len()), 1);
}
