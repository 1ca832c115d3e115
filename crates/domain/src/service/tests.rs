//! Use-case tests over the in-memory fakes.

use std::sync::Arc;

use chrono::TimeDelta;
use uuid::Uuid;

use super::fakes::{ManualClock, MemoryStore, SequentialIds};
use super::*;
use crate::email::{EmailAddress, Header, InboundEmail, Mailbox, MessageId};
use crate::ports::{CommitError, Job, NotificationKind, StoreError};
use crate::sla::ClockState;
use crate::staff::{Availability, Role, Staff};
use crate::ticket::{Actor, Category, EventKind, MessageKind, Priority, Status, TicketId};

struct World {
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    desk: Helpdesk,
}

fn world_with(configure: impl FnOnce(&mut Settings)) -> World {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::at("2026-11-23T09:00:00Z"));
    let ports = Ports {
        tickets: store.clone(),
        queries: store.clone(),
        lookup: store.clone(),
        staff: store.clone(),
        auto_replies: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::default()),
    };
    let mut settings = Settings::new(&EmailAddress::parse("support@frontdesk.test").unwrap());
    configure(&mut settings);
    World {
        store,
        clock,
        desk: Helpdesk::new(ports, settings),
    }
}

fn world() -> World {
    world_with(|_| {})
}

fn mail(id: &str, from: &str, subject: &str, body: &str) -> InboundEmail {
    InboundEmail {
        raw: format!("Message-ID: <{id}>\r\nSubject: {subject}\r\n\r\n{body}").into_bytes(),
        message_id: Some(MessageId::parse(id).unwrap()),
        from: Some(Mailbox::new(
            Some("Jane Doe".into()),
            EmailAddress::parse(from).unwrap(),
        )),
        subject: subject.into(),
        text_body: body.into(),
        ..InboundEmail::default()
    }
}

fn replying(mut m: InboundEmail, parent: &str, refs: &[&str]) -> InboundEmail {
    m.in_reply_to = vec![MessageId::parse(parent).unwrap()];
    m.references = refs.iter().map(|r| MessageId::parse(r).unwrap()).collect();
    m
}

fn staff(n: u128, role: Role) -> Staff {
    Staff {
        id: crate::StaffId::from_uuid(Uuid::from_u128(1000 + n)),
        email: EmailAddress::parse(&format!("staff{n}@frontdesk.test")).unwrap(),
        name: format!("Staff {n}"),
        role,
        availability: Availability::Available,
        shift: None,
        active: true,
    }
}

impl World {
    fn ticket(&self, id: TicketId) -> crate::Ticket {
        self.store.with(|s| s.tickets[&id].clone())
    }

    async fn ingest(&self, m: InboundEmail) -> IngestResult {
        self.desk.ingest(m).await.unwrap()
    }
}

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
    w.store.with(|s| {
        s.fail_next_commit = Some(CommitError::Store(StoreError::Unavailable("down".into())))
    });
    let err = w
        .desk
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        IngestError::Store(StoreError::Unavailable("down".into()))
    );
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
    w.desk
        .update(
            id,
            Actor::System,
            TicketUpdate {
                status: Some(Status::Pending),
                ..Default::default()
            },
        )
        .await
        .unwrap();
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
    // The first mail references a message we never received.
    let first = w
        .ingest(replying(
            mail("b@c", "jane@x.com", "Re: Help", "x"),
            "lost@c",
            &["lost@c"],
        ))
        .await;
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
    let old = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk
        .update(
            old,
            Actor::System,
            TicketUpdate {
                status: Some(Status::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
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
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk
        .update(
            id,
            Actor::System,
            TicketUpdate {
                status: Some(Status::Resolved),
                ..Default::default()
            },
        )
        .await
        .unwrap();
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
    w.ingest(bulk).await;
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
    let ack = w.desk.acknowledgement(&t, &answered).unwrap();
    assert_eq!(ack.subject, "Re: Broken lamp [TKT-000001]");
    assert_eq!(ack.in_reply_to, Some(MessageId::parse("a@c").unwrap()));
    assert!(ack.automatic);
    assert_eq!(ack.x_loop.as_deref(), Some("support@frontdesk.test"));
    assert!(ack.body_text.contains("Jane Doe") && ack.body_text.contains("TKT-000001"));
    assert!(ack.message_id.as_str().ends_with("@frontdesk.test"));
}

#[tokio::test]
async fn an_agent_reply_sets_first_response_and_queues_a_threaded_mail() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.clock.advance(TimeDelta::minutes(20));
    let agent = staff(1, Role::Agent);
    w.desk
        .reply(id, &agent, "  On it!  ", ReplyMode::Send)
        .await
        .unwrap();
    let t = w.ticket(id);
    assert_eq!(
        (t.status, t.first_response_at),
        (Status::Open, Some(w.clock.now()))
    );
    let sent = w.store.with(|s| {
        s.jobs
            .iter()
            .find_map(|j| {
                if let Job::SendEmail(m) = j {
                    Some(m.clone())
                } else {
                    None
                }
            })
            .unwrap()
    });
    assert_eq!(sent.subject, "Re: Help [TKT-000001]");
    assert_eq!(sent.in_reply_to, Some(MessageId::parse("a@c").unwrap()));
    assert_eq!(sent.references, [MessageId::parse("a@c").unwrap()]);
    assert_eq!((sent.body_text.as_str(), sent.automatic), ("On it!", false));
    // The customer answering our mail, without tag, lands on the same ticket.
    let answer = replying(
        mail("b@c", "jane@x.com", "Re: Help", "thanks"),
        sent.message_id.as_str(),
        &[],
    );
    assert_eq!(w.ingest(answer).await.ticket_id, Some(id));
}

#[tokio::test]
async fn a_draft_reply_is_queued_for_review_and_is_no_response() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk
        .reply(id, &staff(1, Role::Agent), "Draft", ReplyMode::Draft)
        .await
        .unwrap();
    assert_eq!(w.ticket(id).first_response_at, None);
    w.store.with(|s| {
        assert!(s.jobs.iter().any(|j| matches!(j, Job::SaveDraft(_))));
        assert_eq!(s.messages.len(), 1);
    });
}

#[tokio::test]
async fn empty_replies_and_notes_are_refused() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    let a = staff(1, Role::Agent);
    assert_eq!(
        w.desk
            .reply(id, &a, " \n", ReplyMode::Send)
            .await
            .unwrap_err(),
        ReplyError::EmptyBody
    );
    assert_eq!(
        w.desk.add_note(id, &a, "").await.unwrap_err(),
        NoteError::EmptyBody
    );
    let huge = "x".repeat(commands_max() + 1);
    assert_eq!(
        w.desk
            .reply(id, &a, &huge, ReplyMode::Send)
            .await
            .unwrap_err(),
        ReplyError::TooLong
    );
    let missing = TicketId::from_uuid(Uuid::from_u128(999_999));
    assert_eq!(
        w.desk.add_note(missing, &a, "x").await.unwrap_err(),
        NoteError::Ticket(UpdateError::NotFound(missing))
    );
}

fn commands_max() -> usize {
    super::commands::MAX_BODY_BYTES
}

#[tokio::test]
async fn a_note_is_internal_and_mails_nobody() {
    let w = world_with(|s| s.ai_mode = AiMode::Off);
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk
        .add_note(id, &staff(1, Role::Agent), "Customer is VIP")
        .await
        .unwrap();
    w.store.with(|s| {
        assert_eq!(s.messages[1].kind, MessageKind::Note);
        assert!(s.jobs.is_empty());
    });
    assert_eq!(w.ticket(id).status, Status::New);
}

#[tokio::test]
async fn updates_check_version_transitions_and_assignees() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    let stale = TicketUpdate {
        priority: Some(Priority::Low),
        expected_version: Some(7),
        ..Default::default()
    };
    assert_eq!(
        w.desk.update(id, Actor::System, stale).await.unwrap_err(),
        UpdateError::Conflict(id)
    );
    let ghost = TicketUpdate {
        assignee: Some(Some(staff(9, Role::Agent).id)),
        ..Default::default()
    };
    assert!(matches!(
        w.desk.update(id, Actor::System, ghost).await,
        Err(UpdateError::Invalid(_))
    ));
    let ok = TicketUpdate {
        priority: Some(Priority::High),
        tags: Some(vec!["VIP".into()]),
        expected_version: Some(0),
        ..Default::default()
    };
    let c = w.desk.update(id, Actor::System, ok).await.unwrap();
    assert_eq!(
        (c.ticket.priority, c.ticket.version, c.ticket.tags.clone()),
        (Priority::High, 1, vec!["vip".to_owned()])
    );
    let back_to_new = TicketUpdate {
        status: Some(Status::New),
        ..Default::default()
    };
    w.desk
        .update(
            id,
            Actor::System,
            TicketUpdate {
                status: Some(Status::Open),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        w.desk.update(id, Actor::System, back_to_new).await,
        Err(UpdateError::Transition(_))
    ));
}

#[tokio::test]
async fn the_sla_sweep_warns_once_and_escalates_a_breach_once() {
    let w = world();
    let manager = staff(1, Role::Manager);
    let agent = staff(2, Role::Agent);
    w.store
        .with(|s| s.staff = vec![manager.clone(), agent.clone()]);
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Question", "just curious"))
        .await
        .ticket_id
        .unwrap(); // low: 24 h
    w.desk
        .update(
            id,
            Actor::System,
            TicketUpdate {
                assignee: Some(Some(agent.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.clock.advance(TimeDelta::hours(20)); // 4 h of 24 left: under 20 %
    let r = w.desk.sla_sweep().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (1, 0));
    assert_eq!(w.desk.sla_sweep().await.unwrap().warnings, 0);
    w.clock.advance(TimeDelta::hours(5));
    let r = w.desk.sla_sweep().await.unwrap();
    assert_eq!(r.breaches, 1);
    let t = w.ticket(id);
    assert_eq!((t.escalation_level, t.priority), (1, Priority::Medium));
    assert_eq!(
        w.desk
            .settings()
            .sla
            .status(&t.sla.first_response, w.clock.now())
            .state,
        ClockState::Breached
    );
    assert_eq!(w.desk.sla_sweep().await.unwrap().breaches, 0);
    w.store.with(|s| {
        assert!(
            s.messages
                .iter()
                .any(|m| m.kind == MessageKind::System && m.body_text.contains("breached"))
        );
        let breach = s.jobs.iter().find_map(|j| match j {
            Job::Notify(n) if n.kind == NotificationKind::SlaBreach => Some(n.recipients.clone()),
            _ => None,
        });
        assert_eq!(
            breach.unwrap(),
            [agent.email.clone(), manager.email.clone()]
        );
    });
}

#[tokio::test]
async fn auto_assignment_takes_turns_among_available_agents() {
    let w = world();
    let (a, b) = (staff(1, Role::Agent), staff(2, Role::Agent));
    let mut away = staff(3, Role::Agent);
    away.availability = Availability::Away;
    w.store.with(|s| s.staff = vec![a.clone(), b.clone(), away]);
    for i in 0..4 {
        w.ingest(mail(
            &format!("m{i}@c"),
            "jane@x.com",
            &format!("Help {i}"),
            "x",
        ))
        .await;
        w.clock.advance(TimeDelta::seconds(1));
    }
    assert_eq!(w.desk.auto_assign().await.unwrap().assigned, 4);
    let counts = w.store.with(|s| {
        let of = |id| {
            s.tickets
                .values()
                .filter(|t| t.assignee == Some(id))
                .count()
        };
        (of(a.id), of(b.id))
    });
    assert_eq!(counts, (2, 2));
}

#[tokio::test]
async fn resolved_tickets_close_after_the_configured_delay() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk
        .update(
            id,
            Actor::System,
            TicketUpdate {
                status: Some(Status::Resolved),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.clock.advance(TimeDelta::days(6));
    assert_eq!(w.desk.auto_close().await.unwrap().closed, 0);
    w.clock.advance(TimeDelta::days(1));
    assert_eq!(w.desk.auto_close().await.unwrap().closed, 1);
    assert_eq!(w.ticket(id).status, Status::Closed);
}

#[tokio::test]
async fn manual_escalation_notifies_the_managers() {
    let w = world();
    let manager = staff(1, Role::Manager);
    w.store.with(|s| s.staff = vec![manager.clone()]);
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Help", "text"))
        .await
        .ticket_id
        .unwrap();
    let c = w
        .desk
        .escalate(id, Actor::Staff(manager.id), "VIP customer")
        .await
        .unwrap();
    assert_eq!(c.ticket.escalation_level, 1);
    w.store.with(|s| {
        assert!(
            s.jobs
                .iter()
                .any(|j| matches!(j, Job::Notify(n) if n.kind == NotificationKind::Escalated))
        );
    });
}
