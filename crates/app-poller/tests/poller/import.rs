//! `frontdesk-poller import`: the JSON contract, dry runs, mbox, and failing runs.

use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{Quarantine, TicketRepository};
use frontdesk_domain::ticket::TicketNumber;
use serde_json::Value;

use crate::{Fresh, Site, both, mail, stderr, write};

fn backlog(site: &Site) -> std::path::PathBuf {
    let dir = site.path("backlog");
    let first = mail(
        "a1@client.example",
        "jane@client.example",
        "My order is late, urgent",
        "Where is my order 1234? This is urgent.",
    );
    write(&dir.join("01-new.eml"), &first);
    write(
        &dir.join("02-reply.eml"),
        &mail(
            "b1@client.example",
            "jane@client.example",
            "Re: My order is late, urgent",
            "Any news?",
        )
        .replace(
            "Message-ID: <b1@client.example>",
            "Message-ID: <b1@client.example>\r\nIn-Reply-To: <a1@client.example>",
        ),
    );
    write(&dir.join("03-duplicate.eml"), &first);
    write(
        &dir.join("04-out-of-office.eml"),
        &mail(
            "o1@elsewhere.example",
            "bob@elsewhere.example",
            "Out of office",
            "I am away until Monday.",
        )
        .replace("Subject:", "Auto-Submitted: auto-replied\r\nSubject:"),
    );
    write(
        &dir.join("05-no-sender.eml"),
        "To: support@frontdesk.localhost\r\nSubject: who am I\r\nMessage-ID: <n1@nowhere>\r\n\r\nhi\r\n",
    );
    write(&dir.join("06-garbage.eml"), "\u{1}\u{2} not a mail at all");
    write(&dir.join("notes.txt"), "not an .eml file: skipped");
    dir
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

both!(
    json_lines_report_every_message_in_input_order,
    async |site: &Site| {
        let dir = backlog(site);
        let out = site.poller(&["import", dir.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let got = lines(&out.stdout);
        let outcomes: Vec<&str> = got.iter().map(|l| l["outcome"].as_str().unwrap()).collect();
        assert_eq!(
            outcomes,
            [
                "created",
                "appended",
                "duplicate",
                "quarantined",
                "quarantined",
                "quarantined"
            ]
        );
        for line in &got {
            let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), 8, "{line}");
        }
        assert!(
            got[0]["source"]
                .as_str()
                .unwrap()
                .ends_with("backlog/01-new.eml")
        );
        assert_eq!(got[0]["ticket"], "TKT-000001");
        assert_eq!(got[0]["message_id"], "<a1@client.example>");
        assert_eq!(got[0]["priority"], "urgent");
        assert_eq!(got[0]["category"], "order");
        assert_eq!(got[0]["auto_reply"], false);
        assert_eq!(got[0]["error"], Value::Null);
        assert_eq!(got[1]["ticket"], "TKT-000001");
        assert_eq!(got[1]["priority"], Value::Null);
        assert_eq!(got[2]["message_id"], "<a1@client.example>");
        // Machine mail (an out-of-office) opens no ticket: it is kept apart for staff.
        assert_eq!(got[3]["auto_reply"], true);
        assert!(
            got[3]["error"]
                .as_str()
                .unwrap()
                .starts_with("machine mail (auto_reply)")
        );
        assert_eq!(got[4]["message_id"], "<n1@nowhere>");
        assert!(got[4]["error"].as_str().unwrap().contains("sender"));
        assert_eq!(got[4]["ticket"], Value::Null);
        assert!(got[5]["message_id"].as_str().unwrap().starts_with('<'));
        assert!(!got[5]["error"].as_str().unwrap().is_empty());
        let summary = stderr(&out);
        assert!(summary.contains("6 messages"), "{summary}");
        assert!(summary.contains("3 quarantined"), "{summary}");

        let db: &Database = &site.fresh.db;
        let ticket = db
            .get_by_number(TicketNumber::new(1).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(db.messages(ticket.id).await.unwrap().len(), 2);
        let quarantined = db.quarantined(false, None, 10).await.unwrap();
        assert_eq!(quarantined.len(), 3);
        assert!(quarantined.iter().any(|q| q.raw.starts_with(b"\x01\x02")));

        // Importing again changes nothing: all duplicates, the poison mail quarantined again.
        let again = site.poller(&["import", dir.to_str().unwrap(), "--json"]);
        assert!(again.status.success(), "{}", stderr(&again));
        let outcomes: Vec<String> = lines(&again.stdout)
            .iter()
            .map(|l| l["outcome"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            outcomes,
            [
                "duplicate",
                "duplicate",
                "duplicate",
                "quarantined",
                "quarantined",
                "quarantined"
            ]
        );
        assert_eq!(db.quarantined(false, None, 10).await.unwrap().len(), 3);
    }
);

both!(
    a_dry_run_threads_and_numbers_but_writes_nothing,
    async |site: &Site| {
        let dir = backlog(site);
        let out = site.poller(&["import", dir.to_str().unwrap(), "--json", "--dry-run"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let got = lines(&out.stdout);
        assert_eq!(got[0]["outcome"], "created");
        assert_eq!(got[0]["ticket"], "TKT-000001");
        assert_eq!(got[1]["outcome"], "appended");
        assert_eq!(got[1]["ticket"], "TKT-000001");
        assert_eq!(got[2]["outcome"], "duplicate");
        assert_eq!(
            got[3]["outcome"], "quarantined",
            "machine mail opens no ticket"
        );
        assert!(stderr(&out).contains("dry run"));
        let db: &Database = &site.fresh.db;
        assert!(
            db.get_by_number(TicketNumber::new(1).unwrap())
                .await
                .unwrap()
                .is_none()
        );
        assert!(db.quarantined(false, None, 10).await.unwrap().is_empty());
        assert_eq!(db.last_ticket_number().await.unwrap(), 0);
    }
);

both!(
    mbox_messages_are_numbered_in_their_source,
    async |site: &Site| {
        let path = site.path("archive.mbox");
        let one = mail(
            "m1@x.example",
            "ann@x.example",
            "Invoice question",
            "About my bill",
        );
        let two = mail(
            "m2@x.example",
            "tom@x.example",
            "Login broken",
            "I cannot log in",
        );
        write(
            &path,
            &format!(
                "From ann@x.example Mon Nov 23 09:00:00 2026\n{}\nFrom tom@x.example Mon Nov 23 09:01:00 2026\n{}",
                one.replace("\r\n", "\n"),
                two.replace("\r\n", "\n")
            ),
        );
        let out = site.poller(&["import", path.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let got = lines(&out.stdout);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["source"], format!("{}#1", path.display()));
        assert_eq!(got[1]["source"], format!("{}#2", path.display()));
        assert_eq!(got[0]["category"], "billing");
        assert_eq!(got[1]["category"], "technical");
    }
);

#[tokio::test]
async fn a_run_that_cannot_proceed_exits_non_zero_with_a_reason() {
    let site = Site::new(Fresh::sqlite().await);
    let out = site.poller(&["import", "does/not/exist", "--json"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does/not/exist"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    write(
        &site.path("one.eml"),
        &mail("x@y", "a@b.example", "Hi", "Hello"),
    );
    let out = site
        .command(&["import", "one.eml"])
        .env(
            "FRONTDESK_DATABASE_URL",
            "postgres://nobody@127.0.0.1:1/none",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("database"), "{}", stderr(&out));
    site.finish().await;
}

both!(
    old_mail_keeps_its_date_and_is_history_unless_imported_as_open,
    async |site: &Site| {
        let june = mail("j1@x.example", "ann@x.example", "Refund", "Where is it?")
            .replace("Mon, 23 Nov 2026 09:00:00", "Wed, 03 Jun 2026 10:00:00");
        let dir = site.path("old");
        write(&dir.join("june.eml"), &june);
        write(
            &dir.join("recent.eml"),
            &mail("r1@x.example", "tom@x.example", "Login", "Broken").replace(
                "Mon, 23 Nov 2026",
                &chrono::Utc::now().format("%a, %d %b %Y").to_string(),
            ),
        );
        let out = site.poller(&["import", dir.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let db: &Database = &site.fresh.db;
        let by_number = async |n: u64| {
            db.get_by_number(TicketNumber::new(n).unwrap())
                .await
                .unwrap()
                .unwrap()
        };
        let old = by_number(1).await;
        assert_eq!(old.status.as_str(), "closed", "older than 14 days: history");
        assert_eq!(old.created_at.to_rfc3339(), "2026-06-03T10:00:00+00:00");
        assert_eq!(by_number(2).await.status.as_str(), "new", "recent: work");

        let again = site.path("again");
        write(
            &again.join("june.eml"),
            &june.replace("j1@x.example>", "j2@x.example>"),
        );
        let out = site.poller(&["import", again.to_str().unwrap(), "--as", "open"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let open = by_number(3).await;
        assert_eq!(open.status.as_str(), "new");
        assert_eq!(open.created_at.to_rfc3339(), "2026-06-03T10:00:00+00:00");
        assert!(open.sla.first_response.due_at > chrono::Utc::now());
        let bad = site.poller(&["import", again.to_str().unwrap(), "--as", "maybe"]);
        assert!(!bad.status.success());
        assert!(stderr(&bad).contains("closed"), "{}", stderr(&bad));
    }
);
