//! Frontdesk's storage: every storage port of the domain on sea-orm, over SQLite (the embedded
//! default, one file) or PostgreSQL (teams, several servers), from one migration set.
//!
//! Domain types never derive anything database-related: `entity/` holds the tables as sea-orm
//! sees them and `mapping.rs` translates in both directions. Database failures become the
//! domain's `StoreError`/`CommitError` in `error.rs`; a unique violation on an inbound
//! Message-ID becomes `CommitError::Duplicate`.

mod accounts;
mod activity;
mod ai_report;
mod canned;
mod commit;
mod content;
mod customers;
mod database;
pub mod entity;
mod error;
mod feed;
mod intake;
mod jobs;
mod journeys;
mod kb;
mod knowledge;
mod lookup;
mod mail_status;
mod mapping;
mod migration;
mod notify_prefs;
mod outbound;
mod queue;
mod reports;
mod repository;
mod resanitize;
mod satisfaction;
mod saved_views;
mod search;
mod sla;
mod suggestions;
mod webhook_log;

#[cfg(feature = "testing")]
pub mod testing;

pub use accounts::{AccountError, ApiTokenRecord, RefreshRecord, StaffAccess, WebSession};
pub use ai_report::AssistantCounts;
pub use canned::CannedResponse;
pub use customers::CustomerAccount;
pub use database::{ConnectError, Database, DatabaseSettings, sqlite_path};
pub use feed::{AuditEntry, AuditQuery, FeedEvent};
pub use kb::{DeflectionCounts, KbSaveError};
pub use knowledge::KnowledgeStore;
pub use mail_status::MailboxState;
pub use migration::Migrator;
pub use reports::ReportIndex;
pub use repository::{TicketKey, WholeTicket};
pub use satisfaction::RatingRecord;
pub use saved_views::{SaveViewError, SavedView};
pub use sla::{SavePolicyError, SlaPolicyRecord};
pub use webhook_log::{AttemptRecord, DeliveryRecord};
