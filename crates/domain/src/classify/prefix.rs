//! A cheap test in front of the stemmer: could this word stem to any keyword stem at all?
//!
//! Running the Snowball stemmer on every word of a mail would cost most of the time, so a word
//! is only stemmed when it starts like some keyword stem and is at least as long as it. Porter2
//! only ever rewrites the end of a word, which gives two guarantees (checked by `tests/prefix.rs`
//! over a large vocabulary):
//!
//! - a stem never has more characters than its word;
//! - a stem of `n` characters agrees with its word on the first `max(2, n - 2)` of them (or on
//!   all of them when `n < 2`), except for the whole-word exceptions in
//!   [`PREFIX_CHANGING_EXCEPTIONS`]. Suffix rules such as "biliti" → "ble" rewrite at most the
//!   stem's last two characters.
//!
//! So a word that does not start with that much of any keyword stem cannot stem to one, and
//! skipping it changes no result (`tests/reference.rs` compares against stemming every word).
//! Words are bucketed by their first two characters; the usual word falls in an empty bucket
//! and costs one table lookup.

/// Words that Porter2 maps, as whole-word exceptions, to a stem starting differently.
pub(super) const PREFIX_CHANGING_EXCEPTIONS: [(&str, &str); 3] =
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
