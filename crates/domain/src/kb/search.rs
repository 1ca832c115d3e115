//! Full-text search over the knowledge base, in memory: a help centre holds thousands of
//! articles, not millions, so an inverted index of every article's words answers in
//! microseconds and is rebuilt whole when an article changes. Words are lower-cased, accents
//! folded, a plural `s` dropped; a title word counts three times a body word; the last word of a query also matches
//! as a prefix (results while typing); every word must match somewhere.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Article, Reader, fold};

/// The words of `text`: letters and digits, lower-cased, accents folded, at least two long, a
/// plural `s` dropped.
#[must_use]
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold(c);
        if c.is_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.retain(|w| w.chars().count() >= 2);
    for w in &mut out {
        // A light plural fold: "refunds" finds "refund" and the other way round.
        if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
            w.pop();
        }
    }
    out
}

/// What is indexed: an article, or a part of one.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub body: &'a str,
    /// Readable by the public.
    pub public: bool,
}

/// One article found, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: Uuid,
    pub score: f64,
}

#[derive(Debug, Clone)]
struct Entry {
    id: Uuid,
    /// Readable by the public.
    public: bool,
    /// The article's weighted word count.
    len: f64,
}

/// An index of every article's words.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// word → (entry, weighted count)
    postings: HashMap<String, Vec<(usize, f64)>>,
    /// Every word, sorted, for prefix matches.
    words: Vec<String>,
}

const TITLE_WEIGHT: f64 = 3.0;

impl SearchIndex {
    /// Indexes `articles` (their Markdown as text; markup characters are not words).
    #[must_use]
    pub fn build<'a>(articles: impl IntoIterator<Item = &'a Article>) -> Self {
        Self::build_documents(articles.into_iter().map(|a| Document {
            id: a.id,
            title: &a.title,
            body: &a.body_markdown,
            public: a.readable_by(Reader::Public),
        }))
    }

    /// Indexes `documents`: anything with a title and a body (an article, a section of one).
    #[must_use]
    pub fn build_documents<'a>(documents: impl IntoIterator<Item = Document<'a>>) -> Self {
        let mut index = Self::default();
        for d in documents {
            let n = index.entries.len();
            let mut counts: HashMap<String, f64> = HashMap::new();
            for w in tokens(d.title) {
                *counts.entry(w).or_default() += TITLE_WEIGHT;
            }
            for w in tokens(d.body) {
                *counts.entry(w).or_default() += 1.0;
            }
            let len = counts.values().sum::<f64>().max(1.0);
            for (w, c) in counts {
                index.postings.entry(w).or_default().push((n, c));
            }
            index.entries.push(Entry {
                id: d.id,
                public: d.public,
                len,
            });
        }
        index.words = index.postings.keys().cloned().collect();
        index.words.sort_unstable();
        index
    }

    /// How many articles are indexed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The articles `reader` may read that hold every word of `query` (the last one also as a
    /// prefix), best first, at most `limit`.
    #[must_use]
    pub fn search(&self, query: &str, reader: Reader, limit: usize) -> Vec<SearchHit> {
        let words = tokens(query);
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for (i, word) in words.iter().enumerate() {
            let here = if i + 1 == words.len() {
                let from = self.words.partition_point(|w| w.as_str() < word.as_str());
                let mut found = HashMap::new();
                for w in self.words[from..]
                    .iter()
                    .take_while(|w| w.starts_with(word.as_str()))
                {
                    self.score_into(w, &mut found);
                }
                found
            } else {
                let mut found = HashMap::new();
                self.score_into(word, &mut found);
                found
            };
            scores = if i == 0 {
                here
            } else {
                scores
                    .into_iter()
                    .filter_map(|(n, s)| here.get(&n).map(|h| (n, s + h)))
                    .collect()
            };
            if scores.is_empty() {
                return Vec::new();
            }
        }
        let mut hits: Vec<SearchHit> = scores
            .into_iter()
            .filter(|(n, _)| self.visible(*n, reader))
            .map(|(n, score)| SearchHit {
                id: self.entries[n].id,
                score,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(limit);
        hits
    }

    /// The articles `reader` may read that share words with `text` (a ticket's subject and
    /// message, a request being typed): any word counts, rare words most, and the last word also
    /// as a prefix when `typing`; best first, at most `limit`. Words in more than half of the
    /// articles say nothing about a match and are skipped.
    #[must_use]
    pub fn related(
        &self,
        text: &str,
        reader: Reader,
        typing: bool,
        limit: usize,
    ) -> Vec<SearchHit> {
        let words = tokens(text);
        let common = self.entries.len() / 2;
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for (i, word) in words.iter().enumerate() {
            let candidates: Vec<&String> = if typing && i + 1 == words.len() {
                let from = self.words.partition_point(|w| w.as_str() < word.as_str());
                self.words[from..]
                    .iter()
                    .take_while(|w| w.starts_with(word.as_str()))
                    .collect()
            } else {
                self.postings
                    .get_key_value(word)
                    .map(|(k, _)| k)
                    .into_iter()
                    .collect()
            };
            for w in candidates {
                if self
                    .postings
                    .get(w)
                    .is_some_and(|p| self.entries.len() > 3 && p.len() > common)
                {
                    continue;
                }
                self.score_into(w, &mut scores);
            }
        }
        let mut hits: Vec<SearchHit> = scores
            .into_iter()
            .filter(|(n, _)| self.visible(*n, reader))
            .map(|(n, score)| SearchHit {
                id: self.entries[n].id,
                score,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(limit);
        hits
    }

    /// Adds each article's score for `word` (BM25-like: weighted count, length, rarity).
    fn score_into(&self, word: &str, scores: &mut HashMap<usize, f64>) {
        let Some(postings) = self.postings.get(word) else {
            return;
        };
        let total = self.entries.len() as f64;
        let idf = (1.0 + total / postings.len() as f64).ln();
        for &(n, count) in postings {
            let len = self.entries[n].len;
            let tf = count / (count + 1.2 * (0.25 + 0.75 * len / 50.0));
            *scores.entry(n).or_default() += tf * idf;
        }
    }

    fn visible(&self, n: usize, reader: Reader) -> bool {
        reader == Reader::Staff || self.entries[n].public
    }
}
