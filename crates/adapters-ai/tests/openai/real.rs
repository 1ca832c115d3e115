//! The adapter against a real OpenAI-compatible server: llama.cpp's `llama-server` with
//! SmolLM2-135M-Instruct, both from PyPI, started on loopback by scripts/model-server.sh
//! (`FRONTDESK_TEST_MODEL_URL`, `FRONTDESK_TEST_MODEL_KEY`). A tiny model answers badly, but
//! through the schema every answer must be a valid analysis or draft — never `Malformed` — with
//! its token usage; a wrong key is `Rejected` without the key in any message.

use super::*;

fn server() -> (String, String) {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the suite through scripts/test.sh (it starts the model server)")
        })
    };
    (
        var("FRONTDESK_TEST_MODEL_URL"),
        var("FRONTDESK_TEST_MODEL_KEY"),
    )
}

fn local(url: &str, key: &str) -> OpenAiAssistant {
    OpenAiAssistant::new(OpenAiConfig {
        base_url: url.to_owned(),
        model: "smollm2".into(),
        api_key: Some(ApiKey::new(key)),
        temperature: 0.0,
        max_tokens: 500,
        timeout: Duration::from_secs(120),
        deadline: Duration::from_secs(300),
        max_retries: 1,
        initial_backoff: Duration::from_millis(100),
        max_retry_wait: Duration::from_secs(5),
        response_format: ResponseFormat::JsonSchema,
        // Read from the server's /props.
        context_tokens: None,
        // SmolLM2 loops inside a string without it (the answer cut off at max_tokens).
        frequency_penalty: None,
        repeat_penalty: Some(1.3),
    })
    .unwrap()
}

/// Support mails of the labelled set's kinds: a late order, a refund, a password, thanks.
const MAILS: &[(&str, &str)] = &[
    (
        "Order 48211 not arrived",
        "Hello, my order 48211 should have arrived last week and the tracking has not moved \
         since Monday. I am getting really frustrated. Where is it?",
    ),
    (
        "Refund question",
        "You received my return yesterday. How long until the refund shows on my credit card?",
    ),
    (
        "Cannot log in",
        "I forgot my password and the reset email never arrived. I checked my spam folder.",
    ),
    (
        "Thank you",
        "The replacement arrived today and works perfectly. Great service, thank you!",
    ),
];

#[tokio::test]
async fn a_real_local_model_analyses_and_drafts_support_mail_within_the_schema() {
    let (url, key) = server();
    let ai = local(&url, &key);
    for (subject, text) in MAILS {
        let mut parts = ticket().into_parts();
        parts.subject = (*subject).to_owned();
        parts.description = (*text).to_owned();
        let t = Ticket::restore(parts);
        let a = ai
            .analyze(&t, &[customer(text)])
            .await
            .unwrap_or_else(|e| panic!("{subject}: {e}"));
        assert!(!a.summary.is_empty(), "{subject}");
        assert_eq!(a.language.len(), 2, "{subject}: {}", a.language);
        assert!((0.0..=1.0).contains(&a.confidence), "{subject}");
        assert!(
            a.usage.prompt_tokens > 0 && a.usage.completion_tokens > 0,
            "{subject}: {:?}",
            a.usage
        );
    }
    let context = DraftContext {
        agent_name: Some("Sam".into()),
        canned_responses: vec![(
            "Shipping delays".into(),
            "Parcels can take up to 5 business days longer during sales.".into(),
        )],
        ..DraftContext::default()
    };
    let d = ai
        .draft_reply(&ticket(), &[customer(MAILS[0].1)], &context)
        .await
        .unwrap();
    assert!(!d.body.trim().is_empty());
    assert!(d.usage.completion_tokens > 0, "{:?}", d.usage);
}

#[tokio::test]
async fn a_wrong_key_is_rejected_by_the_real_server_without_the_key_in_the_message() {
    let (url, _) = server();
    let wrong = "sk-wrong-0123456789abcdef";
    let err = local(&url, wrong)
        .analyze(&ticket(), &[customer("Where is my order?")])
        .await
        .unwrap_err();
    assert!(matches!(err, AiError::Rejected(_)), "{err}");
    assert!(!err.to_string().contains(wrong), "{err}");
}

#[tokio::test]
async fn an_over_long_ticket_fits_the_servers_context() {
    let (url, key) = server();
    let ai = local(&url, &key);
    // 20 messages of 4,000 characters: about 27,000 tokens, for a server with 4,096.
    let conversation: Vec<Message> = (0..20)
        .map(|i| {
            let mut m = customer(&format!(
                "Update {i} on my order 1234: {}",
                "it has still not arrived and nobody answers. ".repeat(90)
            ));
            m.id = uuid::Uuid::from_u128(500 + i as u128);
            m
        })
        .collect();
    let a = ai.analyze(&ticket(), &conversation).await.unwrap();
    assert!(a.usage.prompt_tokens < 4_096, "{:?}", a.usage);
}

/// Grounded drafts by the real model on part of the labelled set (the whole set takes minutes
/// on two cores; `FRONTDESK_EVAL_ALL=1` runs all 52): every draft valid, its citations checked
/// by the domain. The figures are printed for docs/ai.md; a 135M model's are poor by nature.
#[tokio::test]
async fn the_local_model_drafts_from_the_sources_on_the_labelled_set() {
    let (url, key) = server();
    let set = super::eval::set();
    let all: Vec<&Value> = set["tickets"].as_array().unwrap().iter().collect();
    let chosen: Vec<&Value> = if std::env::var_os("FRONTDESK_EVAL_ALL").is_some() {
        all
    } else {
        // Four the help centre answers and two it does not.
        all.into_iter()
            .filter(|t| [4, 12, 16, 29, 36, 39].contains(&t["id"].as_u64().unwrap()))
            .collect()
    };
    let f = super::eval::grounded_drafts(&local(&url, &key), &chosen).await;
    f.print("local model (SmolLM2-135M, llama.cpp), grounded drafts");
    assert!(f.failed.is_empty(), "every answer valid: {:?}", f.failed);
    assert_eq!(f.tickets as usize, chosen.len());
}

/// The same server's embeddings (`/v1/embeddings`, mean-pooled SmolLM2): retrieval by words
/// and by words and meaning together on the labelled set, printed for docs/ai.md.
#[tokio::test]
async fn the_local_server_embeds_and_retrieval_can_use_it() {
    let (url, key) = server();
    let embedder = frontdesk_adapters_ai::openai::OpenAiEmbedder::new(
        OpenAiConfig {
            base_url: url.clone(),
            model: "smollm2".into(),
            api_key: Some(ApiKey::new(&key)),
            timeout: Duration::from_secs(60),
            ..OpenAiConfig::default()
        },
        "smollm2",
    )
    .unwrap();
    for min in [0.55, 0.8, 0.9] {
        let ((w_hit, w_none), (b_hit, b_none), dims) =
            super::eval::retrieval_with_embeddings(&embedder, min).await;
        println!(
            "retrieval on the labelled set: by words {w_hit}/43 answerable with an answering \
             source, {w_none}/9 unanswerable without; words and SmolLM2 embeddings ({dims} \
             dimensions, least similarity {min}) {b_hit}/43 and {b_none}/9"
        );
        assert!(dims > 0);
    }
}
