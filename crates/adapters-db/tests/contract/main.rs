//! The storage contract: one suite, run against SQLite and PostgreSQL from the same code.
//!
//! Every test gets a fresh database: a temporary SQLite file, or a uniquely named PostgreSQL
//! database created on the server at `DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and dropped afterwards. PostgreSQL tests fail
//! rather than skip when no server is reachable; `scripts/test.sh` starts one.

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ai;
mod backends;
mod concurrency;
mod ingest;
mod intake;
mod journeys;
mod limits;
mod queue;
mod reports;
mod resanitize;
mod search;
mod settings;
mod sla;
mod suggestions;
mod tickets;

/// Declares one async test per backend from one body: `contract!(name, |db| async move { … })`.
#[macro_export]
macro_rules! contract {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let fresh = $crate::backends::Fresh::sqlite().await;
                ($body)(fresh.db.clone()).await;
                fresh.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let fresh = $crate::backends::Fresh::postgres().await;
                ($body)(fresh.db.clone()).await;
                fresh.finish().await;
            }
        }
    };
}
