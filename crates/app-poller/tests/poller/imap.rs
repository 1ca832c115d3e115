//! Exactly once against the real loopback Dovecot and SMTP server (`scripts/mail-servers.sh`)
//! and real PostgreSQL: mail is delivered while the poller is killed with SIGKILL at random
//! moments and restarted; afterwards every mail is in exactly one ticket message.

use std::time::{Duration, Instant};

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::{ConnectionTrait, Statement};

use crate::{Fresh, Site, stderr, write};

const MAILS: usize = 2_000;
const KILLS: usize = 12;

pub fn port(var: &str) -> u16 {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: run the suite through scripts/test.sh"))
        .parse()
        .unwrap()
}

/// A small xorshift generator; the seed is printed so a failing run can be repeated.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Delivers mails `i < total` with `i % 4 == lane` through the real SMTP server.
pub async fn deliver_lane(account: String, lane: usize, total: usize) {
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port("FRONTDESK_TEST_SMTP_PORT"))
        .build();
    for i in (lane..total).step_by(4) {
        let raw = format!(
            "From: Customer {c} <customer{c}@example.test>\r\nTo: {account}\r\n\
             Subject: Question number {i}\r\nMessage-ID: <eo-{i}@client.test>\r\n\
             Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nHello, this is mail {i}.\r\n",
            c = i % 37
        );
        let envelope = lettre::address::Envelope::new(
            Some(format!("customer{}@example.test", i % 37).parse().unwrap()),
            vec![account.parse().unwrap()],
        )
        .unwrap();
        smtp.send_raw(&envelope, raw.as_bytes()).await.unwrap();
    }
}

pub async fn count(site: &Site, sql: &str) -> i64 {
    let db = site.fresh.db.connection();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A configuration reading `account` on the loopback Dovecot (at `imap_port`).
pub fn configure(site: &Site, account: &str, acknowledge: bool, imap_port: u16) {
    write(
        &site.path("frontdesk.toml"),
        &format!(
            r#"[helpdesk]
support_address = "support@frontdesk.test"
acknowledge = {acknowledge}
# These tests count deliveries, not policy: a few senders send thousands of mails.
tickets_per_sender_per_hour = 0
acknowledgements_per_domain_per_hour = 0

[poller]
interval_secs = 1
batch_size = 50
metrics_bind = ""

[ai]
mode = "off"

[[mailbox]]
kind = "imap"
name = "support"
host = "127.0.0.1"
port = {port}
security = "plain"
username = "{account}"
password_env = "FRONTDESK_TEST_IMAP_PASSWORD"
after_ingest = "seen"
"#,
            port = imap_port
        ),
    );
}

pub fn poller(site: &Site) -> std::process::Child {
    site.command(&["run"])
        .env("FRONTDESK_TEST_IMAP_PASSWORD", "secret")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

pub async fn wait_for(site: &Site, sql: &str, expected: i64, limit: Duration) {
    let deadline = Instant::now() + limit;
    while count(site, sql).await < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub const CUSTOMER_MESSAGES: &str = "SELECT COUNT(*) FROM messages WHERE kind = 'customer'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_and_doubles_nothing() {
    let site = Site::new(Fresh::postgres().await);
    let account = format!(
        "exactly-once-{}@frontdesk.test",
        uuid::Uuid::now_v7().simple()
    );
    configure(&site, &account, false, port("FRONTDESK_TEST_IMAP_PORT"));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill schedule seed: {seed}");
    let mut dice = Dice(seed);
    let started = Instant::now();
    let delivery: Vec<_> = (0..4)
        .map(|lane| tokio::spawn(deliver_lane(account.clone(), lane, MAILS)))
        .collect();
    for _ in 0..KILLS {
        let mut child = poller(&site);
        let wait = Duration::from_millis(300 + dice.next() % 2_200);
        tokio::time::sleep(wait).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    for lane in delivery {
        lane.await.unwrap();
    }
    println!(
        "delivered and killed {KILLS} times in {:?}",
        started.elapsed()
    );

    // Let one last poller drain the mailbox.
    let mut child = poller(&site);
    wait_for(
        &site,
        CUSTOMER_MESSAGES,
        MAILS as i64,
        Duration::from_secs(120),
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    println!("drained after {:?}", started.elapsed());

    assert_eq!(
        count(&site, CUSTOMER_MESSAGES).await,
        MAILS as i64,
        "none missing, none doubled"
    );
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(DISTINCT email_message_id) FROM messages WHERE kind = 'customer'"
        )
        .await,
        MAILS as i64
    );
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM tickets").await,
        MAILS as i64
    );
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM emails WHERE message_id LIKE 'eo-%@client.test'"
        )
        .await,
        MAILS as i64
    );
    assert_eq!(count(&site, "SELECT COUNT(*) FROM quarantine").await, 0);

    // Every mail was acknowledged: a further pass reads nothing.
    let out = site
        .command(&["once"])
        .env("FRONTDESK_TEST_IMAP_PASSWORD", "secret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("0 mails read"), "{}", stderr(&out));
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pollers_share_a_mailbox_and_its_jobs_without_doubles() {
    const TOTAL: usize = 300;
    let site = Site::new(Fresh::postgres().await);
    let account = format!("shared-{}@frontdesk.test", uuid::Uuid::now_v7().simple());
    configure(&site, &account, true, port("FRONTDESK_TEST_IMAP_PORT"));
    let mut first = poller(&site);
    let mut second = poller(&site);
    let delivery: Vec<_> = (0..4)
        .map(|lane| tokio::spawn(deliver_lane(account.clone(), lane, TOTAL)))
        .collect();
    for lane in delivery {
        lane.await.unwrap();
    }
    let done_jobs = "SELECT COUNT(*) FROM jobs WHERE state = 'done'";
    wait_for(
        &site,
        CUSTOMER_MESSAGES,
        TOTAL as i64,
        Duration::from_secs(60),
    )
    .await;
    // One acknowledgement per sender (37 of them) within 24 h.
    wait_for(&site, done_jobs, 37, Duration::from_secs(30)).await;
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM mailbox_leases").await,
        1,
        "one lease for the one mailbox"
    );
    first.kill().unwrap();
    second.kill().unwrap();
    first.wait().unwrap();
    second.wait().unwrap();
    assert_eq!(count(&site, CUSTOMER_MESSAGES).await, TOTAL as i64);
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM tickets").await,
        TOTAL as i64
    );
    assert_eq!(count(&site, done_jobs).await, 37);
    assert_eq!(count(&site, "SELECT COUNT(*) FROM jobs").await, 37);
    site.finish().await;
}
