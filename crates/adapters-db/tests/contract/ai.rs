//! The AI assistant's records: analyses, drafts, hold reasons and token usage survive storage,
//! and an automatic reply is stored as one.

use std::sync::Arc;

use frontdesk_adapters_db::{Database, KnowledgeStore, TicketKey};
use frontdesk_domain::ai::{AiDraftState, AiUsage, HoldReason};
use frontdesk_domain::grounding::{Promise, SourceKind};
use frontdesk_domain::kb::{Article, ArticleStatus, Visibility};
use frontdesk_domain::order::NoOrders;
use frontdesk_domain::ports::{
    Analysis, Draft, DraftContext, JobQueue, Knowledge, MockAiAssistant, Sentiment,
    TicketRepository,
};
use frontdesk_domain::service::{AiMode, ReplyMode, TicketUpdate};
use frontdesk_domain::staff::{Availability, Role, Staff, StaffId};
use frontdesk_domain::ticket::{Actor, Category, MessageKind, Priority, Status, TicketNumber};

use crate::backends::{helpdesk, mail};
use crate::contract;

fn article(slug: &str, title: &str) -> Article {
    Article::published(
        uuid::Uuid::now_v7(),
        slug,
        title,
        "Orders ship the next working day from our warehouse.",
        chrono::Utc::now(),
    )
}

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
        let knowledge = KnowledgeStore::new(db.clone());
        db.save_kb_article(&article("shipping", "When will my order ship?"))
            .await
            .unwrap();
        let held = desk
            .assist(
                id,
                &assistant(
                    "Dear [Customer Name], we will refund the shipping [1].",
                    0.95,
                ),
                &knowledge,
                &NoOrders,
                &DraftContext::default(),
            )
            .await
            .unwrap();
        let sent = desk
            .assist(
                id,
                &assistant("Hello Jane, orders ship the next working day [1][3].", 0.95),
                &knowledge,
                &NoOrders,
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
        assert_eq!(
            first.draft.body,
            "Dear [Customer Name], we will refund the shipping [1]."
        );
        assert_eq!(first.citations.len(), 1);
        assert_eq!(
            (
                first.citations[0].n,
                first.citations[0].kind,
                first.citations[0].url.as_str()
            ),
            (1, SourceKind::Kb, "/help/shipping")
        );
        assert_eq!(first.citations[0].title, "When will my order ship?");
        assert_eq!(first.unsupported_promises, [Promise::Refund]);
        assert_eq!(stored[1].citation_defects, 1, "[3] was never given");
        assert_eq!(stored[1].citations, sent.record.citations);
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
        assert_eq!(
            reply.body_text,
            "Hello Jane, orders ship the next working day [1].\n\n[1] When will my order ship?: \
             /help/shipping"
        );
        let claimed = db
            .claim(chrono::Utc::now(), chrono::TimeDelta::minutes(1), 100)
            .await
            .unwrap();
        let kinds: Vec<&str> = claimed.iter().map(|j| j.job.kind()).collect();
        assert!(kinds.contains(&"send_email"), "{kinds:?}");
        assert!(kinds.contains(&"save_draft"), "{kinds:?}");
    }
);

contract!(
    knowledge_is_the_public_articles_and_resolved_tickets_like_this_one,
    |db: Database| async move {
        let knowledge = KnowledgeStore::new(db.clone());
        assert!(knowledge.sections().await.unwrap().is_empty());
        let mut internal = article("internal", "Shipping exceptions for staff");
        internal.visibility = Visibility::Internal;
        db.save_kb_article(&internal).await.unwrap();
        db.save_kb_article(&article("shipping", "When will my order ship?"))
            .await
            .unwrap();
        let index = knowledge.sections().await.unwrap();
        assert_eq!(index.len(), 1, "the internal article is no source");
        assert!(Arc::ptr_eq(&index, &knowledge.sections().await.unwrap()));
        let mut edited = article("returns", "Returning an order");
        edited.status = ArticleStatus::Draft;
        db.save_kb_article(&edited).await.unwrap();
        edited.status = ArticleStatus::Published;
        edited.updated_at += chrono::TimeDelta::seconds(1);
        db.save_kb_article(&edited).await.unwrap();
        assert_eq!(
            knowledge.sections().await.unwrap().len(),
            2,
            "rebuilt after an article changed"
        );

        let desk = helpdesk(&db, |_| {});
        let agent = Staff {
            id: StaffId::from_uuid(uuid::Uuid::now_v7()),
            email: "agent@frontdesk.test".parse().unwrap(),
            name: "Agent".into(),
            role: Role::Agent,
            availability: Availability::Available,
            shift: None,
            active: true,
        };
        db.save_staff(&agent, chrono::Utc::now()).await.unwrap();
        let mut ids = Vec::new();
        for (n, (subject, body, reply)) in [
            (
                "Parcel damaged",
                "My kettle arrived damaged, the box was crushed.",
                Some("Hello Ann,\nSorry about the kettle. Send us a photo of order 88812.\nBest regards,\nBo"),
            ),
            ("Kettle question", "Does the kettle have a warranty?", None),
            ("Login", "I cannot log in to my account.", Some("Reset your password.")),
            ("Damaged again", "The kettle is damaged too", None),
        ]
        .into_iter()
        .enumerate()
        {
            let id = desk
                .ingest(mail(&format!("k{n}@x"), &format!("c{n}@x.com"), subject, body))
                .await
                .unwrap()
                .ticket_id
                .unwrap();
            if let Some(reply) = reply {
                desk.reply(id, &agent, reply, ReplyMode::Send).await.unwrap();
                desk.update(
                    id,
                    Actor::System,
                    TicketUpdate {
                        status: Some(Status::Resolved),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            }
            ids.push(id);
        }
        let words = [
            "damaged".to_owned(),
            "kettles".to_owned(),
            "crush".to_owned(),
        ];
        let found = knowledge.resolved_like(&words, ids[3], 5).await.unwrap();
        let numbers: Vec<_> = found.iter().map(|r| r.ticket_id).collect();
        assert_eq!(
            numbers,
            [ids[0]],
            "resolved, with an agent's reply, not this one"
        );
        assert_eq!(found[0].subject, "Parcel damaged");
        assert!(found[0].reply.contains("order 88812"), "stored as written");
        assert!(found[0].number.starts_with("TKT-"));
        assert!(
            knowledge
                .resolved_like(&words, ids[0], 5)
                .await
                .unwrap()
                .is_empty(),
            "the ticket itself is left out"
        );
        assert!(
            knowledge
                .resolved_like(&["\"bad OR".to_owned()], ids[3], 5)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

/// Embeds by counting letters: "a"…"z" → 26 dimensions; counts how many texts it embedded.
struct Letters {
    embedded: std::sync::atomic::AtomicUsize,
    fail: bool,
}

#[async_trait::async_trait]
impl frontdesk_domain::ports::Embedder for Letters {
    fn model(&self) -> String {
        "letters-1".into()
    }

    async fn embed(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, frontdesk_domain::ports::AiError> {
        if self.fail {
            return Err(frontdesk_domain::ports::AiError::Unavailable("down".into()));
        }
        self.embedded
            .fetch_add(texts.len(), std::sync::atomic::Ordering::SeqCst);
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.0f32; 26];
                for c in t.to_lowercase().chars().filter(char::is_ascii_lowercase) {
                    v[(c as u8 - b'a') as usize] += 1.0;
                }
                v
            })
            .collect())
    }
}

contract!(
    sections_are_embedded_once_per_model_and_a_failing_model_leaves_words,
    |db: Database| async move {
        db.save_kb_article(&article("shipping", "When will my order ship?"))
            .await
            .unwrap();
        let letters = Arc::new(Letters {
            embedded: std::sync::atomic::AtomicUsize::new(0),
            fail: false,
        });
        let knowledge = KnowledgeStore::new(db.clone()).with_embedder(letters.clone());
        let index = knowledge.sections().await.unwrap();
        assert!(index.is_embedded());
        assert_eq!(
            letters.embedded.load(std::sync::atomic::Ordering::SeqCst),
            1
        );
        // Another store (another process) reads the stored vectors instead of asking again.
        let again = KnowledgeStore::new(db.clone()).with_embedder(letters.clone());
        assert!(again.sections().await.unwrap().is_embedded());
        assert_eq!(
            letters.embedded.load(std::sync::atomic::Ordering::SeqCst),
            1
        );
        assert_eq!(
            knowledge.embed_query("ship").await.map(|v| v.len()),
            Some(26)
        );

        let down = KnowledgeStore::new(db.clone()).with_embedder(Arc::new(Letters {
            embedded: std::sync::atomic::AtomicUsize::new(0),
            fail: true,
        }));
        assert_eq!(down.embed_query("ship").await, None);
        let mut fresh_article = article("returns", "Returning an order");
        fresh_article.body_markdown = "Send it back within 30 days.".into();
        db.save_kb_article(&fresh_article).await.unwrap();
        let partial = down.sections().await.unwrap();
        assert_eq!(partial.len(), 2);
        assert!(
            !partial.is_embedded(),
            "the new section waits for the model"
        );
        assert!(
            !partial.best("Returning an order", 3).is_empty(),
            "words still work"
        );
    }
);
