//! MIME normalisation throughput on the SpamAssassin corpus (6,046 real messages), one core.
//!
//! `scripts/fetch-corpora.sh && cargo bench -p frontdesk-adapters-gmail --bench mime`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::Utc;
use frontdesk_adapters_gmail::mime::{MimeLimits, parse_message};

fn main() {
    // `cargo test --all-targets` runs this bare: then a short smoke pass.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/corpora/spam-assassin");
    let mut mails: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} missing: run scripts/fetch-corpora.sh", dir.display()))
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != ".complete")
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    if smoke {
        mails.truncate(100);
    }
    let bytes: usize = mails.iter().map(Vec::len).sum();
    let limits = MimeLimits::default();
    let rounds = if smoke { 1 } else { 5 };
    let now = Utc::now();
    let started = Instant::now();
    let mut ok = 0usize;
    for _ in 0..rounds {
        for m in &mails {
            ok += usize::from(parse_message(m, now, &limits).is_ok());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let n = (mails.len() * rounds) as f64;
    println!(
        "mime: {} messages × {rounds} in {secs:.2} s = {:.0} messages/s, {:.1} MB/s ({ok} normalised)",
        mails.len(),
        n / secs,
        (bytes * rounds) as f64 / secs / 1e6
    );
}
