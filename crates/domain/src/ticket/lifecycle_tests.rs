use chrono::TimeDelta;

use super::*;
use crate::email::EmailAddress;
use crate::sla::ClockState;

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn new_ticket(priority: Priority, now: DateTime<Utc>) -> Ticket {
    let sla = SlaPolicies::default();
    let draft = TicketDraft {
        id: TicketId::from_uuid(Uuid::nil()),
        customer: Customer::new(EmailAddress::parse("c@example.com").unwrap(), None),
        subject: "Order late".into(),
        description: "Where is it?".into(),
        priority,
        category: Category::Order,
        channel: Channel::Email,
        tags: vec![" VIP ".into(), "vip".into(), "".into()],
        sla: sla.start(priority, Category::Order, now),
        follow_up_of: None,
        provider_thread: None,
        created_at: now,
        closed_at: None,
    };
    Ticket::create(draft, TicketNumber::new(7).unwrap())
}

#[test]
fn a_created_ticket_is_new_with_running_clocks() {
    let now = at("2026-01-05T10:00:00Z");
    let t = new_ticket(Priority::High, now);
    assert_eq!(t.status, Status::New);
    assert_eq!(t.number.to_string(), "TKT-000007");
    assert_eq!(t.tags, ["vip"]);
    assert_eq!(t.sla.first_response.due_at, now + TimeDelta::hours(2));
    assert_eq!(t.sla.resolution.due_at, now + TimeDelta::hours(24));
}

#[test]
fn the_first_agent_reply_sets_first_response_and_opens() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::High, now);
    let events = t.record_agent_reply(now + TimeDelta::minutes(30), &sla);
    assert_eq!(t.first_response_at, Some(now + TimeDelta::minutes(30)));
    assert_eq!(t.status, Status::Open);
    assert!(events.contains(&EventKind::FirstResponse));
    assert!(events.contains(&EventKind::StatusChanged {
        from: Status::New,
        to: Status::Open
    }));
    assert_eq!(
        sla.status(&t.sla.first_response, now + TimeDelta::days(3))
            .state,
        ClockState::Met
    );
    // A second reply changes neither.
    let events = t.record_agent_reply(now + TimeDelta::hours(5), &sla);
    assert!(events.is_empty());
    assert_eq!(t.first_response_at, Some(now + TimeDelta::minutes(30)));
}

#[test]
fn illegal_transitions_are_typed_errors_and_change_nothing() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    t.change_status(Status::Closed, now, &sla).unwrap();
    let before = t.clone();
    let err = t.change_status(Status::Open, now, &sla).unwrap_err();
    assert_eq!(
        err,
        TransitionError {
            from: Status::Closed,
            to: Status::Open
        }
    );
    assert_eq!(t, before);
}

#[test]
fn pending_pauses_resolution_and_a_customer_reply_reopens() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now); // resolution 48 h
    t.record_agent_reply(now, &sla);
    t.change_status(Status::Pending, now + TimeDelta::hours(8), &sla)
        .unwrap();
    assert!(t.sla.resolution.is_paused());
    let reply_at = now + TimeDelta::days(10);
    let (effect, events) = t.record_customer_reply(reply_at, &sla, false);
    assert_eq!(effect, CustomerReplyEffect::Reopened);
    assert!(events.contains(&EventKind::Reopened));
    assert_eq!(t.status, Status::Open);
    assert_eq!(t.sla.resolution.due_at, reply_at + TimeDelta::hours(40));
}

#[test]
fn a_customer_reply_to_a_resolved_ticket_reopens_it() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    t.change_status(Status::Resolved, now + TimeDelta::hours(1), &sla)
        .unwrap();
    assert!(t.resolved_at.is_some());
    let (effect, _) = t.record_customer_reply(now + TimeDelta::days(2), &sla, false);
    assert_eq!(effect, CustomerReplyEffect::Reopened);
    assert_eq!((t.status, t.resolved_at), (Status::Open, None));
    assert!(!t.sla.resolution.is_stopped());
}

#[test]
fn auto_replies_never_reopen() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    t.change_status(Status::Resolved, now, &sla).unwrap();
    let (effect, events) = t.record_customer_reply(now, &sla, true);
    assert_eq!(
        (effect, events.len(), t.status),
        (CustomerReplyEffect::Appended, 0, Status::Resolved)
    );
}

#[test]
fn a_customer_reply_to_a_closed_ticket_needs_a_follow_up() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    t.change_status(Status::Closed, now, &sla).unwrap();
    assert_eq!(
        t.record_customer_reply(now, &sla, false).0,
        CustomerReplyEffect::NeedsFollowUp
    );
    assert_eq!(t.status, Status::Closed);
}

#[test]
fn a_reply_to_a_ticket_on_hold_keeps_it_on_hold() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    t.change_status(Status::OnHold, now, &sla).unwrap();
    assert_eq!(
        t.record_customer_reply(now, &sla, false).0,
        CustomerReplyEffect::Appended
    );
    assert_eq!(t.status, Status::OnHold);
}

#[test]
fn escalation_raises_level_and_priority_and_retargets() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    let events = t.escalate("first response breached", now + TimeDelta::hours(1), &sla);
    assert_eq!(t.escalation_level, 1);
    assert_eq!(t.priority, Priority::High);
    assert!(events.contains(&EventKind::PriorityChanged {
        from: Priority::Medium,
        to: Priority::High
    }));
    // High allows 2 h for a first response; one hour is used.
    assert_eq!(t.sla.first_response.due_at, now + TimeDelta::hours(2));
}

#[test]
fn escalation_without_raising_keeps_priority() {
    let sla = SlaPolicies::default().with_escalation(crate::sla::EscalationPolicy {
        raise_priority: false,
    });
    let mut t = new_ticket(Priority::Low, at("2026-01-05T10:00:00Z"));
    t.escalate("manual", at("2026-01-05T11:00:00Z"), &sla);
    assert_eq!((t.escalation_level, t.priority), (1, Priority::Low));
}

#[test]
fn resolved_tickets_are_due_for_auto_close_after_the_delay() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    assert!(!t.is_due_for_auto_close(now + TimeDelta::days(30), TimeDelta::days(7)));
    t.change_status(Status::Resolved, now, &sla).unwrap();
    assert!(!t.is_due_for_auto_close(now + TimeDelta::days(6), TimeDelta::days(7)));
    assert!(t.is_due_for_auto_close(now + TimeDelta::days(7), TimeDelta::days(7)));
}

#[test]
fn unchanged_values_produce_no_events() {
    let sla = SlaPolicies::default();
    let now = at("2026-01-05T10:00:00Z");
    let mut t = new_ticket(Priority::Medium, now);
    assert!(t.set_priority(Priority::Medium, now, &sla).is_empty());
    assert!(t.set_category(Category::Order, now, &sla).is_empty());
    assert!(t.assign(None, now).is_empty());
    assert!(t.set_tags(vec!["VIP".into()], now).is_empty());
    assert!(t.change_status(Status::New, now, &sla).unwrap().is_empty());
}
