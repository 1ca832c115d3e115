//! Access rules: who may sign in with what, how a customer proves an address, and who may see
//! and change what.

mod identity;
mod password;
mod portal_link;
mod registration;
mod rights;
mod staff_link;
mod token;

pub use identity::{AccountKind, AddressAccounts, IdentityConflict};
pub use password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordRejected, check_password};
pub use portal_link::{PORTAL_LINK_LIFETIME, PORTAL_LINKS_PER_ADDRESS, portal_link_goes_out};
pub use registration::{
    CONFIRMATION_LIFETIME, CONFIRMATION_TOKEN_BYTES, RegistrationPath, RegistrationRefused,
    may_register, registration_path,
};
pub use rights::{
    Permission, Principal, StaffChange, StaffChangeRefused, StaffChangeTerms, TicketEventKind,
    TicketScope, change_ends_sign_ins, check_staff_change, may_choose_notifications,
    may_read_performance, may_remove_view, may_set_availability,
};
pub use staff_link::{StaffLink, StaffLinkPurpose, StaffLinkRefused, may_send_link};
pub use token::{MAX_TOKEN_LIFETIME, TokenScope};
