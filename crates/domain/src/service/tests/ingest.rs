//! Ingesting mail: creation, duplicates, threading, follow-ups, machine mail, acknowledgements.

use chrono::TimeDelta;

use super::*;
use crate::email::{Header, MessageId};
use crate::ports::{CommitError, Job, StoreError};
use crate::service::*;
use crate::ticket::{Category, EventKind, MessageKind, Priority, Status};

#[tokio::test]
async fn new_mail_opens_a_classified_ticket_with_clocks_and_work_queued() {
    let w = world();
    let r = w
        .ingest(mail(
            "a@c",
            "jane@x.com",
            "Order not received",
            "My order is urgent",
        ))
        .await;
    assert_eq!(r.outcome, IngestOutcome::Created);
    assert_eq!(r.ticket.unwrap().to_string(), "TKT-000001");
    assert_eq!(
        (r.priority, r.category),
        (Some(Priority::Urgent), Some(Category::Order))
    );
    let t = w.ticket(r.ticket_id.unwrap());
    assert_eq!(
        (t.status, t.customer.name.as_deref()),
        (Status::New, Some("Jane Doe"))
    );
    assert_eq!(
        t.sla.first_response.due_at,
        w.clock.now() + TimeDelta::hours(1)
    );
    w.store.with(|s| {
        assert_eq!(s.inbound.len(), 1);
        assert_eq!(s.messages[0].kind, MessageKind::Customer);
        assert!(
            s.thread_keys
                .contains_key(&MessageId::parse("a@c").unwrap())
        );
        assert!(s.events.iter().any(|e| e.kind == EventKind::Created));
        assert_eq!(s.jobs, [Job::DraftReply { ticket_id: t.id }]);
    });
}

#[tokio::test]
async fn the_same_mail_twice_is_a_duplicate_that_changes_nothing() {
    let w = world();
    w.ingest(mail("a@c", "jane@x.com", "Help", "text")).await;
    let again = w.ingest(mail("a@c", "jane@x.com", "Help", "text")).await;
    assert_eq!(again.outcome, IngestOutcome::Duplicate);
    w.store
        .with(|s| assert_eq!((s.tickets.len(), s.messages.len()), (1, 1)));
}

#[tokio::test]
async fn losing_a_duplicate_race_at_commit_is_still_a_duplicate() {
    let w = world();
    w.store.with(|s| {
        s.fail_next_commit = Some(CommitError::Duplicate(MessageId::parse("a@c").unwrap()))
    });
    let r = w.ingest(mail("a@c", "jane@x.com", "Help", "text")).await;
    assert_eq!(r.outcome, IngestOutcome::Duplicate);
}

#[tokio::test]
async fn a_storage_failure_is_reported_and_nothing_is_written() {
    let w = world();
    w.store
        .with(|s| s.fail_next_commit = Some(CommitError::Store(StoreError::unavailable("down"))));
    let err = w
        .desk
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .unwrap_err();
    assert_eq!(err, IngestError::Store(StoreError::unavailable("down")));
    w.store.with(|s| assert!(s.tickets.is_empty()));
}

#[tokio::test]
async fn mail_without_a_sender_is_quarantined() {
    let w = world();
    let mut m = mail("a@c", "jane@x.com", "Help", "text");
    m.from = None;
    let err = w.desk.ingest(m).await.unwrap_err();
    assert_eq!(
        err,
        IngestError::Quarantine(QuarantineReason::MissingSender)
    );
}

#[tokio::test]
async fn an_empty_subject_still_makes_a_ticket() {
    let w = world();
    let r = w.ingest(mail("a@c", "jane@x.com", "  ", "text")).await;
    assert_eq!(w.ticket(r.ticket_id.unwrap()).subject, "(no subject)");
}

#[tokio::test]
async fn a_reply_with_only_in_reply_to_reopens_the_pending_ticket() {
    let w = world();
    let first = w.ingest(mail("a@c", "jane@x.com", "Help", "text")).await;
    let id = first.ticket_id.unwrap();
    w.set_status(id, Status::Pending).await;
    let r = w
        .ingest(replying(
            mail("b@c", "jane@x.com", "Re: Help", "more"),
            "a@c",
            &["a@c"],
        ))
        .await;
    assert_eq!(
        (r.outcome, r.ticket_id),
        (IngestOutcome::Appended, Some(id))
    );
    assert_eq!(w.ticket(id).status, Status::Open);
}

#[tokio::test]
async fn a_sibling_of_a_missing_parent_joins_the_ticket() {
    let w = world();
    // The first mail references a message we never received; Bob was on its Cc.
    let mut reply = replying(
        mail("b@c", "jane@x.com", "Re: Help", "x"),
        "lost@c",
        &["lost@c"],
    );
    reply.cc = vec![Mailbox::new(
        None,
        EmailAddress::parse("bob@x.com").unwrap(),
    )];
    let first = w.ingest(reply).await;
    let sibling = w
        .ingest(replying(
            mail("c@c", "bob@x.com", "Re: Help", "y"),
            "lost@c",
            &["lost@c"],
        ))
        .await;
    assert_eq!(sibling.outcome, IngestOutcome::Appended);
    assert_eq!(sibling.ticket_id, first.ticket_id);
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_opens_a_linked_follow_up() {
    let w = world();
    let old = w.open_ticket().await;
    w.set_status(old, Status::Closed).await;
    let r = w
        .ingest(replying(
            mail("b@c", "jane@x.com", "Re: Help", "again"),
            "a@c",
            &[],
        ))
        .await;
    assert_eq!(r.outcome, IngestOutcome::FollowUp);
    let new = w.ticket(r.ticket_id.unwrap());
    assert_eq!(new.follow_up_of, Some(old));
    w.store.with(|s| {
        assert!(
            s.events
                .iter()
                .any(|e| e.ticket_id == old
                    && e.kind == EventKind::FollowUpOpened { ticket: new.id })
        );
    });
}

#[tokio::test]
async fn an_auto_reply_is_stored_but_neither_reopens_nor_queues_work() {
    let w = world();
    let id = w.open_ticket().await;
    w.set_status(id, Status::Resolved).await;
    let jobs_before = w.store.with(|s| s.jobs.len());
    let mut ooo = replying(
        mail("b@c", "jane@x.com", "Out of office", "away"),
        "a@c",
        &[],
    );
    ooo.headers
        .push(Header::new("Auto-Submitted", "auto-replied"));
    let r = w.ingest(ooo).await;
    assert_eq!(
        (r.outcome, r.auto_reply),
        (
            IngestOutcome::Appended,
            Some(crate::threading::AutoReplyKind::AutoReply)
        )
    );
    assert_eq!(w.ticket(id).status, Status::Resolved);
    w.store.with(|s| assert_eq!(s.jobs.len(), jobs_before));
}

#[tokio::test]
async fn acknowledgements_go_once_a_day_per_sender_and_never_to_bulk_mail() {
    let w = world_with(|s| s.auto_acknowledgement = Some(AutoAcknowledgement::default()));
    w.ingest(mail("a@c", "jane@x.com", "One", "x")).await;
    w.ingest(mail("b@c", "jane@x.com", "Two", "x")).await;
    let mut bulk = mail("c@c", "news@x.com", "Sale", "x");
    bulk.headers.push(Header::new("Precedence", "bulk"));
    // Bulk mail opens no ticket at all: it is kept as machine mail.
    assert!(w.desk.ingest(bulk).await.is_err());
    let acks = w.store.with(|s| {
        s.jobs
            .iter()
            .filter(|j| matches!(j, Job::AutoAcknowledge { .. }))
            .count()
    });
    assert_eq!(acks, 1);
}

#[tokio::test]
async fn the_acknowledgement_is_tagged_threaded_and_marked_automatic() {
    let w = world_with(|s| s.auto_acknowledgement = Some(AutoAcknowledgement::default()));
    let r = w
        .ingest(mail("a@c", "jane@x.com", "Broken lamp", "x"))
        .await;
    let t = w.ticket(r.ticket_id.unwrap());
    let answered = w.store.with(|s| s.messages[0].email.clone().unwrap());
    let ack = w.desk.acknowledgement(&t, &answered, None).unwrap();
    assert_eq!(ack.subject, "Re: Broken lamp [TKT-000001]");
    assert_eq!(ack.in_reply_to, Some(MessageId::parse("a@c").unwrap()));
    assert!(ack.automatic);
    assert_eq!(ack.x_loop.as_deref(), Some("support@frontdesk.test"));
    assert!(ack.body_text.contains("TKT-000001"));
    assert!(ack.message_id.as_str().ends_with("@frontdesk.test"));
}

#[tokio::test]
async fn an_answer_to_the_acknowledgement_without_the_tag_joins_the_ticket() {
    let w = world_with(|s| s.auto_acknowledgement = Some(AutoAcknowledgement::default()));
    let first = w
        .ingest(mail("a@c", "jane@x.com", "Broken lamp", "x"))
        .await;
    let queued = w.store.with(|s| {
        s.jobs.iter().find_map(|j| match j {
            Job::AutoAcknowledge {
                answered,
                message_id,
                ..
            } => Some((answered.clone(), message_id.clone())),
            _ => None,
        })
    });
    let (answered, ack_id) = queued.unwrap();
    let t = w.ticket(first.ticket_id.unwrap());
    let ack = w
        .desk
        .acknowledgement(&t, &answered, ack_id.as_ref())
        .unwrap();
    assert_eq!(Some(&ack.message_id), ack_id.as_ref(), "sent as recorded");
    // The client drops the tag and quotes only the acknowledgement's id.
    let answer = replying(
        mail("b@c", "jane@x.com", "Re: Broken lamp", "still broken"),
        ack.message_id.as_str(),
        &[ack.message_id.as_str()],
    );
    let r = w.ingest(answer).await;
    assert_eq!(
        (r.outcome, r.ticket_id),
        (IngestOutcome::Appended, first.ticket_id)
    );
}

#[tokio::test]
async fn a_huge_or_folded_subject_is_cut_to_one_line_of_998_characters() {
    let w = world();
    let huge = "é".repeat(1_000_000);
    let r = w.ingest(mail("huge@c", "jane@x.com", &huge, "text")).await;
    let t = w.ticket(r.ticket_id.unwrap());
    assert_eq!(t.subject.chars().count(), MAX_SUBJECT_CHARS);
    let r = w
        .ingest(mail(
            "folded@c",
            "jane@x.com",
            "Line one\r\n\tline\0two  ",
            "x",
        ))
        .await;
    assert_eq!(w.ticket(r.ticket_id.unwrap()).subject, "Line one line two");
    assert_eq!(subject_line(" \t "), "(no subject)");
}
