//! End-to-end tests of Frontdesk on real servers. The suites arrive with the adapter and
//! application issues; see `tests/README.md`.
