//! IMAP fetch throughput and memory against the loopback Dovecot: N messages of 2 KB written
//! straight into a fresh Maildir, then fetched and acknowledged in batches of 200.
//!
//! `bash -c '. scripts/mail-servers.sh; FRONTDESK_CLEANUP=(); start_mail_servers;
//!   cargo bench -p frontdesk-adapters-gmail --bench imap -- 100000'`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use frontdesk_adapters_gmail::Secret;
use frontdesk_adapters_gmail::imap::{AfterIngest, ImapSettings, ImapSource, Security};
use frontdesk_domain::ports::{MailSource, MailboxCursor, MailboxCursors, StoreError};

#[derive(Default)]
struct Cursors(std::sync::Mutex<Option<MailboxCursor>>);

#[async_trait::async_trait]
impl MailboxCursors for Cursors {
    async fn cursor(&self, _: &str) -> Result<Option<MailboxCursor>, StoreError> {
        Ok(self.0.lock().unwrap().clone())
    }
    async fn save_cursor(
        &self,
        _: &str,
        c: &MailboxCursor,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        *self.0.lock().unwrap() = Some(c.clone());
        Ok(())
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .find_map(|a| a.parse().ok())
        .unwrap_or(if smoke { 300 } else { 20_000 });
    let port: u16 = std::env::var("FRONTDESK_TEST_IMAP_PORT")
        .expect("start scripts/mail-servers.sh first")
        .parse()
        .unwrap();
    let maildir = std::path::PathBuf::from(std::env::var("FRONTDESK_TEST_MAIL_DIR").unwrap());
    let user = format!("bench-{}@frontdesk.test", uuid::Uuid::now_v7().simple());
    let settings = ImapSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        username: user.clone(),
        password: Secret::new("secret"),
        mailbox: "INBOX".into(),
        after_ingest: AfterIngest::Keep,
        max_message_bytes: 1024 * 1024,
        ca_file: None,
    };
    let source = ImapSource::new(settings.clone(), Arc::new(Cursors::default()));
    assert!(source.fetch(1).await.unwrap().is_empty()); // logs in once: Dovecot creates the Maildir
    let new = maildir.join(&user).join("new");
    let body = "order parcel refund ".repeat(100);
    for i in 0..count {
        let raw = format!(
            "From: c{i}@example.test\r\nTo: {user}\r\nSubject: Bench {i}\r\nMessage-ID: <b{i}@x>\r\n\r\n{body}\r\n"
        );
        std::fs::write(new.join(format!("{}.M{i}.bench", 1_700_000_000 + i)), raw).unwrap();
    }
    let fresh = ImapSource::new(settings, Arc::new(Cursors::default()));
    let started = Instant::now();
    let mut fetched = 0;
    let mut bytes = 0;
    loop {
        let batch = fresh.fetch(200).await.unwrap();
        if batch.is_empty() {
            break;
        }
        for m in &batch {
            bytes += m.raw.len();
            fresh.acknowledge(&m.source_ref).await.unwrap();
        }
        fetched += batch.len();
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(fetched, count);
    println!(
        "imap: {fetched} messages ({:.1} MB) fetched and acknowledged in {secs:.2} s = {:.0} messages/s; peak RSS {} MiB",
        bytes as f64 / 1e6,
        fetched as f64 / secs,
        peak_rss_kib() / 1024
    );
}
