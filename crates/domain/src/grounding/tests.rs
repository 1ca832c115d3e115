use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::kb::{Article, ArticleStatus, Visibility};

fn article(n: u128, slug: &str, title: &str, body: &str) -> Article {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Article::published(Uuid::from_u128(n), slug, title, body, at)
}

fn kb() -> Vec<Article> {
    vec![
        article(
            1,
            "returns",
            "Returning an item",
            "You can return any item within 30 days.\n\n## Refunds\n\nOnce the warehouse receives \
             the return we **refund** the payment within 5 business days.\n\n## Exchanges\n\nTo \
             exchange a size, return the item and place a new order.",
        ),
        article(
            2,
            "shipping",
            "Shipping times",
            "Parcels leave the warehouse the next working day and arrive within 3 days.",
        ),
        {
            let mut a = article(
                3,
                "refund-fraud",
                "Internal: refund fraud checks",
                "Refund requests over 500 euros need a second approval.",
            );
            a.visibility = Visibility::Internal;
            a
        },
        {
            let mut a = article(4, "draft", "Refund draft", "Unpublished refund text.");
            a.status = ArticleStatus::Draft;
            a
        },
    ]
}

#[test]
fn articles_split_into_sections_under_their_headings() {
    let all = sections(&kb()[0]);
    let titles: Vec<&str> = all.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Returning an item",
            "Returning an item — Refunds",
            "Returning an item — Exchanges"
        ]
    );
    assert_eq!(all[1].url(), "/help/returns#s-refunds");
    assert_eq!(all[0].url(), "/help/returns");
    assert!(
        all[1].text.contains("we refund the payment"),
        "{}",
        all[1].text
    );
    assert!(!all[1].text.contains("**"));
}

#[test]
fn a_heading_inside_a_code_block_is_text_and_long_sections_split_at_paragraphs() {
    let long = format!(
        "```\n# not a heading\n```\n\n{}\n\n{}",
        "word ".repeat(150),
        "more ".repeat(150)
    );
    let all = sections(&article(9, "long", "Long", &long));
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|s| s.anchor.is_empty()));
    assert!(all[0].text.contains("# not a heading"));
}

#[test]
fn only_published_public_articles_are_sources() {
    let index = SectionIndex::build(&kb());
    assert_eq!(index.len(), 4);
    let best = index.best("How long does my refund take after the return?", 3);
    assert!(!best.is_empty());
    assert!(
        best.iter()
            .all(|(s, _)| s.slug == "returns" || s.slug == "shipping")
    );
    assert_eq!(best[0].0.anchor, "refunds");
}

#[test]
fn a_ticket_that_shares_nothing_with_the_knowledge_base_gets_no_source() {
    let index = SectionIndex::build(&kb());
    assert!(index.best("My cat sat on the keyboard", 3).is_empty());
}

#[test]
fn retrieval_numbers_sections_then_tickets_within_the_budget() {
    let index = SectionIndex::build(&kb());
    let resolved = [ResolvedReply {
        ticket_id: crate::TicketId::from_uuid(Uuid::from_u128(77)),
        number: "TKT-77".into(),
        subject: "Refund after return".into(),
        reply: "Hi Anna,\nWe refunded order 123456 to anna@example.com.\nKind regards,\nBob".into(),
        score: 0.5,
    }];
    let got = retrieve(
        &index,
        &resolved,
        "When will I get my refund for the returned item?",
        RetrievalLimits::default(),
    );
    assert_eq!(got[0].kind, SourceKind::Kb);
    let ticket = got.iter().find(|s| s.kind == SourceKind::Ticket).unwrap();
    assert_eq!(ticket.url, "/tickets/TKT-77");
    assert_eq!(ticket.text, "We refunded order [number] to [address].");
    let tight = retrieve(
        &index,
        &resolved,
        "When will I get my refund for the returned item?",
        RetrievalLimits {
            total_chars: 100,
            ..RetrievalLimits::default()
        },
    );
    let chars: usize = tight.iter().map(|s| s.text.chars().count()).sum();
    assert!(chars <= 100, "{tight:?}");
}

fn given() -> Vec<Source> {
    let kb = kb();
    [&sections(&kb[0])[1], &sections(&kb[1])[0]]
        .into_iter()
        .map(|s| Source {
            kind: SourceKind::Kb,
            id: s.article_id,
            title: s.title.clone(),
            url: s.url(),
            text: s.text.clone(),
            score: 1.0,
        })
        .collect()
}

#[test]
fn citations_map_to_the_sources_given_and_unknown_ones_are_removed_as_defects() {
    let given = given();
    assert!(given.len() >= 2, "{given:?}");
    let g = ground(
        "We refund within 5 business days [1]. See also [7] and [2, 9]. [Your Name]",
        &given,
        None,
    );
    assert_eq!(
        g.body,
        "We refund within 5 business days [1]. See also and [2]. [Your Name]"
    );
    assert_eq!(g.defects, 2);
    let numbers: Vec<u32> = g.citations.iter().map(|c| c.n).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(g.citations[0].url, given[0].url);
    assert!(g.is_grounded());
    assert!(g.unsupported.is_empty(), "{:?}", g.unsupported);
}

#[test]
fn a_promise_no_cited_source_backs_is_unsupported() {
    let given = given();
    let g = ground(
        "We will send you a replacement tomorrow. We will refund you within 5 business days [1].",
        &given,
        None,
    );
    assert_eq!(g.unsupported, [Promise::Replacement]);
    let uncited = ground("We will send you a replacement tomorrow.", &given, None);
    assert_eq!(uncited.unsupported, [Promise::Replacement, Promise::Date]);
    let none = ground("We will refund you in full.", &given, None);
    assert_eq!(none.unsupported, [Promise::Refund]);
    assert!(!none.is_grounded());
    let order = ground(
        "Your parcel will be delivered on Friday.",
        &given,
        Some("Fulfilled; carrier DHL; estimated delivery Friday 5 December."),
    );
    assert!(order.unsupported.is_empty(), "{:?}", order.unsupported);
}

#[test]
fn refusals_questions_and_statements_are_not_promises() {
    for text in [
        "Unfortunately we cannot refund a used item.",
        "Would you like a replacement?",
        "Refunds are described on our help page.",
        "We don't offer a call back service.",
    ] {
        assert!(unsupported_promises(text, &[]).is_empty(), "{text}");
    }
    assert_eq!(
        unsupported_promises("I'll call you back this afternoon.", &[]),
        [Promise::Callback]
    );
    assert_eq!(
        unsupported_promises("You’ll get a 20% discount voucher.", &[]),
        [Promise::Compensation]
    );
}

#[test]
fn customers_words_that_call_for_a_person() {
    assert!(sensitive_topic("I will contact my lawyer about this."));
    assert!(sensitive_topic("Please delete my data under GDPR"));
    assert!(sensitive_topic("The charger caught fire!"));
    assert!(!sensitive_topic("Where is my parcel?"));
    assert!(asks_for_human("Can I please talk to a real person?"));
    assert!(asks_for_human("I want to speak to a manager."));
    assert!(!asks_for_human("My person-to-person transfer failed"));
}

#[test]
fn the_customer_reads_footnotes_for_articles_and_never_ticket_links() {
    let citations = vec![
        Citation {
            n: 1,
            kind: SourceKind::Kb,
            id: Uuid::from_u128(1),
            title: "Returning an item — Refunds".into(),
            url: "/help/returns#s-refunds".into(),
        },
        Citation {
            n: 2,
            kind: SourceKind::Ticket,
            id: Uuid::from_u128(77),
            title: "Refund after return".into(),
            url: "/tickets/TKT-77".into(),
        },
    ];
    let text = for_customer(
        "Refunds take 5 days [1, 2]. As before [2].\n\nKind regards",
        &citations,
        "https://help.example.com",
    );
    assert_eq!(
        text,
        "Refunds take 5 days [1]. As before.\n\nKind regards\n\n[1] Returning an item — Refunds: \
         https://help.example.com/help/returns#s-refunds"
    );
    assert!(!text.contains("TKT-77"));
    assert_eq!(
        for_customer("Plain [x] text", &[], "https://h"),
        "Plain [x] text"
    );
}

#[test]
fn query_words_are_the_rare_long_ones() {
    assert_eq!(
        query_words("Hello, my refund for the damaged kettle please 12345", 3),
        ["damaged", "kettle", "refund"]
    );
}

#[test]
fn embeddings_find_a_section_that_shares_no_word_with_the_ticket() {
    let index = SectionIndex::build(&kb());
    let question = "Wrong fit, I would like another one";
    assert!(index.best(question, 3).is_empty(), "no word in common");
    let vectors = index
        .sections()
        .iter()
        .map(|s| {
            Some(if s.anchor == "exchanges" {
                vec![1.0, 0.0]
            } else {
                vec![0.0, 1.0]
            })
        })
        .collect();
    let index = index.with_vectors(vectors);
    assert!(index.is_embedded());
    let found = index.best_with(question, Some(&[0.9, 0.1]), 3);
    assert_eq!(found.len(), 1, "only the close one: {found:?}");
    assert_eq!(found[0].0.url(), "/help/returns#s-exchanges");
    // Words still count: a refund question finds the refunds section, and an unrelated
    // embedding adds nothing.
    let found = index.best_with("How long does my refund take?", Some(&[-1.0, 0.0]), 3);
    assert_eq!(found[0].0.anchor, "refunds");
    let sources = retrieve_with(
        &index,
        &[],
        question,
        Some(&[0.9, 0.1]),
        RetrievalLimits::default(),
    );
    assert_eq!(sources.len(), 1);
}

#[test]
fn cosine_similarity() {
    assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
    assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
    assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
}

#[test]
fn promises_behind_a_friendly_negation_or_a_contraction_are_still_promises() {
    for (text, kind) in [
        (
            "Don't worry, we'll send you a replacement.",
            Promise::Replacement,
        ),
        (
            "We will refund you in full, no need to send it back.",
            Promise::Refund,
        ),
        ("I've processed a full refund for you.", Promise::Refund),
        ("We've sent you a replacement.", Promise::Replacement),
        ("Good news — it will arrive tomorrow.", Promise::Date),
    ] {
        assert!(unsupported_promises(text, &[]).contains(&kind), "{text}");
    }
}

#[test]
fn a_refusal_or_another_customers_reply_backs_nothing() {
    assert_eq!(
        unsupported_promises(
            "We will refund you in full.",
            &["Opened items cannot be refunded."]
        ),
        [Promise::Refund]
    );
    let ticket = Source {
        kind: SourceKind::Ticket,
        id: Uuid::from_u128(77),
        title: "Resolved ticket TKT-77".into(),
        url: "/tickets/TKT-77".into(),
        text: "I have issued a full refund to your card.".into(),
        score: 1.0,
    };
    let g = ground("We will refund you in full [1].", &[ticket], None);
    assert_eq!(g.unsupported, [Promise::Refund]);
    // The order backs a date only with an estimated delivery, not an item named "Day Cream".
    let items = "Order #1 placed 2026-11-20: open, fulfilled. Items: 1 × Day Cream.";
    assert_eq!(
        ground("It will arrive tomorrow.", &[], Some(items)).unsupported,
        [Promise::Date]
    );
}

#[test]
fn other_customers_replies_are_masked_and_carry_no_old_citations() {
    assert_eq!(
        redact(
            "History shows your parcel was re-sent [1].\nCall +44 20 7946 0958.\n\n\
             [1] Shipping: https://help.example.com/help/shipping"
        ),
        "History shows your parcel was re-sent.\nCall [number]."
    );
    assert_eq!(
        redact(
            "Hi Jane Doe, I have re-sent your parcel today.\n\nThanks, I'm on it.\n\nBest,\nTom"
        ),
        "I have re-sent your parcel today.\n\nThanks, I'm on it."
    );
}

#[test]
fn a_marker_inside_brackets_is_still_checked() {
    let g = ground("See [the guide [5]] for more.", &given(), None);
    assert_eq!(g.defects, 1);
    assert_eq!(g.body, "See [the guide] for more.");
}
