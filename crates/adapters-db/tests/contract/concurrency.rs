//! Races: ticket numbering and duplicate deliveries under concurrency.

use std::sync::Arc;

use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::TicketRepository;
use frontdesk_domain::service::IngestOutcome;

use crate::backends::{helpdesk, mail, new_ticket, now};
use crate::contract;

contract!(
    a_thousand_concurrent_creations_get_consecutive_numbers,
    |db: Database| async move {
        let db = Arc::new(db);
        let mut tasks = Vec::new();
        for task in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for i in 0..125 {
                    let change = new_ticket("c@x.com", &format!("t{task}-{i}"), now());
                    numbers.push(db.commit(change).await.unwrap().ticket.number.value());
                }
                numbers
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (1..=1000).collect::<Vec<u64>>());
    }
);

contract!(
    concurrent_deliveries_of_one_mail_make_one_ticket,
    |db: Database| async move {
        let desk = Arc::new(helpdesk(&db, |_| {}));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let desk = desk.clone();
            tasks.push(tokio::spawn(async move {
                desk.ingest(mail("same@client", "jane@x.com", "Hello", "once"))
                    .await
                    .unwrap()
                    .outcome
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        let created = outcomes
            .iter()
            .filter(|o| **o == IngestOutcome::Created)
            .count();
        let duplicates = outcomes
            .iter()
            .filter(|o| **o == IngestOutcome::Duplicate)
            .count();
        assert_eq!((created, duplicates), (1, 7));
        let one = frontdesk_domain::TicketNumber::new(1).unwrap();
        assert!(db.get_by_number(one).await.unwrap().is_some());
        let two = frontdesk_domain::TicketNumber::new(2).unwrap();
        assert!(
            db.get_by_number(two).await.unwrap().is_none(),
            "a lost race must not burn a number"
        );
    }
);
