//! Frontdesk's mail side, behind the domain's mail ports: turning raw MIME into the domain's
//! `InboundEmail` ([`mime`]); reading mailboxes over IMAP ([`imap`]), the Gmail API ([`gmail`])
//! or a local Maildir ([`maildir`]); sending over SMTP ([`smtp`]), Gmail, or into a local
//! outbox Maildir; and reading backlogs (`.eml`, Maildir, mbox) for imports ([`backlog`]).

pub mod backlog;
pub mod gmail;
pub mod helpdesks;
pub mod imap;
pub mod maildir;
pub mod mime;
mod secret;
pub mod smtp;
mod tls;

pub use secret::Secret;
pub use tls::client_config;
