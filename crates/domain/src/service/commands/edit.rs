//! Changing a ticket's fields: status, priority, category, assignee and tags; taking it;
//! escalating it by hand.

use super::*;

impl Helpdesk {
    /// Changes status, priority, category, assignee and tags in one step. A change that changes
    /// nothing (`PATCH {}`, or every field as it is) writes nothing.
    ///
    /// # Errors
    /// [`UpdateError::Conflict`] for a stale `expected_version`, [`UpdateError::Transition`] for
    /// a forbidden status change, [`UpdateError::Invalid`] for an unknown or inactive assignee.
    pub async fn update(
        &self,
        id: TicketId,
        actor: Actor,
        update: TicketUpdate,
    ) -> Result<Committed, UpdateError> {
        if let Some(Some(staff_id)) = update.assignee {
            let staff = self.ports.staff.get(staff_id).await?;
            if !staff.is_some_and(|s| s.active) {
                return Err(UpdateError::Invalid(format!(
                    "staff {staff_id} does not exist or is inactive"
                )));
            }
        }
        let sla = &*self.settings.sla.current();
        self.change_ticket_if(id, |mut ticket, now| {
            if update
                .expected_version
                .is_some_and(|v| v != ticket.revision)
            {
                return Err(UpdateError::Conflict(id));
            }
            let mut kinds = Vec::new();
            if let Some(p) = update.priority {
                kinds.extend(ticket.set_priority(p, now, sla));
            }
            if let Some(c) = update.category {
                kinds.extend(ticket.set_category(c, now, sla));
            }
            if let Some(s) = update.status {
                kinds.extend(ticket.change_status(s, now, sla)?);
            }
            if let Some(a) = update.assignee {
                kinds.extend(ticket.assign(a, now));
            }
            if let Some(tags) = update.tags.clone() {
                kinds.extend(ticket.set_tags(tags, now));
            }
            if !update.add_tags.is_empty() || !update.remove_tags.is_empty() {
                let remove: Vec<String> = update
                    .remove_tags
                    .iter()
                    .map(|t| t.trim().to_lowercase())
                    .collect();
                let mut tags = ticket.tags.clone();
                tags.extend(update.add_tags.iter().cloned());
                tags.retain(|t| !remove.contains(&t.trim().to_lowercase()));
                kinds.extend(ticket.set_tags(tags, now));
            }
            if kinds.is_empty() {
                return Ok(None);
            }
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, actor.clone(), k))
                .collect();
            Ok(Some(change))
        })
        .await
    }

    /// The customer marks their own request solved in the portal: an active ticket becomes
    /// `resolved` (their reply reopens it, as a mailed reply does; auto-close closes it later).
    /// A ticket already resolved or closed stays as it is.
    ///
    /// # Errors
    /// [`UpdateError::NotFound`] for a ticket that is not `customer`'s (its existence is not
    /// revealed), and storage failures.
    pub async fn customer_resolve(
        &self,
        id: TicketId,
        customer: &crate::EmailAddress,
    ) -> Result<Committed, UpdateError> {
        let sla = &*self.settings.sla.current();
        self.change_ticket_if(id, |mut ticket, now| {
            if ticket.customer.email != *customer {
                return Err(UpdateError::NotFound(id));
            }
            if !ticket.status.is_active() {
                return Ok(None);
            }
            let kinds = ticket.change_status(crate::ticket::Status::Resolved, now, sla)?;
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, Actor::Customer(customer.clone()), k))
                .collect();
            Ok(Some(change))
        })
        .await
    }

    /// Assigns the ticket to `staff`, who takes it from the queue. A ticket someone else has is
    /// [`UpdateError::Taken`]: reassigning is a deliberate [`Helpdesk::update`].
    ///
    /// # Errors
    /// [`UpdateError::Taken`], a missing ticket, or a storage failure.
    pub async fn take(&self, id: TicketId, staff: &Staff) -> Result<Committed, UpdateError> {
        self.change_ticket(id, |mut ticket, now| {
            if ticket.assignee.is_some_and(|a| a != staff.id) {
                return Err(UpdateError::Taken(id));
            }
            let kinds = ticket.assign(Some(staff.id), now);
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, Actor::Staff(staff.id), k))
                .collect();
            Ok(change)
        })
        .await
    }

    /// Escalates by hand: one level up, priority raised per policy, a system message on the
    /// ticket and a notification to the managers.
    ///
    /// # Errors
    /// [`UpdateError::Invalid`] for a blank reason or one over [`MAX_REASON_BYTES`];
    /// [`UpdateError`] for a missing ticket or a storage failure.
    pub async fn escalate(
        &self,
        id: TicketId,
        actor: Actor,
        reason: &str,
    ) -> Result<Committed, UpdateError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > MAX_REASON_BYTES {
            return Err(UpdateError::Invalid(format!(
                "an escalation needs a reason of 1 to {MAX_REASON_BYTES} bytes"
            )));
        }
        let managers = self.manager_addresses().await?;
        self.change_ticket(id, |mut ticket, now| {
            let kinds = ticket.escalate(reason, now, &self.settings.sla.current());
            let text = format!("Escalated to level {}: {reason}", ticket.escalation_level);
            let notify = self.notification(
                &ticket,
                NotificationKind::Escalated,
                managers.clone(),
                &text,
            );
            let mut change = ChangeSet::update(ticket);
            change.messages.push(self.system_message(id, &text, now));
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, actor.clone(), k))
                .collect();
            change.jobs.extend(notify);
            Ok(change)
        })
        .await
    }

    /// Applies one change to several tickets, each through [`Helpdesk::take`] (when `take`) and
    /// [`Helpdesk::update`] with their rules and checks, and answers each ticket's outcome in
    /// order: one refused ticket changes nothing of the others.
    pub async fn bulk(
        &self,
        staff: &Staff,
        ids: &[TicketId],
        take: bool,
        update: &TicketUpdate,
    ) -> Vec<Result<Committed, UpdateError>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.bulk_one(*id, staff, take, update).await);
        }
        out
    }

    /// One ticket of [`Helpdesk::bulk`]: take it, then change its fields.
    async fn bulk_one(
        &self,
        id: TicketId,
        staff: &Staff,
        take: bool,
        update: &TicketUpdate,
    ) -> Result<Committed, UpdateError> {
        let taken = if take {
            Some(self.take(id, staff).await?)
        } else {
            None
        };
        if *update != TicketUpdate::default() {
            return self
                .update(id, Actor::Staff(staff.id), update.clone())
                .await;
        }
        taken.ok_or_else(|| UpdateError::Invalid("the change changes nothing".into()))
    }
}
