//! Frontdesk's domain: every business rule of the helpdesk, with no I/O.
//!
//! The crate is the centre of a hexagon. Adapters (storage, mail, AI) implement the traits in
//! [`ports`]; the use cases in [`service`] drive those ports and apply the pure rules found in
//! [`ticket`] (lifecycle), [`sla`] (targets, business hours, pauses, escalation), [`classify`]
//! (priority and category keywords), [`threading`] (duplicates, thread matching, loop detection,
//! outbound reply headers), [`assignment`] (round-robin and least-loaded) and [`webhook`] (which
//! targets outbound webhooks may reach).
//!
//! Time and identifiers come through the [`ports::Clock`] and [`ports::IdGenerator`] ports so that
//! every rule is testable without sleeping or guessing ids.

pub mod access;
pub mod ai;
pub mod assignment;
pub mod classify;
pub mod email;
pub mod grounding;
pub mod journey;
pub mod kb;
pub mod order;
pub mod ports;
pub mod reports;
pub mod satisfaction;
pub mod service;
pub mod sla;
pub mod staff;
pub mod threading;
pub mod ticket;
pub mod webhook;

pub use email::{EmailAddress, MessageId};
pub use staff::{Availability, Customer, Role, Staff, StaffId};
pub use ticket::{Category, Channel, Priority, Status, Ticket, TicketId, TicketNumber};
