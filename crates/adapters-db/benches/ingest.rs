//! Bulk ingest throughput: synthetic mails (2 KB bodies) through the domain's ingest use case
//! into a fresh database, durable commits.
//!
//! `cargo bench -p frontdesk-adapters-db --bench ingest -- [sqlite|postgres] [COUNT] [BATCH]`
//! (BATCH 1 commits each mail on its own through `Helpdesk::ingest`).
//! PostgreSQL uses `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) to
//! create and drop a scratch database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use frontdesk_adapters_db::{Database, DatabaseSettings};
use frontdesk_domain::email::{EmailAddress, InboundEmail, Mailbox, MessageId};
use frontdesk_domain::ports::{SystemClock, UuidV7Ids};
use frontdesk_domain::service::{Helpdesk, Ports, Settings};
use sea_orm::ConnectionTrait;

const WORDS: &[&str] = &[
    "order", "delivery", "please", "help", "my", "the", "invoice", "arrived", "broken", "thanks",
    "account", "package", "when", "will", "refund", "tracking", "number", "hello", "team", "again",
    "customer", "today",
];

fn body(seed: usize) -> String {
    let mut s = String::with_capacity(2100);
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    while s.len() < 2048 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(WORDS[x % WORDS.len()]);
        s.push(if x.is_multiple_of(11) { '\n' } else { ' ' });
    }
    s
}

/// Every fifth mail answers an earlier one, so threading does real work.
fn mail(i: usize) -> InboundEmail {
    let id = format!("bench-{i}@client.example");
    let from = format!("customer{}@example.com", i % 5000);
    let text = body(i);
    let mut m = InboundEmail {
        raw: format!("Message-ID: <{id}>\r\nFrom: {from}\r\nSubject: Order {i}\r\n\r\n{text}")
            .into_bytes(),
        message_id: Some(MessageId::parse(&id).unwrap()),
        from: Some(Mailbox::new(None, EmailAddress::parse(&from).unwrap())),
        subject: format!("Order {i}"),
        text_body: text,
        received_at: Utc::now(),
        ..InboundEmail::default()
    };
    if i % 5 == 4 {
        let parent = MessageId::parse(&format!("bench-{}@client.example", i - 3)).unwrap();
        m.in_reply_to = vec![parent.clone()];
        m.references = vec![parent];
    }
    m
}

async fn open(backend: &str) -> (Database, Option<(String, String)>) {
    if backend == "postgres" {
        let admin = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("frontdesk_bench_{}", uuid::Uuid::now_v7().simple());
        let conn = sea_orm::Database::connect(admin.as_str()).await.unwrap();
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let db = DatabaseSettings::new(url).connect().await.unwrap();
        db.migrate().await.unwrap();
        (db, Some((admin, name)))
    } else {
        let path = std::env::temp_dir().join(format!(
            "frontdesk-bench-{}.sqlite",
            uuid::Uuid::now_v7().simple()
        ));
        let db = DatabaseSettings::new(format!("sqlite://{}?mode=rwc", path.display()))
            .connect()
            .await
            .unwrap();
        db.migrate().await.unwrap();
        (db, None)
    }
}

#[tokio::main]
async fn main() {
    let (smoke, args) = support::args();
    let backend = args.first().map_or("sqlite", String::as_str).to_owned();
    let count: usize = args
        .get(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(if smoke { 300 } else { 10_000 });
    let batch: usize = args
        .get(2)
        .and_then(|c| c.parse().ok())
        .unwrap_or(500)
        .max(1);
    let (db, scratch) = open(&backend).await;
    let shared = Arc::new(db.clone());
    let ports = Ports::from_store(shared.clone(), Arc::new(SystemClock), Arc::new(UuidV7Ids));
    let desk = Helpdesk::new(
        ports,
        Settings::new(&EmailAddress::parse("support@example.com").unwrap()),
    );
    let mails: Vec<InboundEmail> = (0..count).map(mail).collect();
    let started = Instant::now();
    if batch == 1 {
        for m in mails {
            desk.ingest(m).await.unwrap();
        }
    } else {
        for chunk in mails.chunks(batch) {
            for result in desk.ingest_batch(chunk).await.unwrap() {
                result.unwrap();
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "ingest {backend}: {count} mails (2 KB bodies) in {secs:.2} s = {:.0} mails/s, batch {batch}",
        count as f64 / secs
    );
    db.close().await;
    if let Some((admin, name)) = scratch {
        let conn = sea_orm::Database::connect(admin.as_str()).await.unwrap();
        conn.execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
    }
}
