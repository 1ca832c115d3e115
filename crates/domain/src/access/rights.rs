//! Who may see and do what: one answer for the API, the event stream and the pages.
//!
//! A ticket a caller may not see is answered as if it did not exist; an action a role may not
//! take is refused by name. Both are decided here from the caller and the record, never from the
//! request's shape.

use crate::email::EmailAddress;
use crate::staff::{Role, Staff, StaffId};
use crate::ticket::MessageKind;

/// Who is acting: a signed-in staff member or a customer (a confirmed address).
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Staff(Staff),
    Customer(EmailAddress),
}

/// Which tickets a principal may see, as a listing narrows to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketScope {
    /// Every ticket (managers, admins, and agents where agents see all).
    All,
    /// Tickets assigned to this agent and unassigned ones.
    OwnOrUnassigned(StaffId),
    /// This customer's own tickets.
    Customer(EmailAddress),
}

impl TicketScope {
    /// Whether a ticket of `customer` (any spelling of the address) assigned to `assignee` is
    /// within the scope.
    #[must_use]
    pub fn contains(&self, customer: &EmailAddress, assignee: Option<StaffId>) -> bool {
        self.contains_normalized(&customer.normalized(), assignee)
    }

    /// [`TicketScope::contains`] for a customer address already normalised (as stored).
    #[must_use]
    pub fn contains_normalized(&self, customer: &str, assignee: Option<StaffId>) -> bool {
        match self {
            Self::All => true,
            Self::OwnOrUnassigned(me) => assignee.is_none_or(|a| a == *me),
            Self::Customer(email) => email.normalized() == customer,
        }
    }
}

impl Principal {
    /// The tickets this principal may see. `agents_see_all` is the helpdesk's setting that lets
    /// agents open tickets assigned to colleagues.
    #[must_use]
    pub fn ticket_scope(&self, agents_see_all: bool) -> TicketScope {
        match self {
            Self::Customer(email) => TicketScope::Customer(email.clone()),
            Self::Staff(s) if s.role == Role::Agent && !agents_see_all => {
                TicketScope::OwnOrUnassigned(s.id)
            }
            Self::Staff(_) => TicketScope::All,
        }
    }

    /// Whether this principal may see a ticket of `customer` assigned to `assignee`.
    #[must_use]
    pub fn may_see_ticket(
        &self,
        customer: &EmailAddress,
        assignee: Option<StaffId>,
        agents_see_all: bool,
    ) -> bool {
        self.ticket_scope(agents_see_all)
            .contains(customer, assignee)
    }

    /// Whether this principal may see a ticket event of `kind` on a ticket it may see: staff see
    /// everything; customers see their ticket's creation, status changes, reopening and merge,
    /// and public messages — never notes, system messages, AI work, assignments or SLA clocks.
    #[must_use]
    pub fn may_see_event(&self, kind: TicketEventKind) -> bool {
        match self {
            Self::Staff(_) => true,
            Self::Customer(_) => match kind {
                TicketEventKind::Created
                | TicketEventKind::StatusChanged
                | TicketEventKind::Reopened
                | TicketEventKind::MergedInto => true,
                TicketEventKind::MessageAdded(kind) => kind.is_some_and(MessageKind::is_public),
                TicketEventKind::Other => false,
            },
        }
    }

    /// The staff member, if the principal is one.
    #[must_use]
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Self::Staff(s) => Some(s),
            Self::Customer(_) => None,
        }
    }

    /// The customer's address, if the principal is one.
    #[must_use]
    pub fn customer(&self) -> Option<&EmailAddress> {
        match self {
            Self::Customer(c) => Some(c),
            Self::Staff(_) => None,
        }
    }
}

/// What a ticket event is, as far as who may see it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEventKind {
    Created,
    StatusChanged,
    Reopened,
    MergedInto,
    /// A message was added; its kind when known.
    MessageAdded(Option<MessageKind>),
    /// Everything else (assignment, priority, SLA, AI, notes' metadata…).
    Other,
}

impl TicketEventKind {
    /// The kind behind an event's public name (`created`, `status_changed`, …) and, for
    /// `message_added`, the message's kind.
    #[must_use]
    pub fn from_name(name: &str, message_kind: Option<MessageKind>) -> Self {
        match name {
            "created" => Self::Created,
            "status_changed" => Self::StatusChanged,
            "reopened" => Self::Reopened,
            "merged_into" => Self::MergedInto,
            "message_added" => Self::MessageAdded(message_kind),
            _ => Self::Other,
        }
    }
}

/// Something only some roles may do. Ticket work (reading, replying, notes, assignment,
/// escalation, status) is open to every staff role within its [`TicketScope`]; these are the
/// rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Add staff members, change their roles, activity and shifts (admins).
    ManageStaff,
    /// List, deactivate and delete customer accounts (admins).
    ManageCustomers,
    /// Create, list and revoke API tokens (admins).
    ManageApiTokens,
    /// SLA policies and calendar, canned responses, outbound webhooks (managers, admins).
    Configure,
    /// Realtime and historical reports, anyone's performance (managers, admins).
    ReadReports,
    /// Mailboxes, the quarantine and the jobs queue (managers, admins).
    OperateMail,
    /// Set another staff member's availability (managers, admins).
    SetOthersAvailability,
    /// Merge tickets of two different customers (managers, admins, with `force`).
    MergeAcrossCustomers,
}

impl Permission {
    /// Whether `role` has this permission.
    #[must_use]
    pub fn allows(self, role: Role) -> bool {
        match self {
            Self::ManageStaff | Self::ManageCustomers | Self::ManageApiTokens => {
                role == Role::Admin
            }
            Self::Configure
            | Self::ReadReports
            | Self::OperateMail
            | Self::SetOthersAvailability
            | Self::MergeAcrossCustomers => matches!(role, Role::Admin | Role::Manager),
        }
    }

    /// What the permission is for, to name it in a refusal ("the agent role may not …").
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::ManageStaff => "manage staff",
            Self::ManageCustomers => "manage customer accounts",
            Self::ManageApiTokens => "manage API tokens",
            Self::Configure => "change the helpdesk's configuration",
            Self::ReadReports => "read reports",
            Self::OperateMail => "operate mailboxes and queues",
            Self::SetOthersAvailability => "set another staff member's availability",
            Self::MergeAcrossCustomers => "merge tickets of different customers",
        }
    }
}

/// Whether `actor` may read the performance figures of staff member `of`: their own always,
/// anyone's with [`Permission::ReadReports`].
#[must_use]
pub fn may_read_performance(actor: &Staff, of: StaffId) -> bool {
    actor.id == of || Permission::ReadReports.allows(actor.role)
}

/// Whether `actor` may set the availability of staff member `of`.
#[must_use]
pub fn may_set_availability(actor: &Staff, of: StaffId) -> bool {
    actor.id == of || Permission::SetOthersAvailability.allows(actor.role)
}

/// Whether `actor` may remove a saved view of `owner`'s: their own, and a view shared with the
/// team by managers and admins (who keep the team's views tidy).
#[must_use]
pub fn may_remove_view(actor: &Staff, owner: StaffId, shared: bool) -> bool {
    actor.id == owner || (shared && Permission::Configure.allows(actor.role))
}

/// Whether `actor` may read and choose the notifications staff member `of` receives: their own,
/// and anyone's with [`Permission::ManageStaff`].
#[must_use]
pub fn may_choose_notifications(actor: &Staff, of: StaffId) -> bool {
    actor.id == of || Permission::ManageStaff.allows(actor.role)
}

/// A change asked of a staff record: which fields, and the new role and activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffChange {
    pub name: bool,
    pub password: bool,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub availability: bool,
    pub shift: bool,
}

impl StaffChange {
    /// Whether the change is one that is managed only by someone signed in, never with an API
    /// token: passwords and roles. Checked before anything else about the change.
    #[must_use]
    pub fn needs_sign_in(&self) -> bool {
        self.password || self.role.is_some()
    }
}

/// Why a change to a staff record is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffChangeRefused {
    /// Not an admin, and not only their own name and password.
    #[error("only admins change staff; you may change your own name and password")]
    NotAllowed,
    /// An admin would lose the admin role they act with.
    #[error("admins cannot demote themselves")]
    DemotesSelf,
    /// An admin would deactivate their own account.
    #[error("admins cannot deactivate themselves")]
    DeactivatesSelf,
}

impl StaffChangeRefused {
    /// Whether the refusal is about the caller's rights (403) rather than the record's state
    /// (409).
    #[must_use]
    pub fn is_forbidden(self) -> bool {
        self == Self::NotAllowed
    }
}

/// What must happen around an allowed change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffChangeTerms {
    /// The actor changes their own password: their current one is checked first.
    pub confirm_current_password: bool,
}

/// Whether `actor` may make `change` to the record of staff member `target`, and on what terms.
///
/// Admins change anything but may not demote or deactivate themselves (the helpdesk would lose
/// its last way back in); everyone else changes only their own name and password.
///
/// # Errors
/// [`StaffChangeRefused`] naming the rule.
pub fn check_staff_change(
    actor: &Staff,
    target: StaffId,
    change: &StaffChange,
) -> Result<StaffChangeTerms, StaffChangeRefused> {
    let own = actor.id == target;
    if !Permission::ManageStaff.allows(actor.role) {
        let only_own_fields = change.role.is_none()
            && change.active.is_none()
            && !change.availability
            && !change.shift;
        if !own || !only_own_fields {
            return Err(StaffChangeRefused::NotAllowed);
        }
    }
    if own && change.role.is_some_and(|r| r != actor.role) {
        return Err(StaffChangeRefused::DemotesSelf);
    }
    if own && change.active == Some(false) {
        return Err(StaffChangeRefused::DeactivatesSelf);
    }
    Ok(StaffChangeTerms {
        confirm_current_password: own && change.password,
    })
}

/// Whether a change from `before` to `after` (with or without a new password) ends every
/// sign-in of the member: a stolen refresh token must not outlive a new password, role or
/// deactivation.
#[must_use]
pub fn change_ends_sign_ins(before: &Staff, after: &Staff, new_password: bool) -> bool {
    new_password || before.role != after.role || before.active != after.active
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::Availability;
    use std::sync::atomic::{AtomicU64, Ordering};
    use uuid::Uuid;

    fn fresh_id() -> Uuid {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed)))
    }

    fn staff(role: Role) -> Staff {
        Staff {
            id: StaffId::from_uuid(fresh_id()),
            email: EmailAddress::parse("someone@frontdesk.test").unwrap(),
            name: "Someone".into(),
            role,
            availability: Availability::Available,
            shift: None,
            active: true,
        }
    }

    fn address(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    #[test]
    fn own_views_go_by_their_owner_shared_ones_also_by_managers() {
        let (agent, other, manager) =
            (staff(Role::Agent), staff(Role::Agent), staff(Role::Manager));
        assert!(may_remove_view(&agent, agent.id, false));
        assert!(may_remove_view(&agent, agent.id, true));
        assert!(!may_remove_view(&other, agent.id, true));
        assert!(!may_remove_view(&manager, agent.id, false));
        assert!(may_remove_view(&manager, agent.id, true));
    }

    #[test]
    fn customers_see_only_their_own_tickets_in_any_spelling() {
        let alice = Principal::Customer(address("alice@customer.test"));
        assert!(alice.may_see_ticket(&address("Alice@Customer.TEST"), None, false));
        assert!(!alice.may_see_ticket(&address("bob@customer.test"), None, true));
    }

    #[test]
    fn agents_see_their_own_and_unassigned_tickets_unless_agents_see_all() {
        let agent = staff(Role::Agent);
        let colleague = StaffId::from_uuid(fresh_id());
        let p = Principal::Staff(agent.clone());
        let c = address("c@customer.test");
        assert!(p.may_see_ticket(&c, None, false));
        assert!(p.may_see_ticket(&c, Some(agent.id), false));
        assert!(!p.may_see_ticket(&c, Some(colleague), false));
        assert!(p.may_see_ticket(&c, Some(colleague), true));
        assert_eq!(
            p.ticket_scope(false),
            TicketScope::OwnOrUnassigned(agent.id)
        );
    }

    #[test]
    fn managers_and_admins_see_every_ticket() {
        let c = address("c@customer.test");
        let other = Some(StaffId::from_uuid(fresh_id()));
        for role in [Role::Manager, Role::Admin] {
            let p = Principal::Staff(staff(role));
            assert!(p.may_see_ticket(&c, other, false));
            assert_eq!(p.ticket_scope(false), TicketScope::All);
        }
    }

    #[test]
    fn customers_see_public_events_only() {
        let customer = Principal::Customer(address("c@customer.test"));
        let staff = Principal::Staff(staff(Role::Agent));
        let public = TicketEventKind::from_name("message_added", Some(MessageKind::Customer));
        let note = TicketEventKind::from_name("message_added", Some(MessageKind::Note));
        let unknown = TicketEventKind::from_name("message_added", None);
        let assigned = TicketEventKind::from_name("assigned", None);
        assert!(customer.may_see_event(public));
        assert!(customer.may_see_event(TicketEventKind::from_name("status_changed", None)));
        assert!(!customer.may_see_event(note));
        assert!(!customer.may_see_event(unknown));
        assert!(!customer.may_see_event(assigned));
        assert!(staff.may_see_event(note) && staff.may_see_event(assigned));
    }

    #[test]
    fn permissions_follow_the_roles() {
        use Permission::*;
        let all = [
            ManageStaff,
            ManageCustomers,
            ManageApiTokens,
            Configure,
            ReadReports,
            OperateMail,
            SetOthersAvailability,
            MergeAcrossCustomers,
        ];
        for p in all {
            assert!(p.allows(Role::Admin), "{p:?}");
            assert!(!p.allows(Role::Agent), "{p:?}");
            assert!(!p.describe().is_empty());
        }
        assert!(!ManageStaff.allows(Role::Manager));
        assert!(!ManageApiTokens.allows(Role::Manager));
        assert!(Configure.allows(Role::Manager) && ReadReports.allows(Role::Manager));
    }

    #[test]
    fn agents_read_and_set_only_their_own_figures_and_availability() {
        let agent = staff(Role::Agent);
        let manager = staff(Role::Manager);
        assert!(may_read_performance(&agent, agent.id));
        assert!(!may_read_performance(&agent, manager.id));
        assert!(may_read_performance(&manager, agent.id));
        assert!(may_set_availability(&agent, agent.id));
        assert!(!may_set_availability(&agent, manager.id));
        assert!(may_set_availability(&manager, agent.id));
    }

    #[test]
    fn non_admins_change_only_their_own_name_and_password() {
        let agent = staff(Role::Agent);
        let other = StaffId::from_uuid(fresh_id());
        let name = StaffChange {
            name: true,
            ..StaffChange::default()
        };
        assert_eq!(
            check_staff_change(&agent, other, &name),
            Err(StaffChangeRefused::NotAllowed)
        );
        let terms = check_staff_change(
            &agent,
            agent.id,
            &StaffChange {
                name: true,
                password: true,
                ..StaffChange::default()
            },
        )
        .unwrap();
        assert!(terms.confirm_current_password);
        for change in [
            StaffChange {
                availability: true,
                ..StaffChange::default()
            },
            StaffChange {
                shift: true,
                ..StaffChange::default()
            },
            StaffChange {
                role: Some(Role::Admin),
                ..StaffChange::default()
            },
        ] {
            let refused = check_staff_change(&agent, agent.id, &change).unwrap_err();
            assert!(refused.is_forbidden());
        }
    }

    #[test]
    fn admins_change_anyone_but_cannot_demote_or_deactivate_themselves() {
        let admin = staff(Role::Admin);
        let other = StaffId::from_uuid(fresh_id());
        let demote = StaffChange {
            role: Some(Role::Agent),
            ..StaffChange::default()
        };
        let deactivate = StaffChange {
            active: Some(false),
            ..StaffChange::default()
        };
        let terms = check_staff_change(&admin, other, &demote).unwrap();
        assert!(demote.needs_sign_in() && !terms.confirm_current_password);
        assert!(check_staff_change(&admin, other, &deactivate).is_ok());
        let refused = check_staff_change(&admin, admin.id, &demote).unwrap_err();
        assert_eq!(refused, StaffChangeRefused::DemotesSelf);
        assert!(!refused.is_forbidden());
        assert_eq!(
            check_staff_change(&admin, admin.id, &deactivate),
            Err(StaffChangeRefused::DeactivatesSelf)
        );
        let keep = StaffChange {
            role: Some(Role::Admin),
            active: Some(true),
            ..StaffChange::default()
        };
        assert!(check_staff_change(&admin, admin.id, &keep).is_ok());
    }

    #[test]
    fn password_role_and_activity_changes_end_sign_ins() {
        let before = staff(Role::Agent);
        let mut after = before.clone();
        after.name = "Renamed".into();
        assert!(!change_ends_sign_ins(&before, &after, false));
        assert!(change_ends_sign_ins(&before, &after, true));
        after.role = Role::Manager;
        assert!(change_ends_sign_ins(&before, &after, false));
        let mut off = before.clone();
        off.active = false;
        assert!(change_ends_sign_ins(&before, &off, false));
    }
}
