//! Mail that refers to a ticket it may not join (see `threading::decide`): it opens a ticket of
//! its own, and the link between the two is stored for staff as a merge suggestion. A mail that
//! names several senders also gets a system message quoting its From headers, for staff.

use chrono::{DateTime, Utc};

use super::Helpdesk;
use super::ingest::{Incoming, IngestError, Placement, Plan};
use crate::ports::ChangeSet;
use crate::threading::{Bridge, MergeSuggestion, Suggestion};
use crate::ticket::{Actor, EventKind, Message, MessageKind, TicketEvent, TicketId};

impl Helpdesk {
    /// A new ticket for the mail, linked to the ticket it referred to.
    pub(super) async fn place_suggested(
        &self,
        plan: &mut Plan,
        m: &Incoming<'_>,
        suggestion: &Suggestion,
        now: DateTime<Utc>,
    ) -> Result<Placement, IngestError> {
        let placed = self.place_new(plan, m, None, now).await?;
        if let (Some(index), Some(ticket)) = (placed.change, placed.result.ticket_id) {
            let change = &mut plan.changes[index];
            // The ids it referenced belong to the other conversation: claiming them too would
            // lead that conversation's later mail here.
            change.thread_keys.retain(|k| *k == m.message_id);
            change.merge_suggestions.push(MergeSuggestion {
                id: self.ports.ids.new_id(),
                ticket,
                other: suggestion.referenced.id,
                reason: suggestion.reason_text(),
                evidence: suggestion.evidence.clone(),
                created_at: now,
            });
        }
        Ok(placed)
    }

    /// A mail placed on one ticket whose ids also led to `bridge.others`: it claims none of
    /// their ids (that would lead their later mail here too), and staff get a merge suggestion
    /// for each of them on the ticket it was placed on.
    pub(super) fn suggest_bridge(
        &self,
        plan: &mut Plan,
        placed: &Placement,
        m: &Incoming<'_>,
        bridge: &Bridge,
        now: DateTime<Utc>,
    ) {
        let (Some(index), Some(ticket)) = (placed.change, placed.result.ticket_id) else {
            return;
        };
        let referenced = m.mail.referenced_ids(self.settings.references_cap);
        let change = &mut plan.changes[index];
        change
            .thread_keys
            .retain(|k| *k == m.message_id || !referenced.contains(k));
        for other in &bridge.others {
            change.merge_suggestions.push(MergeSuggestion {
                id: self.ports.ids.new_id(),
                ticket,
                other: other.id,
                reason: bridge.reason_text(other),
                evidence: bridge.evidence.clone(),
                created_at: now,
            });
        }
    }

    /// For a mail naming several senders: a system message (staff only) with its From headers,
    /// since the ticket's customer is only one of them.
    pub(super) fn note_ambiguous_sender(
        &self,
        change: &mut ChangeSet,
        ticket: TicketId,
        m: &Incoming<'_>,
        now: DateTime<Utc>,
    ) {
        if !m.mail.is_from_ambiguous() {
            return;
        }
        let from: Vec<String> = m
            .mail
            .ambiguous_from
            .iter()
            .map(|f| format!("From: {f}"))
            .collect();
        let text = format!(
            "This mail names more than one sender, so it was not added to any existing ticket \
             and nobody was sent an acknowledgement. Its sender headers as received:\n{}",
            from.join("\n")
        );
        change.messages.push(Message::new(
            self.ports.ids.new_id(),
            ticket,
            MessageKind::System,
            text,
            now,
        ));
        change.events.push(TicketEvent::new(
            ticket,
            now,
            Actor::System,
            EventKind::MessageAdded {
                kind: MessageKind::System,
            },
        ));
    }
}
