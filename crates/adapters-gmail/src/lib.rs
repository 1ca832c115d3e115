//! Frontdesk's mail side: turning raw MIME into the domain's `InboundEmail` ([`mime`]), reading
//! mailboxes over IMAP ([`imap`]), and — as the mail-adapters issue proceeds — the Gmail API,
//! Maildir and SMTP, behind the domain's mail ports.

pub mod gmail;
pub mod imap;
pub mod maildir;
pub mod mime;
mod secret;
pub mod smtp;
mod tls;

pub use secret::Secret;
pub use tls::client_config;
