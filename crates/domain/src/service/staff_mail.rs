//! Mail from a staff member's own address is never a customer's: answering a notification (or a
//! ticket's thread) from the mail client adds an internal note to the ticket it names, and staff
//! mail that names no ticket, is automatic, or fails sender authentication is quarantined with
//! its raw bytes (staff can release it, and it then opens a ticket as any mail would).

use chrono::{DateTime, Utc};

use super::Helpdesk;
use super::QuarantineReason;
use super::ingest::{Admission, Incoming, IngestError, Placement, Plan, attach};
use crate::email::sender_authentication_failure;
use crate::staff::Staff;
use crate::threading::ThreadDecision;
use crate::ticket::{Actor, EmailHeaders, Message, MessageKind};

impl Helpdesk {
    /// The active staff member who sent `m`, when the mail is theirs to handle as staff mail
    /// (not mail staff released from quarantine: that is ingested like any other).
    pub(super) async fn staff_sender(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
    ) -> Result<Option<Staff>, crate::ports::StoreError> {
        if plan.admission == Admission::Released {
            return Ok(None);
        }
        let Some(from) = m.mail.sender() else {
            return Ok(None);
        };
        // The team is read once per batch: a lookup per mail would slow imports down.
        if plan.staff.is_none() {
            plan.staff = Some(self.ports.staff.with_roles(crate::staff::Role::ALL).await?);
        }
        let address = from.address.normalized();
        Ok(plan
            .staff
            .iter()
            .flatten()
            .find(|s| s.active && s.email.normalized() == address)
            .cloned())
    }

    /// Places mail from `staff`, threaded as `decision`: an internal note on the ticket it names.
    pub(super) async fn place_staff_mail(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
        decision: ThreadDecision,
        staff: &Staff,
        now: DateTime<Utc>,
    ) -> Result<Placement, IngestError> {
        let address = staff.email.to_string();
        if let Some(reason) =
            sender_authentication_failure(&m.mail.headers, &self.settings.trusted_authserv_ids)
        {
            return Err(IngestError::Quarantine(
                QuarantineReason::StaffMailUnauthenticated { address, reason },
            ));
        }
        let named = match decision {
            _ if m.auto_reply.is_some() => None,
            ThreadDecision::Append(t, _) | ThreadDecision::FollowUp(t, _) => Some(t),
            ThreadDecision::Suggest(s) => Some(s.referenced),
            ThreadDecision::Bridge(b) => b.ticket().cloned(),
            ThreadDecision::Duplicate | ThreadDecision::New => None,
        };
        let Some(ticket) = named else {
            return Err(IngestError::Quarantine(
                QuarantineReason::StaffMailWithoutTicket { address },
            ));
        };
        let Some(index) = self.change_index(plan, &ticket).await? else {
            return Err(IngestError::Quarantine(
                QuarantineReason::StaffMailWithoutTicket { address },
            ));
        };
        let mut note = Message::new(
            self.ports.ids.new_id(),
            ticket.id,
            MessageKind::Note,
            m.mail.message_text(),
            now,
        );
        note.author_staff = Some(staff.id);
        note.author_name = Some(staff.name.clone());
        note.author_email = Some(staff.email.clone());
        note.email = Some(EmailHeaders {
            message_id: m.message_id.clone(),
            in_reply_to: m.mail.in_reply_to.first().cloned(),
            references: m.mail.references.clone(),
        });
        Ok(attach(
            plan,
            index,
            &ticket,
            m,
            note,
            Actor::Staff(staff.id),
            now,
        ))
    }
}
