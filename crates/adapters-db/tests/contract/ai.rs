//! The AI assistant's records: analyses, drafts, hold reasons and token usage survive storage,
//! and an automatic reply is stored as one.

use frontdesk_adapters_db::{Database, TicketKey};
use frontdesk_domain::ai::{AiDraftState, AiUsage, HoldReason};
use frontdesk_domain::ports::{
    Analysis, Draft, DraftContext, JobQueue, MockAiAssistant, Sentiment, TicketRepository,
};
use frontdesk_domain::service::AiMode;
use frontdesk_domain::ticket::{Category, MessageKind, Priority, TicketNumber};

use crate::backends::{helpdesk, mail};
use crate::contract;

fn assistant(body: &'static str, confidence: f32) -> MockAiAssistant {
    let mut ai = MockAiAssistant::new();
    ai.expect_analyze().returning(|_, _| {
        Ok(Analysis {
            summary: "Where is the order? It is late.".into(),
            priority: Priority::High,
            category: Category::Order,
            sentiment: Sentiment::Negative,
            language: "en".into(),
            mentions_order: true,
            mentions_account: false,
            confidence: 0.875,
            usage: AiUsage {
                model: "gpt-test".into(),
                prompt_tokens: 410,
                completion_tokens: 52,
            },
        })
    });
    ai.expect_draft_reply().returning(move |_, _, _| {
        Ok(Draft {
            body: body.into(),
            confidence,
            sources: vec!["Shipping delays".into(), "order 1234".into()],
            usage: AiUsage {
                model: "gpt-test".into(),
                prompt_tokens: 600,
                completion_tokens: 120,
            },
        })
    });
    ai
}

contract!(
    analyses_and_drafts_read_back_with_their_usage,
    |db: Database| async move {
        let desk = helpdesk(&db, |s| s.ai_mode = AiMode::Auto);
        let id = desk
            .ingest(mail(
                "late@x",
                "jane@x.com",
                "Order late",
                "Where is order 1234?",
            ))
            .await
            .unwrap()
            .ticket_id
            .unwrap();
        let before = db.ticket_whole(TicketKey::Id(id)).await.unwrap().unwrap();
        assert_eq!(before.ticket.id, id);
        assert!(before.latest_draft.is_none(), "no draft yet");
        assert_eq!(before.messages.len(), 1);
        let ticket = before.ticket;
        let held = desk
            .assist(
                id,
                &assistant("Dear [Customer Name], it ships today.", 0.95),
                &DraftContext::default(),
            )
            .await
            .unwrap();
        let sent = desk
            .assist(
                id,
                &assistant("Hello Jane, it ships today.", 0.95),
                &DraftContext::default(),
            )
            .await
            .unwrap();
        let stored = db.ai_drafts(id).await.unwrap();
        assert_eq!(stored.len(), 2);
        let first = &stored[0];
        assert_eq!(first.id, held.record.id);
        assert_eq!(first.state, AiDraftState::Draft);
        assert_eq!(
            first.hold,
            Some(HoldReason::UnresolvedVariable("[Customer Name]".into()))
        );
        assert_eq!(first.draft.body, "Dear [Customer Name], it ships today.");
        assert_eq!(first.draft.sources, ["Shipping delays", "order 1234"]);
        assert!((first.draft.confidence - 0.95).abs() < 1e-6);
        assert_eq!(
            (
                first.usage.model.as_str(),
                first.usage.prompt_tokens,
                first.usage.completion_tokens
            ),
            ("gpt-test", 1010, 172)
        );
        let analysis = first.analysis.as_ref().unwrap();
        assert_eq!(
            (analysis.priority, analysis.category, analysis.sentiment),
            (Priority::High, Category::Order, Sentiment::Negative)
        );
        assert!(analysis.mentions_order && !analysis.mentions_account);
        assert!((analysis.confidence - 0.875).abs() < 1e-6);
        assert_eq!(analysis.summary, "Where is the order? It is late.");

        // The second run passed every guard: sent, and stored as an automatic reply with its
        // mail queued.
        assert_eq!(stored[1].state, AiDraftState::Sent);
        assert_eq!(stored[1].hold, None);
        assert_eq!(sent.record.state, AiDraftState::Sent);
        for key in [TicketKey::Id(id), TicketKey::Number(ticket.number)] {
            let whole = db.ticket_whole(key).await.unwrap().unwrap();
            assert_eq!(whole.ticket, db.get(id).await.unwrap().unwrap());
            assert_eq!(
                whole.latest_draft.map(|d| d.id),
                Some(sent.record.id),
                "the newest of two drafts"
            );
            assert_eq!(whole.messages, db.messages(id).await.unwrap());
            assert_eq!(whole.messages.len(), 2, "the mail and the automatic reply");
        }
        let missing = TicketNumber::new(ticket.number.value() + 1).unwrap();
        assert!(
            db.ticket_whole(TicketKey::Number(missing))
                .await
                .unwrap()
                .is_none()
        );
        let messages = db.messages(id).await.unwrap();
        let reply = messages
            .iter()
            .find(|m| m.kind == MessageKind::Agent)
            .unwrap();
        assert!(reply.is_automatic());
        assert_eq!(reply.body_text, "Hello Jane, it ships today.");
        let claimed = db
            .claim(chrono::Utc::now(), chrono::TimeDelta::minutes(1), 100)
            .await
            .unwrap();
        let kinds: Vec<&str> = claimed.iter().map(|j| j.job.kind()).collect();
        assert!(kinds.contains(&"send_email"), "{kinds:?}");
        assert!(kinds.contains(&"save_draft"), "{kinds:?}");
    }
);
