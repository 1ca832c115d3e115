//! Bulk ingest: one commit for many mails, with threading inside the batch.

use super::*;
use crate::email::MessageId;
use crate::ports::{CommitError, Job};

fn outcomes(results: &[Result<IngestResult, IngestError>]) -> Vec<Option<IngestOutcome>> {
    results
        .iter()
        .map(|r| r.as_ref().ok().map(|r| r.outcome))
        .collect()
}

#[tokio::test]
async fn a_batch_threads_onto_its_own_tickets_and_commits_once() {
    let w = world();
    let existing = w.open_ticket().await; // a@c, ticket 1
    let batch = [
        mail("n1@c", "bob@x.com", "New question", "hello"),
        replying(
            mail("n2@c", "bob@x.com", "Re: New question", "more"),
            "n1@c",
            &["n1@c"],
        ),
        mail("n1@c", "bob@x.com", "New question", "hello"),
        replying(
            mail("r1@c", "jane@x.com", "Re: Help", "still broken"),
            "a@c",
            &[],
        ),
        replying(
            mail("r2@c", "jane@x.com", "Re: Help", "hello?"),
            "r1@c",
            &["a@c", "r1@c"],
        ),
    ];
    let results = w.desk.ingest_batch(&batch).await.unwrap();
    use IngestOutcome::*;
    assert_eq!(
        outcomes(&results),
        [
            Some(Created),
            Some(Appended),
            Some(Duplicate),
            Some(Appended),
            Some(Appended)
        ]
    );
    let r: Vec<&IngestResult> = results.iter().map(|r| r.as_ref().unwrap()).collect();
    assert_eq!(r[1].ticket_id, r[0].ticket_id);
    assert_eq!(
        r[0].ticket.map(|n| n.to_string()).as_deref(),
        Some("TKT-000002")
    );
    assert_eq!(r[1].ticket, r[0].ticket);
    assert_eq!(
        (r[3].ticket_id, r[4].ticket_id),
        (Some(existing), Some(existing))
    );
    w.store.with(|s| {
        assert_eq!(s.batches, 1);
        assert_eq!(s.tickets.len(), 2);
        assert_eq!(s.messages.len(), 5);
        let drafts = s
            .jobs
            .iter()
            .filter(|j| matches!(j, Job::DraftReply { .. }))
            .count();
        assert_eq!(drafts, 3, "one draft per ticket per change, not per mail");
    });
    assert_eq!(w.ticket(existing).version, 1, "two replies, one update");
}

#[tokio::test]
async fn a_batch_gives_the_same_tickets_as_one_by_one() {
    let mails: Vec<_> = (0..30)
        .map(|i| {
            let m = mail(
                &format!("m{i}@c"),
                &format!("c{}@x.com", i % 4),
                &format!("S{}", i % 7),
                "urgent order",
            );
            if i % 3 == 2 {
                replying(m, &format!("m{}@c", i - 1), &[])
            } else {
                m
            }
        })
        .collect();
    let batched = world();
    let b = batched.desk.ingest_batch(&mails).await.unwrap();
    let single = world();
    let mut s = Vec::new();
    for m in mails.clone() {
        s.push(single.desk.ingest(m).await);
    }
    assert_eq!(outcomes(&b), outcomes(&s));
    let numbers = |r: &[Result<IngestResult, IngestError>]| {
        r.iter()
            .map(|r| r.as_ref().unwrap().ticket)
            .collect::<Vec<_>>()
    };
    assert_eq!(numbers(&b), numbers(&s));
}

#[tokio::test]
async fn a_quarantined_mail_does_not_stop_its_batch() {
    let w = world();
    let mut orphan = mail("o@c", "x@x.com", "No sender", "x");
    orphan.from = None;
    let results = w
        .desk
        .ingest_batch(&[mail("a@c", "jane@x.com", "Hi", "x"), orphan])
        .await
        .unwrap();
    assert!(results[0].is_ok());
    assert_eq!(
        results[1],
        Err(IngestError::Quarantine(QuarantineReason::MissingSender))
    );
}

#[tokio::test]
async fn a_batch_that_loses_a_race_is_redone_one_by_one() {
    let w = world();
    w.store.with(|s| {
        s.fail_next_commit = Some(CommitError::Duplicate(MessageId::parse("b@c").unwrap()))
    });
    let results = w
        .desk
        .ingest_batch(&[
            mail("a@c", "jane@x.com", "One", "x"),
            mail("b@c", "bob@x.com", "Two", "y"),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes(&results),
        [Some(IngestOutcome::Created), Some(IngestOutcome::Created)]
    );
    w.store
        .with(|s| assert_eq!((s.batches, s.tickets.len()), (0, 2)));
}

#[tokio::test]
async fn one_acknowledgement_per_customer_per_batch() {
    let w = world_with(|s| s.auto_acknowledgement = Some(AutoAcknowledgement::default()));
    let batch = [
        mail("a@c", "jane@x.com", "One", "x"),
        mail("b@c", "JANE@x.com", "Two", "x"),
    ];
    w.desk.ingest_batch(&batch).await.unwrap();
    let acks = w.store.with(|s| {
        s.jobs
            .iter()
            .filter(|j| matches!(j, Job::AutoAcknowledge { .. }))
            .count()
    });
    assert_eq!(acks, 1);
}
