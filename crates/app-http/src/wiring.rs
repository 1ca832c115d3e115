//! The one door to the poller's library, which is Frontdesk's shared composition root: the
//! configuration file, the wired helpdesk (`Frontdesk`: database, mail, assistant), the
//! ingestion pipeline both binaries run, and the background work an embedded poller does.
//!
//! app-http may use app-poller's library, never the reverse, and only through this module
//! (`scripts/check-dependency-rule.sh`), so the edge between the two apps stays visible and
//! small.

pub use frontdesk_poller::app::{Frontdesk, Workload, connect, migrate};
pub use frontdesk_poller::cli::CommonArgs;
pub use frontdesk_poller::config::{Config, HttpConfig, OrdersProvider, secret};
pub use frontdesk_poller::daemon::{Health, ingest_pass, run as run_poller};
pub use frontdesk_poller::intake::{
    INTERCOM_SOURCE, Outcome, RawMail, Tally, ZENDESK_SOURCE, process_batch, process_batch_as,
};
pub use frontdesk_poller::observe::{init_logs, init_metrics};
pub use frontdesk_poller::outbound::check_target;
pub use frontdesk_poller::satisfaction::links as rating_links;
