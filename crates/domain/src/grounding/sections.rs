//! Articles as sections: a passage short enough to quote and cite, under its own heading.

use uuid::Uuid;

use crate::kb::{Article, Document, Reader, SearchIndex, slugify, tokens};

/// Sections longer than this many characters are split at paragraphs.
const MAX_SECTION_CHARS: usize = 1_000;

/// A passage of an article: the text under one heading (or before the first), as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub article_id: Uuid,
    pub slug: String,
    /// The article's title, with ` — ` and the heading for a section under a heading.
    pub title: String,
    /// The heading's anchor on the article's page (see [`anchor`]); empty for the text before
    /// the first heading.
    pub anchor: String,
    pub text: String,
}

impl Section {
    /// What identifies the section's content (its title and text), for a stored embedding:
    /// the SHA-256 of both, hex.
    #[must_use]
    pub fn key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.title.as_bytes());
        h.update([0]);
        h.update(self.text.as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What an embedding model reads of the section.
    #[must_use]
    pub fn embedding_text(&self) -> String {
        format!("{}\n\n{}", self.title, self.text)
    }

    /// Where the section is read: `/help/{slug}`, with `#s-{anchor}` under a heading.
    #[must_use]
    pub fn url(&self) -> String {
        if self.anchor.is_empty() {
            format!("/help/{}", self.slug)
        } else {
            format!("/help/{}#s-{}", self.slug, self.anchor)
        }
    }
}

/// The anchor of a heading on an article's page, without the `s-` the page puts before it.
#[must_use]
pub fn anchor(heading: &str) -> String {
    slugify(heading)
}

/// The anchors of an article's headings in order, each unique: a heading whose text came before
/// gets `-2`, `-3`, … (the page and the citations name them alike).
#[derive(Debug, Default)]
pub struct Anchors {
    seen: std::collections::HashMap<String, u32>,
}

impl Anchors {
    /// The anchor of the next heading, `heading`.
    pub fn next(&mut self, heading: &str) -> String {
        let base = anchor(heading);
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    }
}

/// The sections of `article`: split at Markdown headings (outside code blocks), long ones again
/// at paragraphs, markup removed; empty ones dropped.
#[must_use]
pub fn sections(article: &Article) -> Vec<Section> {
    let mut raw: Vec<(Option<String>, String)> = vec![(None, String::new())];
    let mut fenced = false;
    for line in article.body_markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        if !fenced && (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
            let heading = plain(trimmed[level..].trim().trim_end_matches('#').trim());
            raw.push((Some(heading), String::new()));
        } else if let Some((_, text)) = raw.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut out = Vec::new();
    let mut anchors = Anchors::default();
    for (heading, text) in raw {
        let (title, anchor) = match &heading {
            Some(h) => (format!("{} — {h}", article.title), anchors.next(h)),
            None => (article.title.clone(), String::new()),
        };
        for chunk in chunks(&text) {
            out.push(Section {
                article_id: article.id,
                slug: article.slug.clone(),
                title: title.clone(),
                anchor: anchor.clone(),
                text: chunk,
            });
        }
    }
    out
}

/// `markdown`'s paragraphs as plain text, gathered into chunks of at most
/// [`MAX_SECTION_CHARS`] (a longer paragraph is a chunk of its own).
fn chunks(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for paragraph in markdown.split("\n\n") {
        let p = plain(paragraph.trim());
        if p.is_empty() {
            continue;
        }
        if !current.is_empty()
            && current.chars().count() + p.chars().count() + 2 > MAX_SECTION_CHARS
        {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&p);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Markdown as plain text: emphasis and code marks dropped, links and images as their text.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Inside a word (`snake_case`) an underscore is text, as Markdown reads it.
            '_' if out.chars().last().is_some_and(char::is_alphanumeric)
                && chars.peek().is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push(c);
            }
            '*' | '_' | '`' => {}
            '!' if chars.peek() == Some(&'[') => {}
            ']' if chars.peek() == Some(&'(') => {
                // Skip the link's target.
                for t in chars.by_ref() {
                    if t == ')' {
                        break;
                    }
                }
            }
            '[' => {}
            _ => out.push(c),
        }
    }
    out.lines()
        .map(|l| l.trim_start_matches(['>', ' ']).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// How much a section must match to be a source, in words found in one section only (measured
/// on the labelled set, docs/ai.md: it drops most passages that share a word or two with a
/// ticket no article answers, and none that answers).
pub const MIN_MATCH: f64 = 1.0;
/// [`MIN_MATCH`] applies from this many sections on.
pub const MIN_SECTIONS_FOR_FLOOR: usize = 10;

/// The sections of every published public article, searchable.
#[derive(Debug, Clone, Default)]
pub struct SectionIndex {
    sections: Vec<Section>,
    index: SearchIndex,
    /// Each section's embedding, when an embedding model is configured (same order).
    vectors: Vec<Option<Vec<f32>>>,
    /// The least cosine similarity of a candidate by meaning ([`MIN_COSINE`] by default).
    min_cosine: f32,
}

/// A section whose embedding is at least this similar (cosine) to the ticket's is a candidate
/// whatever words they share (the default of `ai.embeddings_min_similarity`).
pub const MIN_COSINE: f32 = 0.55;

impl SectionIndex {
    /// Indexes the sections of the articles the public may read.
    #[must_use]
    pub fn build<'a>(articles: impl IntoIterator<Item = &'a Article>) -> Self {
        let sections: Vec<Section> = articles
            .into_iter()
            .filter(|a| a.readable_by(Reader::Public))
            .flat_map(sections)
            .collect();
        let index =
            SearchIndex::build_documents(sections.iter().enumerate().map(|(i, s)| Document {
                id: Uuid::from_u128(i as u128),
                title: &s.title,
                body: &s.text,
                public: true,
            }));
        let vectors = vec![None; sections.len()];
        Self {
            sections,
            index,
            vectors,
            min_cosine: MIN_COSINE,
        }
    }

    /// Sets the least cosine similarity of a candidate by meaning (it depends on the model:
    /// dedicated embedding models spread unrelated texts further apart than chat models).
    #[must_use]
    pub fn with_min_cosine(mut self, min: f32) -> Self {
        self.min_cosine = min;
        self
    }

    /// The sections, in index order (to embed them).
    #[must_use]
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Sets the embeddings: `vectors[i]` is section `i`'s (extra or missing ones are ignored).
    #[must_use]
    pub fn with_vectors(mut self, vectors: Vec<Option<Vec<f32>>>) -> Self {
        for (slot, v) in self.vectors.iter_mut().zip(vectors) {
            *slot = v;
        }
        self
    }

    /// Whether every section has an embedding.
    #[must_use]
    pub fn is_embedded(&self) -> bool {
        !self.vectors.is_empty() && self.vectors.iter().all(Option::is_some)
    }

    /// How many sections are indexed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// Whether nothing is indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The sections that answer `text` best, with their scores: at most `limit`, at most one
    /// per article, none scoring under [`MIN_MATCH`], and only sections that share at least two
    /// telling words with `text`, or one that is in their title — one shared word in a body is
    /// a coincidence more often than an answer (measured on the labelled set, docs/ai.md).
    #[must_use]
    pub fn best(&self, text: &str, limit: usize) -> Vec<(&Section, f64)> {
        self.found(self.lexical(text, limit))
    }

    /// The sections at `hits` (indices), with their scores.
    fn found(&self, hits: Vec<(usize, f64)>) -> Vec<(&Section, f64)> {
        hits.into_iter()
            .filter_map(|(i, score)| self.sections.get(i).map(|s| (s, score)))
            .collect()
    }

    /// As [`SectionIndex::best`], and with the ticket's embedding `query` (when the sections
    /// have theirs) also the sections whose meaning is close whatever words they share
    /// (cosine at least [`MIN_COSINE`] or as set); the two rankings merged by reciprocal rank, one
    /// section per article. The score is the fused rank's (higher is better).
    #[must_use]
    pub fn best_with(
        &self,
        text: &str,
        query: Option<&[f32]>,
        limit: usize,
    ) -> Vec<(&Section, f64)> {
        let Some(query) = query.filter(|_| self.vectors.iter().any(Option::is_some)) else {
            return self.found(self.lexical(text, limit));
        };
        let lexical = self.lexical(text, limit * 2);
        let mut semantic: Vec<(usize, f32)> = self
            .vectors
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i, cosine(query, v))))
            .filter(|(_, c)| *c >= self.min_cosine)
            .collect();
        semantic.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Reciprocal rank fusion (k = 60): a section both rankings like comes first.
        let mut fused: Vec<(usize, f64)> = Vec::new();
        let mut add = |i: usize, rank: usize| {
            let score = 1.0 / (60.0 + rank as f64 + 1.0);
            match fused.iter_mut().find(|(j, _)| *j == i) {
                Some((_, s)) => *s += score,
                None => fused.push((i, score)),
            }
        };
        for (rank, (i, _)) in lexical.iter().enumerate() {
            add(*i, rank);
        }
        for (rank, (i, _)) in semantic.iter().enumerate() {
            add(*i, rank);
        }
        fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out: Vec<(&Section, f64)> = Vec::new();
        for (i, score) in fused {
            let section = &self.sections[i];
            if out.iter().all(|(s, _)| s.article_id != section.article_id) {
                out.push((section, score));
            }
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// The indices of the sections the words of `text` find, best first (see
    /// [`SectionIndex::best`]).
    fn lexical(&self, text: &str, limit: usize) -> Vec<(usize, f64)> {
        let asked: Vec<String> = telling(text);
        // A word found in one section of n scores at most about ln(1 + n): a match must be worth
        // about one such word. Under ten sections rarity says little (every word is in "few"
        // sections): there the shared words alone decide.
        #[allow(clippy::cast_precision_loss)]
        let floor = if self.sections.len() >= MIN_SECTIONS_FOR_FLOOR {
            MIN_MATCH * (1.0 + self.sections.len() as f64).ln()
        } else {
            0.0
        };
        let mut out: Vec<(usize, f64)> = Vec::new();
        for hit in self.index.related(text, Reader::Public, false, limit * 4) {
            if out.len() == limit || hit.score < floor {
                break;
            }
            let Some(i) = usize::try_from(hit.id.as_u128())
                .ok()
                .filter(|i| *i < self.sections.len())
            else {
                continue;
            };
            let article = self.sections[i].article_id;
            if out
                .iter()
                .any(|(j, _)| self.sections[*j].article_id == article)
            {
                continue;
            }
            let title = telling(&self.sections[i].title);
            let body = telling(&self.sections[i].text);
            let shared = asked
                .iter()
                .filter(|w| title.binary_search(w).is_ok() || body.binary_search(w).is_ok())
                .count();
            if shared >= 2 || asked.iter().any(|w| title.binary_search(w).is_ok()) {
                out.push((i, hit.score));
            }
        }
        out
    }
}

/// The words of `text` that say what it is about: at least three letters, not common.
fn telling(text: &str) -> Vec<String> {
    let mut words: Vec<String> = tokens(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 3 && !super::promises::is_common(w))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The cosine similarity of `a` and `b` (0 when either is empty, zero or their lengths differ).
#[must_use]
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        dot += f64::from(*x) * f64::from(*y);
        na += f64::from(*x) * f64::from(*x);
        nb += f64::from(*y) * f64::from(*y);
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    #[allow(clippy::cast_possible_truncation)]
    let c = (dot / (na.sqrt() * nb.sqrt())) as f32;
    c
}
