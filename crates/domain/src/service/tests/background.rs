//! Background passes: SLA sweep, auto-assignment, auto-close, escalation.

use chrono::TimeDelta;

use super::*;
use crate::ports::{Job, NotificationKind};
use crate::service::*;
use crate::sla::ClockState;
use crate::staff::{Availability, Role};
use crate::ticket::{Actor, MessageKind, Priority, Status};

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
            .current()
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
        // One job per person, so each is settled with that person's digest.
        let breach: Vec<_> = s
            .jobs
            .iter()
            .filter_map(|j| match j {
                Job::Notify(n) if n.kind == NotificationKind::SlaBreach => {
                    Some(n.recipients.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            breach,
            [vec![agent.email.clone()], vec![manager.email.clone()]]
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
    let id = w.open_ticket().await;
    w.set_status(id, Status::Resolved).await;
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
    let id = w.open_ticket().await;
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

#[tokio::test]
async fn a_calendar_change_moves_open_clocks_and_raises_no_false_warning() {
    use crate::sla::{BusinessCalendar, Calendar, SlaPolicies};
    // Monday 2026-11-23 09:00 UTC; 24/7 at first.
    let w = world();
    let mut open = Vec::new();
    for n in 0..5 {
        let r = w
            .ingest(mail(
                &format!("m{n}@c"),
                "jane@x.com",
                "Question",
                "curious",
            ))
            .await;
        open.push(r.ticket_id.unwrap()); // low: 24 h, 120 h
    }
    w.clock.advance(TimeDelta::hours(3));
    let policies = w.desk.settings().sla.current();
    let before: Vec<_> = open
        .iter()
        .map(|id| policies.status(&w.ticket(*id).sla.first_response, w.clock.now()))
        .collect();
    let old = policies.calendar().clone();
    let office = Calendar::Business(Box::new(
        BusinessCalendar::office_hours("Europe/Berlin").unwrap(),
    ));
    w.desk
        .settings()
        .sla
        .replace(SlaPolicies::default().with_calendar(office));
    let r = w.desk.recalendar(&old).await.unwrap();
    assert_eq!(r.moved, 5);
    let now = w.clock.now();
    let policies = w.desk.settings().sla.current();
    for (id, was) in open.iter().zip(&before) {
        let is = policies.status(&w.ticket(*id).sla.first_response, now);
        assert_eq!(is.remaining, was.remaining, "the counted time left is kept");
        assert_eq!(is.state, ClockState::Ok);
    }
    let sweep = w.desk.sla_sweep().await.unwrap();
    assert_eq!((sweep.warnings, sweep.breaches), (0, 0), "no false warning");
    assert_eq!(
        w.desk.recalendar(policies.calendar()).await.unwrap().moved,
        0
    );
}

#[tokio::test]
async fn a_breach_stays_a_breach_whatever_the_new_priority() {
    let w = world();
    let id = w
        .ingest(mail("a@c", "jane@x.com", "Question", "just curious"))
        .await
        .ticket_id
        .unwrap(); // low: first response in 24 h
    w.clock.advance(TimeDelta::hours(25));
    let due = w.ticket(id).sla.first_response.due_at;
    for priority in [Priority::Urgent, Priority::Low] {
        let change = TicketUpdate {
            priority: Some(priority),
            ..Default::default()
        };
        w.desk.update(id, Actor::System, change).await.unwrap();
        let t = w.ticket(id);
        let status = w
            .desk
            .settings()
            .sla
            .current()
            .status(&t.sla.first_response, w.clock.now());
        assert_eq!(status.state, ClockState::Breached, "{priority:?}");
        assert_eq!(
            t.sla.first_response.due_at, due,
            "the breach instant is kept"
        );
        assert!(
            t.sla.next_due().unwrap() <= w.clock.now(),
            "still in ?sla=breached"
        );
    }
}
