//! sea-orm entities, one per table of `migration/m0001_core.sql`. They stay inside the adapter:
//! `mapping.rs` turns them into domain types and back.

pub mod ai_drafts;
pub mod attachments;
pub mod auto_replies;
pub mod canned_responses;
pub mod content_versions;
pub mod counters;
pub mod customers;
pub mod emails;
pub mod jobs;
pub mod mailbox_cursors;
pub mod mailbox_leases;
pub mod mailbox_status;
pub mod merge_suggestions;
pub mod message_attachments;
pub mod messages;
pub mod quarantine;
pub mod raw_messages;
pub mod staff;
pub mod thread_keys;
pub mod ticket_events;
pub mod ticket_tags;
pub mod tickets;
pub mod webhooks;
