//! The counts behind the intake caps (issue 15, items 16 and 17): acknowledgements per domain,
//! tickets and assistant jobs per customer, within a window, on both databases.

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{AutoReplyLog, SenderActivity};
use frontdesk_domain::service::{
    AutoAcknowledgement, IngestError, IngestOutcome, QuarantineReason,
};

use crate::backends::{helpdesk, mail, now, replying};
use crate::contract;

fn address(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

contract!(
    acknowledgements_are_counted_per_domain_within_the_window,
    |db: Database| async move {
        let desk = helpdesk(&db, |s| {
            s.auto_acknowledgement = Some(AutoAcknowledgement::default());
            s.intake_limits.acknowledgements_per_domain = Some(2);
        });
        let before = now() - TimeDelta::seconds(1);
        for (n, from) in [
            "a@victim.test",
            "B@Victim.test",
            "c@victim.test",
            "d@other.test",
        ]
        .iter()
        .enumerate()
        {
            let r = desk
                .ingest(mail(&format!("m{n}@client"), from, "Hi", "x"))
                .await
                .unwrap();
            assert_eq!(r.outcome, IngestOutcome::Created);
        }
        // The third address of victim.test was over the cap of two: not acknowledged.
        assert_eq!(
            db.auto_replies_to_domain_since("victim.test", before)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            db.auto_replies_to_domain_since("VICTIM.test", before)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            db.auto_replies_to_domain_since("other.test", before)
                .await
                .unwrap(),
            1
        );
        let later = now() + TimeDelta::minutes(1);
        assert_eq!(
            db.auto_replies_to_domain_since("victim.test", later)
                .await
                .unwrap(),
            0
        );
    }
);

contract!(
    tickets_and_assistant_jobs_are_counted_per_customer_within_the_window,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let before = now() - TimeDelta::seconds(1);
        for n in 0..3 {
            desk.ingest(mail(&format!("f{n}@client"), "flood@x.com", "Q", "x"))
                .await
                .unwrap();
        }
        let reply = replying(mail("r@client", "flood@x.com", "Re: Q", "y"), "f0@client");
        assert_eq!(
            desk.ingest(reply).await.unwrap().outcome,
            IngestOutcome::Appended
        );
        desk.ingest(mail("j@client", "jane@x.com", "Help", "x"))
            .await
            .unwrap();
        let flood = address("Flood@X.com");
        assert_eq!(db.tickets_opened_since(&flood, before).await.unwrap(), 3);
        // Three new tickets and one reply each asked the assistant for a draft.
        assert_eq!(db.assistant_jobs_since(&flood, before).await.unwrap(), 4);
        let jane = address("jane@x.com");
        assert_eq!(db.tickets_opened_since(&jane, before).await.unwrap(), 1);
        assert_eq!(db.assistant_jobs_since(&jane, before).await.unwrap(), 1);
        let later = now() + TimeDelta::minutes(1);
        assert_eq!(db.tickets_opened_since(&flood, later).await.unwrap(), 0);
        assert_eq!(db.assistant_jobs_since(&flood, later).await.unwrap(), 0);
    }
);

contract!(
    the_per_sender_caps_hold_across_batches_on_the_database,
    |db: Database| async move {
        let configure = |s: &mut frontdesk_domain::service::Settings| {
            s.intake_limits.tickets_per_sender = Some(3);
            s.intake_limits.ai_jobs_per_sender = Some(2);
        };
        let batch: Vec<_> = (0..5)
            .map(|n| mail(&format!("b{n}@client"), "flood@x.com", "Q", "x"))
            .collect();
        let results = helpdesk(&db, configure).ingest_batch(&batch).await.unwrap();
        let held = |r: &Result<_, IngestError>| {
            matches!(
                r,
                Err(IngestError::Quarantine(
                    QuarantineReason::SenderRateLimited { cap: 3 }
                ))
            )
        };
        assert_eq!(results.iter().filter(|r| held(r)).count(), 2);
        // Another process, counting from storage alone.
        let other = helpdesk(&db, configure);
        let next = other
            .ingest(mail("c@client", "flood@x.com", "Q", "x"))
            .await;
        assert!(held(&next));
        let flood = address("flood@x.com");
        let since = now() - TimeDelta::hours(1);
        assert_eq!(db.tickets_opened_since(&flood, since).await.unwrap(), 3);
        assert_eq!(db.assistant_jobs_since(&flood, since).await.unwrap(), 2);
    }
);
