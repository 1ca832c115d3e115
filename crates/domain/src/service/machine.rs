//! Machine mail (auto-replies, bounces, list and bulk mail, spam, loops) is stored, never lost,
//! but kept out of the agents' queue, the SLA clocks, assignment and the assistant: a bounce of
//! a reply we sent becomes a delivery failure on that reply's ticket; machine mail answering a
//! ticket joins it without reopening it; the rest, which would have opened a ticket, is kept as
//! machine mail (a quarantine kind) that staff can open and promote to a ticket.

use chrono::{DateTime, Utc};

use super::Helpdesk;
use super::QuarantineReason;
use super::ingest::attach;
use super::ingest::{Admission, Incoming, IngestError, Placement, Plan};
use crate::ports::{ThreadLookup, TicketRef};
use crate::threading::{AutoReplyKind, ThreadDecision};
use crate::ticket::{Actor, EmailHeaders};

/// The most characters of a bounce's text quoted in the delivery failure note.
const BOUNCE_QUOTE_CHARS: usize = 1_000;

impl Helpdesk {
    /// Places machine mail that must not be placed as a customer's (`Ok(None)`: place it as
    /// `decision` says — an append, which never reopens). Mail staff promoted from the machine
    /// mail view is placed like any other.
    pub(super) async fn place_machine_mail(
        &self,
        plan: &mut Plan,
        lookup: &dyn ThreadLookup,
        m: &Incoming<'_>,
        decision: &ThreadDecision,
        now: DateTime<Utc>,
    ) -> Result<Option<Placement>, IngestError> {
        let Some(kind) = m.auto_reply else {
            return Ok(None);
        };
        if plan.admission == Admission::Released || *decision == ThreadDecision::Duplicate {
            return Ok(None);
        }
        if kind == AutoReplyKind::Bounce
            && let Some(returned) = &m.mail.returned_message_id
            && let Some(ticket) = lookup.by_message_id(returned).await?
        {
            return self.attach_bounce(plan, m, &ticket, now).await;
        }
        match decision {
            ThreadDecision::New | ThreadDecision::Suggest(_) => {
                Err(IngestError::Quarantine(QuarantineReason::MachineMail {
                    kind,
                }))
            }
            _ => Ok(None),
        }
    }

    /// A bounce of a mail of `ticket`: a system note saying the delivery failed, quoting the
    /// notice, with the bounce itself kept on the ticket.
    async fn attach_bounce(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
        ticket: &TicketRef,
        now: DateTime<Utc>,
    ) -> Result<Option<Placement>, IngestError> {
        let Some(index) = self.change_index(plan, ticket).await? else {
            return Ok(None);
        };
        let returned = m
            .mail
            .returned_message_id
            .as_ref()
            .map(crate::MessageId::to_header)
            .unwrap_or_default();
        let notice: String = m
            .mail
            .message_text()
            .chars()
            .take(BOUNCE_QUOTE_CHARS)
            .collect();
        let text = format!(
            "Delivery failed: a mail server returned the message {returned} sent on this ticket. \
             The customer has not received it. The notice said:\n\n{}",
            notice.trim()
        );
        let mut note = self.system_message(ticket.id, &text, now);
        note.email = Some(EmailHeaders {
            message_id: m.message_id.clone(),
            in_reply_to: m.mail.returned_message_id.clone(),
            references: Vec::new(),
        });
        note.auto_reply = m.auto_reply;
        Ok(Some(attach(
            plan,
            index,
            ticket,
            m,
            note,
            Actor::System,
            now,
        )))
    }
}
