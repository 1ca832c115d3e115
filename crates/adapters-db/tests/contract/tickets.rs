//! Tickets, staff and the background queries.

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{
    ChangeSet, CommitError, StaffDirectory, TicketQueries, TicketRepository,
};
use frontdesk_domain::sla::SlaPolicies;
use frontdesk_domain::staff::{Availability, Role, ShiftWindow, Staff, StaffId};
use frontdesk_domain::ticket::{Status, TicketId};

use crate::backends::new_ticket;
use crate::contract;

contract!(migrations_can_run_again, |db: Database| async move {
    db.migrate().await.unwrap();
});

contract!(
    a_created_ticket_reads_back_as_written,
    |db: Database| async move {
        let now = crate::backends::now();
        let first = db
            .commit(new_ticket("Jane@Example.com", "Order late", now))
            .await
            .unwrap()
            .ticket;
        let second = db
            .commit(new_ticket("bob@example.com", "Refund", now))
            .await
            .unwrap()
            .ticket;
        assert_eq!(
            (first.number.to_string(), second.number.to_string()),
            ("TKT-000001".into(), "TKT-000002".into())
        );
        let read = TicketRepository::get(&db, first.id).await.unwrap().unwrap();
        assert_eq!(read.subject, "Order late");
        assert_eq!(read.customer.email.as_str(), "jane@example.com");
        assert_eq!(read.tags, ["b2b", "vip"]);
        assert_eq!(read.sla, first.sla, "clocks survive storage to the second");
        assert_eq!(
            read.created_at.timestamp_micros(),
            first.created_at.timestamp_micros()
        );
        assert_eq!(
            db.get_by_number(second.number).await.unwrap().unwrap().id,
            second.id
        );
        assert_eq!(
            TicketRepository::get(&db, TicketId::from_uuid(uuid::Uuid::now_v7()))
                .await
                .unwrap(),
            None
        );
    }
);

contract!(
    updates_bump_the_version_and_stale_ones_conflict,
    |db: Database| async move {
        let sla = SlaPolicies::default();
        let now = crate::backends::now();
        let created = db
            .commit(new_ticket("c@x.com", "S", now))
            .await
            .unwrap()
            .ticket;
        let mut t = created.clone();
        t.change_status(Status::Pending, now, &sla).unwrap();
        let updated = db.commit(ChangeSet::update(t)).await.unwrap().ticket;
        assert_eq!(updated.version, 1);
        let read = TicketRepository::get(&db, created.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((read.status, read.version), (Status::Pending, 1));
        assert!(read.sla.resolution.is_paused());
        let mut stale = created.clone();
        stale.set_tags(vec!["x".into()], now);
        assert_eq!(
            db.commit(ChangeSet::update(stale)).await.unwrap_err(),
            CommitError::Conflict(created.id)
        );
        let mut ghost = new_ticket_ghost(created);
        ghost.set_tags(vec![], now);
        let id = ghost.id;
        assert_eq!(
            db.commit(ChangeSet::update(ghost)).await.unwrap_err(),
            CommitError::NotFound(id)
        );
    }
);

fn new_ticket_ghost(t: frontdesk_domain::Ticket) -> frontdesk_domain::Ticket {
    let mut parts = t.into_parts();
    parts.id = TicketId::from_uuid(uuid::Uuid::now_v7());
    frontdesk_domain::Ticket::restore(parts)
}

contract!(
    nul_bytes_and_huge_text_are_stored,
    |db: Database| async move {
        let mut change = new_ticket("c@x.com", "bad\0subject", crate::backends::now());
        if let frontdesk_domain::ports::TicketWrite::Create(d) = &mut change.ticket {
            d.description = "x".repeat(2 * 1024 * 1024);
        }
        let t = db.commit(change).await.unwrap().ticket;
        let read = TicketRepository::get(&db, t.id).await.unwrap().unwrap();
        assert_eq!(read.subject, "bad\u{FFFD}subject");
        assert_eq!(read.description.len(), 2 * 1024 * 1024);
    }
);

fn member(n: u128, role: Role) -> Staff {
    Staff {
        id: StaffId::from_uuid(uuid::Uuid::from_u128(n)),
        email: format!("agent{n}@frontdesk.test").parse().unwrap(),
        name: format!("Agent {n}"),
        role,
        availability: Availability::Available,
        shift: None,
        active: true,
    }
}

contract!(
    staff_round_trip_with_shifts_and_loads,
    |db: Database| async move {
        let now = crate::backends::now();
        let mut a = member(1, Role::Agent);
        let start = chrono::NaiveTime::from_hms_opt(22, 0, 0).unwrap();
        let end = chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap();
        a.shift = Some(
            ShiftWindow::new(
                "Europe/Berlin",
                vec![chrono::Weekday::Mon, chrono::Weekday::Fri],
                start,
                end,
            )
            .unwrap(),
        );
        let m = member(2, Role::Manager);
        let admin = member(3, Role::Admin);
        for s in [&a, &m, &admin] {
            db.save_staff(s, now).await.unwrap();
        }
        assert_eq!(StaffDirectory::get(&db, a.id).await.unwrap().unwrap(), a);
        assert_eq!(
            db.with_roles(&[Role::Manager]).await.unwrap(),
            std::slice::from_ref(&m)
        );
        let mut t = db
            .commit(new_ticket("c@x.com", "S", now))
            .await
            .unwrap()
            .ticket;
        t.assign(Some(a.id), now);
        db.commit(ChangeSet::update(t)).await.unwrap();
        let loads = db.loads().await.unwrap();
        let load_of = |id| {
            loads
                .iter()
                .find(|l| l.staff.id == id)
                .map(|l| l.open_tickets)
        };
        assert_eq!(
            (load_of(a.id), load_of(m.id), load_of(admin.id)),
            (Some(1), Some(0), None)
        );
    }
);

contract!(
    background_queries_find_their_tickets,
    |db: Database| async move {
        let sla = SlaPolicies::default();
        let now = crate::backends::now();
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                db.commit(new_ticket("c@x.com", &format!("T{i}"), now))
                    .await
                    .unwrap()
                    .ticket,
            );
        }
        let mut resolved = ids[0].clone();
        resolved
            .change_status(Status::Resolved, now - TimeDelta::days(8), &sla)
            .unwrap();
        db.commit(ChangeSet::update(resolved.clone()))
            .await
            .unwrap();
        let first = db.active_page(None, 2).await.unwrap();
        let rest = db.active_page(Some(first[1].id), 10).await.unwrap();
        assert_eq!(first.len() + rest.len(), 4);
        assert!(first.iter().chain(&rest).all(|t| t.id != resolved.id));
        assert_eq!(db.unassigned(10).await.unwrap().len(), 4);
        let due = db
            .resolved_before(now - TimeDelta::days(7), 10)
            .await
            .unwrap();
        assert_eq!(due.iter().map(|t| t.id).collect::<Vec<_>>(), [resolved.id]);
        assert!(
            db.resolved_before(now - TimeDelta::days(9), 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
