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
        .merge(dup, first, Actor::Staff(agent.id))
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
        err(w.desk.merge(first, first, Actor::System).await),
        MergeRefusal::SameTicket
    );
    w.desk.merge(dup, first, Actor::System).await.unwrap();
    assert_eq!(
        err(w.desk.merge(dup, first, Actor::System).await),
        MergeRefusal::SourceClosed
    );
    assert_eq!(
        err(w.desk.merge(first, dup, Actor::System).await),
        MergeRefusal::TargetClosed
    );
    assert!(matches!(
        w.desk
            .merge(
                TicketId::from_uuid(Uuid::from_u128(99)),
                first,
                Actor::System
            )
            .await,
        Err(UpdateError::NotFound(_))
    ));
}
