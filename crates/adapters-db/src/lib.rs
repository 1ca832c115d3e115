//! Storage adapters: sea-orm on SQLite and PostgreSQL behind the domain's storage ports.
//! Implemented in the persistence issue; this crate only reserves its place in the workspace
//! so the dependency rule can be checked.
