//! The customer portal's fixture: N customers (default 100,000) with two requests each, mailed
//! in, and 1,000 published help-centre articles in 20 categories — what `scripts/portal-bench.sh`
//! serves and measures over HTTP.
//!
//! `cargo bench -p frontdesk-adapters-db --bench portal -- [CUSTOMERS]`
//!
//! Built once at `target/fixtures/portal-N.sqlite` (a run with the file present only prints
//! its counts). Mails come from a fixed seed through `Helpdesk::ingest_batch`; articles through
//! the storage the API writes with. Run bare (`cargo test --all-targets`), it builds a small one
//! in the temporary directory as a smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use frontdesk_adapters_db::{Database, DatabaseSettings};
use frontdesk_domain::email::{EmailAddress, InboundEmail, Mailbox, MessageId};
use frontdesk_domain::kb::{Article, ArticleStatus, Category, Visibility, slugify};
use frontdesk_domain::ports::{SystemClock, UuidV7Ids};
use frontdesk_domain::service::{AiMode, Helpdesk, Ports, Settings};
use sea_orm::ConnectionTrait;

/// Words of support mail and of help articles.
const WORDS: &[&str] = &[
    "order",
    "delivery",
    "parcel",
    "invoice",
    "refund",
    "password",
    "login",
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
    "store",
    "online",
    "reset",
    "email",
    "invoice",
    "label",
    "box",
    "customs",
    "gift",
    "size",
    "exchange",
    "store",
    "app",
];

/// Topics of the 20 categories.
const TOPICS: &[&str] = &[
    "Orders",
    "Delivery",
    "Returns",
    "Refunds",
    "Payments",
    "Invoices",
    "Accounts",
    "Passwords",
    "Vouchers",
    "Subscriptions",
    "Warranty",
    "Repairs",
    "Batteries",
    "Chargers",
    "Printers",
    "Routers",
    "Laptops",
    "Clothing",
    "Shoes",
    "Gift cards",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self) -> &'static str {
        WORDS[usize::try_from(self.next() % WORDS.len() as u64).unwrap()]
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
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

async fn build(db: &Database, customers: usize) {
    db.migrate().await.unwrap();
    let shared = Arc::new(db.clone());
    let ports = Ports::from_store(shared.clone(), Arc::new(SystemClock), Arc::new(UuidV7Ids));
    let mut settings = Settings::new(&EmailAddress::parse("support@example.com").unwrap());
    settings.ai_mode = AiMode::Off;
    // Every customer mails twice in the fixture's hour; the flood limit is not what is measured.
    settings.intake_limits.tickets_per_sender = None;
    settings.auto_acknowledgement = None;
    let desk = Helpdesk::new(ports, settings);
    let started = Instant::now();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut batch = Vec::with_capacity(1000);
    for round in 0..2 {
        for c in 0..customers {
            let from = format!("customer{c}@example.com");
            let subject = format!("{} {}", rng.words(4), c % 997);
            batch.push(mail(
                format!("portal-{round}-{c}@client.example"),
                &from,
                subject,
                rng.words(60),
            ));
            if batch.len() == 1000 {
                desk.ingest_batch(&batch).await.unwrap();
                batch.clear();
            }
        }
    }
    desk.ingest_batch(&batch).await.unwrap();
    db.connection()
        .execute_unprepared(
            "UPDATE tickets SET status = CASE WHEN number % 10 < 3 THEN 'open' \
             WHEN number % 10 < 5 THEN 'new' WHEN number % 10 < 7 THEN 'resolved' \
             ELSE 'closed' END",
        )
        .await
        .unwrap();
    let now = Utc::now();
    let mut categories = Vec::new();
    for (i, topic) in TOPICS.iter().enumerate() {
        let c = Category {
            id: uuid::Uuid::now_v7(),
            name: (*topic).to_owned(),
            slug: slugify(topic),
            position: i64::try_from(i).unwrap(),
        };
        db.save_kb_category(&c, now).await.unwrap();
        categories.push(c.id);
    }
    for a in 0..1000usize {
        let title = format!(
            "How to {} your {} {} ({a})",
            rng.word(),
            rng.word(),
            rng.word()
        );
        let mut body = String::new();
        for section in 0..4 {
            body.push_str(&format!("## {} {section}\n\n", rng.words(3)));
            for _ in 0..3 {
                body.push_str(&rng.words(40));
                body.push_str(".\n\n");
            }
        }
        let article = Article {
            id: uuid::Uuid::now_v7(),
            slug: slugify(&title),
            title,
            body_markdown: body,
            category_id: Some(categories[a % categories.len()]),
            status: ArticleStatus::Published,
            visibility: Visibility::Public,
            author: None,
            views: 0,
            helpful_yes: 0,
            helpful_no: 0,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
        };
        db.save_kb_article(&article).await.unwrap();
    }
    db.optimize().await.unwrap();
    println!(
        "fixture: {customers} customers, {} requests and 1,000 articles in {:.0} s",
        customers * 2,
        started.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let (smoke, args) = support::args();
    let customers: usize = args
        .first()
        .and_then(|c| c.parse().ok())
        .unwrap_or(if smoke { 500 } else { 100_000 });
    let dir = if smoke {
        std::env::temp_dir().join(format!("frontdesk-portal-smoke-{}", std::process::id()))
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures")
    };
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("portal-{customers}.sqlite"));
    let exists = path.exists();
    let db = DatabaseSettings::new(format!("sqlite://{}?mode=rwc", path.display()))
        .connect()
        .await
        .unwrap();
    if !exists {
        build(&db, customers).await;
    }
    let row = db
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            db.backend(),
            "SELECT (SELECT COUNT(*) FROM tickets) AS t, \
             (SELECT COUNT(DISTINCT customer_email) FROM tickets) AS c, \
             (SELECT COUNT(*) FROM kb_articles) AS a"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let t: i64 = row.try_get("", "t").unwrap();
    let c: i64 = row.try_get("", "c").unwrap();
    let a: i64 = row.try_get("", "a").unwrap();
    println!(
        "{}: {t} tickets of {c} customers, {a} articles",
        path.display()
    );
    assert_eq!((c, a), (i64::try_from(customers).unwrap(), 1000));
    if smoke {
        drop(db);
        std::fs::remove_dir_all(&dir).ok();
    }
}
