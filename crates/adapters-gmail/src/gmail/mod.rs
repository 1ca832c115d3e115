//! The Gmail API adapter: the REST client ([`client`]) and Pub/Sub push decoding ([`push`]).

pub mod client;
pub mod push;

pub use client::{GmailClient, GmailError, GmailSettings, RawMessage};
pub use push::{PushError, PushNotification, decode_push};
