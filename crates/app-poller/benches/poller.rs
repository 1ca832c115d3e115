//! The poller end to end through the real release binary: `import` throughput on the
//! SpamAssassin corpus (6,046 real messages, fetched by `scripts/fetch-corpora.sh` into
//! `target/corpora/`), the process's peak memory importing a generated mbox of many mails, and
//! the latency from a mail delivered to Dovecot to its ticket committed, with IMAP IDLE.
//!
//! ```sh
//! cargo bench -p frontdesk-app-poller --bench poller              # corpus into SQLite and PostgreSQL
//! cargo bench -p frontdesk-app-poller --bench poller -- rss 100000 # peak RSS, 100,000 mails, SQLite
//! cargo bench -p frontdesk-app-poller --bench poller -- idle 100   # needs scripts/mail-servers.sh
//! ```
//!
//! PostgreSQL uses `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`). Run
//! bare (as `cargo test --all-targets` does) it makes a small smoke run instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use frontdesk_adapters_db::testing::Fresh;
use sea_orm::{ConnectionTrait, Statement};

/// What one import run cost.
struct Run {
    elapsed: Duration,
    peak_rss_kib: u64,
    summary: String,
}

/// Runs the release binary's import of `path` into `url`, sampling its peak RSS.
fn import(path: &Path, url: &str, dir: &Path) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk-poller"))
        .args(["import", path.to_str().unwrap()])
        .current_dir(dir)
        .env("FRONTDESK_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let mut summary = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut summary).unwrap();
    assert!(status.success(), "import failed: {summary}");
    Run {
        elapsed,
        peak_rss_kib: peak,
        summary: summary.trim().to_owned(),
    }
}

/// The corpus as a Maildir (`cur/` of symlinks), `limit` messages at most.
fn corpus_maildir(dir: &Path, limit: usize) -> Option<(PathBuf, usize)> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/corpora/spam-assassin");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files.truncate(limit);
    let maildir = dir.join("corpus");
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    for (i, file) in files.iter().enumerate() {
        std::os::unix::fs::symlink(file, maildir.join("cur").join(format!("{i:05}.corpus")))
            .unwrap();
    }
    Some((maildir, files.len()))
}

/// An mbox of `count` generated mails of about 2 KB, a fifth of them replies.
fn generated_mbox(dir: &Path, count: usize) -> PathBuf {
    let path = dir.join("generated.mbox");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let words = [
        "order", "delivery", "please", "help", "invoice", "refund", "account", "thanks",
    ];
    for i in 0..count {
        let mut body = String::with_capacity(2100);
        let mut x = (i as u64).wrapping_mul(2_654_435_761) | 1;
        while body.len() < 2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push_str(words[(x % 8) as usize]);
            body.push(if x.is_multiple_of(11) { '\n' } else { ' ' });
        }
        let reply = if i % 5 == 4 {
            format!("In-Reply-To: <gen-{}@client.example>\n", i - 3)
        } else {
            String::new()
        };
        write!(
            out,
            "From customer{c}@example.com Mon Nov 23 09:00:00 2026\nFrom: customer{c}@example.com\n\
             To: support@frontdesk.localhost\nSubject: Order {i}\nMessage-ID: <gen-{i}@client.example>\n\
             {reply}Date: Mon, 23 Nov 2026 09:00:00 +0000\n\n{body}\n\n",
            c = i % 5000
        )
        .unwrap();
    }
    out.flush().unwrap();
    path
}

async fn count_rows(fresh: &Fresh, sql: &str) -> i64 {
    let db = fresh.db.connection();
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn corpus(backend: &str, limit: usize) {
    let dir = tempfile::tempdir().unwrap();
    let Some((maildir, n)) = corpus_maildir(dir.path(), limit) else {
        println!("corpus missing: run scripts/fetch-corpora.sh first");
        return;
    };
    let fresh = if backend == "postgres" {
        Fresh::postgres().await
    } else {
        Fresh::sqlite().await
    };
    let run = import(&maildir, &fresh.url, dir.path());
    let raw = count_rows(&fresh, "SELECT COUNT(*) FROM raw_messages").await;
    let attachments = count_rows(&fresh, "SELECT COUNT(*) FROM attachments").await;
    #[allow(clippy::cast_precision_loss)]
    let rate = n as f64 / run.elapsed.as_secs_f64();
    println!(
        "import corpus {backend}: {n} mails in {:.2} s = {rate:.0} mails/s end to end; peak RSS {} MiB; \
         {raw} raw messages and {attachments} attachments stored\n  {}",
        run.elapsed.as_secs_f64(),
        run.peak_rss_kib / 1024,
        run.summary
    );
    assert!(raw > 0 && raw as usize <= n);
    fresh.finish().await;
}

async fn rss(count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mbox = generated_mbox(dir.path(), count);
    let fresh = Fresh::sqlite().await;
    let run = import(&mbox, &fresh.url, dir.path());
    #[allow(clippy::cast_precision_loss)]
    let rate = count as f64 / run.elapsed.as_secs_f64();
    println!(
        "import mbox sqlite: {count} mails in {:.1} s = {rate:.0} mails/s; peak RSS {:.1} MiB\n  {}",
        run.elapsed.as_secs_f64(),
        run.peak_rss_kib as f64 / 1024.0,
        run.summary
    );
    fresh.finish().await;
}

fn port(var: &str) -> Option<u16> {
    std::env::var(var).ok()?.parse().ok()
}

/// Delivers `count` mails one at a time through the loopback SMTP server into Dovecot while
/// the daemon waits with IDLE, and times each from the SMTP server's acceptance (it answers
/// after Dovecot stored the mail) to the ticket's commit.
async fn idle(count: usize) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let (Some(imap), Some(smtp_port)) = (
        port("FRONTDESK_TEST_IMAP_PORT"),
        port("FRONTDESK_TEST_SMTP_PORT"),
    ) else {
        println!("mail servers not running: start them with scripts/mail-servers.sh");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let fresh = Fresh::sqlite().await;
    let account = format!("latency-{}@frontdesk.test", uuid::Uuid::now_v7().simple());
    std::fs::write(
        dir.path().join("frontdesk.toml"),
        format!(
            "[helpdesk]\nacknowledge = false\ntickets_per_sender_per_hour = 0\n[ai]\nmode = \"off\"\n[poller]\nmetrics_bind = \"\"\n\
             [[mailbox]]\nkind = \"imap\"\nname = \"support\"\nhost = \"127.0.0.1\"\nport = {imap}\n\
             security = \"plain\"\nusername = \"{account}\"\npassword_env = \"BENCH_IMAP_PASSWORD\"\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk-poller"))
        .arg("run")
        .current_dir(dir.path())
        .env("FRONTDESK_DATABASE_URL", &fresh.url)
        .env("BENCH_IMAP_PASSWORD", "secret")
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp_port)
        .build();
    // Let the daemon make its first pass and settle into IDLE.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let id = format!("lat-{i}@client.test");
        let raw = format!(
            "From: customer@example.test\r\nTo: {account}\r\nSubject: Latency {i}\r\n\
             Message-ID: <{id}>\r\n\r\nHow fast is this?\r\n"
        );
        let envelope = lettre::address::Envelope::new(
            Some("customer@example.test".parse().unwrap()),
            vec![account.parse().unwrap()],
        )
        .unwrap();
        smtp.send_raw(&envelope, raw.as_bytes()).await.unwrap();
        let delivered = Instant::now();
        let sql = format!("SELECT COUNT(*) FROM emails WHERE message_id = '{id}'");
        while count_rows(&fresh, &sql).await == 0 {
            assert!(
                delivered.elapsed() < Duration::from_secs(120),
                "mail {i} never arrived"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(delivered.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    latencies.sort();
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!(
        "IDLE latency, Dovecot delivery to ticket committed, {count} mails: median {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    fresh.finish().await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if smoke {
        corpus("sqlite", 200).await;
        rss(300).await;
        idle(3).await;
        return;
    }
    match args.first().map(String::as_str) {
        Some("idle") => {
            let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100);
            idle(n).await;
        }
        Some("rss") => {
            let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
            rss(n).await;
        }
        Some(backend @ ("sqlite" | "postgres")) => corpus(backend, usize::MAX).await,
        _ => {
            corpus("sqlite", usize::MAX).await;
            corpus("postgres", usize::MAX).await;
        }
    }
}
