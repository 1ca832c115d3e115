//! What a stranger's mail can make us do: no acknowledgement to a sender our receiving server
//! could not authenticate, a cap per domain on acknowledgements, per sender on new tickets and
//! on the assistant's work — and nothing of the mail lost on the way.

use chrono::TimeDelta;

use super::*;
use crate::email::Header;
use crate::ports::Job;
use crate::ticket::EventKind;

fn acknowledging() -> World {
    world_with(|s| s.auto_acknowledgement = Some(AutoAcknowledgement::default()))
}

fn acks(w: &World) -> usize {
    w.store.with(|s| {
        s.jobs
            .iter()
            .filter(|j| matches!(j, Job::AutoAcknowledge { .. }))
            .count()
    })
}

fn drafts(w: &World) -> usize {
    w.store.with(|s| {
        s.jobs
            .iter()
            .filter(|j| matches!(j, Job::DraftReply { .. }))
            .count()
    })
}

fn withheld(w: &World, ticket: TicketId) -> Vec<String> {
    w.store.with(|s| {
        s.events
            .iter()
            .filter(|e| e.ticket_id == ticket)
            .filter_map(|e| match &e.kind {
                EventKind::AcknowledgementWithheld { reason }
                | EventKind::AssistantWithheld { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    })
}

fn with_results(mut m: InboundEmail, results: &[&str]) -> InboundEmail {
    for r in results {
        m.headers
            .push(Header::new("Authentication-Results", (*r).to_owned()));
    }
    m
}

fn tickets(w: &World) -> usize {
    w.store.with(|s| s.tickets.len())
}

#[tokio::test]
async fn failed_dmarc_opens_the_ticket_without_an_acknowledgement_and_says_why() {
    let w = acknowledging();
    let forged = with_results(
        mail("f@c", "ceo@bank.test", "Invoice", "pay"),
        &[
            "mx.frontdesk.test; spf=softfail smtp.mailfrom=bank.test; dmarc=fail header.from=bank.test",
        ],
    );
    let r = w.ingest(forged).await;
    assert_eq!(r.outcome, IngestOutcome::Created);
    assert_eq!(acks(&w), 0);
    let why = withheld(&w, r.ticket_id.unwrap());
    assert_eq!(why.len(), 1);
    assert!(why[0].contains("dmarc=fail"), "{why:?}");
    // The same sender authenticated: acknowledged as usual.
    let genuine = with_results(
        mail("g@c", "ceo@bank.test", "Invoice", "pay"),
        &["mx.frontdesk.test; spf=pass; dkim=pass; dmarc=pass"],
    );
    w.ingest(genuine).await;
    assert_eq!(acks(&w), 1);
}

#[tokio::test]
async fn a_forged_pass_below_our_servers_failure_is_ignored() {
    let w = world_with(|s| {
        s.auto_acknowledgement = Some(AutoAcknowledgement::default());
        s.trusted_authserv_ids = vec!["mx.frontdesk.test".into()];
    });
    let forged = with_results(
        mail("f@c", "ceo@bank.test", "Invoice", "pay"),
        &[
            "mx.frontdesk.test; spf=fail smtp.mailfrom=bank.test; dkim=none",
            "mx.frontdesk.test; dkim=pass header.d=bank.test; dmarc=pass",
        ],
    );
    let r = w.ingest(forged).await;
    assert_eq!(acks(&w), 0);
    assert_eq!(withheld(&w, r.ticket_id.unwrap()).len(), 1);
}

#[tokio::test]
async fn acknowledgements_stop_at_the_cap_per_domain_and_resume_an_hour_later() {
    let w = world_with(|s| {
        s.auto_acknowledgement = Some(AutoAcknowledgement::default());
        s.intake_limits.acknowledgements_per_domain = Some(3);
    });
    let mut last = None;
    for n in 0..4 {
        let r = w
            .ingest(mail(
                &format!("m{n}@c"),
                &format!("u{n}@victim.test"),
                "Hi",
                "x",
            ))
            .await;
        last = r.ticket_id;
    }
    assert_eq!((tickets(&w), acks(&w)), (4, 3));
    let why = withheld(&w, last.unwrap());
    assert!(why[0].contains("victim.test"), "{why:?}");
    // Another domain is not affected, the same domain is again after an hour.
    w.ingest(mail("o@c", "a@other.test", "Hi", "x")).await;
    assert_eq!(acks(&w), 4);
    w.clock.advance(TimeDelta::minutes(61));
    w.ingest(mail("m9@c", "u9@victim.test", "Hi", "x")).await;
    assert_eq!(acks(&w), 5);
}

#[tokio::test]
async fn the_domain_cap_counts_within_a_batch() {
    let w = world_with(|s| {
        s.auto_acknowledgement = Some(AutoAcknowledgement::default());
        s.intake_limits.acknowledgements_per_domain = Some(5);
    });
    let batch: Vec<InboundEmail> = (0..8)
        .map(|n| mail(&format!("m{n}@c"), &format!("u{n}@Victim.test"), "Hi", "x"))
        .collect();
    w.desk.ingest_batch(&batch).await.unwrap();
    assert_eq!((tickets(&w), acks(&w)), (8, 5));
}

#[tokio::test]
async fn the_31st_new_ticket_in_an_hour_is_quarantined_and_the_next_hour_is_fine() {
    let w = world();
    for n in 0..30 {
        let r = w
            .ingest(mail(
                &format!("m{n}@c"),
                "flood@x.com",
                &format!("Q{n}"),
                "x",
            ))
            .await;
        assert_eq!(r.outcome, IngestOutcome::Created);
    }
    let held = w
        .desk
        .ingest(mail("m30@c", "FLOOD@x.com", "Q30", "x"))
        .await;
    assert_eq!(
        held,
        Err(IngestError::Quarantine(
            QuarantineReason::SenderRateLimited { cap: 30 }
        ))
    );
    assert_eq!(tickets(&w), 30);
    // Someone else is not affected; the flooder again an hour after.
    w.ingest(mail("o@c", "jane@x.com", "Help", "x")).await;
    w.clock.advance(TimeDelta::minutes(61));
    let r = w.ingest(mail("m31@c", "flood@x.com", "Q31", "x")).await;
    assert_eq!(r.outcome, IngestOutcome::Created);
}

#[tokio::test]
async fn a_batch_of_40_from_one_sender_holds_10() {
    let w = world();
    let batch: Vec<InboundEmail> = (0..40)
        .map(|n| mail(&format!("m{n}@c"), "flood@x.com", &format!("Q{n}"), "x"))
        .collect();
    let results = w.desk.ingest_batch(&batch).await.unwrap();
    let held = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(IngestError::Quarantine(
                    QuarantineReason::SenderRateLimited { .. }
                ))
            )
        })
        .count();
    assert_eq!((tickets(&w), held), (30, 10));
    assert!(results[..30].iter().all(Result::is_ok));
}

#[tokio::test]
async fn replies_of_a_capped_sender_still_join_their_tickets() {
    let w = world_with(|s| s.intake_limits.tickets_per_sender = Some(1));
    w.ingest(mail("a@c", "jane@x.com", "Help", "x")).await;
    let r = w
        .ingest(replying(
            mail("b@c", "jane@x.com", "Re: Help", "y"),
            "a@c",
            &[],
        ))
        .await;
    assert_eq!(r.outcome, IngestOutcome::Appended);
}

#[tokio::test]
async fn released_mail_is_not_held_to_the_ticket_cap() {
    let w = world_with(|s| s.intake_limits.tickets_per_sender = Some(1));
    w.ingest(mail("a@c", "jane@x.com", "One", "x")).await;
    let second = mail("b@c", "jane@x.com", "Two", "x");
    assert!(w.desk.ingest(second.clone()).await.is_err());
    let results = w
        .desk
        .ingest_batch_as(std::slice::from_ref(&second), Admission::Released)
        .await
        .unwrap();
    assert_eq!(results[0].as_ref().unwrap().outcome, IngestOutcome::Created);
}

#[tokio::test]
async fn a_backlog_import_is_not_held_to_the_ticket_cap() {
    let w = world_with(|s| {
        s.intake_limits.tickets_per_sender = Some(1);
        *s = s.clone().for_backlog(ImportAs::Open);
    });
    w.ingest(mail("a@c", "jane@x.com", "One", "x")).await;
    w.ingest(mail("b@c", "jane@x.com", "Two", "x")).await;
    assert_eq!(tickets(&w), 2);
}

#[tokio::test]
async fn assistant_work_stops_at_the_cap_while_tickets_continue() {
    let w = world_with(|s| {
        s.intake_limits.ai_jobs_per_sender = Some(3);
    });
    let first = w.ingest(mail("m0@c", "jane@x.com", "Q0", "x")).await;
    // Replies count too.
    w.ingest(replying(
        mail("r0@c", "jane@x.com", "Re: Q0", "y"),
        "m0@c",
        &[],
    ))
    .await;
    let batch: Vec<InboundEmail> = (1..4)
        .map(|n| mail(&format!("m{n}@c"), "jane@x.com", &format!("Q{n}"), "x"))
        .collect();
    let results = w.desk.ingest_batch(&batch).await.unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!((tickets(&w), drafts(&w)), (4, 3));
    let last = results[2].as_ref().unwrap().ticket_id.unwrap();
    assert_eq!(withheld(&w, last).len(), 1);
    assert!(withheld(&w, first.ticket_id.unwrap()).is_empty());
    // The cap is per sender and per hour.
    w.ingest(mail("o@c", "bob@x.com", "Hi", "x")).await;
    assert_eq!(drafts(&w), 4);
    w.clock.advance(TimeDelta::minutes(61));
    w.ingest(mail("m9@c", "jane@x.com", "Q9", "x")).await;
    assert_eq!(drafts(&w), 5);
}

fn spam() -> InboundEmail {
    let mut m = mail(
        "s@c",
        "victim@x.com",
        "Claim your prize at https://evil.test/win\u{202E} now",
        "x",
    );
    m.from = Some(crate::email::Mailbox::new(
        Some("Call +1 555 or write boss@evil.test".into()),
        EmailAddress::parse("victim@x.com").unwrap(),
    ));
    m
}

#[tokio::test]
async fn the_default_acknowledgement_repeats_no_text_the_sender_chose() {
    let w = acknowledging();
    let r = w.ingest(spam()).await;
    let t = w.ticket(r.ticket_id.unwrap());
    let answered = w.store.with(|s| s.messages[0].email.clone().unwrap());
    let ack = w.desk.acknowledgement(&t, &answered, None).unwrap();
    assert!(ack.body_text.contains("TKT-000001"));
    for text in [&ack.body_text, &ack.subject] {
        assert!(
            !text.contains("evil.test") && !text.contains("://"),
            "{text}"
        );
        assert!(
            !text.contains("boss") && !text.contains('\u{202E}'),
            "{text}"
        );
    }
    assert!(ack.subject.ends_with("[TKT-000001]"), "{}", ack.subject);
    assert!(ack.subject.contains("evil[.]test"), "{}", ack.subject);
}

#[tokio::test]
async fn a_custom_template_gets_the_senders_text_defanged_and_short() {
    let w = world_with(|s| {
        s.auto_acknowledgement = Some(AutoAcknowledgement {
            body: "Dear {customer_name}, about \"{subject}\": {ticket_number}".into(),
        });
    });
    let mut m = spam();
    m.subject = format!("https://evil.test {}", "spam ".repeat(100));
    let r = w.ingest(m).await;
    let t = w.ticket(r.ticket_id.unwrap());
    let answered = w.store.with(|s| s.messages[0].email.clone().unwrap());
    let ack = w.desk.acknowledgement(&t, &answered, None).unwrap();
    assert!(
        ack.body_text.starts_with(
            "Dear Call +1 555 or write boss[at]evil[.]test, about \"hxxps[:]//evil[.]test spam"
        ),
        "{}",
        ack.body_text
    );
    assert!(
        ack.body_text.ends_with("…\": TKT-000001"),
        "{}",
        ack.body_text
    );
    assert!(ack.subject.chars().count() < 120, "{}", ack.subject);
}
