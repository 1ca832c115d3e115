//! The AI step of a ticket: analyse it, draft a reply, and in auto mode send that reply when
//! every guard of [`AutoSendPolicy`](crate::ai::AutoSendPolicy) allows.
//!
//! It runs from the jobs queue, never on the path that creates a ticket: whatever the assistant
//! does — fail, time out, answer nonsense — the ticket stays as it was and the job is retried or
//! given up on.

use super::{AiMode, Helpdesk, UpdateError};
use crate::ai::{AiDraftRecord, AiDraftState, AutoSendFacts};
use crate::grounding::{RetrievalLimits, for_customer, ground, query_words, retrieve_with};
use crate::order::{OrderLookup, ticket_order};
use crate::ports::{AiAssistant, AiError, ChangeSet, DraftContext, Job, Knowledge};
use crate::ticket::{Actor, EventKind, Message, MessageKind, Ticket, TicketEvent, TicketId};

/// Why the AI step did not complete. The ticket is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssistError {
    #[error("ticket {0} does not exist")]
    NotFound(TicketId),
    #[error(transparent)]
    Ai(#[from] AiError),
    #[error(transparent)]
    Ticket(#[from] UpdateError),
}

/// What the AI step recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistOutcome {
    /// The stored analysis and draft; its state is [`AiDraftState::Sent`] when auto mode sent
    /// the reply.
    pub record: AiDraftRecord,
    pub ticket: Ticket,
}

impl Helpdesk {
    /// Analyses ticket `id` with `ai` and drafts a reply from `context`. The analysis and draft
    /// are stored on the ticket; in draft mode the draft is also queued for the mailbox's drafts.
    /// In auto mode the reply is sent — as an automatic reply, marked so — only when the guards
    /// allow; otherwise it stays a draft with the reason recorded.
    ///
    /// The assistant sees the customer's and agents' messages only: internal notes and system
    /// messages never reach a model, so they cannot leak into a reply.
    ///
    /// # Errors
    /// [`AssistError::Ai`] when the assistant fails, [`AssistError::NotFound`] for a missing
    /// ticket, [`AssistError::Ticket`] when storage fails. Nothing is written in any of these.
    // Longer than ~80 lines on purpose: one use case read top to bottom (load, ask the
    // assistant, decide auto-send under one re-read ticket, store); its parts share the draft.
    pub async fn assist(
        &self,
        id: TicketId,
        ai: &dyn AiAssistant,
        knowledge: &dyn Knowledge,
        orders: &dyn OrderLookup,
        context: &DraftContext,
    ) -> Result<AssistOutcome, AssistError> {
        let ticket = self
            .ports
            .tickets
            .get(id)
            .await
            .map_err(UpdateError::from)?
            .ok_or(AssistError::NotFound(id))?;
        let conversation = self
            .ports
            .tickets
            .messages(id)
            .await
            .map_err(UpdateError::from)?;
        let shown: Vec<Message> = conversation
            .iter()
            .filter(|m| matches!(m.kind, MessageKind::Customer | MessageKind::Agent))
            .cloned()
            .collect();
        let context = self
            .with_sources(&ticket, &shown, knowledge, orders, context)
            .await?;
        let analysis = ai.analyze(&ticket, &shown).await?;
        let mut draft = ai.draft_reply(&ticket, &shown, &context).await?;
        let grounded = ground(
            &draft.body,
            &context.sources,
            context.order_facts.as_deref(),
        );
        draft.body.clone_from(&grounded.body);
        let to_customer = for_customer(
            &grounded.body,
            &grounded.citations,
            &self.settings.public_url,
        );
        let usage = analysis.usage.plus(&draft.usage);
        let answered = conversation
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::Customer && m.auto_reply.is_none())
            .and_then(|m| m.email.clone());
        let seen_version = ticket.version;
        let mut record = None;
        let committed = self
            .change_ticket(id, |current, now| {
                let verdict = (self.settings.ai_mode == AiMode::Auto).then(|| {
                    self.settings.auto_send.check(&AutoSendFacts {
                        draft: &draft,
                        grounded: &grounded,
                        analysis: &analysis,
                        ticket: &current,
                        seen_version,
                        conversation: &conversation,
                        now,
                    })
                });
                let mut stored = AiDraftRecord {
                    id: self.ports.ids.new_id(),
                    ticket_id: id,
                    analysis: Some(analysis.clone()),
                    draft: draft.clone(),
                    usage: usage.clone(),
                    state: AiDraftState::Draft,
                    hold: None,
                    citations: grounded.citations.clone(),
                    citation_defects: grounded.defects,
                    unsupported_promises: grounded.unsupported.clone(),
                    created_at: now,
                };
                let mut change = match verdict {
                    Some(Ok(())) => {
                        stored.state = AiDraftState::Sent;
                        self.reply_change(current, answered.as_ref(), &to_customer, None, now)
                    }
                    held => {
                        stored.hold = held.and_then(Result::err);
                        let mail =
                            self.reply_mail(&current, answered.as_ref(), &to_customer, false);
                        let mut change = ChangeSet::update(current);
                        change.jobs.push(Job::SaveDraft(Box::new(mail)));
                        change
                    }
                };
                change.events.push(TicketEvent::new(
                    id,
                    now,
                    Actor::System,
                    EventKind::AiDrafted {
                        sent: stored.state == AiDraftState::Sent,
                        hold: stored.hold.clone(),
                    },
                ));
                change.ai_drafts.push(stored.clone());
                record = Some(stored);
                Ok(change)
            })
            .await?;
        let record = record.ok_or_else(|| {
            AssistError::Ticket(UpdateError::Invalid("the AI step planned no change".into()))
        })?;
        Ok(AssistOutcome {
            record,
            ticket: committed.ticket,
        })
    }

    /// `context` with the sources for `ticket`: the knowledge base's best sections and the
    /// replies of similar resolved tickets, for its subject and latest customer messages; and
    /// the customer's own order it is about, when the shop has one (a shop that cannot be
    /// asked leaves the draft without it: the draft is still useful, and it is only a draft).
    async fn with_sources(
        &self,
        ticket: &Ticket,
        shown: &[Message],
        knowledge: &dyn Knowledge,
        orders: &dyn OrderLookup,
        context: &DraftContext,
    ) -> Result<DraftContext, AssistError> {
        let mut text = ticket.subject.clone();
        for m in shown
            .iter()
            .rev()
            .filter(|m| m.kind == MessageKind::Customer)
            .take(3)
        {
            text.push('\n');
            text.push_str(&m.body_text);
        }
        if shown.iter().all(|m| m.kind != MessageKind::Customer) {
            text.push('\n');
            text.push_str(&ticket.description);
        }
        let limits = RetrievalLimits::default();
        let index = knowledge.sections().await.map_err(UpdateError::from)?;
        let resolved = knowledge
            .resolved_like(&query_words(&text, 12), ticket.id, limits.tickets)
            .await
            .map_err(UpdateError::from)?;
        let mut context = context.clone();
        let query = if index.is_empty() {
            None
        } else {
            knowledge.embed_query(&text).await
        };
        context.sources = retrieve_with(&index, &resolved, &text, query.as_deref(), limits);
        context.order_facts = ticket_order(orders, ticket, shown)
            .await
            .ok()
            .and_then(|c| c.for_assistant());
        Ok(context)
    }
}
