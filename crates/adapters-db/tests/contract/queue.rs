//! The jobs queue: leases, completion, retries, and concurrent workers.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{Job, JobQueue, TicketRepository};

use crate::backends::{new_ticket, now};
use crate::contract;

async fn queue_drafts(db: &Database, n: usize) {
    for i in 0..n {
        let mut change = new_ticket("c@x.com", &format!("T{i}"), now());
        let id = match &change.ticket {
            frontdesk_domain::ports::TicketWrite::Create(d) => d.id,
            frontdesk_domain::ports::TicketWrite::Update(t) => t.id,
        };
        change.jobs.push(Job::DraftReply { ticket_id: id });
        db.commit(change).await.unwrap();
    }
}

contract!(
    claimed_jobs_are_leased_completed_and_retried,
    |db: Database| async move {
        queue_drafts(&db, 3).await;
        let t0 = now() + TimeDelta::seconds(1);
        let lease = TimeDelta::minutes(5);
        let first = db.claim(t0, lease, 2).await.unwrap();
        assert_eq!(first.len(), 2);
        assert!(
            first
                .iter()
                .all(|c| c.attempts == 1 && matches!(c.job, Job::DraftReply { .. }))
        );
        let second = db.claim(t0, lease, 10).await.unwrap();
        assert_eq!(second.len(), 1, "leased jobs are not handed out again");
        db.complete(first[0].id).await.unwrap();
        db.fail(first[1].id, "SMTP 451", Some(t0 + TimeDelta::minutes(1)))
            .await
            .unwrap();
        db.fail(second[0].id, "rejected", None).await.unwrap();
        assert!(
            db.claim(t0, lease, 10).await.unwrap().is_empty(),
            "the retry is not due yet"
        );
        let retry = db
            .claim(t0 + TimeDelta::minutes(2), lease, 10)
            .await
            .unwrap();
        assert_eq!(
            retry.iter().map(|c| (c.id, c.attempts)).collect::<Vec<_>>(),
            [(first[1].id, 2)]
        );
    }
);

contract!(
    a_dead_workers_jobs_come_back_when_the_lease_expires,
    |db: Database| async move {
        queue_drafts(&db, 1).await;
        let t0 = now() + TimeDelta::seconds(1);
        let taken = db.claim(t0, TimeDelta::seconds(30), 10).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert!(
            db.claim(t0 + TimeDelta::seconds(29), TimeDelta::seconds(30), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let again = db
            .claim(t0 + TimeDelta::seconds(31), TimeDelta::seconds(30), 10)
            .await
            .unwrap();
        assert_eq!((again[0].id, again[0].attempts), (taken[0].id, 2));
    }
);

contract!(
    concurrent_workers_never_share_a_job,
    |db: Database| async move {
        queue_drafts(&db, 200).await;
        let db = Arc::new(db);
        let t0 = now() + TimeDelta::seconds(1);
        let mut workers = Vec::new();
        for _ in 0..6 {
            let db = db.clone();
            workers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = db.claim(t0, TimeDelta::minutes(5), 7).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    mine.extend(batch.into_iter().map(|c| c.id));
                }
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!((all.len(), unique.len()), (200, 200));
    }
);
