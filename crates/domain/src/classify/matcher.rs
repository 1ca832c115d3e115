//! Keyword tables compiled for matching, and the scan that counts their hits in a text.
//!
//! Matching compares Snowball (Porter2) English stems, so "ordered" meets "order" while
//! "border" does not. Each keyword becomes a phrase of stem ids; a text is scanned word by word,
//! remembering the stems of the last few words so that multi-word phrases can be recognised
//! when their last word arrives.

use std::borrow::Cow;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use super::config::{ClassifierConfig, ClassifierConfigError, Target};
use super::prefix::PrefixFilter;
use super::words::{Word, lower_into, words};
use crate::ticket::{Category, Priority};

/// Categories in tie-break order; bit `i` of [`Phrase::categories`] stands for entry `i`.
const CATEGORIES: [Category; 4] = [
    Category::Order,
    Category::Product,
    Category::Billing,
    Category::Technical,
];

/// Index of a keyword stem in [`Matcher::stems`].
type StemId = usize;
/// Marks a word that is not any keyword stem; it breaks multi-word phrases.
const NO_STEM: StemId = StemId::MAX;

/// Porter2 stem of an already lower-cased word.
pub(super) fn stem_lowered<'a>(stemmer: &Stemmer, lowered: &'a str) -> Cow<'a, str> {
    // Porter2 leaves words of one or two characters alone; skipping the call saves its setup.
    if lowered.len() <= 2 {
        Cow::Borrowed(lowered)
    } else {
        stemmer.stem(lowered)
    }
}

/// One keyword after stemming, merged across tables when two tables list the same words.
#[derive(Debug, Clone)]
struct Phrase {
    stems: Box<[StemId]>,
    priority: Option<Priority>,
    categories: u8,
}

/// The compiled keyword tables of a classifier.
#[derive(Debug, Clone)]
pub(super) struct Matcher {
    /// Every distinct keyword stem, sorted; a stem's position is its [`StemId`].
    stems: Box<[Box<str>]>,
    filter: PrefixFilter,
    phrases: Box<[Phrase]>,
    /// For each [`StemId`], the phrases whose last word has that stem.
    ending_with: Box<[Vec<usize>]>,
    /// Words in the longest phrase: how much history multi-word matching needs.
    longest: usize,
}

impl Matcher {
    /// A matcher without keywords: every ticket is medium and other.
    pub(super) fn empty() -> Self {
        Self {
            stems: Box::default(),
            filter: PrefixFilter::new(),
            phrases: Box::default(),
            ending_with: Box::default(),
            longest: 0,
        }
    }

    /// Validates and stems every keyword of `config`.
    pub(super) fn new(config: &ClassifierConfig) -> Result<Self, ClassifierConfigError> {
        let keywords = stemmed_keywords(config)?;
        let mut vocabulary: Vec<&str> = keywords
            .iter()
            .flat_map(|(_, stems)| stems.iter().map(String::as_str))
            .collect();
        vocabulary.sort_unstable();
        vocabulary.dedup();
        let mut filter = PrefixFilter::new();
        for stem in &vocabulary {
            filter.register(stem);
        }
        let phrases = phrases(&keywords, &vocabulary);
        let mut ending_with = vec![Vec::new(); vocabulary.len()];
        for (at, phrase) in phrases.iter().enumerate() {
            if let Some(list) = phrase
                .stems
                .last()
                .and_then(|&last| ending_with.get_mut(last))
            {
                list.push(at);
            }
        }
        Ok(Self {
            stems: vocabulary.iter().map(|&s| Box::from(s)).collect(),
            filter,
            longest: phrases.iter().map(|p| p.stems.len()).max().unwrap_or(0),
            phrases: phrases.into_boxed_slice(),
            ending_with: ending_with.into_boxed_slice(),
        })
    }
}

/// Every keyword of `config` as its target and the stems of its words, validated.
fn stemmed_keywords(
    config: &ClassifierConfig,
) -> Result<Vec<(Target, Vec<String>)>, ClassifierConfigError> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut buf = String::new();
    let mut keywords: Vec<(Target, Vec<String>)> = Vec::new();
    for table in config.tables() {
        for (index, keyword) in table.keywords.iter().enumerate() {
            if keyword.trim().is_empty() {
                return Err(ClassifierConfigError::EmptyKeyword {
                    table: table.name,
                    index,
                });
            }
            let stems: Vec<String> = words(keyword)
                .map(|word| {
                    lower_into(word, &mut buf);
                    stem_lowered(&stemmer, &buf).into_owned()
                })
                .collect();
            if stems.is_empty() {
                return Err(ClassifierConfigError::NoWordCharacters {
                    table: table.name,
                    keyword: keyword.clone(),
                });
            }
            keywords.push((table.target, stems));
        }
    }
    Ok(keywords)
}

/// One phrase per distinct stem sequence, with the highest priority and every category its
/// keywords name.
fn phrases(keywords: &[(Target, Vec<String>)], vocabulary: &[&str]) -> Vec<Phrase> {
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut phrase_of: HashMap<Vec<StemId>, usize> = HashMap::new();
    for (target, stems) in keywords {
        let ids: Vec<StemId> = stems
            .iter()
            .map(|s| vocabulary.binary_search(&s.as_str()).unwrap_or(NO_STEM))
            .collect();
        let at = *phrase_of.entry(ids.clone()).or_insert_with(|| {
            phrases.push(Phrase {
                stems: ids.into_boxed_slice(),
                priority: None,
                categories: 0,
            });
            phrases.len() - 1
        });
        let Some(phrase) = phrases.get_mut(at) else {
            continue;
        };
        match *target {
            Target::Priority(p) => phrase.priority = phrase.priority.max(Some(p)),
            Target::Category(c) => {
                if let Some(bit) = CATEGORIES.iter().position(|&known| known == c) {
                    phrase.categories |= 1 << bit;
                }
            }
        }
    }
    phrases
}

/// What the keywords found so far say about a ticket.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    priority: Option<Priority>,
    hits: [u32; CATEGORIES.len()],
}

impl Tally {
    pub(super) fn priority(&self) -> Priority {
        self.priority.unwrap_or(Priority::Medium)
    }

    pub(super) fn category(&self) -> Category {
        let mut best = (0, Category::Other);
        for (&hits, &category) in self.hits.iter().zip(&CATEGORIES) {
            // Strictly greater, so an earlier category keeps a tie.
            if hits > best.0 {
                best = (hits, category);
            }
        }
        best.1
    }

    fn add(&mut self, phrase: &Phrase, weight: u32) {
        self.priority = self.priority.max(phrase.priority);
        for (bit, hits) in self.hits.iter_mut().enumerate() {
            if phrase.categories & (1 << bit) != 0 {
                *hits = hits.saturating_add(weight);
            }
        }
    }
}

/// Scratch state for scanning texts with one [`Matcher`], reused across the texts of a ticket.
pub(super) struct Scanner<'m> {
    matcher: &'m Matcher,
    stemmer: Stemmer,
    buf: String,
    /// Stems of the last `longest` words, oldest first.
    recent: Vec<StemId>,
}

impl<'m> Scanner<'m> {
    pub(super) fn new(matcher: &'m Matcher) -> Self {
        Self {
            matcher,
            stemmer: Stemmer::create(Algorithm::English),
            buf: String::new(),
            recent: vec![NO_STEM; matcher.longest],
        }
    }

    /// Adds every keyword occurrence in `text` to `tally`, `weight` times. With
    /// `stop_at_urgent` it returns as soon as the priority is settled, leaving the category
    /// counts incomplete.
    pub(super) fn scan(
        &mut self,
        text: &str,
        weight: u32,
        tally: &mut Tally,
        stop_at_urgent: bool,
    ) {
        let matcher = self.matcher;
        // Phrases never span two texts (a subject's last word and a body's first).
        self.recent.fill(NO_STEM);
        for word in words(text) {
            let id = self.stem_id(word);
            if matcher.longest > 1 {
                self.recent.copy_within(1.., 0);
            }
            if let Some(last) = self.recent.last_mut() {
                *last = id;
            }
            let Some(candidates) = matcher.ending_with.get(id) else {
                continue;
            };
            for phrase in candidates.iter().filter_map(|&at| matcher.phrases.get(at)) {
                if phrase.stems.len() == 1 || self.recent.ends_with(&phrase.stems) {
                    tally.add(phrase, weight);
                    if stop_at_urgent && tally.priority == Some(Priority::Urgent) {
                        return;
                    }
                }
            }
        }
    }

    fn stem_id(&mut self, word: Word<'_>) -> StemId {
        let filter = &self.matcher.filter;
        let admitted = if word.ascii {
            let bytes = word.raw.as_bytes();
            let lower = |b: &u8| char::from(b.to_ascii_lowercase());
            let Some(first) = bytes.first().map(lower) else {
                return NO_STEM;
            };
            let starts_with = |start: &str| {
                let start = start.as_bytes();
                bytes
                    .get(..start.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(start))
            };
            filter.admits(first, bytes.get(1).map(lower), bytes.len(), starts_with)
        } else {
            lower_into(word, &mut self.buf);
            let mut chars = self.buf.chars();
            let Some(first) = chars.next() else {
                return NO_STEM;
            };
            let buf = &self.buf;
            filter.admits(first, chars.next(), buf.chars().count(), |start| {
                buf.starts_with(start)
            })
        };
        if !admitted {
            return NO_STEM;
        }
        if word.ascii {
            lower_into(word, &mut self.buf);
        }
        let stem = stem_lowered(&self.stemmer, &self.buf);
        self.matcher
            .stems
            .binary_search_by(|known| (**known).cmp(&stem))
            .unwrap_or(NO_STEM)
    }
}
