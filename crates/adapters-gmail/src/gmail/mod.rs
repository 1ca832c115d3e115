//! The Gmail API adapter: the REST client ([`client`]), the mail ports on top of it
//! ([`GmailSource`], [`GmailSender`]) and Pub/Sub push decoding ([`push`]).

pub mod client;
mod ports;
pub mod push;

pub use client::{GmailClient, GmailError, GmailSettings, RawMessage};
pub use ports::{GmailSender, GmailSource};
pub use push::{PushError, PushNotification, decode_push};
