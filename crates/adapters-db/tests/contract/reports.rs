//! Reports from the in-memory index agree with a full recount from the tables: on random
//! tickets and random changes to them, over periods crossing daylight-saving changes.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use frontdesk_adapters_db::{Database, ReportIndex};
use frontdesk_domain::ports::{Absorb, ChangeSet, TicketRepository};
use frontdesk_domain::reports::{Filter, Interval, Period, report};
use frontdesk_domain::sla::SlaPolicies;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{
    Actor, Category, Channel, EventKind, Message, MessageKind, Priority, Status, Ticket,
    TicketEvent,
};

use crate::backends::new_ticket;
use crate::contract;

/// A small deterministic generator (xorshift64*): the same data on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> T {
        all[self.below(all.len() as u64) as usize]
    }

    /// Some minutes, mostly short, sometimes days.
    fn minutes(&mut self) -> TimeDelta {
        TimeDelta::minutes(match self.below(4) {
            0 => self.below(30) as i64,
            1 => self.below(600) as i64,
            _ => self.below(6 * 24 * 60) as i64,
        }) + TimeDelta::seconds(self.below(60) as i64)
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn change_set(t: Ticket, kinds: Vec<EventKind>, now: DateTime<Utc>) -> ChangeSet {
    let id = t.id;
    let mut change = ChangeSet::update(t);
    change.events = kinds
        .into_iter()
        .map(|k| TicketEvent::new(id, now, Actor::System, k))
        .collect();
    change
}

async fn commit(db: &Database, t: Ticket, kinds: Vec<EventKind>, now: DateTime<Utc>) -> Ticket {
    db.commit(change_set(t, kinds, now)).await.unwrap().ticket
}

/// A reply to the customer by `staff`, with the message a reply writes.
fn reply(t: &mut Ticket, staff: StaffId, now: DateTime<Utc>) -> (Vec<EventKind>, Message) {
    let mut kinds = t.record_agent_reply(now, &SlaPolicies::default());
    kinds.push(EventKind::MessageAdded {
        kind: MessageKind::Agent,
    });
    let mut message = Message::new(
        uuid::Uuid::now_v7(),
        t.id,
        MessageKind::Agent,
        "Thanks",
        now,
    );
    message.author_staff = Some(staff);
    (kinds, message)
}

/// One random change to `live[i]` at `now`, as the domain makes it.
async fn change(
    db: &Database,
    rng: &mut Rng,
    live: &mut Vec<Ticket>,
    staff: &[StaffId],
    now: DateTime<Utc>,
) {
    let sla = SlaPolicies::default();
    let i = rng.below(live.len() as u64) as usize;
    let mut t = live[i].clone();
    // Never before the ticket was opened.
    let now = now.max(t.updated_at + rng.minutes());
    let kinds = match rng.below(8) {
        0 | 1 => {
            let (kinds, message) = reply(&mut t, rng.pick(staff), now);
            let mut change = change_set(t, kinds, now);
            change.messages.push(message);
            live[i] = db.commit(change).await.unwrap().ticket;
            return;
        }
        2 => {
            let to = rng.pick(&[
                Status::Pending,
                Status::Open,
                Status::Resolved,
                Status::Closed,
            ]);
            t.change_status(to, now, &sla).unwrap_or_default()
        }
        3 => {
            let who = rng.pick(staff);
            t.assign((rng.below(4) > 0).then_some(who), now)
        }
        4 => t.set_category(rng.pick(Category::ALL), now, &sla),
        5 => t.set_priority(rng.pick(Priority::ALL), now, &sla),
        6 => {
            // Merged into another ticket: it no longer counts on its own, and its conversation
            // (the replies on it) moves to the target.
            let j = (i + 1) % live.len();
            let mut target = live[j].clone();
            match t.merge_into(&mut target, now, &sla) {
                Ok((source_kinds, target_kinds)) => {
                    let source = t.id;
                    let mut into = change_set(target, target_kinds, now);
                    into.absorb.push(Absorb {
                        source,
                        staff_only: false,
                    });
                    let done = db
                        .commit_batch(vec![change_set(t, source_kinds, now), into])
                        .await
                        .unwrap();
                    live[j] = done[1].ticket.clone();
                    live.remove(i);
                    return;
                }
                Err(_) => Vec::new(),
            }
        }
        _ => t.record_customer_reply(now, &sla, false).1,
    };
    live[i] = commit(db, t, kinds, now).await;
}

async fn create(
    db: &Database,
    rng: &mut Rng,
    n: usize,
    start: DateTime<Utc>,
    span_days: u64,
) -> Vec<Ticket> {
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let created = start + TimeDelta::seconds(rng.below(span_days * 86_400) as i64);
        let mut change = new_ticket(
            &format!("c{}@example.com", k % 40),
            "Where is my order",
            created,
        );
        if let frontdesk_domain::ports::TicketWrite::Create(draft) = &mut change.ticket {
            draft.category = rng.pick(Category::ALL);
            draft.channel = rng.pick(Channel::ALL);
            draft.priority = rng.pick(Priority::ALL);
            draft.sla = SlaPolicies::default().start(draft.priority, draft.category, created);
            if rng.below(20) == 0 {
                // Imported closed, with no resolution of its own.
                draft.closed_at = Some(created + rng.minutes());
            }
            change.events = vec![TicketEvent::new(
                draft.id,
                created,
                Actor::System,
                EventKind::Created,
            )];
        }
        out.push(db.commit(change).await.unwrap().ticket);
    }
    out
}

/// Every period, interval, zone and filter asked of both: they must give the same report.
async fn agree(db: &Database, index: &ReportIndex, staff: &[StaffId], now: DateTime<Utc>) {
    let zones: [Tz; 5] = [
        Tz::UTC,
        "Europe/Berlin".parse().unwrap(),
        "America/New_York".parse().unwrap(),
        // Daylight saving of half an hour.
        "Australia/Lord_Howe".parse().unwrap(),
        "Asia/Kolkata".parse().unwrap(),
    ];
    let periods = [
        (
            at("2026-03-01T00:00:00Z"),
            at("2026-05-01T00:00:00Z"),
            Interval::Day,
        ),
        (
            at("2026-03-07T13:17:00Z"),
            at("2026-04-07T00:00:00Z"),
            Interval::Week,
        ),
        (
            at("2026-02-01T00:00:00Z"),
            at("2026-06-01T00:00:00Z"),
            Interval::Month,
        ),
        // The spring changes of New York (8 March) and Berlin (29 March), by the hour.
        (
            at("2026-03-07T00:00:00Z"),
            at("2026-03-10T00:00:00Z"),
            Interval::Hour,
        ),
        (
            at("2026-03-28T00:00:00Z"),
            at("2026-03-31T00:00:00Z"),
            Interval::Hour,
        ),
        // Lord Howe's change (5 April) and the autumn change in Berlin (25 October).
        (
            at("2026-04-04T00:00:00Z"),
            at("2026-04-06T12:00:00Z"),
            Interval::Hour,
        ),
        (
            at("2026-10-20T00:00:00Z"),
            at("2026-11-03T00:00:00Z"),
            Interval::Day,
        ),
    ];
    let filters = [
        Filter::default(),
        Filter {
            category: Some(Category::Billing),
            ..Filter::default()
        },
        Filter {
            agent: Some(staff[0]),
            ..Filter::default()
        },
        Filter {
            channel: Some(Channel::Email),
            category: Some(Category::Order),
            ..Filter::default()
        },
    ];
    for tz in zones {
        for (from, to, interval) in periods {
            let period = Period::new(from, to, interval, tz).unwrap();
            let facts = db.ticket_facts(from, to, now).await.unwrap();
            for filter in &filters {
                let recount = report(&facts, &period, filter);
                let fast = index
                    .report(&period, filter, now)
                    .expect("the index was read");
                assert_eq!(fast, recount, "{tz} {from}..{to} {interval:?} {filter:?}");
                let replies = db
                    .replies_by_staff(period.from(), period.to(), filter)
                    .await
                    .unwrap();
                assert_eq!(
                    index.replies(period.from(), period.to(), filter).unwrap(),
                    replies,
                    "{from}..{to} {filter:?}"
                );
            }
        }
    }
}

contract!(
    the_report_index_agrees_with_a_full_recount,
    |db: Database| async move {
        let mut rng = Rng(0x5eed_f00d_cafe_0001);
        let start = at("2026-02-20T00:00:00Z");
        let staff: Vec<StaffId> = (1..=4)
            .map(|n| StaffId::from_uuid(uuid::Uuid::from_u128(n)))
            .collect();
        for (n, id) in staff.iter().enumerate() {
            let member = frontdesk_domain::staff::Staff {
                id: *id,
                email: format!("agent{n}@frontdesk.test").parse().unwrap(),
                name: format!("Agent {n}"),
                role: frontdesk_domain::staff::Role::Agent,
                availability: frontdesk_domain::staff::Availability::Available,
                shift: None,
                active: true,
            };
            db.save_staff(&member, start).await.unwrap();
        }
        let mut live = create(&db, &mut rng, 240, start, 70).await;
        let mut now = start;
        for _ in 0..300 {
            now += TimeDelta::minutes(rng.below(400) as i64);
            change(&db, &mut rng, &mut live, &staff, now).await;
        }
        let index = ReportIndex::new();
        assert!(
            index
                .report(
                    &Period::new(start, now, Interval::Day, Tz::UTC).unwrap(),
                    &Filter::default(),
                    now
                )
                .is_none()
        );
        index.rebuild(&db).await.unwrap();
        assert_eq!(index.len(), live.len());
        let later = at("2026-11-10T00:00:00Z");
        agree(&db, &index, &staff, later).await;

        // More tickets and changes, then only a refresh: the index follows the trail.
        live.extend(create(&db, &mut rng, 60, at("2026-03-20T00:00:00Z"), 30).await);
        for _ in 0..200 {
            now += TimeDelta::minutes(rng.below(300) as i64);
            change(&db, &mut rng, &mut live, &staff, now).await;
        }
        let spring =
            Period::new(start, at("2026-06-01T00:00:00Z"), Interval::Week, Tz::UTC).unwrap();
        let facts = db
            .ticket_facts(spring.from(), spring.to(), later)
            .await
            .unwrap();
        let recount = report(&facts, &spring, &Filter::default());
        assert_ne!(
            index.report(&spring, &Filter::default(), later),
            Some(recount.clone()),
            "the changes are not in the index before it is refreshed"
        );
        // The data exercises every figure.
        let t = &recount.total;
        assert!(
            t.created > 200 && t.first_response.count > 50 && t.resolution.count > 20,
            "{t:?}"
        );
        assert!(t.sla.met > 20 && t.sla.breached > 20, "{t:?}");
        assert!(recount.buckets.iter().any(|b| b.backlog > 50));
        assert!(recount.by_agent.len() >= 4 && recount.by_category.len() == Category::ALL.len());
        let replies = db
            .replies_by_staff(spring.from(), spring.to(), &Filter::default())
            .await
            .unwrap();
        assert!(replies.values().sum::<u64>() > 50, "{replies:?}");
        index.refresh(&db).await.unwrap();
        assert_eq!(index.len(), live.len());
        agree(&db, &index, &staff, later).await;
        // Judged at another instant: running clocks fall due without any change.
        agree(&db, &index, &staff, at("2026-03-15T00:00:00Z")).await;
    }
);
