//! What staff do: replies, drafts, notes, updates.

use chrono::TimeDelta;
use uuid::Uuid;

use super::*;
use crate::email::MessageId;
use crate::ports::Job;
use crate::service::*;
use crate::staff::Role;
use crate::ticket::{Actor, MessageKind, Priority, Status, TicketId};

#[tokio::test]
async fn an_agent_reply_sets_first_response_and_queues_a_threaded_mail() {
    let w = world();
    let id = w.open_ticket().await;
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
    let id = w.open_ticket().await;
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
    let id = w.open_ticket().await;
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

#[tokio::test]
async fn a_note_is_internal_and_mails_nobody() {
    let w = world_with(|s| s.ai_mode = AiMode::Off);
    let id = w.open_ticket().await;
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
    let id = w.open_ticket().await;
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
        (c.ticket.priority, c.ticket.revision, c.ticket.tags.clone()),
        (Priority::High, 2, vec!["vip".to_owned()])
    );
    let back_to_new = TicketUpdate {
        status: Some(Status::New),
        ..Default::default()
    };
    w.set_status(id, Status::Open).await;
    assert!(matches!(
        w.desk.update(id, Actor::System, back_to_new).await,
        Err(UpdateError::Transition(_))
    ));
}

#[tokio::test]
async fn a_change_that_changes_nothing_writes_nothing() {
    let w = world();
    let id = w.open_ticket().await;
    let before = w.ticket(id);
    let events = w.store.with(|s| s.events.len());
    let same = TicketUpdate {
        status: Some(before.status),
        priority: Some(before.priority),
        tags: Some(Vec::new()),
        expected_version: Some(before.revision),
        ..Default::default()
    };
    for update in [TicketUpdate::default(), same] {
        let c = w.desk.update(id, Actor::System, update).await.unwrap();
        assert_eq!(c.ticket, before);
    }
    assert_eq!(w.ticket(id), before, "not even the row version moved");
    assert_eq!(w.store.with(|s| s.events.len()), events);
    // A stale revision is still refused, change or not.
    let stale = TicketUpdate {
        expected_version: Some(before.revision + 1),
        ..Default::default()
    };
    assert_eq!(
        w.desk.update(id, Actor::System, stale).await.unwrap_err(),
        UpdateError::Conflict(id)
    );
}

#[tokio::test]
async fn taking_a_ticket_someone_else_has_is_refused() {
    let w = world();
    let id = w.open_ticket().await;
    let (ana, otto) = (staff(1, Role::Agent), staff(2, Role::Agent));
    let taken = w.desk.take(id, &ana).await.unwrap();
    assert_eq!(taken.ticket.assignee, Some(ana.id));
    assert_eq!(
        w.desk.take(id, &otto).await.unwrap_err(),
        UpdateError::Taken(id)
    );
    assert_eq!(
        w.desk.take(id, &ana).await.unwrap().ticket.assignee,
        Some(ana.id)
    );
}

#[tokio::test]
async fn an_escalation_needs_a_reason() {
    let w = world();
    let id = w.open_ticket().await;
    for reason in ["  ", &"x".repeat(MAX_REASON_BYTES + 1)] {
        assert!(matches!(
            w.desk.escalate(id, Actor::System, reason).await,
            Err(UpdateError::Invalid(_))
        ));
    }
    assert_eq!(w.ticket(id).escalation_level, 0);
}

fn commands_max() -> usize {
    MAX_BODY_BYTES
}

#[tokio::test]
async fn an_undeliverable_reply_is_noted_on_its_ticket() {
    let w = world();
    let id = w.open_ticket().await;
    w.desk
        .reply(id, &staff(1, Role::Agent), "On it", ReplyMode::Send)
        .await
        .unwrap();
    let sent = w.store.with(|s| {
        s.jobs
            .iter()
            .find_map(|j| match j {
                Job::SendEmail(m) => Some((**m).clone()),
                _ => None,
            })
            .unwrap()
    });
    w.desk
        .record_delivery_failure(sent.ticket_id.unwrap(), &sent, "550 no such user")
        .await
        .unwrap();
    let note = w.store.with(|s| {
        s.messages
            .iter()
            .find(|m| m.kind == MessageKind::System)
            .map(|m| m.body_text.clone())
            .unwrap()
    });
    assert_eq!(
        note,
        "The reply \"Re: Help [TKT-000001]\" to jane@x.com could not be delivered: 550 no such user"
    );
}

#[tokio::test]
async fn a_bulk_change_applies_each_tickets_rules_alone() {
    let w = world();
    let agent = staff(1, Role::Agent);
    let other = staff(2, Role::Agent);
    w.store
        .with(|s| s.staff = vec![agent.clone(), other.clone()]);
    let mine = w.open_ticket().await;
    let theirs = w
        .ingest(mail("b@c", "bob@x.com", "Other", "text"))
        .await
        .ticket_id
        .unwrap();
    w.desk.take(theirs, &other).await.unwrap();
    let change = TicketUpdate {
        add_tags: vec!["Batch".into()],
        ..Default::default()
    };
    let out = w.desk.bulk(&agent, &[mine, theirs], true, &change).await;
    assert!(out[0].is_ok());
    assert_eq!(out[1].as_ref().unwrap_err(), &UpdateError::Taken(theirs));
    assert_eq!(
        (w.ticket(mine).assignee, w.ticket(mine).tags.clone()),
        (Some(agent.id), vec!["batch".to_owned()])
    );
    assert!(
        w.ticket(theirs).tags.is_empty(),
        "a refused take changes nothing"
    );
    let remove = TicketUpdate {
        remove_tags: vec!["BATCH".into()],
        ..Default::default()
    };
    w.desk.bulk(&agent, &[mine], false, &remove).await;
    assert!(w.ticket(mine).tags.is_empty());
}

#[tokio::test]
async fn files_attached_to_a_reply_go_out_with_the_mail_and_stay_on_the_message() {
    let w = world();
    let id = w.open_ticket().await;
    let file = crate::ports::OutboundAttachment {
        filename: "label.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        content: b"%PDF-1.4 the return label".to_vec(),
    };
    w.desk
        .reply_with_files(
            id,
            &staff(1, Role::Agent),
            "The return label is attached.",
            ReplyMode::Send,
            std::slice::from_ref(&file),
        )
        .await
        .unwrap();
    let sent = w.store.with(|s| {
        s.jobs
            .iter()
            .find_map(|j| match j {
                Job::SendEmail(m) if m.message.is_some() => Some(m.clone()),
                _ => None,
            })
            .unwrap()
    });
    assert_eq!(sent.attachments, vec![file.clone()]);
    let note = w
        .desk
        .add_note_with_files(
            id,
            &staff(1, Role::Agent),
            "Copy for us.",
            std::slice::from_ref(&file),
        )
        .await
        .unwrap();
    assert_eq!(note.ticket.id, id);
    let messages = w.store.with(|s| s.messages.clone());
    let with_files: Vec<_> = messages
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .collect();
    assert_eq!(with_files.len(), 2, "the reply and the note");
    for m in with_files {
        assert_eq!(m.attachments[0].filename.as_deref(), Some("label.pdf"));
        assert_eq!(
            m.attachments[0].sha256,
            crate::email::content_address(&file.content)
        );
        assert_eq!(m.attachments[0].size, file.content.len() as u64);
    }
}

#[tokio::test]
async fn a_customer_resolves_only_their_own_active_request() {
    let w = world();
    let id = w.open_ticket().await;
    let jane = crate::EmailAddress::parse("jane@x.com").unwrap();
    let mallory = crate::EmailAddress::parse("mallory@x.com").unwrap();
    assert!(matches!(
        w.desk.customer_resolve(id, &mallory).await,
        Err(UpdateError::NotFound(_))
    ));
    assert_eq!(w.ticket(id).status, Status::New);
    let before = w.store.with(|s| s.events.len());
    let done = w.desk.customer_resolve(id, &jane).await.unwrap();
    assert_eq!(done.ticket.status, Status::Resolved);
    let written = w.store.with(|s| s.events[before..].to_vec());
    assert!(!written.is_empty());
    assert!(
        written
            .iter()
            .all(|e| e.actor == Actor::Customer(jane.clone()))
    );
    // Again: nothing to do, nothing written.
    w.desk.customer_resolve(id, &jane).await.unwrap();
    assert_eq!(w.store.with(|s| s.events.len()), before + written.len());
    // Their reply reopens it.
    w.desk
        .customer_reply(id, &jane, "It broke again")
        .await
        .unwrap();
    assert_eq!(w.ticket(id).status, Status::Open);
}
