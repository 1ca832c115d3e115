//! The mail adapters against real things: public mail corpora, a public XSS payload corpus, and
//! a private Dovecot IMAP server with an SMTP server delivering into it on loopback (started by
//! `scripts/test.sh`).

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpora;
mod gmail;
mod imap;
mod servers;
mod smtp;
mod xss;
