//! The AI step: drafts, guarded automatic replies, and failures that leave the ticket alone.

use chrono::TimeDelta;

use super::*;
use crate::ai::{AiDraftState, AiUsage, HoldReason};
use std::sync::Arc;

use crate::grounding::{ResolvedReply, SectionIndex, SourceKind};
use crate::kb::Article;
use crate::order::NoOrders;
use crate::ports::{
    AiError, Analysis, Draft, DraftContext, Job, Knowledge, MockAiAssistant, NoKnowledge,
    OutboundEmail, Sentiment, StoreError,
};
use crate::staff::Role;
use crate::ticket::{Category, EventKind, Message, MessageKind, Priority, Status};

fn analysis() -> Analysis {
    Analysis {
        summary: "Customer asks for help.".into(),
        priority: Priority::Medium,
        category: Category::Other,
        sentiment: Sentiment::Neutral,
        language: "en".into(),
        mentions_order: false,
        mentions_account: false,
        confidence: 0.9,
        usage: AiUsage {
            model: "test-model".into(),
            prompt_tokens: 120,
            completion_tokens: 30,
        },
    }
}

fn assistant(body: &'static str, confidence: f32) -> MockAiAssistant {
    let mut ai = MockAiAssistant::new();
    ai.expect_analyze().returning(|_, _| Ok(analysis()));
    ai.expect_draft_reply().returning(move |_, _, _| {
        Ok(Draft {
            body: body.into(),
            confidence,
            sources: vec!["Greeting".into()],
            usage: AiUsage {
                model: "test-model".into(),
                prompt_tokens: 200,
                completion_tokens: 80,
            },
        })
    });
    ai
}

fn auto_world() -> World {
    world_with(|s| {
        s.ai_mode = AiMode::Auto;
        s.public_url = "https://help.example.com".into();
    })
}

/// A knowledge base of one article on refunds, and one resolved ticket.
struct Kb {
    index: Arc<SectionIndex>,
    resolved: Vec<ResolvedReply>,
}

#[async_trait::async_trait]
impl Knowledge for Kb {
    async fn sections(&self) -> Result<Arc<SectionIndex>, StoreError> {
        Ok(self.index.clone())
    }

    async fn resolved_like(
        &self,
        _words: &[String],
        exclude: crate::ticket::TicketId,
        limit: usize,
    ) -> Result<Vec<ResolvedReply>, StoreError> {
        Ok(self
            .resolved
            .iter()
            .filter(|r| r.ticket_id != exclude)
            .take(limit)
            .cloned()
            .collect())
    }
}

fn refunds_kb() -> Kb {
    let at = chrono::DateTime::UNIX_EPOCH;
    let article = Article::published(
        uuid::Uuid::from_u128(500),
        "refunds",
        "Refunds",
        "We refund returned items within 5 business days of receiving them.",
        at,
    );
    Kb {
        index: Arc::new(SectionIndex::build([&article])),
        resolved: Vec::new(),
    }
}

impl World {
    async fn open_refund_ticket(&self) -> crate::ticket::TicketId {
        let m = mail("a@c", "jane@x.com", "Help", "When will my refund arrive?");
        self.ingest(m).await.ticket_id.unwrap()
    }
}

fn sent_mails(w: &World) -> Vec<OutboundEmail> {
    w.store.with(|s| {
        s.jobs
            .iter()
            .filter_map(|j| match j {
                Job::SendEmail(m) => Some((**m).clone()),
                _ => None,
            })
            .collect()
    })
}

#[tokio::test]
async fn draft_mode_stores_the_analysis_and_draft_and_sends_nothing() {
    let w = world();
    let id = w.open_ticket().await;
    let ai = assistant("Hello Jane, we are on it.", 0.99);
    let out = w
        .desk
        .assist(id, &ai, &NoKnowledge, &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    assert_eq!(out.record.state, AiDraftState::Draft);
    assert_eq!(out.record.hold, None);
    assert_eq!(
        (
            out.record.usage.prompt_tokens,
            out.record.usage.completion_tokens
        ),
        (320, 110)
    );
    assert_eq!(out.record.analysis, Some(analysis()));
    let stored = w.store.with(|s| s.ai_drafts.clone());
    assert_eq!(stored, std::slice::from_ref(&out.record));
    assert!(sent_mails(&w).is_empty());
    let drafts = w.store.with(|s| {
        s.jobs
            .iter()
            .filter(
                |j| matches!(j, Job::SaveDraft(m) if m.body_text == "Hello Jane, we are on it."),
            )
            .count()
    });
    assert_eq!(drafts, 1, "the draft is queued for the mailbox's drafts");
    let t = w.ticket(id);
    assert_eq!((t.status, t.first_response_at), (Status::New, None));
    assert!(w.store.with(|s| s.events.iter().any(|e| e.kind
        == EventKind::AiDrafted {
            sent: false,
            hold: None
        })));
}

#[tokio::test]
async fn a_draft_leaves_the_tickets_revision_so_an_editors_if_match_still_applies() {
    let w = world();
    let id = w.open_ticket().await;
    let seen = w.ticket(id).revision;
    w.desk
        .assist(
            id,
            &assistant("Hello", 0.99),
            &NoKnowledge,
            &NoOrders,
            &DraftContext::default(),
        )
        .await
        .unwrap();
    assert_eq!(w.ticket(id).revision, seen);
    let edit = TicketUpdate {
        priority: Some(crate::ticket::Priority::Low),
        expected_version: Some(seen),
        ..Default::default()
    };
    let c = w.desk.update(id, Actor::System, edit).await.unwrap();
    assert_eq!(c.ticket.revision, seen + 1);
}

#[tokio::test]
async fn a_resolving_automatic_answer_resolves_and_counts_as_the_first_response() {
    let w = world_with(|s| {
        s.ai_mode = AiMode::Auto;
        s.auto_send.effect = crate::ai::AutoReplyEffect::Resolving;
    });
    let id = w.open_refund_ticket().await;
    w.clock.advance(TimeDelta::minutes(3));
    w.desk
        .assist(
            id,
            &assistant("Refunds take 5 business days [1].", 0.95),
            &refunds_kb(),
            &NoOrders,
            &DraftContext::default(),
        )
        .await
        .unwrap();
    let t = w.ticket(id);
    assert_eq!(
        (t.status, t.first_response_at),
        (Status::Resolved, Some(w.clock.now()))
    );
}

#[tokio::test]
async fn auto_mode_sends_a_confident_draft_as_an_automatic_reply() {
    let w = auto_world();
    let id = w.open_refund_ticket().await;
    w.clock.advance(TimeDelta::minutes(3));
    let ai = assistant(
        "Hello Jane, refunds reach your account within 5 business days [1].",
        0.95,
    );
    let out = w
        .desk
        .assist(id, &ai, &refunds_kb(), &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    assert_eq!(out.record.state, AiDraftState::Sent);
    let mails = sent_mails(&w);
    assert_eq!(mails.len(), 1);
    let sent = &mails[0];
    assert!(sent.automatic, "marked Auto-Submitted: auto-replied");
    assert_eq!(sent.x_loop.as_deref(), Some("support@frontdesk.test"));
    assert_eq!(sent.subject, "Re: Help [TKT-000001]");
    assert_eq!(sent.in_reply_to.as_ref().map(|m| m.as_str()), Some("a@c"));
    assert_eq!(
        sent.body_text,
        "Hello Jane, refunds reach your account within 5 business days [1].\n\n[1] Refunds: \
         https://help.example.com/help/refunds"
    );
    assert_eq!(out.record.citations.len(), 1);
    assert_eq!(out.record.citations[0].url, "/help/refunds");
    let t = w.ticket(id);
    assert_eq!(
        (
            t.status,
            t.first_response_at,
            t.sla.first_response.stopped_at
        ),
        (Status::New, None, None),
        "a holding answer is no person's first response"
    );
    let reply: Message = w.store.with(|s| {
        s.messages
            .iter()
            .find(|m| m.kind == MessageKind::Agent)
            .cloned()
            .unwrap()
    });
    assert!(reply.is_automatic());
    assert_eq!(reply.author_name.as_deref(), Some(ASSISTANT_NAME));

    // The customer writes again within a day: the next reply stays a draft.
    w.clock.advance(TimeDelta::hours(2));
    w.ingest(replying(
        mail("b@c", "jane@x.com", "Re: Help", "Still broken"),
        sent.message_id.as_str(),
        &[],
    ))
    .await;
    let out = w
        .desk
        .assist(id, &ai, &refunds_kb(), &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    assert_eq!(
        (out.record.state, out.record.hold),
        (AiDraftState::Draft, Some(HoldReason::RecentAutoReply))
    );
    assert_eq!(sent_mails(&w).len(), 1);
}

#[tokio::test]
async fn auto_mode_keeps_an_unsure_draft_back_with_its_reason() {
    let w = auto_world();
    let id = w.open_ticket().await;
    let out = w
        .desk
        .assist(
            id,
            &assistant("Maybe try again?", 0.5),
            &NoKnowledge,
            &NoOrders,
            &DraftContext::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.record.hold, Some(HoldReason::LowConfidence));
    assert!(sent_mails(&w).is_empty());
    assert!(w.store.with(|s| s.events.iter().any(|e| e.kind
        == EventKind::AiDrafted {
            sent: false,
            hold: Some(HoldReason::LowConfidence)
        })));
}

#[tokio::test]
async fn an_assistant_failure_changes_nothing() {
    let w = auto_world();
    let id = w.open_ticket().await;
    let before = w
        .store
        .with(|s| (s.jobs.len(), s.events.len(), s.tickets[&id].version));
    let mut ai = MockAiAssistant::new();
    ai.expect_analyze()
        .returning(|_, _| Err(AiError::Unavailable("HTTP 503".into())));
    let err = w
        .desk
        .assist(id, &ai, &NoKnowledge, &NoOrders, &DraftContext::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AssistError::Ai(AiError::Unavailable("HTTP 503".into()))
    );
    let after = w
        .store
        .with(|s| (s.jobs.len(), s.events.len(), s.tickets[&id].version));
    assert_eq!(before, after);
    assert!(w.store.with(|s| s.ai_drafts.is_empty()));
}

#[tokio::test]
async fn notes_never_reach_the_assistant() {
    let w = world();
    let id = w.open_ticket().await;
    w.desk
        .add_note(
            id,
            &staff(1, Role::Agent),
            "Customer owes us money, do not refund",
        )
        .await
        .unwrap();
    let mut ai = MockAiAssistant::new();
    ai.expect_analyze()
        .withf(|_, conversation| conversation.iter().all(|m| m.kind == MessageKind::Customer))
        .returning(|_, _| Ok(analysis()));
    ai.expect_draft_reply()
        .withf(|_, conversation, _| conversation.len() == 1)
        .returning(|_, _, _| {
            Ok(Draft {
                body: "Hello".into(),
                confidence: 0.5,
                sources: Vec::new(),
                usage: AiUsage::default(),
            })
        });
    w.desk
        .assist(id, &ai, &NoKnowledge, &NoOrders, &DraftContext::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn assisting_a_missing_ticket_is_not_found() {
    let w = world();
    let missing = crate::ticket::TicketId::from_uuid(uuid::Uuid::from_u128(9));
    let err = w
        .desk
        .assist(
            missing,
            &MockAiAssistant::new(),
            &NoKnowledge,
            &NoOrders,
            &DraftContext::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err, AssistError::NotFound(missing));
}

#[tokio::test]
async fn staff_send_the_latest_draft_or_are_told_there_is_none() {
    let w = world();
    let id = w.open_ticket().await;
    let agent = staff(1, Role::Agent);
    let refused = w
        .desk
        .staff_reply(id, &agent, ReplyText::LatestAiDraft, ReplyMode::Send, None)
        .await
        .unwrap_err();
    assert_eq!(refused, ReplyError::NoAiDraft);
    assert!(sent_mails(&w).is_empty());

    let ai = assistant("First draft.", 0.5);
    w.desk
        .assist(id, &ai, &NoKnowledge, &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    let ai = assistant("Second, better draft.", 0.9);
    w.desk
        .assist(id, &ai, &NoKnowledge, &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    assert_eq!(
        w.desk.latest_ai_draft(id).await.unwrap().as_deref(),
        Some("Second, better draft.")
    );
    w.desk
        .staff_reply(id, &agent, ReplyText::LatestAiDraft, ReplyMode::Send, None)
        .await
        .unwrap();
    let sent = sent_mails(&w);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body_text, "Second, better draft.");
    w.desk
        .staff_reply(
            id,
            &agent,
            ReplyText::Written("My own words."),
            ReplyMode::Send,
            None,
        )
        .await
        .unwrap();
    assert_eq!(sent_mails(&w)[1].body_text, "My own words.");
}

#[tokio::test]
async fn the_assistant_is_given_the_best_sources_and_its_citations_are_checked() {
    let w = world();
    let id = w.open_refund_ticket().await;
    let mut kb = refunds_kb();
    kb.resolved.push(ResolvedReply {
        ticket_id: crate::ticket::TicketId::from_uuid(uuid::Uuid::from_u128(900)),
        number: "TKT-000900".into(),
        subject: "Refund for a return".into(),
        reply: "Hello Ann,\nYour refund for order 55512 went out today.\nKind regards,\nBo".into(),
        score: 1.0,
    });
    let mut ai = MockAiAssistant::new();
    ai.expect_analyze().returning(|_, _| Ok(analysis()));
    ai.expect_draft_reply()
        .withf(|_, _, context| {
            context.sources.len() == 2
                && context.sources[0].url == "/help/refunds"
                && context.sources[1].kind == SourceKind::Ticket
                && context.sources[1].text == "Your refund for order [number] went out today."
        })
        .returning(|_, _, _| {
            Ok(Draft {
                body: "Refunds take 5 business days [1][2], see [4].".into(),
                confidence: 0.9,
                sources: Vec::new(),
                usage: AiUsage::default(),
            })
        });
    let out = w
        .desk
        .assist(id, &ai, &kb, &NoOrders, &DraftContext::default())
        .await
        .unwrap();
    assert_eq!(
        out.record.draft.body,
        "Refunds take 5 business days [1][2], see."
    );
    assert_eq!(out.record.citation_defects, 1);
    let cited: Vec<(u32, SourceKind)> =
        out.record.citations.iter().map(|c| (c.n, c.kind)).collect();
    assert_eq!(cited, [(1, SourceKind::Kb), (2, SourceKind::Ticket)]);
    assert!(out.record.unsupported_promises.is_empty());
    assert_eq!(
        w.desk.latest_ai_draft(id).await.unwrap().as_deref(),
        Some("Refunds take 5 business days [1], see.\n\n[1] Refunds: /help/refunds"),
        "the customer reads the article as a footnote and never the other ticket"
    );
}

#[tokio::test]
async fn auto_mode_holds_drafts_that_are_not_grounded_or_promise_too_much() {
    let w = auto_world();
    let id = w.open_refund_ticket().await;
    let cases = [
        ("Refunds take 5 business days.", HoldReason::NoSource),
        (
            "We will send you a replacement tomorrow [1].",
            HoldReason::UnsupportedPromise,
        ),
    ];
    for (body, reason) in cases {
        let out = w
            .desk
            .assist(
                id,
                &assistant(body, 0.95),
                &refunds_kb(),
                &NoOrders,
                &DraftContext::default(),
            )
            .await
            .unwrap();
        assert_eq!(out.record.hold, Some(reason), "{body}");
    }
    assert!(sent_mails(&w).is_empty());
}

#[tokio::test]
async fn a_customer_who_asks_for_a_person_or_threatens_action_gets_one() {
    for (text, reason) in [
        (
            "When will my refund arrive? I want to talk to a real person.",
            HoldReason::HumanRequested,
        ),
        (
            "My refund is late, my lawyer will hear about it.",
            HoldReason::SensitiveTopic,
        ),
    ] {
        let w = auto_world();
        let id = w
            .ingest(mail("a@c", "jane@x.com", "Help", text))
            .await
            .ticket_id
            .unwrap();
        let out = w
            .desk
            .assist(
                id,
                &assistant("Refunds take 5 business days [1].", 0.95),
                &refunds_kb(),
                &NoOrders,
                &DraftContext::default(),
            )
            .await
            .unwrap();
        assert_eq!(out.record.hold, Some(reason), "{text}");
        assert!(sent_mails(&w).is_empty());
    }
}

fn shop_order(email: &str) -> crate::order::Order {
    crate::order::Order {
        id: "gid://shopify/Order/1".into(),
        name: "#1001".into(),
        email: Some(crate::EmailAddress::parse(email).unwrap()),
        created_at: chrono::DateTime::UNIX_EPOCH,
        cancelled_at: None,
        closed_at: None,
        fulfilment: "fulfilled".into(),
        items: Vec::new(),
        shipments: vec![crate::order::Shipment {
            status: "in transit".into(),
            carrier: Some("DHL".into()),
            tracking_number: Some("00340434".into()),
            tracking_url: None,
            estimated_delivery: Some(chrono::DateTime::UNIX_EPOCH + TimeDelta::days(20_000)),
        }],
        admin_url: None,
    }
}

#[tokio::test]
async fn the_customers_own_order_reaches_the_assistant_and_backs_a_date() {
    for (owner, seen) in [("jane@x.com", true), ("someone@else.test", false)] {
        let w = world();
        let id = w
            .ingest(mail(
                "a@c",
                "jane@x.com",
                "Where is order #1001?",
                "When will it arrive?",
            ))
            .await
            .ticket_id
            .unwrap();
        let mut shop = crate::order::MockOrderLookup::new();
        shop.expect_by_number()
            .withf(|n| n == "1001")
            .returning(move |_| Ok(Some(shop_order(owner))));
        let mut ai = MockAiAssistant::new();
        ai.expect_analyze().returning(|_, _| Ok(analysis()));
        ai.expect_draft_reply()
            .withf(move |_, _, context| {
                context
                    .order_facts
                    .as_deref()
                    .is_some_and(|f| f.contains("tracking number 00340434"))
                    == seen
            })
            .returning(|_, _, _| {
                Ok(Draft {
                    body: "Your parcel will be delivered on Tuesday.".into(),
                    confidence: 0.9,
                    sources: Vec::new(),
                    usage: AiUsage::default(),
                })
            });
        let out = w
            .desk
            .assist(id, &ai, &NoKnowledge, &shop, &DraftContext::default())
            .await
            .unwrap();
        let expected: &[crate::grounding::Promise] = if seen {
            &[]
        } else {
            &[crate::grounding::Promise::Date]
        };
        assert_eq!(out.record.unsupported_promises, expected, "{owner}");
    }
}
