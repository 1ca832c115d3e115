//! Merging a duplicate ticket into another: one conversation, one place to answer.

use super::Helpdesk;
use super::commands::{CONFLICT_RETRIES, UpdateError};
use crate::ports::{Absorb, ChangeSet, CommitError, Committed};
use crate::staff::Role;
use crate::ticket::{Actor, MergeScope, TicketEvent, TicketId};

impl Helpdesk {
    /// Merges `source` into `target`: `source` is closed and points at `target`, which takes its
    /// messages, mails, thread keys (later mail to either thread lands on `target`) and tags.
    /// Both tickets are written in one transaction; a concurrent change re-plans the merge.
    ///
    /// Tickets of two customers merge only when `forced_by` is a manager's or admin's role; the
    /// source's messages then become staff-only notes on `target` and its threads stay with it
    /// ([`crate::Ticket::merge_scope`]).
    ///
    /// # Errors
    /// [`UpdateError::Merge`] for the same ticket, a closed one, a source merged already, or two
    /// customers' tickets without a manager's force;
    /// [`UpdateError::NotFound`] for either ticket missing; [`UpdateError::Conflict`] when the
    /// tickets kept changing; a storage failure.
    pub async fn merge(
        &self,
        source: TicketId,
        target: TicketId,
        actor: Actor,
        forced_by: Option<Role>,
    ) -> Result<Committed, UpdateError> {
        let mut attempt = 0;
        loop {
            let tickets = &self.ports.tickets;
            let mut from = tickets
                .get(source)
                .await?
                .ok_or(UpdateError::NotFound(source))?;
            let mut into = tickets
                .get(target)
                .await?
                .ok_or(UpdateError::NotFound(target))?;
            let scope = from.merge_scope(&into, forced_by)?;
            let now = self.ports.clock.now();
            let (from_kinds, into_kinds) =
                from.merge_into(&mut into, now, &self.settings.sla.current())?;
            let text = match scope {
                MergeScope::SameCustomer => format!("{} was merged into this ticket.", from.number),
                MergeScope::StaffOnly => format!(
                    "{} of {} was merged into this ticket; its messages are staff-only notes \
                     here and later mail in its threads stays with it.",
                    from.number, from.customer.email
                ),
            };
            let mut closing = ChangeSet::update(from);
            closing.events = from_kinds
                .into_iter()
                .map(|k| TicketEvent::new(source, now, actor.clone(), k))
                .collect();
            let mut taking = ChangeSet::update(into);
            taking.events = into_kinds
                .into_iter()
                .map(|k| TicketEvent::new(target, now, actor.clone(), k))
                .collect();
            taking
                .messages
                .push(self.system_message(target, &text, now));
            taking.absorb.push(Absorb {
                source,
                staff_only: scope == MergeScope::StaffOnly,
            });
            match tickets.commit_batch(vec![closing, taking]).await {
                Err(CommitError::Conflict(_)) if attempt < CONFLICT_RETRIES => attempt += 1,
                Err(e) => return Err(e.into()),
                Ok(mut written) => {
                    return written.pop().ok_or(UpdateError::NotFound(target));
                }
            }
        }
    }
}
