//! Links that let a staff member choose a password: the invitation a new member is mailed when
//! added, and the reset an admin sends. A link is single use and expires; a newer link for the
//! same member replaces every older one; a deactivated member's links never work. Using a link
//! sets the password and ends every sign-in the member had, so a reset also locks out whoever
//! held the old password's sessions.

use chrono::{DateTime, TimeDelta, Utc};

use crate::staff::Staff;

/// What a link is for: it decides the mail's words and how long the link works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffLinkPurpose {
    /// A new member sets a first password: 7 days, time to come back from a weekend.
    Invitation,
    /// A member sets a new password: 2 hours, since the mailbox may be less safe than the
    /// account.
    Reset,
}

impl StaffLinkPurpose {
    /// Every purpose.
    pub const ALL: [Self; 2] = [Self::Invitation, Self::Reset];

    /// How long a link works from when it is made.
    #[must_use]
    pub fn lifetime(self) -> TimeDelta {
        match self {
            Self::Invitation => TimeDelta::days(7),
            Self::Reset => TimeDelta::hours(2),
        }
    }

    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "reset",
        }
    }

    /// The purpose stored as `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Why no link can be sent to a member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffLinkRefused {
    #[error("{0} is deactivated: reactivate the account before sending a link")]
    Inactive(String),
}

/// Whether a link for `purpose` may be mailed to `member`: only to active members.
///
/// # Errors
/// [`StaffLinkRefused::Inactive`] for a deactivated member.
pub fn may_send_link(member: &Staff) -> Result<(), StaffLinkRefused> {
    if member.active {
        Ok(())
    } else {
        Err(StaffLinkRefused::Inactive(member.name.clone()))
    }
}

/// A stored link, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLink {
    pub purpose: StaffLinkPurpose,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl StaffLink {
    /// A fresh link for `purpose`, made `now`.
    #[must_use]
    pub fn new(purpose: StaffLinkPurpose, now: DateTime<Utc>) -> Self {
        Self {
            purpose,
            expires_at: now + purpose.lifetime(),
            used_at: None,
        }
    }

    /// Whether the link still sets a password for `member` at `now`: unused, unexpired, and
    /// the member still active.
    #[must_use]
    pub fn usable(&self, member: &Staff, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && now < self.expires_at && member.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::EmailAddress;
    use crate::staff::{Availability, Role, StaffId};
    use chrono::TimeZone as _;
    use uuid::Uuid;

    fn member(active: bool) -> Staff {
        Staff {
            id: StaffId::from_uuid(Uuid::from_u128(7)),
            email: EmailAddress::parse("new@frontdesk.test").unwrap(),
            name: "New Member".into(),
            role: Role::Agent,
            availability: Availability::Offline,
            shift: None,
            active,
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, hour, 0, 0).unwrap()
    }

    #[test]
    fn an_invitation_lasts_a_week_and_a_reset_two_hours() {
        let invitation = StaffLink::new(StaffLinkPurpose::Invitation, at(8));
        assert_eq!(invitation.expires_at, at(8) + TimeDelta::days(7));
        let reset = StaffLink::new(StaffLinkPurpose::Reset, at(8));
        assert!(reset.usable(&member(true), at(9)));
        assert!(!reset.usable(&member(true), at(10)), "expired at 10:00");
    }

    #[test]
    fn a_link_works_once_and_never_for_a_deactivated_member() {
        let mut link = StaffLink::new(StaffLinkPurpose::Invitation, at(8));
        assert!(link.usable(&member(true), at(9)));
        assert!(!link.usable(&member(false), at(9)));
        link.used_at = Some(at(9));
        assert!(!link.usable(&member(true), at(10)));
    }

    #[test]
    fn links_go_only_to_active_members() {
        assert_eq!(may_send_link(&member(true)), Ok(()));
        assert_eq!(
            may_send_link(&member(false)),
            Err(StaffLinkRefused::Inactive("New Member".into()))
        );
    }

    #[test]
    fn purposes_read_back_from_their_names() {
        for p in StaffLinkPurpose::ALL {
            assert_eq!(StaffLinkPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(StaffLinkPurpose::parse("other"), None);
    }
}
