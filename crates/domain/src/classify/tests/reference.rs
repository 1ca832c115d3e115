//! The classifier against a brute-force reading of the rules that stems every word, to show
//! that the prefix filter and the phrase index change no result.

use rust_stemmers::{Algorithm, Stemmer};

use crate::classify::config::Target;
use crate::classify::words::{lower_into, words};
use crate::classify::{Classification, Classifier, ClassifierConfig};
use crate::ticket::{Category, Priority};

/// Stems every word with the full stemmer: what the classifier must agree with.
fn all_stems(stemmer: &Stemmer, text: &str) -> Vec<String> {
    let mut buf = String::new();
    words(text)
        .map(|w| {
            lower_into(w, &mut buf);
            stemmer.stem(&buf).into_owned()
        })
        .collect()
}

/// The rules applied by brute force: no filter, no phrase index.
fn reference(config: &ClassifierConfig, subject: &str, body: &str) -> Classification {
    let stemmer = Stemmer::create(Algorithm::English);
    let texts = [
        (all_stems(&stemmer, subject), 2),
        (all_stems(&stemmer, body), 1),
    ];
    let mut priority = None;
    let mut best = (0, Category::Other);
    for table in config.tables().iter().rev() {
        let mut phrases: Vec<Vec<String>> = table
            .keywords
            .iter()
            .map(|k| all_stems(&stemmer, k))
            .collect();
        phrases.sort();
        phrases.dedup();
        let hits: usize = texts
            .iter()
            .flat_map(|(text, weight)| {
                phrases.iter().map(move |p| {
                    weight * text.windows(p.len()).filter(|w| *w == p.as_slice()).count()
                })
            })
            .sum();
        match table.target {
            Target::Priority(p) if hits > 0 => priority = priority.max(Some(p)),
            Target::Category(c) if hits > 0 && hits >= best.0 => best = (hits, c),
            _ => {}
        }
    }
    Classification {
        priority: priority.unwrap_or(Priority::Medium),
        category: best.1,
    }
}

#[test]
fn the_filter_and_phrase_index_change_no_result() {
    let pool = [
        "order",
        "ORDERS",
        "border",
        "die",
        "dying",
        "lying",
        "low",
        "tying",
        "tie",
        "x",
        "xed",
        "café",
        "cafés",
        "naïve",
        "user",
        "users",
        "Größe",
        "a",
        "not",
        "working",
        "work",
        "down",
        "download",
        "refunds",
        "issued",
        "important",
        "the",
        "is",
        "in",
        "invoice",
        "Ünïcödé",
        "🔥",
        "\n",
        "...",
        "-",
        "bills",
        "accessories",
        "access",
        "product",
    ];
    let mut custom = ClassifierConfig::default();
    custom
        .priority
        .low
        .extend(["die", "lie low", "x"].map(String::from));
    custom
        .category
        .product
        .extend(["café", "naïve user", "a", "größe", "tie"].map(String::from));
    custom
        .category
        .billing
        .extend(["bill", "Bills", "invoice"].map(String::from));
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut pick = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % n
    };
    for config in [ClassifierConfig::default(), custom] {
        let classifier = Classifier::new(&config).unwrap();
        for _ in 0..2_000 {
            let mut text = || {
                (0..pick(12))
                    .map(|_| pool[pick(pool.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (subject, body) = (text(), text());
            assert_eq!(
                classifier.classify(&subject, &body),
                reference(&config, &subject, &body),
                "{subject:?} / {body:?}"
            );
        }
    }
}
