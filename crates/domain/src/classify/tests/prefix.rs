//! The stemmer properties the prefix filter relies on, and the filter itself.

use rust_stemmers::{Algorithm, Stemmer};

use crate::classify::ClassifierConfig;
use crate::classify::prefix::{PREFIX_CHANGING_EXCEPTIONS, PrefixFilter};

/// Every suffix Porter2 looks at, plus a few combinations that chain its steps.
const SUFFIXES: &[&str] = &[
    "", "s", "es", "ies", "ied", "ss", "us", "sses", "ed", "eed", "ing", "edly", "eedly", "ingly",
    "ly", "li", "y", "e", "ational", "tional", "enci", "anci", "abli", "entli", "izer", "ization",
    "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli", "ousness", "iveness", "iviti",
    "biliti", "bli", "ogi", "fulli", "lessli", "alize", "icate", "iciti", "ical", "ful", "ness",
    "ative", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion", "tion", "at", "bl", "iz", "ying",
    "yed", "yly", "ye", "ys", "ings", "ements", "ations", "ingness",
];

/// Endings stacked on [`SUFFIXES`], so that one step's rewrite feeds the next.
const ENDINGS: &[&str] = &[
    "s", "ly", "ness", "ing", "ed", "e", "y", "ies", "al", "ation",
];

/// Real words of the kind support mail is made of.
const REAL_TEXT: &str = "Hello, I ordered a replacement battery for my bicycle three weeks \
    ago and the tracking still says it is being processed. The confirmation email mentioned \
    an estimated delivery of five business days. Additionally, I was charged for expedited \
    shipping which I definitely did not select. Could you please investigate, refund the \
    difference and let me know when to expect the parcel? Unfortunately the application \
    keeps crashing whenever I try logging in; reinstalling didn't help. Generously, happily, \
    responsibility, sensibility, organizational, conditionally, relational, hopefully, \
    dying, lying, tying, studies, flies, agreed, feed, proceeding, exceedingly, skiing.";

/// Many real and made-up words: every string of up to three letters, longer strings over a
/// vowel-heavy alphabet, roots times suffixes, the keywords and some non-ASCII words.
fn vocabulary() -> Vec<String> {
    let letters: Vec<char> = ('a'..='z').collect();
    let mut words: Vec<String> = vec![String::new()];
    let mut short = Vec::new();
    for _ in 0..3 {
        words = words
            .iter()
            .flat_map(|w| letters.iter().map(move |c| format!("{w}{c}")))
            .collect();
        short.extend(words.iter().cloned());
    }
    let dense: Vec<char> = "aeiouybcdlnst".chars().collect();
    let mut longer = vec![String::new()];
    let mut dense_roots = Vec::new();
    for round in 0..4 {
        longer = longer
            .iter()
            .flat_map(|w| dense.iter().map(move |c| format!("{w}{c}")))
            .collect();
        if round == 2 {
            dense_roots.clone_from(&longer);
        }
    }
    let config = ClassifierConfig::default();
    let mut roots: Vec<String> = config
        .tables()
        .iter()
        .flat_map(|t| t.keywords.iter())
        .flat_map(|k| k.split(' '))
        .map(str::to_owned)
        .collect();
    roots.extend(
        [
            "ski", "sky", "news", "gener", "commun", "arsen", "succe", "proce", "exce", "inn",
            "earr", "herr",
        ]
        .map(String::from),
    );
    roots.extend(
        [
            "café", "naïve", "über", "größ", "ürgent", "ñand", "αβγ", "日本",
        ]
        .map(String::from),
    );
    let mut all = longer;
    all.extend(
        roots
            .iter()
            .flat_map(|r| SUFFIXES.iter().map(move |s| format!("{r}{s}"))),
    );
    all.extend(
        dense_roots
            .iter()
            .chain(short.iter().filter(|w| w.len() == 2))
            .flat_map(|r| SUFFIXES.iter().map(move |s| format!("{r}{s}"))),
    );
    all.extend(roots.iter().flat_map(|r| {
        SUFFIXES
            .iter()
            .flat_map(move |s| ENDINGS.iter().map(move |e| format!("{r}{s}{e}")))
    }));
    all.extend(
        REAL_TEXT
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase),
    );
    all.extend(
        [
            "dying", "lying", "tying", "skis", "skies", "idly", "gently", "ugly", "early", "only",
            "singly",
        ]
        .map(String::from),
    );
    all.extend(short);
    all
}

#[test]
fn porter2_only_rewrites_the_last_two_characters_of_a_stem_and_never_lengthens_a_word() {
    let stemmer = Stemmer::create(Algorithm::English);
    let exceptions: Vec<&str> = PREFIX_CHANGING_EXCEPTIONS.iter().map(|&(w, _)| w).collect();
    let mut checked = 0;
    for word in vocabulary() {
        let stem = stemmer.stem(&word);
        let len = stem.chars().count();
        assert!(len > 0, "{word} stems to nothing");
        assert!(len <= word.chars().count(), "{word} -> {stem} got longer");
        let agree = stem
            .chars()
            .zip(word.chars())
            .take_while(|(s, w)| s == w)
            .count();
        assert!(
            agree >= len.saturating_sub(2),
            "{word} -> {stem} rewrites more than its end"
        );
        let start_kept = agree >= len.min(2);
        assert!(
            start_kept || exceptions.contains(&word.as_str()),
            "{word} -> {stem} changes its start"
        );
        checked += 1;
    }
    assert!(checked > 300_000, "only {checked} words checked");
}

#[test]
fn the_prefix_changing_exceptions_stem_as_listed() {
    let stemmer = Stemmer::create(Algorithm::English);
    for (word, stem) in PREFIX_CHANGING_EXCEPTIONS {
        assert_eq!(stemmer.stem(word), stem);
    }
}

#[test]
fn porter2_leaves_words_of_up_to_two_characters_alone() {
    let stemmer = Stemmer::create(Algorithm::English);
    let letters = ('a'..='z').chain("éßü日".chars());
    let pairs: Vec<String> = letters
        .clone()
        .flat_map(|a| letters.clone().map(move |b| format!("{a}{b}")))
        .collect();
    for word in letters.map(String::from).chain(pairs) {
        assert_eq!(stemmer.stem(&word), word.as_str());
    }
}

#[test]
fn the_filter_admits_words_by_start_and_length() {
    let mut filter = PrefixFilter::new();
    for stem in ["refund", "receiv", "die", "x", "größ"] {
        filter.register(stem);
    }
    let admits = |word: &str| {
        let mut chars = word.chars();
        let (first, second) = (chars.next().unwrap(), chars.next());
        filter.admits(first, second, word.chars().count(), |start| {
            word.starts_with(start)
        })
    };
    assert!(admits("refunds") && admits("refundable") && admits("receives") && admits("receiving"));
    assert!(!admits("refun"), "shorter than the stem");
    assert!(!admits("regards") && !admits("record") && !admits("rabbit"));
    assert!(
        admits("dying") && !admits("dyed"),
        "only the exception stems to `die`"
    );
    assert!(admits("x") && admits("xed"));
    assert!(admits("größe") && !admits("grü") && !admits("gut") && !admits("g"));
}
