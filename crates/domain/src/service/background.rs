//! Background work run on every poller tick: the SLA sweep (warnings, breaches, escalation),
//! automatic assignment, and auto-close of resolved tickets.

use chrono::{DateTime, Utc};

use super::Helpdesk;
use super::commands::UpdateError;
use crate::assignment::pick;
use crate::ports::{ChangeSet, CommitError, NotificationKind, StoreError};
use crate::sla::ClockState;
use crate::ticket::{Actor, EventKind, SlaClockName, Status, Ticket, TicketEvent};

/// Tickets read per storage round trip.
const PAGE: u32 = 200;

/// What one background pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub warnings: u32,
    pub breaches: u32,
    pub assigned: u32,
    pub closed: u32,
    /// Tickets skipped because someone changed them meanwhile; the next pass retries them.
    pub conflicts: u32,
    /// Tickets whose SLA deadlines moved to a new calendar.
    pub moved: u32,
}

/// Why a background pass stopped early. What was committed before stays committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a walk over the active tickets, page by page, has got to.
#[derive(Default)]
struct ActivePages {
    after: Option<crate::ticket::TicketId>,
    done: bool,
}

impl Helpdesk {
    /// Raises SLA warnings once per clock and escalates each breach once: a system message,
    /// escalation level +1, priority raised (per policy), and a notification to the assignee and
    /// the managers.
    ///
    /// # Errors
    /// [`SweepError`] when storage fails.
    pub async fn sla_sweep(&self) -> Result<SweepReport, SweepError> {
        let mut report = SweepReport::default();
        let managers = self.manager_addresses().await?;
        let mut pages = ActivePages::default();
        loop {
            let page = self.next_active_page(&mut pages).await?;
            if page.is_empty() {
                break;
            }
            for ticket in page {
                let now = self.ports.clock.now();
                if let Some(change) = self.plan_sla(ticket, now, &managers, &mut report).await? {
                    self.commit_background(change, &mut report).await?;
                }
            }
        }
        Ok(report)
    }

    /// Moves every active ticket's running SLA clocks from the calendar `old` to the one in
    /// force now (see [`crate::sla::SlaClock::recalendar`]): called once by whoever changed the
    /// business hours, right after the new policies are in force, so that no clock is read on
    /// one calendar with a deadline computed on another (which raised warnings for deadlines
    /// days away). Targets are not touched: a policy change applies to clocks started after it.
    /// Returns how many tickets' deadlines moved.
    ///
    /// # Errors
    /// [`SweepError`] when storage fails; tickets done so far stay done (a ticket changed
    /// meanwhile is re-read and moved again, so none is left on the old calendar).
    pub async fn recalendar(&self, old: &crate::sla::Calendar) -> Result<SweepReport, SweepError> {
        let mut report = SweepReport::default();
        let policies = self.settings.sla.current();
        let new = policies.calendar();
        if new == old {
            return Ok(report);
        }
        let mut pages = ActivePages::default();
        loop {
            let page = self.next_active_page(&mut pages).await?;
            if page.is_empty() {
                break;
            }
            for ticket in page {
                let mut moved = false;
                let result = self
                    .change_ticket_if(ticket.id, |mut t, now| {
                        moved = t.recalendar(now, old, new);
                        let id = t.id;
                        Ok(moved.then(|| {
                            let mut change = ChangeSet::update(t);
                            // Reports and every other reader of the trail learn of it.
                            change.events.push(TicketEvent::new(
                                id,
                                now,
                                Actor::System,
                                EventKind::SlaRecalendared,
                            ));
                            change
                        }))
                    })
                    .await;
                match result {
                    Ok(_) if moved => report.moved += 1,
                    Ok(_) | Err(UpdateError::NotFound(_)) => {}
                    Err(UpdateError::Store(e)) => return Err(e.into()),
                    Err(_) => report.conflicts += 1,
                }
            }
        }
        Ok(report)
    }

    /// The next page of active tickets (empty when none is left).
    async fn next_active_page(&self, pages: &mut ActivePages) -> Result<Vec<Ticket>, StoreError> {
        if pages.done {
            return Ok(Vec::new());
        }
        let page = self.ports.queries.active_page(pages.after, PAGE).await?;
        pages.done = page.len() < PAGE as usize;
        if let Some(last) = page.last() {
            pages.after = Some(last.id);
        }
        Ok(page)
    }

    // Longer than ~80 lines on purpose: each clock is judged and its events, message and
    // notifications are built in one pass, so a breach and its escalation stay one change.
    async fn plan_sla(
        &self,
        mut ticket: Ticket,
        now: DateTime<Utc>,
        managers: &[crate::EmailAddress],
        report: &mut SweepReport,
    ) -> Result<Option<ChangeSet>, StoreError> {
        let sla = &*self.settings.sla.current();
        let mut kinds = Vec::new();
        let mut notes = Vec::new();
        for name in [SlaClockName::FirstResponse, SlaClockName::Resolution] {
            let clock = match name {
                SlaClockName::FirstResponse => &ticket.sla.first_response,
                SlaClockName::Resolution => &ticket.sla.resolution,
            };
            let label = name.as_str().replace('_', " ");
            match sla.status(clock, now).state {
                ClockState::Breached if !clock.breach_escalated => {
                    let due = clock.due_at;
                    ticket.mark_sla_notified(name, true);
                    kinds.push(EventKind::SlaBreached { clock: name });
                    let reason = format!(
                        "SLA {label} target breached (due {})",
                        due.format("%Y-%m-%d %H:%M UTC")
                    );
                    kinds.extend(ticket.escalate(&reason, now, sla));
                    notes.push((NotificationKind::SlaBreach, reason));
                    report.breaches += 1;
                }
                ClockState::Warning if !clock.warning_notified => {
                    let due = clock.due_at;
                    ticket.mark_sla_notified(name, false);
                    kinds.push(EventKind::SlaWarning { clock: name });
                    let text = format!(
                        "SLA {label} target due soon ({})",
                        due.format("%Y-%m-%d %H:%M UTC")
                    );
                    notes.push((NotificationKind::SlaWarning, text));
                    report.warnings += 1;
                }
                _ => {}
            }
        }
        if kinds.is_empty() {
            return Ok(None);
        }
        let assignee = match ticket.assignee {
            Some(id) => self
                .ports
                .staff
                .get(id)
                .await?
                .filter(|s| s.active)
                .map(|s| s.email),
            None => None,
        };
        let id = ticket.id;
        let mut change_messages = Vec::new();
        let mut jobs = Vec::new();
        for (kind, text) in notes {
            let mut to: Vec<crate::EmailAddress> = assignee.iter().cloned().collect();
            // Breaches go to the managers too; warnings only when nobody owns the ticket.
            if kind == NotificationKind::SlaBreach || to.is_empty() {
                to.extend(
                    managers
                        .iter()
                        .filter(|m| !assignee.as_ref().is_some_and(|a| a == *m))
                        .cloned(),
                );
            }
            if kind == NotificationKind::SlaBreach {
                change_messages.push(self.system_message(id, &text, now));
            }
            jobs.extend(self.notification(&ticket, kind, to, &text));
        }
        let mut change = ChangeSet::update(ticket);
        change.messages = change_messages;
        change.events = kinds
            .into_iter()
            .map(|k| TicketEvent::new(id, now, Actor::System, k))
            .collect();
        change.jobs = jobs;
        Ok(Some(change))
    }

    async fn commit_background(
        &self,
        change: ChangeSet,
        report: &mut SweepReport,
    ) -> Result<bool, StoreError> {
        match self.ports.tickets.commit(change).await {
            Ok(_) => Ok(true),
            Err(
                CommitError::Conflict(_) | CommitError::NotFound(_) | CommitError::Duplicate(_),
            ) => {
                report.conflicts += 1;
                Ok(false)
            }
            Err(CommitError::Store(e)) => Err(e),
        }
    }

    /// Assigns unassigned active tickets to available agents in shift, by the configured
    /// strategy, and notifies each assignee.
    ///
    /// # Errors
    /// [`SweepError`] when storage fails.
    pub async fn auto_assign(&self) -> Result<SweepReport, SweepError> {
        let mut report = SweepReport::default();
        let tickets = self.ports.queries.unassigned(PAGE).await?;
        if tickets.is_empty() {
            return Ok(report);
        }
        let mut loads = self.ports.staff.loads().await?;
        for mut ticket in tickets {
            let now = self.ports.clock.now();
            let last = self.last_assigned.lock().map(|g| *g).unwrap_or(None);
            let s = &self.settings;
            let Some(agent) = pick(s.assignment, &loads, last, now, s.max_open_per_agent) else {
                break;
            };
            let id = ticket.id;
            let kinds = ticket.assign(Some(agent), now);
            let email = loads
                .iter()
                .find(|l| l.staff.id == agent)
                .map(|l| l.staff.email.clone());
            let text = format!("Ticket {} was assigned to you", ticket.number);
            let notify = self.notification(
                &ticket,
                NotificationKind::Assigned,
                email.into_iter().collect(),
                &text,
            );
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, Actor::System, k))
                .collect();
            change.jobs.extend(notify);
            if self.commit_background(change, &mut report).await? {
                report.assigned += 1;
                if let Ok(mut guard) = self.last_assigned.lock() {
                    *guard = Some(agent);
                }
                if let Some(l) = loads.iter_mut().find(|l| l.staff.id == agent) {
                    l.open_tickets += 1;
                }
            }
        }
        Ok(report)
    }

    /// Closes tickets that have stayed resolved for the configured delay.
    ///
    /// # Errors
    /// [`SweepError`] when storage fails.
    pub async fn auto_close(&self) -> Result<SweepReport, SweepError> {
        let mut report = SweepReport::default();
        let cutoff = self.ports.clock.now() - self.settings.auto_close_after;
        for mut ticket in self.ports.queries.resolved_before(cutoff, PAGE).await? {
            let now = self.ports.clock.now();
            if !ticket.is_due_for_auto_close(now, self.settings.auto_close_after) {
                continue;
            }
            let id = ticket.id;
            let mut kinds = ticket
                .change_status(Status::Closed, now, &self.settings.sla.current())
                .unwrap_or_default();
            kinds.push(EventKind::AutoClosed);
            let mut change = ChangeSet::update(ticket);
            change.events = kinds
                .into_iter()
                .map(|k| TicketEvent::new(id, now, Actor::System, k))
                .collect();
            if self.commit_background(change, &mut report).await? {
                report.closed += 1;
            }
        }
        Ok(report)
    }
}
