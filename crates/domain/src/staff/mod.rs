//! People: staff with roles, availability and shifts, and customers.

mod shift;

use std::fmt;

use uuid::Uuid;

use crate::email::EmailAddress;
use crate::ticket::{ParseEnumError, string_enum};

pub use shift::{ShiftError, ShiftWindow};

/// A staff member's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffId(Uuid);

impl StaffId {
    #[must_use]
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    #[must_use]
    pub fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

string_enum!(
    /// What a staff member may do.
    Role, "role", {
        /// Everything, including configuration and staff management.
        Admin => "admin",
        /// All tickets, staff status, SLA configuration and reports.
        Manager => "manager",
        /// Works tickets.
        Agent => "agent",
    }
);

string_enum!(
    /// Whether a staff member can take new work right now.
    Availability, "availability", {
        Available => "available",
        Busy => "busy",
        Away => "away",
        Offline => "offline",
    }
);

/// A member of the support team.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    pub id: StaffId,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub availability: Availability,
    /// When the person works; `None` means no shift restriction.
    pub shift: Option<ShiftWindow>,
    /// Deactivated staff keep their history but get no work and cannot sign in.
    pub active: bool,
}

impl Staff {
    /// Whether tickets may be assigned to this person at `now` by automatic assignment.
    #[must_use]
    pub fn can_take_work(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.active
            && matches!(self.role, Role::Agent | Role::Manager)
            && self.availability == Availability::Available
            && self.shift.as_ref().is_none_or(|s| s.contains(now))
    }
}

/// Someone who writes to support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub email: EmailAddress,
    pub name: Option<String>,
}

impl Customer {
    /// A customer, with a blank name treated as none.
    #[must_use]
    pub fn new(email: EmailAddress, name: Option<String>) -> Self {
        let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        Self { email, name }
    }

    /// How to greet the customer: the name, or the address's local part.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .unwrap_or_else(|| self.email.local_part())
    }
}
