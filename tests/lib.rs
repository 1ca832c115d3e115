//! End-to-end tests of Frontdesk on real servers, run by `scripts/test.sh` (which starts
//! PostgreSQL, Dovecot and the loopback SMTP server): `e2e/main.rs` follows a mail from a
//! customer through the poller and the API and back to the customer's mailbox.
