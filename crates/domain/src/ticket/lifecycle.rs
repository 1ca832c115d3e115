//! `Ticket`: the aggregate, and every rule about how it changes.
//!
//! A ticket's data is readable through `Deref` to [`TicketParts`]; it only changes through the
//! methods here, which keep the status lifecycle, the SLA clocks and the satisfaction timestamps
//! consistent and report what changed as [`EventKind`]s for the audit trail.

use std::{fmt, ops::Deref};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Category, Channel, EventKind, Priority, Status, TicketNumber, TransitionError};
use crate::access::Permission;
use crate::sla::{SlaPolicies, TicketSla};
use crate::staff::{Customer, Role, StaffId};

/// A ticket's id (UUID v7, so ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketId(Uuid);

impl TicketId {
    #[must_use]
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    #[must_use]
    pub fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Everything needed to create a ticket except its number, which storage allocates atomically
/// when it commits the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketDraft {
    pub id: TicketId,
    pub customer: Customer,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub category: Category,
    pub channel: Channel,
    pub tags: Vec<String>,
    pub sla: TicketSla,
    pub follow_up_of: Option<TicketId>,
    pub provider_thread: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Imported history: the ticket is created closed at this time, its clocks stopped there,
    /// so it never enters the queue, the SLA sweeps or today's reports.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A ticket's data. Read it through a [`Ticket`]; build one directly only to restore a stored
/// ticket ([`Ticket::restore`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TicketParts {
    pub id: TicketId,
    pub number: TicketNumber,
    pub customer: Customer,
    pub subject: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Category,
    pub channel: Channel,
    pub assignee: Option<StaffId>,
    pub tags: Vec<String>,
    pub sla: TicketSla,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub escalation_level: u32,
    pub follow_up_of: Option<TicketId>,
    /// Set when this ticket was merged into another; it is closed and its conversation lives
    /// there.
    pub merged_into: Option<TicketId>,
    pub provider_thread: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by storage on every write: the guard against lost updates between writers.
    pub version: u64,
    /// Bumped when a field clients edit changes (status, priority, category, assignee, tags):
    /// the API's ETag and what `If-Match` compares, so background work (the assistant, notes,
    /// SLA sweeps, a no-op change) never makes an editor's copy stale.
    pub revision: u64,
}

/// A support ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket(TicketParts);

impl Deref for Ticket {
    type Target = TicketParts;
    fn deref(&self) -> &TicketParts {
        &self.0
    }
}

/// Why two tickets cannot be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergeRefusal {
    #[error("a ticket cannot be merged into itself")]
    SameTicket,
    #[error("the ticket is closed and cannot be merged")]
    SourceClosed,
    #[error("the ticket to merge into is closed")]
    TargetClosed,
    #[error(
        "the tickets belong to different customers; a manager may merge them with `force`, and \
         the other customer's messages then stay staff-only"
    )]
    DifferentCustomers,
    #[error("only managers and admins may force a merge of two customers' tickets")]
    ForceNeedsManager,
}

/// What a merge does with the merged ticket's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeScope {
    /// Both tickets are the same customer's: the conversation and its threads move over.
    SameCustomer,
    /// Another customer's ticket, forced by a manager: its messages move as staff-only notes and
    /// its threads stay with it, so nothing of one customer is shown to the other.
    StaffOnly,
}

/// What a customer's reply did to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerReplyEffect {
    /// Added to the conversation; status unchanged.
    Appended,
    /// The ticket was pending or resolved and is open again.
    Reopened,
    /// The ticket is closed: the reply belongs on a new follow-up ticket.
    NeedsFollowUp,
}

impl Ticket {
    /// A new ticket from a draft and the number storage allocated for it.
    #[must_use]
    pub fn create(draft: TicketDraft, number: TicketNumber) -> Self {
        let status = if draft.closed_at.is_some() {
            Status::Closed
        } else {
            Status::New
        };
        Self(TicketParts {
            id: draft.id,
            number,
            customer: draft.customer,
            subject: draft.subject,
            description: draft.description,
            status,
            priority: draft.priority,
            category: draft.category,
            channel: draft.channel,
            assignee: None,
            tags: normalize_tags(draft.tags),
            sla: draft.sla,
            first_response_at: None,
            // History closed on import was never resolved here: no resolution time to report.
            resolved_at: None,
            closed_at: draft.closed_at,
            escalation_level: 0,
            follow_up_of: draft.follow_up_of,
            merged_into: None,
            provider_thread: draft.provider_thread,
            created_at: draft.created_at,
            updated_at: draft.created_at,
            version: 0,
            revision: 0,
        })
    }

    /// A ticket as it was stored.
    #[must_use]
    pub fn restore(parts: TicketParts) -> Self {
        Self(parts)
    }

    #[must_use]
    pub fn into_parts(self) -> TicketParts {
        self.0
    }

    /// Moves the ticket to `to`, running the SLA clocks accordingly: waiting statuses pause the
    /// resolution clock, resolving stops both clocks, reopening restarts resolution.
    ///
    /// # Errors
    /// [`TransitionError`] when the lifecycle forbids the move.
    pub fn change_status(
        &mut self,
        to: Status,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
    ) -> Result<Vec<EventKind>, TransitionError> {
        let from = self.status;
        from.transition(to)?;
        if from == to {
            return Ok(Vec::new());
        }
        let cal = sla.calendar();
        let t = &mut self.0;
        let clock = &mut t.sla.resolution;
        match to {
            Status::Pending | Status::OnHold => clock.pause(now, cal),
            Status::Open if from == Status::Resolved => clock.restart(now, cal),
            Status::Open => clock.resume(now, cal),
            Status::Resolved | Status::Closed => {
                clock.stop(now, cal);
                t.sla.first_response.stop(now, cal);
            }
            Status::New => {}
        }
        match to {
            Status::Resolved => t.resolved_at = Some(now),
            Status::Closed => {
                t.closed_at = Some(now);
                t.resolved_at.get_or_insert(now);
            }
            Status::Open if from == Status::Resolved => t.resolved_at = None,
            _ => {}
        }
        t.status = to;
        t.updated_at = now;
        t.revision += 1;
        let mut events = vec![EventKind::StatusChanged { from, to }];
        if from == Status::Resolved && to == Status::Open {
            events.push(EventKind::Reopened);
        }
        Ok(events)
    }

    /// Records a public reply by staff: the first one sets `first_response_at`, stops the
    /// first-response clock and moves a new ticket to open.
    pub fn record_agent_reply(&mut self, now: DateTime<Utc>, sla: &SlaPolicies) -> Vec<EventKind> {
        let mut events = Vec::new();
        if self.first_response_at.is_none() {
            self.0.first_response_at = Some(now);
            self.0.sla.first_response.stop(now, sla.calendar());
            events.push(EventKind::FirstResponse);
        }
        if self.status == Status::New {
            events.extend(
                self.change_status(Status::Open, now, sla)
                    .unwrap_or_default(),
            );
        }
        self.0.updated_at = now;
        events
    }

    /// Records an automatic reply by the assistant. Only a person answers first: a holding
    /// reply leaves the status and the first-response clock alone; a resolving one (by
    /// configuration) resolves the ticket and counts as the first response.
    pub fn record_automatic_reply(
        &mut self,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
        resolves: bool,
    ) -> Vec<EventKind> {
        self.0.updated_at = now;
        if !resolves {
            return Vec::new();
        }
        let mut events = Vec::new();
        if self.first_response_at.is_none() {
            self.0.first_response_at = Some(now);
            self.0.sla.first_response.stop(now, sla.calendar());
            events.push(EventKind::FirstResponse);
        }
        events.extend(
            self.change_status(Status::Resolved, now, sla)
                .unwrap_or_default(),
        );
        events
    }

    /// Applies a customer's reply. Machine-generated mail (auto-replies, bounces) never reopens.
    pub fn record_customer_reply(
        &mut self,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
        machine_generated: bool,
    ) -> (CustomerReplyEffect, Vec<EventKind>) {
        if self.status == Status::Closed {
            return (CustomerReplyEffect::NeedsFollowUp, Vec::new());
        }
        self.0.updated_at = now;
        let reopen =
            !machine_generated && matches!(self.status, Status::Pending | Status::Resolved);
        if !reopen {
            return (CustomerReplyEffect::Appended, Vec::new());
        }
        let events = self
            .change_status(Status::Open, now, sla)
            .unwrap_or_default();
        let mut events = events;
        if !events.contains(&EventKind::Reopened) {
            events.push(EventKind::Reopened);
        }
        (CustomerReplyEffect::Reopened, events)
    }

    /// Moves the running SLA clocks from calendar `old` to `new` (the business hours changed);
    /// whether a deadline moved.
    pub fn recalendar(
        &mut self,
        now: DateTime<Utc>,
        old: &crate::sla::Calendar,
        new: &crate::sla::Calendar,
    ) -> bool {
        let before = self.0.sla.clone();
        self.0.sla.recalendar(now, old, new);
        self.0.sla != before
    }

    /// Changes the priority and moves the SLA clocks to the new targets.
    pub fn set_priority(
        &mut self,
        to: Priority,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
    ) -> Vec<EventKind> {
        let from = self.priority;
        if from == to {
            return Vec::new();
        }
        self.0.priority = to;
        self.0.revision += 1;
        let category = self.category;
        sla.retarget(&mut self.0.sla, to, category, now);
        self.0.updated_at = now;
        vec![EventKind::PriorityChanged { from, to }]
    }

    /// Changes the category; category-specific SLA targets follow.
    pub fn set_category(
        &mut self,
        to: Category,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
    ) -> Vec<EventKind> {
        let from = self.category;
        if from == to {
            return Vec::new();
        }
        self.0.category = to;
        self.0.revision += 1;
        let priority = self.priority;
        sla.retarget(&mut self.0.sla, priority, to, now);
        self.0.updated_at = now;
        vec![EventKind::CategoryChanged { from, to }]
    }

    /// Assigns the ticket (or unassigns it with `None`).
    pub fn assign(&mut self, to: Option<StaffId>, now: DateTime<Utc>) -> Vec<EventKind> {
        let from = self.assignee;
        if from == to {
            return Vec::new();
        }
        self.0.assignee = to;
        self.0.revision += 1;
        self.0.updated_at = now;
        vec![EventKind::Assigned { from, to }]
    }

    /// Replaces the tags (trimmed, lower-cased, deduplicated, sorted).
    pub fn set_tags(&mut self, tags: Vec<String>, now: DateTime<Utc>) -> Vec<EventKind> {
        let tags = normalize_tags(tags);
        if tags == self.tags {
            return Vec::new();
        }
        self.0.tags.clone_from(&tags);
        self.0.revision += 1;
        self.0.updated_at = now;
        vec![EventKind::TagsChanged { tags }]
    }

    /// Escalates one level; the priority rises one step when the policy says so.
    pub fn escalate(
        &mut self,
        reason: &str,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
    ) -> Vec<EventKind> {
        self.0.escalation_level += 1;
        self.0.updated_at = now;
        let mut events = vec![EventKind::Escalated {
            level: self.escalation_level,
            reason: reason.to_owned(),
        }];
        if sla.escalation().raise_priority {
            events.extend(self.set_priority(self.priority.raised(), now, sla));
        }
        events
    }

    /// Whether this ticket may be merged into `target`, and how. Tickets of two customers merge
    /// only when a manager or admin insists (`forced_by` is the role of whoever does).
    ///
    /// # Errors
    /// [`MergeRefusal::DifferentCustomers`] without `forced_by`;
    /// [`MergeRefusal::ForceNeedsManager`] when an agent forces it.
    pub fn merge_scope(
        &self,
        target: &Ticket,
        forced_by: Option<Role>,
    ) -> Result<MergeScope, MergeRefusal> {
        if self.customer.email.normalized() == target.customer.email.normalized() {
            return Ok(MergeScope::SameCustomer);
        }
        match forced_by {
            None => Err(MergeRefusal::DifferentCustomers),
            Some(role) if Permission::MergeAcrossCustomers.allows(role) => {
                Ok(MergeScope::StaffOnly)
            }
            Some(_) => Err(MergeRefusal::ForceNeedsManager),
        }
    }

    /// Merges this ticket into `target`: it closes (without counting as resolved) and points at
    /// `target`; `target` takes its tags. Storage moves the conversation.
    ///
    /// # Errors
    /// [`MergeRefusal`] when the tickets are the same, either is closed, or this one was merged
    /// already.
    pub fn merge_into(
        &mut self,
        target: &mut Ticket,
        now: DateTime<Utc>,
        sla: &SlaPolicies,
    ) -> Result<(Vec<EventKind>, Vec<EventKind>), MergeRefusal> {
        if self.id == target.id {
            return Err(MergeRefusal::SameTicket);
        }
        if self.status == Status::Closed {
            return Err(MergeRefusal::SourceClosed);
        }
        if target.status == Status::Closed {
            return Err(MergeRefusal::TargetClosed);
        }
        let cal = sla.calendar();
        let from = self.status;
        let t = &mut self.0;
        t.sla.first_response.stop(now, cal);
        t.sla.resolution.stop(now, cal);
        t.status = Status::Closed;
        t.revision += 1;
        t.closed_at = Some(now);
        t.merged_into = Some(target.id);
        t.updated_at = now;
        let source_events = vec![
            EventKind::StatusChanged {
                from,
                to: Status::Closed,
            },
            EventKind::MergedInto {
                ticket: target.id,
                number: target.number,
            },
        ];
        let mut tags = target.tags.clone();
        tags.extend(self.tags.iter().cloned());
        let mut target_events = target.set_tags(tags, now);
        target.0.updated_at = now;
        target_events.push(EventKind::MergedFrom {
            ticket: self.id,
            number: self.number,
        });
        Ok((source_events, target_events))
    }

    /// Marks the SLA notifications as sent so a sweep raises each one once.
    pub fn mark_sla_notified(&mut self, clock: super::SlaClockName, breach: bool) {
        let c = match clock {
            super::SlaClockName::FirstResponse => &mut self.0.sla.first_response,
            super::SlaClockName::Resolution => &mut self.0.sla.resolution,
        };
        if breach {
            c.breach_escalated = true
        } else {
            c.warning_notified = true
        }
    }

    /// Whether a resolved ticket has waited `after` since resolution and should auto-close.
    #[must_use]
    pub fn is_due_for_auto_close(&self, now: DateTime<Utc>, after: chrono::TimeDelta) -> bool {
        self.status == Status::Resolved && self.resolved_at.is_some_and(|at| now - at >= after)
    }
}

fn normalize_tags(tags: Vec<String>) -> Vec<String> {
    let mut tags: Vec<String> = tags
        .into_iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
