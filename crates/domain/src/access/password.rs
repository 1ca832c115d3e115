//! What a new password must be (NIST SP 800-63B, 5.1.1.2): long enough, not absurdly long, not
//! blank, no control characters, not one character repeated, not a common password, and not the
//! account's own address. Composition rules ("one digit, one symbol") are deliberately absent:
//! NIST advises against them.

use std::sync::LazyLock;

use crate::email::EmailAddress;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes: hashing cost must stay bounded.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The common passwords of ten characters or more, lower-cased and sorted by bytes
/// (`COMMON-PASSWORDS-LICENSE.md` says where they come from).
const COMMON: &str = include_str!("common-passwords.txt");

static COMMON_SORTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| COMMON.lines().collect());

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may be at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("a password cannot be only spaces")]
    Blank,
    #[error("a password cannot contain control characters")]
    ControlCharacter,
    #[error("a password cannot be one character repeated")]
    Repetitive,
    #[error("this password is among the most common ones; choose another")]
    Common,
    #[error("a password cannot be the account's own e-mail address")]
    SameAsAddress,
}

/// Checks a new password for the account at `email` (when known).
///
/// # Errors
/// [`PasswordRejected`] naming the first rule the password breaks.
pub fn check_password(
    password: &str,
    email: Option<&EmailAddress>,
) -> Result<(), PasswordRejected> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordRejected::TooLong);
    }
    if password.chars().any(char::is_control) {
        return Err(PasswordRejected::ControlCharacter);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordRejected::TooShort);
    }
    if password.trim().is_empty() {
        return Err(PasswordRejected::Blank);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PasswordRejected::Repetitive);
    }
    let lower = password.to_lowercase();
    if COMMON_SORTED.binary_search(&lower.as_str()).is_ok() {
        return Err(PasswordRejected::Common);
    }
    if let Some(email) = email
        && (lower == email.normalized() || lower == email.local_part().to_lowercase())
    {
        return Err(PasswordRejected::SameAsAddress);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_unusual_password_is_accepted() {
        assert_eq!(check_password("correct horse battery staple", None), Ok(()));
        assert_eq!(check_password("ünïcödé pässwörd ✓", None), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters_and_capped_in_bytes() {
        assert_eq!(
            check_password("short", None),
            Err(PasswordRejected::TooShort)
        );
        assert_eq!(
            check_password("äöüäöüäö", None),
            Err(PasswordRejected::TooShort)
        );
        assert_eq!(
            check_password(&"ab".repeat(600), None),
            Err(PasswordRejected::TooLong)
        );
    }

    #[test]
    fn blank_and_control_characters_are_refused() {
        assert_eq!(
            check_password(&" ".repeat(10), None),
            Err(PasswordRejected::Blank)
        );
        assert_eq!(
            check_password(&"\0".repeat(10), None),
            Err(PasswordRejected::ControlCharacter)
        );
        assert_eq!(
            check_password("good password\twith tab", None),
            Err(PasswordRejected::ControlCharacter)
        );
    }

    #[test]
    fn one_repeated_character_is_refused() {
        assert_eq!(
            check_password("zzzzzzzzzzzz", None),
            Err(PasswordRejected::Repetitive)
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for p in ["1234567890", "qwertyuiop", "Password123", "1QAZ2WSX3EDC"] {
            assert_eq!(
                check_password(p, None),
                Err(PasswordRejected::Common),
                "{p}"
            );
        }
    }

    #[test]
    fn the_list_is_sorted_so_binary_search_finds_every_entry() {
        assert!(COMMON_SORTED.len() > 100_000);
        assert!(COMMON_SORTED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_accounts_own_address_is_refused() {
        let email = EmailAddress::parse("margaret.hamilton@example.com").unwrap();
        assert_eq!(
            check_password("Margaret.Hamilton@example.com", Some(&email)),
            Err(PasswordRejected::SameAsAddress)
        );
        assert_eq!(
            check_password("margaret.hamilton", Some(&email)),
            Err(PasswordRejected::SameAsAddress)
        );
    }
}
