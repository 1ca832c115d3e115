//! Signing in to the customer portal without a password: the customer types their address and a
//! single-use link, valid 15 minutes, is mailed to it. The answer is the same whatever the
//! address is, so nobody learns who is a customer; the helpdesk's own addresses and staff
//! addresses are never sent one (staff sign in at `/login`). Using the link proves the address:
//! the customer sees every ticket of it, including those from before they ever signed in.

use chrono::TimeDelta;

use crate::email::EmailAddress;

/// How long a sign-in link works.
pub const PORTAL_LINK_LIFETIME: TimeDelta = TimeDelta::minutes(15);

/// Sign-in links one address may be sent in 15 minutes, whoever asks.
pub const PORTAL_LINKS_PER_ADDRESS: u32 = 3;

/// Whether a sign-in link goes out for `email`: not to one of the helpdesk's own addresses,
/// and not to a staff member's (`staff`). The caller answers the same either way.
#[must_use]
pub fn portal_link_goes_out(
    email: &EmailAddress,
    own_addresses: &[EmailAddress],
    staff: bool,
) -> bool {
    !staff && !own_addresses.iter().any(|own| own == email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[test]
    fn links_go_to_customers_only() {
        let own = [addr("support@example.com")];
        assert!(portal_link_goes_out(
            &addr("alice@customer.test"),
            &own,
            false
        ));
        assert!(!portal_link_goes_out(
            &addr("Support@Example.com"),
            &own,
            false
        ));
        assert!(!portal_link_goes_out(
            &addr("agent@example.com"),
            &own,
            true
        ));
        assert_eq!(PORTAL_LINK_LIFETIME, TimeDelta::minutes(15));
    }
}
