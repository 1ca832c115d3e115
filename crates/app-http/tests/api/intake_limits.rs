//! What one sender's mail can make us do (issue 15, items 16 and 17), through the inbound-mail
//! webhook with the default limits: no acknowledgement to a forged sender, 30 new tickets and
//! 20 assistant drafts an hour per sender, and the rest kept whole in quarantine.

use frontdesk_domain::ports::{Job, JobQueue as _, Quarantine as _};

use crate::both;
use crate::helpers::{TestApp, Who, post_mail};

async fn queued_jobs(app: &TestApp) -> Vec<Job> {
    app.state
        .db()
        .claim(chrono::Utc::now(), chrono::TimeDelta::minutes(5), 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.job)
        .collect()
}

fn flood(n: usize) -> String {
    format!(
        "From: Flood <flood@spam.test>\r\nTo: support@frontdesk.test\r\n\
         Subject: Offer {n}\r\nMessage-ID: <flood-{n}@spam.test>\r\n\r\nBuy now, number {n}.\r\n"
    )
}

both!(
    three_hundred_mails_from_one_sender_open_thirty_tickets_and_keep_the_rest_whole,
    async |app: &TestApp| {
        let mut created = 0;
        let mut held = Vec::new();
        for n in 0..300 {
            let (status, body) = post_mail(app, &flood(n)).await;
            match body["outcome"].as_str() {
                Some("created") => created += 1,
                Some("quarantined") => {
                    assert_eq!(status, 202, "{body}");
                    held.push(n);
                }
                other => panic!("mail {n}: {status} {other:?} {body}"),
            }
        }
        assert_eq!((created, held.len()), (30, 270));
        assert_eq!(held[0], 30);
        let jobs = queued_jobs(app).await;
        let drafts = jobs
            .iter()
            .filter(|j| matches!(j, Job::DraftReply { .. }))
            .count();
        let acks = jobs
            .iter()
            .filter(|j| matches!(j, Job::AutoAcknowledge { .. }))
            .count();
        assert_eq!((drafts, acks), (20, 1));
        // Nothing lost: every held mail is in quarantine with its exact bytes.
        let entries = app.state.db().quarantined(false, None, 1000).await.unwrap();
        assert_eq!(entries.len(), 270);
        for n in &held {
            let raw = flood(*n).into_bytes();
            assert!(entries.iter().any(|e| e.raw == raw), "mail {n} is missing");
        }
        assert!(entries[0].error.contains("tickets in the last hour"));
        // Staff release one: it opens its ticket despite the cap.
        let id = entries[0].id;
        let (status, outcome) = app
            .json(
                "post",
                &format!("/api/admin/quarantine/{id}/reprocess"),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(
            (status, outcome["outcome"].as_str()),
            (200, Some("created")),
            "{outcome}"
        );
        let (_, list) = app.json("get", "/api/tickets", Who::Admin, None).await;
        assert_eq!(list["total"], 31);
    }
);

both!(
    a_sender_failing_dmarc_gets_a_ticket_but_no_acknowledgement,
    async |app: &TestApp| {
        let forged = "Authentication-Results: mx.frontdesk.test; spf=softfail \
             smtp.mailfrom=bank.test; dmarc=fail (p=quarantine) header.from=bank.test\r\n\
             Received: from evil.test\r\n\
             Authentication-Results: mx.frontdesk.test; spf=pass; dkim=pass; dmarc=pass\r\n\
             From: \"Visit https://evil.test\" <ceo@bank.test>\r\nTo: support@frontdesk.test\r\n\
             Subject: Win at https://evil.test\r\nMessage-ID: <forged@bank.test>\r\n\r\nx\r\n";
        let (status, body) = post_mail(app, forged).await;
        assert_eq!((status, body["outcome"].as_str()), (201, Some("created")));
        let genuine = "Authentication-Results: mx.frontdesk.test; spf=pass; dkim=pass; dmarc=pass\r\n\
             From: ann@bank.test\r\nTo: support@frontdesk.test\r\nSubject: Question\r\n\
             Message-ID: <genuine@bank.test>\r\n\r\nx\r\n";
        let (status, _) = post_mail(app, genuine).await;
        assert_eq!(status, 201);
        let acks: Vec<String> = queued_jobs(app)
            .await
            .into_iter()
            .filter_map(|j| match j {
                Job::AutoAcknowledge { to, .. } => Some(to.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(acks, ["ann@bank.test"]);
    }
);
