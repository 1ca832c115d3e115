//! Matching, priority and category rules over the seed tables.

use super::seed;
use crate::classify::{Classification, Classifier, ClassifierConfig};
use crate::ticket::{Category, Priority};

#[test]
fn every_default_keyword_matches_itself() {
    let c = seed();
    let config = ClassifierConfig::default();
    let p = &config.priority;
    for (level, keywords) in [
        (Priority::Urgent, &p.urgent),
        (Priority::High, &p.high),
        (Priority::Low, &p.low),
    ] {
        for keyword in keywords {
            assert_eq!(c.priority("", keyword), level, "{keyword}");
            assert_eq!(c.priority(keyword, ""), level, "{keyword} in the subject");
        }
    }
    let k = &config.category;
    let tables = [
        (Category::Order, &k.order),
        (Category::Product, &k.product),
        (Category::Billing, &k.billing),
        (Category::Technical, &k.technical),
    ];
    for (category, keywords) in tables {
        for keyword in keywords {
            assert_eq!(c.category("", keyword), category, "{keyword}");
        }
    }
}

#[test]
fn inflected_forms_match_their_keyword() {
    let c = seed();
    for (text, category) in [
        ("my orders", Category::Order),
        ("I ordered twice", Category::Order),
        ("you keep charging me", Category::Billing),
        ("two refunds", Category::Billing),
        ("so many bugs", Category::Technical),
    ] {
        assert_eq!(c.category("", text), category, "{text}");
    }
    assert_eq!(c.priority("", "It FAILED again"), Priority::High);
    assert_eq!(c.priority("", "Emergencies happen"), Priority::Urgent);
}

#[test]
fn words_that_merely_contain_a_keyword_do_not_match() {
    let c = seed();
    assert_eq!(c.priority("", "the download page"), Priority::Medium);
    assert_eq!(c.category("", "phone accessories"), Category::Other);
    assert_eq!(c.category("", "the border of the page"), Category::Other);
}

#[test]
fn a_multi_word_keyword_matches_its_words_consecutively_whatever_separates_them() {
    let c = seed();
    for text in [
        "it is not working",
        "NOT WORKING",
        "it's not worked since",
        "not\nworking",
        "not... working!",
    ] {
        assert_eq!(c.priority("", text), Priority::Urgent, "{text:?}");
        assert_eq!(c.category("", text), Category::Technical, "{text:?}");
    }
    assert_eq!(c.priority("", "not really working"), Priority::Medium);
    assert_eq!(c.priority("", "working, not idle"), Priority::Medium);
}

#[test]
fn a_multi_word_keyword_does_not_span_subject_and_body() {
    assert_eq!(seed().priority("It is not", "working"), Priority::Medium);
}

#[test]
fn urgent_beats_high_beats_low_beats_medium() {
    let c = seed();
    assert_eq!(
        c.priority("A question", "an error, the site is down"),
        Priority::Urgent
    );
    assert_eq!(
        c.priority("A question", "there is an error"),
        Priority::High
    );
    assert_eq!(
        c.priority("", "a suggestion and some feedback"),
        Priority::Low
    );
    assert_eq!(
        c.priority("Hello", "thanks for the lovely shoes"),
        Priority::Medium
    );
}

#[test]
fn a_priority_keyword_counts_in_the_subject_or_the_body() {
    let c = seed();
    assert_eq!(c.priority("URGENT", "hello"), Priority::Urgent);
    assert_eq!(c.priority("hello", "please, asap"), Priority::Urgent);
}

#[test]
fn a_hit_in_the_subject_counts_double() {
    let c = seed();
    assert_eq!(c.category("Invoice", "my order"), Category::Billing);
    assert_eq!(
        c.category("Invoice", "my order, the shipping and the tracking"),
        Category::Order
    );
}

#[test]
fn a_tie_goes_to_the_category_listed_first() {
    let c = seed();
    assert_eq!(c.category("", "refund my order"), Category::Order);
    assert_eq!(c.category("", "the size has a bug"), Category::Product);
    assert_eq!(c.category("", "password and invoice"), Category::Billing);
    assert_eq!(c.category("Refund", "order delivery"), Category::Order);
}

#[test]
fn a_keyword_listed_in_two_tables_votes_in_both() {
    let c = seed();
    assert_eq!(
        c.classify("", "an error"),
        Classification {
            priority: Priority::High,
            category: Category::Technical
        }
    );
}

#[test]
fn a_ticket_without_category_keywords_is_other() {
    assert_eq!(
        seed().category("Hi", "Just saying hello to the team."),
        Category::Other
    );
}

#[test]
fn an_empty_ticket_is_medium_and_other() {
    let expected = Classification {
        priority: Priority::Medium,
        category: Category::Other,
    };
    assert_eq!(seed().classify("", ""), expected);
    assert_eq!(seed().classify(" \n", "--"), expected);
}

#[test]
fn classify_agrees_with_priority_and_category() {
    let c = seed();
    for (subject, body) in [
        ("Order not working", "urgent refund please"),
        ("question", "the color"),
        ("", "login error"),
    ] {
        let both = c.classify(subject, body);
        assert_eq!(
            both,
            Classification {
                priority: c.priority(subject, body),
                category: c.category(subject, body)
            }
        );
    }
}

#[test]
fn non_ascii_text_is_classified_without_panicking() {
    let c = seed();
    let texts = [
        "ÜRGENT!!! Bestellung kaputt 🔥🔥",
        "İSTANBUL ΣΊΣΥΦΟΣ straße ﬃ ǅ",
        "注文が届きません。🙏 مرحبا",
        "e\u{301}\u{301}\u{200d}👩‍👩‍👧 x\u{feff}y",
        "𝔘𝔯𝔤𝔢𝔫𝔱 ①②③ ½",
    ];
    for text in texts {
        let _ = c.classify(text, text);
    }
    assert_eq!(c.priority("ÜRGENT", "Bestellung 📦"), Priority::Medium);
    assert_eq!(
        c.classify("Refund 💸", "URGENT 🚨"),
        Classification {
            priority: Priority::Urgent,
            category: Category::Billing
        }
    );
}

#[test]
fn a_classifier_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shareable::<Classifier>();
    let c = seed();
    let copy = c.clone();
    let handle = std::thread::spawn(move || copy.priority("", "asap"));
    assert_eq!(handle.join().unwrap(), c.priority("", "asap"));
}
