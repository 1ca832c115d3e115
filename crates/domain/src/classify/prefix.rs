//! A cheap test in front of the stemmer: could this word stem to any keyword stem at all?
//!
//! Running the Snowball stemmer on every word of a mail would cost most of the time, so a word
//! is only stemmed when it starts like some keyword stem and is at least as long as it. Porter2
//! only ever rewrites the end of a word, which gives two guarantees (checked by the tests below
//! over a large vocabulary):
//!
//! - a stem never has more characters than its word;
//! - a stem of `n` characters agrees with its word on the first `max(2, n - 2)` of them (or on
//!   all of them when `n < 2`), except for the whole-word exceptions in
//!   [`PREFIX_CHANGING_EXCEPTIONS`]. Suffix rules such as "biliti" → "ble" rewrite at most the
//!   stem's last two characters.
//!
//! So a word that does not start with that much of any keyword stem cannot stem to one, and
//! skipping it changes no result. Words are bucketed by their first two characters; the usual
//! word falls in an empty bucket and costs one table lookup.

/// Words that Porter2 maps, as whole-word exceptions, to a stem starting differently.
const PREFIX_CHANGING_EXCEPTIONS: [(&str, &str); 3] =
    [("dying", "die"), ("lying", "lie"), ("tying", "tie")];

/// Number of ASCII alphanumerics, the side of the two-character table.
const ALNUM: usize = 36;

/// How a word must start, and how long it must be, to possibly stem to a given keyword stem.
#[derive(Debug, Clone)]
struct Requirement {
    /// Lower-cased start the word must have.
    start: Box<str>,
    /// Fewest characters the word must have.
    min_len: usize,
}

/// Decides cheaply whether a lower-cased word could stem to one of the keyword stems.
#[derive(Debug, Clone)]
pub(super) struct PrefixFilter {
    /// Indexed by the slots of a word's first two characters when both are ASCII
    /// alphanumerics: 1 + the index of their bucket in `ascii_buckets`, or 0 for none. There are
    /// at most `ALNUM * ALNUM` buckets, so the index always fits.
    ascii_pairs: Box<[u16]>,
    ascii_buckets: Vec<Vec<Requirement>>,
    /// Buckets for words whose first two characters are not both ASCII alphanumerics.
    other_buckets: Vec<([char; 2], Vec<Requirement>)>,
    /// Keyword stems of a single character: any word starting with one must be stemmed.
    singles: Vec<char>,
}

fn ascii_slot(c: char) -> Option<usize> {
    match u8::try_from(c).ok()? {
        b @ b'0'..=b'9' => Some(usize::from(b - b'0')),
        b @ b'a'..=b'z' => Some(usize::from(b - b'a') + 10),
        _ => None,
    }
}

/// Adds `requirement` to `bucket` unless an equal or looser one is already there.
fn insert(bucket: &mut Vec<Requirement>, requirement: Requirement) {
    let covered = bucket
        .iter()
        .any(|r| requirement.start.starts_with(&*r.start) && r.min_len <= requirement.min_len);
    if !covered {
        bucket.push(requirement);
    }
}

impl PrefixFilter {
    pub(super) fn new() -> Self {
        Self {
            ascii_pairs: vec![0; ALNUM * ALNUM].into_boxed_slice(),
            ascii_buckets: Vec::new(),
            other_buckets: Vec::new(),
            singles: Vec::new(),
        }
    }

    /// Makes sure every word that could stem to `stem` gets stemmed.
    pub(super) fn register(&mut self, stem: &str) {
        let mut chars = stem.chars();
        let (Some(first), second) = (chars.next(), chars.next()) else {
            return;
        };
        let Some(second) = second else {
            self.singles.push(first);
            return;
        };
        let len = stem.chars().count();
        let kept = len.saturating_sub(2).max(2);
        let start = stem.chars().take(kept).collect::<String>().into_boxed_str();
        self.bucket(
            [first, second],
            Requirement {
                start,
                min_len: len,
            },
        );
        for (word, exception_stem) in PREFIX_CHANGING_EXCEPTIONS {
            let mut chars = word.chars();
            if let (true, Some(first), Some(second)) =
                (exception_stem == stem, chars.next(), chars.next())
            {
                let requirement = Requirement {
                    start: Box::from(word),
                    min_len: word.chars().count(),
                };
                self.bucket([first, second], requirement);
            }
        }
    }

    fn bucket(&mut self, pair: [char; 2], requirement: Requirement) {
        if let (Some(a), Some(b)) = (ascii_slot(pair[0]), ascii_slot(pair[1])) {
            let Some(slot) = self.ascii_pairs.get_mut(a * ALNUM + b) else {
                return;
            };
            if *slot == 0 {
                self.ascii_buckets.push(Vec::new());
                *slot = u16::try_from(self.ascii_buckets.len()).unwrap_or(u16::MAX);
            }
            if let Some(bucket) = self.ascii_buckets.get_mut(usize::from(*slot) - 1) {
                insert(bucket, requirement);
            }
        } else if let Some((_, bucket)) = self.other_buckets.iter_mut().find(|(p, _)| *p == pair) {
            insert(bucket, requirement);
        } else {
            self.other_buckets.push((pair, vec![requirement]));
        }
    }

    /// Whether a lower-cased word could stem to a keyword stem, given its first two characters,
    /// its length in characters and a test of how it starts.
    pub(super) fn admits(
        &self,
        first: char,
        second: Option<char>,
        len: usize,
        starts_with: impl Fn(&str) -> bool,
    ) -> bool {
        if !self.singles.is_empty() && self.singles.contains(&first) {
            return true;
        }
        let Some(second) = second else { return false };
        let bucket = match (ascii_slot(first), ascii_slot(second)) {
            (Some(a), Some(b)) => self
                .ascii_pairs
                .get(a * ALNUM + b)
                .and_then(|&slot| usize::from(slot).checked_sub(1))
                .and_then(|at| self.ascii_buckets.get(at)),
            _ => self
                .other_buckets
                .iter()
                .find(|(p, _)| *p == [first, second])
                .map(|(_, b)| b),
        };
        bucket.is_some_and(|b| b.iter().any(|r| len >= r.min_len && starts_with(&r.start)))
    }
}

#[cfg(test)]
mod tests {
    use rust_stemmers::{Algorithm, Stemmer};

    use super::*;
    use crate::classify::ClassifierConfig;

    /// Every suffix Porter2 looks at, plus a few combinations that chain its steps.
    const SUFFIXES: &[&str] = &[
        "", "s", "es", "ies", "ied", "ss", "us", "sses", "ed", "eed", "ing", "edly", "eedly",
        "ingly", "ly", "li", "y", "e", "ational", "tional", "enci", "anci", "abli", "entli",
        "izer", "ization", "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli",
        "ousness", "iveness", "iviti", "biliti", "bli", "ogi", "fulli", "lessli", "alize", "icate",
        "iciti", "ical", "ful", "ness", "ative", "al", "ance", "ence", "er", "ic", "able", "ible",
        "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion",
        "tion", "at", "bl", "iz", "ying", "yed", "yly", "ye", "ys", "ings", "ements", "ations",
        "ingness",
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
                "dying", "lying", "tying", "skis", "skies", "idly", "gently", "ugly", "early",
                "only", "singly",
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
        assert!(
            admits("refunds") && admits("refundable") && admits("receives") && admits("receiving")
        );
        assert!(!admits("refun"), "shorter than the stem");
        assert!(!admits("regards") && !admits("record") && !admits("rabbit"));
        assert!(
            admits("dying") && !admits("dyed"),
            "only the exception stems to `die`"
        );
        assert!(admits("x") && admits("xed"));
        assert!(admits("größe") && !admits("grü") && !admits("gut") && !admits("g"));
    }
}
