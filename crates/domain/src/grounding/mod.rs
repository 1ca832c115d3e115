//! Grounded drafts: what the assistant may answer from, and how its answer is held to it.
//!
//! For each ticket the best passages of the knowledge base (articles split into sections) and
//! the replies of similar resolved tickets are numbered and given to the assistant
//! ([`retrieve`]); its draft cites them as `[1]`, `[2]`. [`ground`] maps those markers back to
//! the sources given, removes any marker that points at nothing (a defect, counted), and finds
//! the promises the draft makes — a refund, a replacement, a call back, a date — that no cited
//! source (or the order's own record) backs. Auto mode sends only a draft that cites a source
//! and promises nothing unbacked ([`crate::ai::AutoSendPolicy`]).
//!
//! Only published public articles are sources: a draft is written to a customer, and an internal
//! article's text or link must not reach one. A resolved ticket's reply is a source with its
//! addresses and long numbers masked ([`redact`]), so another customer's details never travel.

mod promises;
mod sections;

pub use promises::{Promise, asks_for_human, sensitive_topic, unsupported_promises};
pub use sections::{Anchors, MIN_COSINE, Section, SectionIndex, anchor, cosine, sections};

use uuid::Uuid;

use crate::ticket::TicketId;

/// Where a source comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A section of a published public knowledge-base article.
    Kb,
    /// The reply that resolved a similar ticket.
    Ticket,
}

impl SourceKind {
    /// The wire name: `kb` or `ticket`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kb => "kb",
            Self::Ticket => "ticket",
        }
    }

    /// Parses a name as written by [`SourceKind::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Kb, Self::Ticket]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A passage given to the assistant to answer from. Sources are numbered from 1 in the order
/// they are given.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub kind: SourceKind,
    /// The article's id, or the resolved ticket's.
    pub id: Uuid,
    /// The article's title with the section's heading, or the resolved ticket's subject.
    pub title: String,
    /// Where a reader finds it: `/help/{slug}#s-{anchor}` for an article section (public),
    /// `/tickets/{number}` for a ticket (staff only).
    pub url: String,
    /// The passage's plain text, as the assistant reads it.
    pub text: String,
    /// How well it matched the ticket (higher is better; only comparable within one retrieval).
    pub score: f64,
}

/// A source a draft cites, by its number in the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub n: u32,
    pub kind: SourceKind,
    pub id: Uuid,
    pub title: String,
    pub url: String,
}

/// The reply of a resolved ticket that resembles the one being answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedReply {
    pub ticket_id: TicketId,
    /// `TKT-n`.
    pub number: String,
    pub subject: String,
    /// The agent's last public reply on it.
    pub reply: String,
    /// The search's rank (higher is better).
    pub score: f64,
}

/// How much of the knowledge the assistant is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrievalLimits {
    /// At most this many article sections.
    pub sections: usize,
    /// At most this many resolved tickets' replies.
    pub tickets: usize,
    /// Each passage is cut to this many characters.
    pub passage_chars: usize,
    /// All passages together are at most this many characters.
    pub total_chars: usize,
}

impl Default for RetrievalLimits {
    fn default() -> Self {
        Self {
            sections: 3,
            tickets: 2,
            passage_chars: 1_200,
            total_chars: 4_000,
        }
    }
}

/// The numbered sources for a ticket whose text (subject and customer messages) is `text`: the
/// best article sections that share enough of its rare words, then the similar resolved
/// tickets' replies (masked), each cut to the limits; best first.
#[must_use]
pub fn retrieve(
    index: &SectionIndex,
    resolved: &[ResolvedReply],
    text: &str,
    limits: RetrievalLimits,
) -> Vec<Source> {
    retrieve_with(index, resolved, text, None, limits)
}

/// As [`retrieve`], with the ticket's embedding `query` when an embedding model is configured
/// ([`SectionIndex::best_with`]).
#[must_use]
pub fn retrieve_with(
    index: &SectionIndex,
    resolved: &[ResolvedReply],
    text: &str,
    query: Option<&[f32]>,
    limits: RetrievalLimits,
) -> Vec<Source> {
    let mut out: Vec<Source> = index
        .best_with(text, query, limits.sections)
        .into_iter()
        .map(|(section, score)| Source {
            kind: SourceKind::Kb,
            id: section.article_id,
            title: section.title.clone(),
            url: section.url(),
            text: section.text.clone(),
            score,
        })
        .collect();
    out.extend(
        resolved
            .iter()
            .filter(|r| !r.reply.trim().is_empty())
            .take(limits.tickets)
            .map(|r| Source {
                kind: SourceKind::Ticket,
                id: r.ticket_id.as_uuid(),
                // Not its subject: another customer's words (an address, an order number).
                title: format!("Resolved ticket {}", r.number),
                url: format!("/tickets/{}", r.number),
                text: redact(&r.reply),
                score: r.score,
            }),
    );
    let mut left = limits.total_chars;
    out.retain_mut(|s| {
        let cut = clip(&s.text, limits.passage_chars.min(left));
        if cut.chars().count() < 80.min(s.text.chars().count()) {
            return false;
        }
        left = left.saturating_sub(cut.chars().count());
        s.text = cut;
        true
    });
    out
}

/// `text` cut at a word boundary to at most `chars` characters, with `…` when cut.
fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(chars.saturating_sub(1)).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

/// The words of a ticket worth searching resolved tickets for: distinct, not common, longest
/// first, at most `limit`.
#[must_use]
pub fn query_words(text: &str, limit: usize) -> Vec<String> {
    let mut words: Vec<String> = crate::kb::tokens(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 4 && !promises::is_common(w))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    words.truncate(limit);
    words
}

/// `text` with what identifies a person masked: e-mail addresses become `[address]`, numbers
/// of four or more digits — and phone-like runs of digits, spaces and dashes with seven or
/// more — `[number]`; the greeting (`Hi Maria,`) and a sign-off line standing alone (`Kind
/// regards,`) with what follows are dropped, and so are citation markers and footnotes of an
/// earlier grounded reply (`[1]`, `[1] Title: https://…`), which would otherwise pass for
/// citations of today's sources.
#[must_use]
pub fn redact(text: &str) -> String {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !is_footnote(l))
        .map(str::to_owned)
        .collect();
    if let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) {
        let line = lines[first].trim().to_owned();
        let lower = line.to_lowercase();
        let greeting = [
            "hi",
            "hello",
            "dear",
            "hey",
            "good morning",
            "good afternoon",
        ]
        .iter()
        .any(|g| {
            lower.starts_with(g)
                && lower[g.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        });
        if greeting {
            // The greeting and the name, up to the first comma (or the whole short line).
            lines[first] = match line.split_once(',') {
                Some((_, rest)) => rest.trim().to_owned(),
                None if line.chars().count() < 40 => String::new(),
                None => line,
            };
        }
    }
    if let Some(end) = lines.iter().position(|l| promises::is_sign_off(l)) {
        lines.truncate(end);
    }
    let joined = mask_phone_runs(&strip_markers(&lines.join("\n")));
    let mut out = String::new();
    for word in joined.split_inclusive(char::is_whitespace) {
        let core = word.trim_end();
        let tail = &word[core.len()..];
        let bare = core.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        let punct = &core[bare.len()..];
        if bare.contains('@') && bare.contains('.') {
            out.push_str("[address]");
            out.push_str(punct);
        } else if bare.chars().filter(char::is_ascii_digit).count() >= 4 {
            out.push_str("[number]");
            out.push_str(punct);
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
    }
    out.trim().to_owned()
}

/// Whether `line` is a footnote of a grounded reply: `[1] Title: https://…`.
fn is_footnote(line: &str) -> bool {
    let l = line.trim();
    l.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .is_some_and(|(n, rest)| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
                && (rest.contains("http://")
                    || rest.contains("https://")
                    || rest.contains("/help/"))
        })
}

/// `text` without citation markers (`[1]`, `[1, 2]`).
fn strip_markers(text: &str) -> String {
    map_markers(text, |_| Vec::new())
}

/// Runs of digits, spaces, dashes, dots, slashes and brackets holding seven or more digits
/// (phone numbers written in groups) as `[number]`.
fn mask_phone_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let part =
            |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '+');
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let mut j = i;
            while j < chars.len() && part(chars[j]) {
                j += 1;
            }
            // Trailing separators belong to the text after.
            let mut end = j;
            while end > i && !chars[end - 1].is_ascii_digit() {
                end -= 1;
            }
            let digits = chars[i..end].iter().filter(|c| c.is_ascii_digit()).count();
            if digits >= 7 {
                out.push_str("[number]");
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A draft held to its sources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grounded {
    /// The draft with markers to unknown sources removed.
    pub body: String,
    /// The sources it cites, by number, each once.
    pub citations: Vec<Citation>,
    /// How many markers pointed at a source that was not given (removed).
    pub defects: u32,
    /// Promises no cited source nor the order's record backs.
    pub unsupported: Vec<Promise>,
}

impl Grounded {
    /// Whether the draft cites at least one source.
    #[must_use]
    pub fn is_grounded(&self) -> bool {
        !self.citations.is_empty()
    }
}

/// Holds `body` to the sources `given` (numbered from 1) and to `order_facts` (the order's
/// status, fulfilment and tracking as text, when the ticket is about an order).
#[must_use]
pub fn ground(body: &str, given: &[Source], order_facts: Option<&str>) -> Grounded {
    let mut cited: Vec<u32> = Vec::new();
    let mut defects = 0;
    let out = map_markers(body, |numbers| {
        let (known, unknown): (Vec<u32>, Vec<u32>) = numbers
            .into_iter()
            .partition(|&n| n >= 1 && (n as usize) <= given.len());
        defects += u32::try_from(unknown.len()).unwrap_or(u32::MAX);
        for &n in &known {
            if !cited.contains(&n) {
                cited.push(n);
            }
        }
        known
    });
    cited.sort_unstable();
    let citations: Vec<Citation> = cited
        .iter()
        .map(|&n| {
            let s = &given[n as usize - 1];
            Citation {
                n,
                kind: s.kind,
                id: s.id,
                title: s.title.clone(),
                url: s.url.clone(),
            }
        })
        .collect();
    // What backs a promise: the help centre's cited sections (policy), never another
    // customer's reply (a one-off decision); and the order, for a date only when the shop
    // gives an estimated delivery.
    let backing: Vec<&str> = cited
        .iter()
        .map(|&n| &given[n as usize - 1])
        .filter(|s| s.kind == SourceKind::Kb)
        .map(|s| s.text.as_str())
        .collect();
    let order_date = order_facts.is_some_and(|f| f.contains("estimated delivery"));
    let mut unsupported = unsupported_promises(&out, &backing);
    if order_date {
        unsupported.retain(|p| *p != Promise::Date);
    }
    Grounded {
        unsupported,
        body: out,
        citations,
        defects,
    }
}

/// The draft as the customer reads it: markers of article sections become footnotes with the
/// article's address under `public_url`; markers of other tickets (staff only) are dropped.
#[must_use]
pub fn for_customer(body: &str, citations: &[Citation], public_url: &str) -> String {
    let public: Vec<&Citation> = citations
        .iter()
        .filter(|c| c.kind == SourceKind::Kb)
        .collect();
    let mut out = map_markers(body, |numbers| {
        numbers
            .into_iter()
            .filter(|n| public.iter().any(|c| c.n == *n))
            .collect()
    });
    if !public.is_empty() {
        let notes: Vec<String> = public
            .iter()
            .map(|c| format!("[{}] {}: {}{}", c.n, c.title, public_url, c.url))
            .collect();
        out = format!("{}\n\n{}", out.trim_end(), notes.join("\n"));
    }
    out
}

/// `text` with each citation marker (`[1]`, `[1, 2]`; the innermost of nested brackets)
/// replaced by the numbers `keep` keeps of it — the marker and the spaces before it removed
/// when it keeps none. Other bracketed text (`[Your Name]`) stays as it is.
fn map_markers(text: &str, mut keep: impl FnMut(Vec<u32>) -> Vec<u32>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = &after[..close];
        if let Some(nested) = inner.rfind('[') {
            // `[see [5]]`: the marker is the innermost bracket.
            out.push_str(&rest[..=open + nested]);
            rest = &after[nested..];
            continue;
        }
        let numbers: Option<Vec<u32>> = inner
            .split(',')
            .map(|n| n.trim().parse::<u32>().ok())
            .collect();
        out.push_str(&rest[..open]);
        match numbers.map(&mut keep) {
            Some(kept) if kept.is_empty() => out.truncate(out.trim_end_matches(' ').len()),
            Some(kept) => out.push_str(&marker(&kept)),
            None => out.push_str(&rest[open..=open + close + 1]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `[1, 2]`.
fn marker(numbers: &[u32]) -> String {
    let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
    format!("[{}]", list.join(", "))
}

#[cfg(test)]
mod tests;
