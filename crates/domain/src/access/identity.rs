//! One address, one identity: which account an address signs in to when both a staff record and
//! a customer account could claim it, and when a staff member may take an address.
//!
//! Staff and customer accounts never share an address: a staff member cannot be created (or
//! reactivated) with the address of a customer account, and a customer cannot register an active
//! staff member's address. Data from before the rule may still hold both; then an active staff
//! member signs in, and a deactivated one no longer hides the customer's account — a former
//! employee who is also a customer is never locked out of the portal for good.

/// The kind of account an address signs in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Staff,
    Customer,
}

/// What is known of an address's accounts: `Some(active)` for each that exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressAccounts {
    pub staff: Option<bool>,
    pub customer: Option<bool>,
}

impl AddressAccounts {
    /// The account a sign-in with this address reaches, if any: an active staff member, else
    /// an active customer account.
    #[must_use]
    pub fn signs_in_as(self) -> Option<AccountKind> {
        match self {
            Self {
                staff: Some(true), ..
            } => Some(AccountKind::Staff),
            Self {
                customer: Some(true),
                ..
            } => Some(AccountKind::Customer),
            _ => None,
        }
    }

    /// Whether a staff member may be created with (or reactivated on) this address.
    ///
    /// # Errors
    /// [`IdentityConflict::CustomerAccount`] when a customer account has it.
    pub fn may_become_staff(self) -> Result<(), IdentityConflict> {
        match self.customer {
            Some(_) => Err(IdentityConflict::CustomerAccount),
            None => Ok(()),
        }
    }

    /// Whether the address is held by a staff member for registration: only an active one
    /// holds it.
    #[must_use]
    pub fn held_by_staff(self) -> bool {
        self.staff == Some(true)
    }
}

/// Why an address cannot be given to a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityConflict {
    #[error(
        "a customer account has this address; give the staff member another one (a work address)"
    )]
    CustomerAccount,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(staff: Option<bool>, customer: Option<bool>) -> AddressAccounts {
        AddressAccounts { staff, customer }
    }

    #[test]
    fn an_active_staff_member_signs_in_and_a_deactivated_one_hides_nobody() {
        use AccountKind::{Customer, Staff};
        assert_eq!(accounts(Some(true), Some(true)).signs_in_as(), Some(Staff));
        assert_eq!(
            accounts(Some(false), Some(true)).signs_in_as(),
            Some(Customer)
        );
        assert_eq!(accounts(Some(false), None).signs_in_as(), None);
        assert_eq!(accounts(None, Some(false)).signs_in_as(), None);
        assert_eq!(accounts(None, None).signs_in_as(), None);
    }

    #[test]
    fn a_customer_accounts_address_never_becomes_a_staff_members() {
        assert_eq!(
            accounts(None, Some(false)).may_become_staff(),
            Err(IdentityConflict::CustomerAccount)
        );
        assert_eq!(accounts(Some(false), None).may_become_staff(), Ok(()));
        assert!(accounts(Some(true), None).held_by_staff());
        assert!(!accounts(Some(false), None).held_by_staff());
    }
}
