//! Importing a backlog: old mail keeps its date, and is history (closed) or work (open).

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::reports::SlaOutcome;
use crate::service::ImportAs;
use crate::ticket::EventKind;

fn dated(id: &str, subject: &str, date: &str) -> InboundEmail {
    let mut m = mail(id, "jane@x.com", subject, "My order is late");
    m.date = Some(date.parse::<DateTime<Utc>>().unwrap());
    m
}

fn backlog(import_as: ImportAs) -> World {
    world_with(|s| *s = s.clone().for_backlog(import_as))
}

#[tokio::test]
async fn history_is_closed_at_its_own_date_with_nothing_measured() {
    let w = backlog(ImportAs::Closed);
    let june = "2026-06-03T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let r = w
        .ingest(dated("a@c", "Order", "2026-06-03T10:00:00Z"))
        .await;
    let t = w.ticket(r.ticket_id.unwrap());
    assert_eq!(
        (t.status, t.created_at, t.closed_at, t.resolved_at),
        (Status::Closed, june, Some(june), None)
    );
    let now = w.clock.now();
    assert_eq!(
        SlaOutcome::of(&t.sla.first_response, now),
        SlaOutcome::Pending
    );
    assert_eq!(SlaOutcome::of(&t.sla.resolution, now), SlaOutcome::Pending);
    w.store.with(|s| {
        assert!(s.messages.iter().all(|m| m.created_at == june));
        assert!(s.events.iter().all(|e| e.at == june));
        assert!(s.events.iter().any(|e| e.kind
            == EventKind::StatusChanged {
                from: Status::New,
                to: Status::Closed
            }));
    });
    // The conversation's later mail joins it as history: no follow-up, no reopening.
    let reply = replying(
        dated("b@c", "Re: Order", "2026-06-04T09:00:00Z"),
        "a@c",
        &["a@c"],
    );
    let again = w.ingest(reply).await;
    assert_eq!(
        (again.outcome, again.ticket_id),
        (IngestOutcome::Appended, r.ticket_id)
    );
    assert_eq!(w.ticket(r.ticket_id.unwrap()).status, Status::Closed);
}

#[tokio::test]
async fn work_enters_the_queue_with_clocks_from_the_import() {
    let w = backlog(ImportAs::Open);
    let r = w
        .ingest(dated("a@c", "Order", "2026-06-03T10:00:00Z"))
        .await;
    let t = w.ticket(r.ticket_id.unwrap());
    assert_eq!(t.status, Status::New);
    assert_eq!(t.created_at.to_rfc3339(), "2026-06-03T10:00:00+00:00");
    assert_eq!(t.sla.first_response.started_at, w.clock.now());
    assert!(
        t.sla.first_response.due_at > w.clock.now(),
        "not breached on arrival"
    );
}

#[tokio::test]
async fn by_default_only_recent_mail_is_work_and_no_date_is_in_the_future() {
    let w = backlog(ImportAs::OpenWithin(TimeDelta::days(14)));
    // The world's clock reads 2026-11-23.
    let old = w.ingest(dated("a@c", "Old", "2026-10-01T10:00:00Z")).await;
    let recent = w
        .ingest(dated("b@c", "Recent", "2026-11-20T10:00:00Z"))
        .await;
    let future = w
        .ingest(dated("c@c", "Skewed", "2027-01-01T00:00:00Z"))
        .await;
    let status = |r: &IngestResult| w.ticket(r.ticket_id.unwrap()).status;
    assert_eq!(
        (status(&old), status(&recent), status(&future)),
        (Status::Closed, Status::New, Status::New)
    );
    assert_eq!(
        w.ticket(future.ticket_id.unwrap()).created_at,
        w.clock.now()
    );
}
