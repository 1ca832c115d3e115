//! The REST API through real HTTP: `spawn_app()` on port 0 with a fresh database per test, on
//! SQLite and on PostgreSQL.

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aliases;
mod analytics;
mod assistant;
mod auth;
mod bad_input;
mod configuration;
mod events;
mod export;
mod helpdesks;
mod helpers;
mod intake_limits;
mod journeys;
mod kb;
mod machine_mail;
mod matrix;
mod memory;
mod openapi;
mod outbound;
mod portal;
mod registration;
mod satisfaction;
mod security;
mod staff_links;
mod threading;
mod tickets;
mod webhooks;
mod workspace;
