use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::*;
use crate::sla::{Calendar, SlaClock};
use crate::ticket::Channel;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn mins(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn ticket(created: &str) -> TicketFacts {
    TicketFacts {
        created_at: at(created),
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        category: Category::Order,
        channel: Channel::Email,
        assignee: None,
        first_response: SlaOutcome::Pending,
        resolution: SlaOutcome::Pending,
    }
}

fn two_days() -> Period {
    Period::new(
        at("2026-11-01T00:00:00Z"),
        at("2026-11-03T00:00:00Z"),
        Interval::Day,
        Tz::UTC,
    )
    .unwrap()
}

#[test]
fn a_clock_stopped_in_time_is_met_when_it_stopped() {
    let cal = Calendar::Always;
    let start = at("2026-11-01T10:00:00Z");
    let mut c = SlaClock::start(start, mins(60), &cal);
    c.stop(start + mins(30), &cal);
    assert_eq!(
        SlaOutcome::of(&c, start + mins(500)),
        SlaOutcome::Met(start + mins(30))
    );
}

#[test]
fn a_clock_stopped_late_is_breached_at_its_deadline() {
    let cal = Calendar::Always;
    let start = at("2026-11-01T10:00:00Z");
    let mut c = SlaClock::start(start, mins(60), &cal);
    c.stop(start + mins(90), &cal);
    assert_eq!(
        SlaOutcome::of(&c, start + mins(500)),
        SlaOutcome::Breached(start + mins(60))
    );
}

#[test]
fn a_running_clock_is_pending_until_its_deadline_then_breached() {
    let cal = Calendar::Always;
    let start = at("2026-11-01T10:00:00Z");
    let c = SlaClock::start(start, mins(60), &cal);
    assert_eq!(SlaOutcome::of(&c, start + mins(59)), SlaOutcome::Pending);
    assert_eq!(
        SlaOutcome::of(&c, start + mins(60)),
        SlaOutcome::Breached(start + mins(60))
    );
}

#[test]
fn a_paused_clock_with_time_left_stays_pending() {
    let cal = Calendar::Always;
    let start = at("2026-11-01T10:00:00Z");
    let mut c = SlaClock::start(start, mins(60), &cal);
    c.pause(start + mins(10), &cal);
    assert_eq!(SlaOutcome::of(&c, start + mins(600)), SlaOutcome::Pending);
    let mut late = SlaClock::start(start, mins(60), &cal);
    late.pause(start + mins(70), &cal);
    assert_eq!(
        SlaOutcome::of(&late, start + mins(600)),
        SlaOutcome::Breached(start + mins(60))
    );
}

#[test]
fn each_measure_counts_in_the_interval_it_happened_in() {
    let mut t = ticket("2026-11-01T23:00:00Z");
    t.first_response_at = Some(at("2026-11-02T01:00:00Z"));
    t.resolved_at = Some(at("2026-11-05T00:00:00Z"));
    let r = report(&[t], &two_days(), &Filter::default());
    assert_eq!(r.buckets.len(), 2);
    assert_eq!(r.buckets[0].summary.created, 1);
    assert_eq!(r.buckets[0].summary.first_response.count, 0);
    assert_eq!(r.buckets[1].summary.created, 0);
    assert_eq!(r.buckets[1].summary.first_response.median_secs, Some(7_200));
    // Resolved after the period: not counted at all.
    assert_eq!(r.total.resolution.count, 0);
    assert_eq!(r.total.created, 1);
}

#[test]
fn tickets_opened_before_the_period_count_what_happened_within_it() {
    let mut t = ticket("2026-10-20T00:00:00Z");
    t.resolved_at = Some(at("2026-11-01T00:00:00Z"));
    let r = report(&[t], &two_days(), &Filter::default());
    assert_eq!(r.total.created, 0);
    assert_eq!(r.total.resolution.count, 1);
    assert_eq!(r.total.resolution.median_secs, Some(12 * 86_400));
}

#[test]
fn median_and_p90_are_nearest_rank() {
    let tickets: Vec<_> = (1..=10)
        .map(|i| {
            let mut t = ticket("2026-11-01T00:00:00Z");
            t.first_response_at = Some(t.created_at + mins(i));
            t
        })
        .collect();
    let d = report(&tickets, &two_days(), &Filter::default())
        .total
        .first_response;
    assert_eq!(d.count, 10);
    assert_eq!(d.median_secs, Some(5 * 60));
    assert_eq!(d.p90_secs, Some(9 * 60));
    let one = Durations::of(vec![42]);
    assert_eq!((one.median_secs, one.p90_secs), (Some(42), Some(42)));
    assert_eq!(Durations::of(vec![]).median_secs, None);
}

#[test]
fn compliance_counts_met_and_breached_targets_by_category_and_agent() {
    let agent = StaffId::from_uuid(Uuid::from_u128(7));
    let mut a = ticket("2026-11-01T08:00:00Z");
    a.assignee = Some(agent);
    a.first_response = SlaOutcome::Met(at("2026-11-01T09:00:00Z"));
    a.resolution = SlaOutcome::Breached(at("2026-11-02T08:00:00Z"));
    let mut b = ticket("2026-11-01T08:00:00Z");
    b.category = Category::Billing;
    b.first_response = SlaOutcome::Met(at("2026-11-01T09:00:00Z"));
    let r = report(&[a, b], &two_days(), &Filter::default());
    assert_eq!(
        r.total.sla,
        Compliance {
            met: 2,
            breached: 1
        }
    );
    let pct = r.total.sla.percent().unwrap();
    assert!((pct - 66.666).abs() < 0.01, "{pct}");
    assert_eq!(
        r.by_agent[&Some(agent)].sla,
        Compliance {
            met: 1,
            breached: 1
        }
    );
    assert_eq!(r.by_agent[&None].created, 1);
    assert_eq!(r.by_category[&Category::Billing].sla.met, 1);
    assert_eq!(r.buckets[1].summary.sla.breached, 1);
    assert_eq!(Compliance::default().percent(), None);
}

#[test]
fn a_running_clock_is_due_at_its_deadline_whatever_now_is() {
    let cal = Calendar::Always;
    let start = at("2026-11-01T10:00:00Z");
    let c = SlaClock::start(start, mins(60), &cal);
    let fact = ClockFact::of(&c);
    assert_eq!(fact, ClockFact::DueAt(start + mins(60)));
    assert_eq!(fact.at(start), SlaOutcome::Pending);
    assert_eq!(
        fact.at(start + mins(61)),
        SlaOutcome::Breached(start + mins(60))
    );
}

#[test]
fn the_backlog_is_what_is_open_at_each_interval_end() {
    // Open before the period, resolved on the second day.
    let mut a = ticket("2026-10-20T00:00:00Z");
    a.resolved_at = Some(at("2026-11-02T12:00:00Z"));
    // Opened on the first day, never resolved.
    let b = ticket("2026-11-01T12:00:00Z");
    // Imported closed: open until it was closed, on the first day.
    let mut c = ticket("2026-11-01T01:00:00Z");
    c.closed_at = Some(at("2026-11-01T02:00:00Z"));
    // Opened after the period: nothing.
    let d = ticket("2026-11-04T00:00:00Z");
    let r = report(&[a, b, c, d], &two_days(), &Filter::default());
    let backlog: Vec<u64> = r.buckets.iter().map(|b| b.backlog).collect();
    assert_eq!(backlog, vec![2, 1]);
}

#[test]
fn busiest_hours_are_local_and_follow_daylight_saving() {
    // 2026-03-29 is the spring change in Berlin: 01:00 UTC is 03:00 local, a day earlier 02:00.
    let period = Period::new(
        at("2026-03-27T00:00:00Z"),
        at("2026-03-31T00:00:00Z"),
        Interval::Day,
        "Europe/Berlin".parse().unwrap(),
    )
    .unwrap();
    let before = ticket("2026-03-28T01:00:00Z");
    let after = ticket("2026-03-29T01:00:00Z");
    let r = report(&[before, after], &period, &Filter::default());
    // Saturday 02:00, Sunday 03:00.
    assert_eq!(r.busiest[5][2], 1);
    assert_eq!(r.busiest[6][3], 1);
    assert_eq!(r.busiest.iter().flatten().sum::<u64>(), 2);
}

#[test]
fn a_filter_counts_only_its_tickets() {
    let agent = StaffId::from_uuid(Uuid::from_u128(7));
    let mut a = ticket("2026-11-01T08:00:00Z");
    a.assignee = Some(agent);
    a.category = Category::Billing;
    let mut b = ticket("2026-11-01T08:00:00Z");
    b.channel = Channel::Web;
    let all = report(&[a.clone(), b.clone()], &two_days(), &Filter::default());
    assert_eq!(all.total.created, 2);
    let by = |filter: Filter| {
        report(&[a.clone(), b.clone()], &two_days(), &filter)
            .total
            .created
    };
    assert_eq!(
        by(Filter {
            agent: Some(agent),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        by(Filter {
            category: Some(Category::Billing),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        by(Filter {
            channel: Some(Channel::Web),
            ..Filter::default()
        }),
        1
    );
    assert_eq!(
        by(Filter {
            channel: Some(Channel::Web),
            agent: Some(agent),
            ..Filter::default()
        }),
        0
    );
}

#[test]
fn counters_over_parts_merge_into_the_whole_report() {
    let agent = StaffId::from_uuid(Uuid::from_u128(9));
    let tickets: Vec<TicketFacts> = (0..40)
        .map(|i| {
            let mut t = ticket("2026-10-31T20:00:00Z");
            t.created_at += mins(i * 97);
            t.first_response_at = Some(t.created_at + mins(i * 13));
            if i % 3 == 0 {
                t.resolved_at = Some(t.created_at + mins(i * 41));
            }
            t.category = Category::ALL[i as usize % Category::ALL.len()];
            t.assignee = (i % 4 != 0).then_some(agent);
            t.first_response = SlaOutcome::Met(t.created_at + mins(5));
            t
        })
        .collect();
    let period = two_days();
    let whole = report(&tickets, &period, &Filter::default());
    let mut first = Counter::new(&period, Filter::default());
    let mut second = Counter::new(&period, Filter::default());
    for (i, t) in tickets.iter().enumerate() {
        if i % 2 == 0 {
            first.add(t)
        } else {
            second.add(t)
        }
    }
    first.merge(second);
    assert_eq!(first.finish(), whole);
    assert!(whole.total.created > 10 && whole.total.resolution.count > 3);
}
