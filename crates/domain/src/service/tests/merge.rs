//! Merging duplicates.

use super::*;
use crate::ticket::{EventKind, MergeRefusal, MessageKind};

async fn two_tickets(w: &World) -> (TicketId, TicketId) {
    let first = w.open_ticket().await;
    let dup = w
        .ingest(mail("d@c", "jane@x.com", "Help again", "still broken"))
        .await
        .ticket_id
        .unwrap();
    assert_ne!(first, dup);
    (first, dup)
}

#[tokio::test]
async fn merging_moves_the_conversation_and_closes_the_duplicate() {
    let w = world();
    let (first, dup) = two_tickets(&w).await;
    w.desk
        .update(
            dup,
            Actor::System,
            TicketUpdate {
                tags: Some(vec!["vip".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let agent = staff(1, Role::Agent);
    let merged = w
        .desk
        .merge(dup, first, Actor::Staff(agent.id), None)
        .await
        .unwrap();
    assert_eq!(merged.ticket.id, first);
    assert_eq!(merged.ticket.tags, ["vip"]);
    let d = w.ticket(dup);
    assert_eq!((d.status, d.merged_into), (Status::Closed, Some(first)));
    assert_eq!(d.resolved_at, None, "a duplicate is not a resolution");
    let (on_first, on_dup, events) = w.store.with(|s| {
        (
            s.messages
                .iter()
                .filter(|m| m.ticket_id == first)
                .map(|m| m.kind)
                .collect::<Vec<_>>(),
            s.messages.iter().filter(|m| m.ticket_id == dup).count(),
            s.events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        )
    });
    assert_eq!(
        on_first,
        [
            MessageKind::Customer,
            MessageKind::Customer,
            MessageKind::System
        ]
    );
    assert_eq!(on_dup, 0);
    assert!(
        events
            .iter()
            .any(|k| matches!(k, EventKind::MergedInto { ticket, .. } if *ticket == first))
    );
    assert!(
        events
            .iter()
            .any(|k| matches!(k, EventKind::MergedFrom { ticket, .. } if *ticket == dup))
    );
    // Jane answering in the duplicate's thread lands on the ticket it was merged into.
    let answer = replying(
        mail("e@c", "jane@x.com", "Re: Help again", "hello?"),
        "d@c",
        &[],
    );
    assert_eq!(w.ingest(answer).await.ticket_id, Some(first));
}

#[tokio::test]
async fn a_ticket_cannot_be_merged_into_itself_a_closed_one_or_twice() {
    let w = world();
    let (first, dup) = two_tickets(&w).await;
    let err = |r: Result<_, UpdateError>| match r {
        Err(UpdateError::Merge(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err(w.desk.merge(first, first, Actor::System, None).await),
        MergeRefusal::SameTicket
    );
    w.desk.merge(dup, first, Actor::System, None).await.unwrap();
    assert_eq!(
        err(w.desk.merge(dup, first, Actor::System, None).await),
        MergeRefusal::SourceClosed
    );
    assert_eq!(
        err(w.desk.merge(first, dup, Actor::System, None).await),
        MergeRefusal::TargetClosed
    );
    assert!(matches!(
        w.desk
            .merge(
                TicketId::from_uuid(Uuid::from_u128(99)),
                first,
                Actor::System,
                None
            )
            .await,
        Err(UpdateError::NotFound(_))
    ));
}

/// Jane's ticket and Bob's, each with an answer by an agent on Bob's.
async fn two_customers(w: &World) -> (TicketId, TicketId) {
    let jane = w.open_ticket().await;
    let bob = w
        .ingest(mail(
            "b@c",
            "bob@y.com",
            "My own problem",
            "bob's private text",
        ))
        .await
        .ticket_id
        .unwrap();
    (jane, bob)
}

fn merge_refusal(r: Result<crate::ports::Committed, UpdateError>) -> MergeRefusal {
    match r {
        Err(UpdateError::Merge(m)) => m,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tickets_of_two_customers_are_not_merged_unless_a_manager_forces_it() {
    let w = world();
    let (jane, bob) = two_customers(&w).await;
    let agent = staff(1, Role::Agent);
    assert_eq!(
        merge_refusal(w.desk.merge(bob, jane, Actor::Staff(agent.id), None).await),
        MergeRefusal::DifferentCustomers
    );
    assert_eq!(
        merge_refusal(
            w.desk
                .merge(bob, jane, Actor::Staff(agent.id), Some(Role::Agent))
                .await
        ),
        MergeRefusal::ForceNeedsManager
    );
    assert_eq!(
        merge_refusal(w.desk.merge(bob, jane, Actor::System, None).await),
        MergeRefusal::DifferentCustomers
    );
    assert_eq!(w.ticket(bob).status, Status::New, "nothing changed");
    assert_eq!(w.ticket(bob).merged_into, None);
}

#[tokio::test]
async fn a_forced_merge_keeps_the_other_customers_messages_staff_only() {
    let w = world();
    let (jane, bob) = two_customers(&w).await;
    let manager = staff(2, Role::Manager);
    let merged = w
        .desk
        .merge(bob, jane, Actor::Staff(manager.id), Some(Role::Manager))
        .await
        .unwrap();
    assert_eq!(merged.ticket.id, jane);
    assert_eq!(merged.ticket.customer.email.as_str(), "jane@x.com");
    assert_eq!(w.ticket(bob).merged_into, Some(jane));
    let on_jane = w.store.with(|s| {
        s.messages
            .iter()
            .filter(|m| m.ticket_id == jane)
            .map(|m| (m.kind, m.body_text.clone()))
            .collect::<Vec<_>>()
    });
    let public: Vec<_> = on_jane.iter().filter(|(k, _)| k.is_public()).collect();
    assert_eq!(public.len(), 1, "only Jane's own message: {on_jane:?}");
    assert!(
        on_jane
            .iter()
            .any(|(k, text)| *k == MessageKind::Note && text == "bob's private text"),
        "Bob's message moved as a staff-only note: {on_jane:?}"
    );
    // Bob answering in his own thread never lands on Jane's ticket.
    let answer = replying(
        mail(
            "b2@c",
            "bob@y.com",
            "Re: My own problem",
            "more private text",
        ),
        "b@c",
        &[],
    );
    assert_ne!(w.ingest(answer).await.ticket_id, Some(jane));
}

#[tokio::test]
async fn admins_may_force_a_merge_and_a_forced_merge_of_one_customer_is_a_plain_merge() {
    let w = world();
    let (first, dup) = two_tickets(&w).await;
    w.desk
        .merge(dup, first, Actor::System, Some(Role::Agent))
        .await
        .unwrap();
    let kinds = w.store.with(|s| {
        s.messages
            .iter()
            .filter(|m| m.ticket_id == first)
            .map(|m| m.kind)
            .collect::<Vec<_>>()
    });
    assert_eq!(
        kinds.iter().filter(|k| k.is_public()).count(),
        2,
        "{kinds:?}"
    );
    let w2 = world();
    let (jane, bob) = two_customers(&w2).await;
    w2.desk
        .merge(bob, jane, Actor::System, Some(Role::Admin))
        .await
        .unwrap();
}
