//! Listing and searching tickets.

use std::collections::HashSet;

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{
    AssigneeFilter, ChangeSet, PageCursor, SearchError, SlaFilter, SortKey, TicketFilter,
    TicketListQuery, TicketRepository, TicketSearch, TicketSort, TicketWrite,
};
use frontdesk_domain::sla::SlaPolicies;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Category, Priority, Status};

use crate::backends::{helpdesk, mail, new_ticket, now, replying};
use crate::contract;

fn query(filter: TicketFilter) -> TicketListQuery {
    TicketListQuery {
        filter,
        sort: TicketSort::default(),
        limit: 50,
        after: None,
        now: now(),
    }
}

async fn total(db: &Database, filter: TicketFilter) -> u64 {
    db.list(&query(filter)).await.unwrap().total
}

/// Twelve tickets: priorities and categories cycling, every third assigned, statuses varied.
async fn seed(db: &Database) -> Vec<frontdesk_domain::Ticket> {
    let agent = frontdesk_domain::staff::Staff {
        id: StaffId::from_uuid(uuid::Uuid::from_u128(1)),
        email: "a@frontdesk.test".parse().unwrap(),
        name: "A".into(),
        role: frontdesk_domain::staff::Role::Agent,
        availability: frontdesk_domain::staff::Availability::Available,
        shift: None,
        active: true,
    };
    db.save_staff(&agent, now()).await.unwrap();
    let sla = SlaPolicies::default();
    let base = now() - TimeDelta::days(30);
    let mut out = Vec::new();
    for i in 0..12i64 {
        let at = base + TimeDelta::days(i);
        let mut change = new_ticket(
            if i % 2 == 0 {
                "even@x.com"
            } else {
                "odd@x.com"
            },
            &format!("Ticket {i}"),
            at,
        );
        if let TicketWrite::Create(d) = &mut change.ticket {
            d.priority = Priority::ALL[(i % 4) as usize];
            d.category = Category::ALL[(i % 5) as usize];
            d.tags = if i < 3 { vec!["vip".into()] } else { vec![] };
            d.sla = sla.start(d.priority, d.category, at);
        }
        let mut t = db.commit(change).await.unwrap().ticket;
        if i % 3 == 0 {
            t.assign(Some(StaffId::from_uuid(uuid::Uuid::from_u128(1))), at);
        }
        if i >= 9 {
            t.change_status(Status::Resolved, at, &sla).unwrap();
        }
        out.push(db.commit(ChangeSet::update(t)).await.unwrap().ticket);
    }
    out
}

contract!(filters_narrow_the_listing, |db: Database| async move {
    seed(&db).await;
    assert_eq!(total(&db, TicketFilter::default()).await, 12);
    let f = |g: fn(&mut TicketFilter)| {
        let mut f = TicketFilter::default();
        g(&mut f);
        f
    };
    assert_eq!(
        total(&db, f(|f| f.statuses = vec![Status::Resolved])).await,
        3
    );
    assert_eq!(
        total(
            &db,
            f(|f| f.priorities = vec![Priority::Urgent, Priority::Low])
        )
        .await,
        6
    );
    assert_eq!(
        total(&db, f(|f| f.categories = vec![Category::Billing])).await,
        2
    );
    assert_eq!(
        total(&db, f(|f| f.assignee = Some(AssigneeFilter::Unassigned))).await,
        8
    );
    assert_eq!(
        total(
            &db,
            f(
                |f| f.assignee = Some(AssigneeFilter::Staff(StaffId::from_uuid(
                    uuid::Uuid::from_u128(1)
                )))
            )
        )
        .await,
        4
    );
    assert_eq!(
        total(&db, f(|f| f.customer = Some("EVEN@x.com".parse().unwrap()))).await,
        6
    );
    assert_eq!(total(&db, f(|f| f.tag = Some(" VIP ".into()))).await, 3);
    let range = TicketFilter {
        created_from: Some(now() - TimeDelta::days(30)),
        created_before: Some(now() - TimeDelta::days(25)),
        ..TicketFilter::default()
    };
    assert_eq!(total(&db, range).await, 5);
});

async fn walk(db: &Database, sort: TicketSort) -> Vec<frontdesk_domain::Ticket> {
    let mut q = query(TicketFilter::default());
    q.sort = sort;
    q.limit = 5;
    let mut seen = Vec::new();
    loop {
        let page = db.list(&q).await.unwrap();
        assert_eq!(page.total, 12);
        seen.extend(page.tickets);
        match page.next {
            Some(c) => q.after = Some(c),
            None => break seen,
        }
    }
}

contract!(
    keyset_pages_cover_every_ticket_once_in_order,
    |db: Database| async move {
        seed(&db).await;
        for key in [
            SortKey::Created,
            SortKey::Updated,
            SortKey::SlaDue,
            SortKey::Priority,
        ] {
            for descending in [false, true] {
                let all = walk(&db, TicketSort { key, descending }).await;
                let ids: HashSet<_> = all.iter().map(|t| t.id).collect();
                assert_eq!((all.len(), ids.len()), (12, 12), "{key:?} {descending}");
                let ranks: Vec<i64> = all
                    .iter()
                    .map(|t| match key {
                        SortKey::Created => t.created_at.timestamp_micros(),
                        SortKey::Updated => t.updated_at.timestamp_micros(),
                        SortKey::SlaDue => [&t.sla.first_response, &t.sla.resolution]
                            .iter()
                            .filter(|c| !c.is_paused() && !c.is_stopped())
                            .map(|c| c.due_at.timestamp_micros())
                            .min()
                            .unwrap_or(i64::MAX),
                        SortKey::Priority => t.priority as i64,
                    })
                    .collect();
                let mut sorted = ranks.clone();
                sorted.sort_unstable();
                if descending {
                    sorted.reverse();
                }
                assert_eq!(ranks, sorted, "{key:?} descending={descending}");
            }
        }
    }
);

contract!(
    full_text_search_finds_subjects_and_bodies_and_ignores_operators,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        desk.ingest(mail(
            "a@c",
            "jane@x.com",
            "Parcel never arrived",
            "The courier lost my parcel in Zürich",
        ))
        .await
        .unwrap();
        desk.ingest(mail(
            "b@c",
            "bob@x.com",
            "Invoice copy",
            "Please send the invoice again",
        ))
        .await
        .unwrap();
        let search = |text: &str| TicketFilter {
            text: Some(text.to_owned()),
            ..TicketFilter::default()
        };
        assert_eq!(total(&db, search("parcel")).await, 1);
        assert_eq!(total(&db, search("courier zürich")).await, 1);
        assert_eq!(total(&db, search("invoice")).await, 1);
        assert_eq!(
            total(&db, search("parcel invoice")).await,
            0,
            "all words must occur"
        );
        for hostile in [
            "' OR 1=1 --",
            "\"unbalanced",
            "NEAR(parcel",
            "parcel* OR invoice",
            "<script>",
            ";DROP TABLE tickets",
        ] {
            assert_eq!(total(&db, search(hostile)).await, 0, "{hostile}");
        }
        assert_eq!(total(&db, search("   ")).await, 2);
        assert_eq!(
            db.get_by_number(frontdesk_domain::TicketNumber::new(2).unwrap())
                .await
                .unwrap()
                .unwrap()
                .subject,
            "Invoice copy"
        );
    }
);

contract!(
    sla_filters_find_breached_and_soon_due_tickets,
    |db: Database| async move {
        let sla = SlaPolicies::default();
        let t0 = now();
        // Urgent: first response due in 1 h. Created 2 h ago → breached. Another created now.
        for (i, age) in [(0, 2), (1, 0)] {
            let at = t0 - TimeDelta::hours(age);
            let mut change = new_ticket("c@x.com", &format!("U{i}"), at);
            if let TicketWrite::Create(d) = &mut change.ticket {
                d.priority = Priority::Urgent;
                d.sla = sla.start(Priority::Urgent, Category::Other, at);
            }
            db.commit(change).await.unwrap();
        }
        let breached = TicketFilter {
            sla: Some(SlaFilter::Breached),
            ..TicketFilter::default()
        };
        assert_eq!(total(&db, breached).await, 1);
        let soon = TicketFilter {
            sla: Some(SlaFilter::DueBefore(t0 + TimeDelta::minutes(90))),
            ..TicketFilter::default()
        };
        assert_eq!(total(&db, soon).await, 1);
    }
);

contract!(
    at_risk_is_the_warning_rule_not_a_fixed_hour,
    |db: Database| async move {
        let sla = SlaPolicies::default();
        let t0 = now();
        // (priority, opened hours ago): low 22.5 h into 24 h (6 % left: at risk); urgent
        // 10 min into 1 h (83 % left, yet due within the hour: not at risk); medium 9 h into
        // 8 h (breached: not "at risk", breached).
        for (i, (priority, minutes_ago)) in [
            (Priority::Low, 22 * 60 + 30),
            (Priority::Urgent, 10),
            (Priority::Medium, 9 * 60),
        ]
        .into_iter()
        .enumerate()
        {
            let at = t0 - TimeDelta::minutes(minutes_ago);
            let mut change = new_ticket("c@x.com", &format!("R{i}"), at);
            if let TicketWrite::Create(d) = &mut change.ticket {
                d.priority = priority;
                d.sla = sla.start(priority, Category::Other, at);
            }
            db.commit(change).await.unwrap();
        }
        let old_rule = TicketFilter {
            sla: Some(SlaFilter::DueBefore(t0 + TimeDelta::hours(1))),
            ..TicketFilter::default()
        };
        assert_eq!(
            total(&db, old_rule).await,
            1,
            "the old rule picked the urgent one"
        );
        let at_risk = TicketFilter {
            sla: Some(SlaFilter::AtRisk(sla.risk_bands(t0))),
            ..TicketFilter::default()
        };
        let mut q = query(at_risk);
        q.now = t0;
        let page = db.list(&q).await.unwrap();
        let subjects: Vec<&str> = page.tickets.iter().map(|t| t.subject.as_str()).collect();
        assert_eq!(subjects, ["R0"]);
    }
);

contract!(a_foreign_cursor_is_refused, |db: Database| async move {
    seed(&db).await;
    let mut q = query(TicketFilter::default());
    q.limit = 5;
    let next = db.list(&q).await.unwrap().next.unwrap();
    q.sort = TicketSort {
        key: SortKey::Priority,
        descending: true,
    };
    q.after = Some(next);
    assert_eq!(db.list(&q).await.unwrap_err(), SearchError::BadCursor);
    q.after = Some(PageCursor("garbage".into()));
    assert_eq!(db.list(&q).await.unwrap_err(), SearchError::BadCursor);
});

/// The tickets whose text contains all of `words`, by number.
async fn found(db: &Database, words: &str) -> Vec<u64> {
    let page = db
        .list(&query(TicketFilter {
            text: Some(words.to_owned()),
            ..TicketFilter::default()
        }))
        .await
        .unwrap();
    assert_eq!(page.total, page.tickets.len() as u64);
    page.tickets.iter().map(|t| t.number.value()).collect()
}

contract!(
    replies_and_merged_conversations_are_searched_under_their_ticket,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let first = desk
            .ingest(mail("a@c", "jane@x.com", "Parcel late", "quokka"))
            .await
            .unwrap();
        let (a, a_id) = (first.ticket.unwrap().value(), first.ticket_id.unwrap());
        desk.ingest(replying(
            mail("a2@c", "jane@x.com", "Re: Parcel late", "numbat"),
            "a@c",
        ))
        .await
        .unwrap();
        // A second ticket of the same customer (another customer's needs a manager's force).
        let second = desk
            .ingest(mail("b@c", "jane@x.com", "Invoice", "wombat"))
            .await
            .unwrap();
        let (b, b_id) = (second.ticket.unwrap().value(), second.ticket_id.unwrap());
        desk.ingest(replying(
            mail("b2@c", "jane@x.com", "Re: Invoice", "wombat platypus"),
            "b@c",
        ))
        .await
        .unwrap();
        assert_eq!(found(&db, "numbat").await, [a]);
        assert_eq!(found(&db, "wombat").await, [b], "one ticket, two messages");
        desk.merge(b_id, a_id, frontdesk_domain::ticket::Actor::System, None)
            .await
            .unwrap();
        for word in ["quokka", "numbat", "wombat", "platypus", "invoice"] {
            assert_eq!(found(&db, word).await, [a], "{word}");
        }
        // Mail to either thread lands on the survivor, and is found there too.
        desk.ingest(replying(
            mail("b3@c", "jane@x.com", "Re: Invoice", "echidna"),
            "b@c",
        ))
        .await
        .unwrap();
        desk.ingest(replying(
            mail("a3@c", "jane@x.com", "Re: Parcel late", "echidna dingo"),
            "a@c",
        ))
        .await
        .unwrap();
        assert_eq!(found(&db, "echidna").await, [a]);
        assert_eq!(found(&db, "dingo echidna").await, [a]);
    }
);

contract!(
    a_forced_merge_of_another_customers_ticket_keeps_their_messages_threads_and_search_apart,
    |db: Database| async move {
        use frontdesk_domain::ports::TicketRepository;
        use frontdesk_domain::staff::Role;
        use frontdesk_domain::ticket::{Actor, MessageKind};
        let desk = helpdesk(&db, |_| {});
        let jane = desk
            .ingest(mail("a@c", "jane@x.com", "Parcel late", "quokka"))
            .await
            .unwrap();
        let (a, a_id) = (jane.ticket.unwrap().value(), jane.ticket_id.unwrap());
        let bob = desk
            .ingest(mail("b@c", "bob@x.com", "Invoice", "wombat"))
            .await
            .unwrap();
        let (b, b_id) = (bob.ticket.unwrap().value(), bob.ticket_id.unwrap());
        desk.merge(b_id, a_id, Actor::System, Some(Role::Manager))
            .await
            .unwrap();
        let messages = TicketRepository::messages(&db, a_id).await.unwrap();
        let kinds: Vec<(MessageKind, &str)> = messages
            .iter()
            .map(|m| (m.kind, m.body_text.as_str()))
            .collect();
        assert!(
            kinds.contains(&(MessageKind::Customer, "quokka")),
            "{kinds:?}"
        );
        assert!(kinds.contains(&(MessageKind::Note, "wombat")), "{kinds:?}");
        assert_eq!(
            kinds.iter().filter(|(k, _)| k.is_public()).count(),
            1,
            "{kinds:?}"
        );
        assert_eq!(found(&db, "wombat").await, [b], "found on Bob's own ticket");
        let people = frontdesk_domain::ports::ThreadLookup::participants(&db, a_id)
            .await
            .unwrap();
        assert!(
            !people.iter().any(|p| p.as_str() == "bob@x.com"),
            "Bob's moved mail does not make him a participant of Jane's ticket: {people:?}"
        );
        let reply = desk
            .ingest(replying(
                mail("b2@c", "bob@x.com", "Re: Invoice", "echidna"),
                "b@c",
            ))
            .await
            .unwrap();
        assert_ne!(reply.ticket_id, Some(a_id), "Bob's thread stays his");
        assert!(!found(&db, "echidna").await.contains(&a));
    }
);

/// A database searched before `m0010_search_rowid` keeps every ticket findable after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_search_rows_are_rekeyed_by_ticket_on_upgrade() {
    use frontdesk_adapters_db::DatabaseSettings;
    use sea_orm::ConnectionTrait;

    let path = std::env::temp_dir().join(format!(
        "frontdesk-upgrade-{}.sqlite",
        uuid::Uuid::now_v7().simple()
    ));
    let db = DatabaseSettings::new(format!("sqlite://{}?mode=rwc", path.display()))
        .connect()
        .await
        .unwrap();
    // Today's schema, with the search rows written as before `m0010` and that migration undone
    // (later ones change other tables, so the tickets are written by today's code).
    db.migrate().await.unwrap();
    let desk = helpdesk(&db, |_| {});
    // Written the old way: the search rows' keys say nothing of their ticket.
    for (i, (subject, body)) in [("Parcel", "quokka"), ("Invoice", "wombat")]
        .iter()
        .enumerate()
    {
        let mut change = new_ticket("jane@x.com", subject, now());
        if let TicketWrite::Create(d) = &mut change.ticket {
            d.description = (*body).to_owned();
        }
        let t = db.commit(change).await.unwrap().ticket;
        assert_eq!(t.number.value(), i as u64 + 1);
    }
    db.connection()
        .execute_unprepared(
            "DELETE FROM ticket_search; \
             INSERT INTO ticket_search (rowid, ticket_number, body) VALUES \
             (7, 2, 'Invoice wombat'), (8, 1, 'Parcel quokka'), (9, 1, 'numbat'); \
             DELETE FROM seaql_migrations WHERE version = 'm0010_search_rowid'",
        )
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(found(&db, "wombat").await, [2]);
    assert_eq!(found(&db, "quokka").await, [1]);
    assert_eq!(found(&db, "numbat").await, [1]);
    desk.ingest(mail("z@c", "jane@x.com", "Another", "numbat"))
        .await
        .unwrap();
    assert_eq!(found(&db, "numbat").await.len(), 2);
    db.close().await;
    let _ = std::fs::remove_file(&path);
}
