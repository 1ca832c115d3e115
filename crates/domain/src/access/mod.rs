//! Access rules: who may sign in with what, and how a customer proves an address. The rules of
//! who may see and change what follow here.

mod password;
mod registration;
mod token;

pub use password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordRejected, check_password};
pub use registration::{
    CONFIRMATION_LIFETIME, CONFIRMATION_TOKEN_BYTES, RegistrationPath, RegistrationRefused,
    may_register, registration_path,
};
pub use token::{MAX_TOKEN_LIFETIME, TokenScope};
