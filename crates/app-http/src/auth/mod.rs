//! Authentication and the roles' rights: passwords, tokens, sign-in limits, the caller.

pub mod cache;
mod caller;
pub mod limiter;
pub mod password;
pub mod shared;
pub mod tokens;

pub use caller::{Caller, Principal, customer_subject, principal, signed_in_caller, staff_subject};
