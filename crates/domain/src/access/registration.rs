//! Customer registration: an address is proven before any ticket of it becomes visible. The
//! account is created unconfirmed and a single-use link goes to the address; confirming takes
//! the link and the password chosen at registration, so neither someone who only typed the
//! address (no link) nor someone who only sees the mailbox (no password, e.g. a scanner that
//! opens every link) can confirm it. The helpdesk's own addresses can never be registered.

use chrono::TimeDelta;

use crate::email::EmailAddress;

/// How long a confirmation link works.
pub const CONFIRMATION_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// Random bytes in a confirmation token: 256 bits, well over the 128 a guess must face.
pub const CONFIRMATION_TOKEN_BYTES: usize = 32;

/// Why an address cannot be registered at all (the same answer for everyone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationRefused {
    #[error("this address belongs to the helpdesk itself and cannot have a customer account")]
    OwnAddress,
}

/// Whether `email` may be registered, given the helpdesk's own addresses (the support address
/// and every mailbox's). Addresses that are merely taken (a staff member's, an existing
/// account's) are not refused here: telling so would reveal who has an account, so they get the
/// same answer and a notice by mail instead.
///
/// # Errors
/// [`RegistrationRefused::OwnAddress`] for one of the helpdesk's addresses.
pub fn may_register(
    email: &EmailAddress,
    own_addresses: &[EmailAddress],
) -> Result<(), RegistrationRefused> {
    if own_addresses.iter().any(|own| own == email) {
        return Err(RegistrationRefused::OwnAddress);
    }
    Ok(())
}

/// What registering an address leads to, from what is known about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationPath {
    /// No account, or one never confirmed: (re)write it unconfirmed and mail a fresh link; older
    /// links stop working.
    SendConfirmation,
    /// A confirmed account or a staff member has the address: change nothing, mail a notice.
    NotifyExisting,
}

/// Decides [`RegistrationPath`] for an address.
#[must_use]
pub fn registration_path(staff: bool, confirmed_account: bool) -> RegistrationPath {
    if staff || confirmed_account {
        RegistrationPath::NotifyExisting
    } else {
        RegistrationPath::SendConfirmation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[test]
    fn the_helpdesks_own_addresses_cannot_be_registered_in_any_spelling() {
        let own = [addr("support@example.com"), addr("help@example.com")];
        assert_eq!(
            may_register(&addr("Support@EXAMPLE.com"), &own),
            Err(RegistrationRefused::OwnAddress)
        );
        assert_eq!(
            may_register(&addr("<help@example.com>"), &own),
            Err(RegistrationRefused::OwnAddress)
        );
        assert_eq!(may_register(&addr("carol@example.com"), &own), Ok(()));
    }

    #[test]
    fn taken_addresses_get_a_notice_and_new_ones_a_link() {
        assert_eq!(
            registration_path(false, false),
            RegistrationPath::SendConfirmation
        );
        assert_eq!(
            registration_path(true, false),
            RegistrationPath::NotifyExisting
        );
        assert_eq!(
            registration_path(false, true),
            RegistrationPath::NotifyExisting
        );
    }

    // A token has at least 128 bits: checked when the crate compiles.
    const _: () = assert!(CONFIRMATION_TOKEN_BYTES * 8 >= 128);
}
