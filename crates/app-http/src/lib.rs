//! `frontdesk-http`: the REST API over Frontdesk's domain use cases (actix-web). Handlers are
//! thin: they authenticate, check the caller's rights, translate JSON to domain calls and domain
//! results (or errors, in `problem.rs`) back to JSON. Wiring lives in `startup.rs`; what it takes from the
//! poller's library (the shared composition root) comes through [`wiring`] alone.

pub mod assets;
pub mod auth;
pub mod csv_out;
pub mod deadline;
pub mod events;
pub mod headers;
pub mod kb;
pub mod openapi;
pub mod pages;
pub mod portal;
pub mod presence;
pub mod problem;
pub mod reads;
pub mod routes;
pub mod startup;
pub mod state;
pub mod views;
pub mod wiring;
