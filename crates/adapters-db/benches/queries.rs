//! Query latency at scale: a reproducible fixture of N tickets (default 1,000,000), then the
//! list, full-text search and ticket-detail queries the API runs, with percentiles.
//!
//! `cargo bench -p frontdesk-adapters-db --bench queries -- [sqlite|postgres] [TICKETS]`
//!
//! The fixture is built once and reused: SQLite at `target/fixtures/tickets-N.sqlite`,
//! PostgreSQL as database `frontdesk_fixture_N` on `DATABASE_URL`. Mails are generated from a
//! fixed seed and ingested through `Helpdesk::ingest_batch`; one ticket in a thousand gets 19
//! replies (20 messages) for the detail query. Statuses and assignees are then spread with one
//! SQL update each (a fixture shortcut: going through the lifecycle a million times would only
//! make the fixture slower to build).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use frontdesk_adapters_db::{Database, DatabaseSettings};
use frontdesk_domain::TicketNumber;
use frontdesk_domain::email::{EmailAddress, InboundEmail, Mailbox, MessageId};
use frontdesk_domain::ports::{
    SortKey, SystemClock, TicketFilter, TicketListQuery, TicketRepository, TicketSearch,
    TicketSort, UuidV7Ids,
};
use frontdesk_domain::service::{AiMode, Helpdesk, Ports, Settings};
use frontdesk_domain::ticket::{Priority, Status};
use sea_orm::ConnectionTrait;

const VOCABULARY: &[&str] = &[
    "order",
    "delivery",
    "parcel",
    "invoice",
    "refund",
    "password",
    "login",
    "blue",
    "screen",
    "battery",
    "charger",
    "cable",
    "warranty",
    "return",
    "exchange",
    "colour",
    "size",
    "jacket",
    "shoes",
    "laptop",
    "printer",
    "router",
    "account",
    "subscription",
    "discount",
    "voucher",
    "shipping",
    "tracking",
    "courier",
    "address",
    "payment",
    "card",
    "bank",
    "transfer",
    "receipt",
    "missing",
    "damaged",
    "late",
    "early",
    "hello",
    "thanks",
    "please",
    "help",
    "friday",
    "today",
    "tomorrow",
    "weekend",
    "store",
    "online",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| VOCABULARY[self.below(VOCABULARY.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A rare word: Zipf-like over `RARE_WORDS` pseudo-words, so a few are common and most are
    /// seldom seen, like names, products and order numbers in real mail.
    fn rare(&mut self) -> String {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let rank = (RARE_WORDS as f64).powf(u) as u64;
        rare_word(rank)
    }

    fn text(&mut self, common: usize, rare: usize) -> String {
        let mut words: Vec<String> = (0..common)
            .map(|_| VOCABULARY[self.below(VOCABULARY.len())].to_owned())
            .collect();
        words.extend((0..rare).map(|_| self.rare()));
        words.join(" ")
    }
}

const RARE_WORDS: u64 = 50_000;

/// The pseudo-word of rank `rank`: syllables spelled from its digits.
fn rare_word(rank: u64) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "bel", "dor", "fen", "gar", "hul", "jin",
        "kos", "lum",
    ];
    let mut n = rank + 17;
    let mut word = String::new();
    while n > 0 {
        word.push_str(SYLLABLES[(n % 16) as usize]);
        n /= 16;
    }
    word
}

fn mail(id: String, from: &str, subject: String, body: String) -> InboundEmail {
    InboundEmail {
        raw: format!("Message-ID: <{id}>\r\nFrom: {from}\r\nSubject: {subject}\r\n\r\n{body}")
            .into_bytes(),
        message_id: Some(MessageId::parse(&id).unwrap()),
        from: Some(Mailbox::new(None, EmailAddress::parse(from).unwrap())),
        subject,
        text_body: body,
        received_at: Utc::now(),
        ..InboundEmail::default()
    }
}

/// The fixture's mails in order: ticket `t`'s first mail, then its replies if it has any.
fn fixture_mails(tickets: usize) -> impl Iterator<Item = InboundEmail> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..tickets).flat_map(move |t| {
        let from = format!("customer{}@example.com", t % 50_000);
        let root = format!("fixture-{t}@client.example");
        // Priority words in 35 % of subjects: 5 % urgent, 15 % high, 15 % low; the rest medium.
        let tone = match t % 20 {
            0 => "urgent ",
            1..=3 => "problem ",
            4..=6 => "question ",
            _ => "",
        };
        let subject = format!("{tone}{} {}", rng.words(3), rng.rare());
        let mut mails = vec![mail(root.clone(), &from, subject.clone(), rng.text(45, 15))];
        if t % 1000 == 0 {
            for r in 0..19 {
                let mut reply = mail(
                    format!("fixture-{t}-{r}@client.example"),
                    &from,
                    format!("Re: {subject}"),
                    rng.words(40),
                );
                let parent = MessageId::parse(&root).unwrap();
                reply.in_reply_to = vec![parent.clone()];
                reply.references = vec![parent];
                mails.push(reply);
            }
        }
        mails
    })
}

async fn open(backend: &str, tickets: usize) -> (Database, bool, String) {
    if backend == "postgres" {
        let admin = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("frontdesk_fixture_{tickets}");
        let conn = sea_orm::Database::connect(admin.as_str()).await.unwrap();
        let exists = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .unwrap()
            .is_some();
        if !exists {
            conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
        }
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let db = DatabaseSettings::new(url).connect().await.unwrap();
        (db, exists, name)
    } else {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("tickets-{tickets}.sqlite"));
        let exists = path.exists();
        let db = DatabaseSettings::new(format!("sqlite://{}?mode=rwc", path.display()))
            .connect()
            .await
            .unwrap();
        (db, exists, path.display().to_string())
    }
}

async fn build_fixture(db: &Database, tickets: usize) {
    db.migrate().await.unwrap();
    let shared = Arc::new(db.clone());
    let ports = Ports::from_store(shared.clone(), Arc::new(SystemClock), Arc::new(UuidV7Ids));
    let mut settings = Settings::new(&EmailAddress::parse("support@example.com").unwrap());
    settings.ai_mode = AiMode::Off;
    let desk = Helpdesk::new(ports, settings);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for m in fixture_mails(tickets) {
        batch.push(m);
        if batch.len() == 1000 {
            desk.ingest_batch(&batch).await.unwrap();
            batch.clear();
        }
    }
    desk.ingest_batch(&batch).await.unwrap();
    // Statuses as in a helpdesk with history: 2 % new, 3 % open, 1 % pending, 4 % resolved,
    // 90 % closed.
    let conn = db.connection();
    conn.execute_unprepared(
        "UPDATE tickets SET status = CASE WHEN number % 100 < 2 THEN 'new' WHEN number % 100 < 5 THEN 'open' \
         WHEN number % 100 < 6 THEN 'pending' WHEN number % 100 < 10 THEN 'resolved' ELSE 'closed' END",
    )
    .await
    .unwrap();
    if db.backend() == sea_orm::DbBackend::Postgres {
        // The status update rewrote every row; autovacuum would get there, but not before the
        // measurements start.
        conn.execute_unprepared("VACUUM").await.unwrap();
    }
    db.optimize().await.unwrap();
    println!(
        "fixture: {tickets} tickets ingested in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let rank = ((samples.len() as f64) * p).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    let p50 = percentile(&mut samples, 0.50);
    let p95 = percentile(&mut samples, 0.95);
    let p99 = percentile(&mut samples, 0.99);
    println!(
        "{name:<44} n={:<5} p50={:>7.2} ms  p95={:>7.2} ms  p99={:>7.2} ms",
        samples.len(),
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

async fn time<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        samples.push(t.elapsed());
    }
    samples
}

#[tokio::main]
async fn main() {
    let (smoke, args) = support::args();
    let backend = args.first().map_or("sqlite", String::as_str).to_owned();
    let tickets: usize = args
        .get(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(if smoke { 3_000 } else { 1_000_000 });
    let (db, exists, location) = open(&backend, tickets).await;
    if exists {
        db.migrate().await.unwrap();
        println!("fixture: reusing {location}");
    } else {
        build_fixture(&db, tickets).await;
    }
    let mut rng = Rng(42);
    let now = Utc::now();
    let query = |filter: TicketFilter, key: SortKey| TicketListQuery {
        filter,
        sort: TicketSort {
            key,
            descending: true,
        },
        limit: 25,
        after: None,
        now,
    };
    let warm = query(TicketFilter::default(), SortKey::Created);
    db.list(&warm).await.unwrap();

    let samples = time(500, |i| {
        let priority = Priority::ALL[i % 4];
        let q = query(
            TicketFilter {
                statuses: vec![Status::New, Status::Open],
                priorities: vec![priority],
                ..Default::default()
            },
            SortKey::Created,
        );
        let db = &db;
        async move {
            let page = db.list(&q).await.unwrap();
            assert!(page.tickets.len() <= 25);
        }
    })
    .await;
    report("list: open+new, one priority, newest first", samples);

    let samples = time(500, |i| {
        let q = query(
            TicketFilter {
                statuses: vec![Status::Open],
                ..Default::default()
            },
            if i % 2 == 0 {
                SortKey::SlaDue
            } else {
                SortKey::Priority
            },
        );
        let db = &db;
        async move {
            db.list(&q).await.unwrap();
        }
    })
    .await;
    report("list: open, by SLA due / by priority", samples);

    // Words of middling rarity (ranks 200–5,000), two per query: what staff search for.
    let words: Vec<String> = (0..300)
        .map(|_| {
            format!(
                "{} {}",
                rare_word(200 + rng.next() % 4800),
                rare_word(200 + rng.next() % 4800)
            )
        })
        .collect();
    let single: Vec<String> = (0..300)
        .map(|_| rare_word(200 + rng.next() % 4800))
        .collect();
    for (name, terms) in [
        ("search: two words, newest first", &words),
        ("search: one word, newest first", &single),
    ] {
        let samples = time(300, |i| {
            let q = query(
                TicketFilter {
                    text: Some(terms[i].clone()),
                    ..Default::default()
                },
                SortKey::Created,
            );
            let db = &db;
            async move {
                db.list(&q).await.unwrap();
            }
        })
        .await;
        report(name, samples);
    }

    let threads: Vec<u64> = (0..tickets.div_ceil(1000))
        .map(|k| 1 + (k as u64) * 1000)
        .collect();
    let samples = time(500, |i| {
        let number = TicketNumber::new(threads[i % threads.len()]).unwrap();
        let db = &db;
        async move {
            let t = db.get_by_number(number).await.unwrap().unwrap();
            let messages = db.messages(t.id).await.unwrap();
            assert_eq!(messages.len(), 20, "{number}");
        }
    })
    .await;
    report("detail: ticket with 20 messages", samples);

    let size = if backend == "postgres" {
        let row = db
            .connection()
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_database_size(current_database()) AS bytes",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "bytes").unwrap()
    } else {
        i64::try_from(std::fs::metadata(&location).map(|m| m.len()).unwrap_or(0)).unwrap_or(0)
    };
    println!(
        "database size: {:.2} GiB ({backend})",
        size as f64 / (1u64 << 30) as f64
    );
}
