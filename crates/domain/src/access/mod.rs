//! Access rules: who may sign in with what. Today the password policy; the rules of who may see
//! and change what follow here.

mod password;

pub use password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordRejected, check_password};
