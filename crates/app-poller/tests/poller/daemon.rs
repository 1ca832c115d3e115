//! `once` and `run` on the embedded defaults: the local Maildir in, the local outbox out.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::TicketRepository;
use frontdesk_domain::ticket::TicketNumber;

use crate::{Site, both, mail, stderr, write};

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

both!(
    once_ingests_the_maildir_and_acknowledges_through_the_outbox,
    async |site: &Site| {
        write(
            &site.path("data/maildir/new/1.a.host"),
            &mail(
                "q1@client.example",
                "jane@client.example",
                "Refund please",
                "Please refund my invoice.",
            ),
        );
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("1 mails read"), "{}", stderr(&out));
        assert!(files(&site.path("data/maildir/new")).is_empty());
        assert_eq!(files(&site.path("data/maildir/cur")).len(), 1);

        let db: &Database = &site.fresh.db;
        let ticket = db
            .get_by_number(TicketNumber::new(1).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ticket.subject, "Refund please");
        // The acknowledgement went out, marked automatic and threaded; the AI draft was kept
        // for review.
        let sent = files(&site.path("data/outbox/new"));
        assert_eq!(sent.len(), 1, "{sent:?}");
        let ack = std::fs::read_to_string(&sent[0]).unwrap();
        assert!(ack.contains("Auto-Submitted: auto-replied"), "{ack}");
        assert!(ack.contains("In-Reply-To: <q1@client.example>"), "{ack}");
        assert!(ack.contains("[TKT-000001]"), "{ack}");
        assert_eq!(files(&site.path("data/outbox/.Drafts/new")).len(), 1);
        assert_eq!(db.ai_drafts(ticket.id).await.unwrap().len(), 1);

        // A second pass finds nothing new and sends nothing more.
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("0 mails read"), "{}", stderr(&out));
        assert_eq!(files(&site.path("data/outbox/new")).len(), 1);
    }
);

fn get(port: u16, path: &str) -> (String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

both!(
    the_daemon_serves_health_and_metrics_and_stops_on_sigterm,
    async |site: &Site| {
        let port = free_port();
        write(
            &site.path("frontdesk.toml"),
            &format!("[poller]\ninterval_secs = 1\nmetrics_bind = \"127.0.0.1:{port}\"\n"),
        );
        let mut child = site
            .command(&["run"])
            .env("RUST_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Mail dropped in while it runs is picked up on the next tick.
        write(
            &site.path("data/maildir/tmp/2.b.host"),
            &mail(
                "live@client.example",
                "tom@client.example",
                "Hello",
                "Just a question",
            ),
        );
        std::fs::create_dir_all(site.path("data/maildir/new")).unwrap();
        std::fs::rename(
            site.path("data/maildir/tmp/2.b.host"),
            site.path("data/maildir/new/2.b.host"),
        )
        .unwrap();
        let db: &Database = &site.fresh.db;
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut healthy = false;
        while Instant::now() < deadline {
            let ticket = db
                .get_by_number(TicketNumber::new(1).unwrap())
                .await
                .unwrap();
            if ticket.is_some()
                && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && get(port, "/healthz").0.contains("200")
            {
                healthy = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(healthy, "no ticket or no healthy /healthz within 30 s");
        let (status, body) = get(port, "/metrics");
        assert!(status.contains("200"), "{status}");
        assert!(
            body.contains(
                "frontdesk_mails_ingested_total{mailbox=\"local\",outcome=\"created\"} 1"
            ),
            "{body}"
        );
        assert!(get(port, "/nope").0.contains("404"));

        let pid = child.id().to_string();
        let stopped_at = Instant::now();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                stopped_at.elapsed() < Duration::from_secs(10),
                "still running 10 s after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut log = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        assert!(status.success(), "{status}: {log}");
        assert!(log.contains("shutting down"), "{log}");
    }
);

both!(
    two_instances_mailing_each_other_do_not_loop,
    async |site: &Site| {
        // Instance A is this site; instance B is a second directory on its own database.
        let other = Site::new(crate::Fresh::sqlite().await);
        write(
            &site.path("frontdesk.toml"),
            "[helpdesk]\nsupport_address = \"help@a.example\"\n[ai]\nmode = \"off\"\n",
        );
        write(
            &other.path("frontdesk.toml"),
            "[helpdesk]\nsupport_address = \"help@b.example\"\n[ai]\nmode = \"off\"\n",
        );
        // B's support desk writes to A (say, a forwarded customer question).
        write(
            &site.path("data/maildir/new/1.from-b"),
            &mail(
                "b-question@b.example",
                "help@b.example",
                "Question",
                "Can you help?",
            ),
        );
        assert!(site.poller(&["once"]).status.success());
        let acks = files(&site.path("data/outbox/new"));
        assert_eq!(acks.len(), 1, "A acknowledges B's mail once");
        // The acknowledgement arrives at B, which must not acknowledge it back.
        std::fs::create_dir_all(other.path("data/maildir/new")).unwrap();
        std::fs::copy(&acks[0], other.path("data/maildir/new/1.ack-from-a")).unwrap();
        let out = other.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            files(&other.path("data/outbox/new")).is_empty(),
            "an auto-submitted acknowledgement is never acknowledged"
        );
        // A second mail from the same sender within 24 h gets no second acknowledgement.
        write(
            &site.path("data/maildir/new/2.from-b"),
            &mail(
                "b-question-2@b.example",
                "help@b.example",
                "Another",
                "And this?",
            ),
        );
        assert!(site.poller(&["once"]).status.success());
        assert_eq!(files(&site.path("data/outbox/new")).len(), 1);
        other.finish().await;
    }
);

both!(
    assignments_in_one_pass_reach_each_agent_as_one_digest,
    async |site: &Site| {
        let db: &Database = &site.fresh.db;
        for (n, email) in ["ana@frontdesk.localhost", "ben@frontdesk.localhost"]
            .into_iter()
            .enumerate()
        {
            let member = frontdesk_domain::staff::Staff {
                id: frontdesk_domain::StaffId::from_uuid(uuid::Uuid::from_u128(n as u128 + 1)),
                email: frontdesk_domain::EmailAddress::parse(email).unwrap(),
                name: format!("Agent {n}"),
                role: frontdesk_domain::Role::Agent,
                availability: frontdesk_domain::Availability::Available,
                shift: None,
                active: true,
            };
            db.create_staff(&member, None, chrono::Utc::now())
                .await
                .unwrap();
        }
        for n in 0..4 {
            write(
                &site.path(&format!("data/maildir/new/{n}.a.host")),
                &mail(
                    &format!("d{n}@client.example"),
                    &format!("c{n}@client.example"),
                    &format!("Question {n}"),
                    "Hello?",
                ),
            );
        }
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("4 assigned"), "{}", stderr(&out));
        let sent: Vec<String> = files(&site.path("data/outbox/new"))
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        for agent in ["ana@frontdesk.localhost", "ben@frontdesk.localhost"] {
            let theirs: Vec<&String> = sent
                .iter()
                .filter(|m| m.contains(&format!("To: {agent}")))
                .collect();
            assert_eq!(theirs.len(), 1, "one digest for {agent}: {sent:?}");
            assert!(
                theirs[0].contains("Frontdesk: 2 notifications (2 assigned to you)"),
                "{}",
                theirs[0]
            );
        }
    }
);

both!(
    a_calendar_changed_in_the_configuration_file_moves_open_clocks_once,
    async |site: &Site| {
        write(
            &site.path("data/maildir/new/1.a.host"),
            &mail(
                "cal1@client.example",
                "jane@client.example",
                "Question",
                "Hello?",
            ),
        );
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let db: &Database = &site.fresh.db;
        let number = TicketNumber::new(1).unwrap();
        let before = db.get_by_number(number).await.unwrap().unwrap();
        // Office hours from now on: every day 09:00-10:00 UTC, so the deadline moves far out.
        let day = "[\"09:00-10:00\"]";
        write(
            &site.path("frontdesk.toml"),
            &format!(
                "[sla.calendar]\ntime_zone = \"UTC\"\nmonday = {day}\ntuesday = {day}\n\
                 wednesday = {day}\nthursday = {day}\nfriday = {day}\nsaturday = {day}\n\
                 sunday = {day}\n"
            ),
        );
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let after = db.get_by_number(number).await.unwrap().unwrap();
        assert!(
            after.sla.resolution.due_at > before.sla.resolution.due_at + chrono::TimeDelta::days(3),
            "{:?} → {:?}",
            before.sla.resolution.due_at,
            after.sla.resolution.due_at
        );
        assert!(
            db.applied_calendar()
                .await
                .unwrap()
                .unwrap()
                .contains("09:00-10:00")
        );
        // The next pass finds the clocks on the calendar in force: they stay.
        let out = site.poller(&["once"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let again = db.get_by_number(number).await.unwrap().unwrap();
        assert_eq!(again.sla.resolution.due_at, after.sla.resolution.due_at);
    }
);
