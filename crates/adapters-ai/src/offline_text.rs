//! The offline assistant's reading of a conversation without a model: an extractive summary
//! (the most informative sentences of the whole conversation, each message's quoted history
//! already cut away) and a lexicon-based sentiment that knows negation ("not happy", "never
//! arrived", "doesn't work") and intensifiers ("very", "extremely").

use std::collections::HashMap;

use frontdesk_domain::ports::Sentiment;

/// Sentences a summary holds at most, and about how many characters.
const SUMMARY_SENTENCES: usize = 3;
const SUMMARY_CHARS: usize = 300;

/// Words that carry no content (English, with the other languages' commonest).
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "but", "by", "can", "could", "did", "do", "does", "for", "from", "get",
    "got", "had", "has", "have", "he", "her", "here", "hi", "his", "how", "i", "if", "in", "is",
    "it", "its", "just", "me", "my", "of", "on", "or", "our", "please", "regards", "she", "so",
    "that", "the", "their", "them", "then", "there", "this", "to", "us", "was", "we", "were",
    "what", "when", "which", "will", "with", "would", "you", "your", "hello", "dear", "thanks",
    "thank", "best", "kind", "cheers", "der", "die", "das", "und", "ist", "ich", "le", "la", "les",
    "et", "est", "je", "el", "los", "y", "es",
];

/// Lines that open or close a mail and say nothing about the problem.
const COURTESY: &[&str] = &[
    "hello",
    "hi",
    "dear",
    "thanks",
    "thank you",
    "many thanks",
    "best",
    "regards",
    "kind regards",
    "best regards",
    "cheers",
    "sincerely",
    "sent from my",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `text` cut into sentences (at `.`, `!`, `?` followed by a space, and at line ends).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut current = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()) {
                let s = current.trim().to_owned();
                if !s.is_empty() {
                    out.push(s);
                }
                current.clear();
            }
        }
        let s = current.trim().to_owned();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

fn is_courtesy(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
    words(sentence).len() <= 4
        && COURTESY
            .iter()
            .any(|c| bare == *c || bare.starts_with(&format!("{c} ")))
}

/// The most informative sentences of `messages` (oldest first), in their order: each
/// sentence is scored by how often its content words occur in the whole conversation (so
/// what the customer keeps coming back to counts), words of the subject and numbers (order
/// ids, dates) weigh more, greetings and sign-offs none; at most three sentences and about
/// 300 characters. The subject when nothing is left.
#[must_use]
pub fn summary(subject: &str, messages: &[&str]) -> String {
    let all: Vec<(usize, String)> = messages
        .iter()
        .flat_map(|m| sentences(m))
        .enumerate()
        // Greetings, sign-offs and fragments (a name under the mail) say nothing.
        .filter(|(_, s)| {
            !is_courtesy(s)
                && (words(s).len() >= 3 || s.chars().filter(char::is_ascii_digit).count() >= 3)
        })
        .collect();
    if all.is_empty() {
        return subject.trim().to_owned();
    }
    let content = |w: &String| !STOPWORDS.contains(&w.as_str()) && w.chars().count() > 1;
    let mut frequency: HashMap<String, f64> = HashMap::new();
    for (_, s) in &all {
        for w in words(s).into_iter().filter(content) {
            *frequency.entry(w).or_default() += 1.0;
        }
    }
    let subject_words: Vec<String> = words(subject).into_iter().filter(content).collect();
    let mut scored: Vec<(f64, usize, &String)> = all
        .iter()
        .map(|(i, s)| {
            let ws: Vec<String> = words(s).into_iter().filter(content).collect();
            let mut score: f64 = ws
                .iter()
                .map(|w| {
                    let mut weight = frequency.get(w).copied().unwrap_or(0.0);
                    if subject_words.contains(w) {
                        weight += 2.0;
                    }
                    if w.chars().filter(char::is_ascii_digit).count() >= 3 {
                        weight += 2.0;
                    }
                    weight
                })
                .sum();
            // Long sentences do not win by length alone.
            #[allow(clippy::cast_precision_loss)]
            let length = (ws.len().max(1) as f64).sqrt();
            score /= length;
            (score, *i, s)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<(usize, &String)> = Vec::new();
    let mut chars = 0;
    for (_, i, s) in scored {
        let n = s.chars().count();
        if !chosen.is_empty() && chars + n > SUMMARY_CHARS {
            continue;
        }
        chosen.push((i, s));
        chars += n;
        if chosen.len() == SUMMARY_SENTENCES {
            break;
        }
    }
    chosen.sort_by_key(|(i, _)| *i);
    let text = chosen
        .iter()
        .map(|(_, s)| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > SUMMARY_CHARS + 1 {
        let mut cut: String = text.chars().take(SUMMARY_CHARS).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

/// Words with their weight: negative below zero. Support mail's own vocabulary too ("broken",
/// "refund"), and mild positives of things going right ("works", "arrived") that negation turns
/// into complaints.
const LEXICON: &[(&str, f64)] = &[
    ("angry", -2.0),
    ("annoyed", -1.5),
    ("annoying", -1.5),
    ("awful", -2.0),
    ("bad", -1.0),
    ("broken", -1.5),
    ("cancel", -0.5),
    ("complaint", -1.5),
    ("cracked", -1.5),
    ("crushed", -1.5),
    ("declined", -1.0),
    ("failed", -1.0),
    ("failing", -1.0),
    ("locked", -1.0),
    ("stopped", -1.0),
    ("damaged", -1.5),
    ("defective", -1.5),
    ("disappointed", -2.0),
    ("disappointing", -2.0),
    ("disgusting", -2.5),
    ("faulty", -1.5),
    ("frustrated", -2.0),
    ("frustrating", -2.0),
    ("furious", -2.5),
    ("hate", -2.0),
    ("horrible", -2.5),
    ("joke", -1.0),
    ("late", -1.0),
    ("lost", -1.0),
    ("missing", -1.0),
    ("poor", -1.5),
    ("problem", -0.5),
    ("ridiculous", -2.0),
    ("scam", -2.5),
    ("shame", -1.5),
    ("terrible", -2.5),
    ("unacceptable", -2.5),
    ("unhappy", -2.0),
    ("upset", -2.0),
    ("useless", -2.0),
    ("waiting", -0.5),
    ("worse", -1.5),
    ("worst", -2.5),
    ("wrong", -1.0),
    ("amazing", 2.0),
    ("appreciate", 1.5),
    ("appreciated", 1.5),
    ("arrived", 0.5),
    ("awesome", 2.0),
    ("excellent", 2.0),
    ("fantastic", 2.0),
    ("fixed", 1.0),
    ("glad", 1.5),
    ("good", 1.0),
    ("great", 1.5),
    ("happy", 1.5),
    ("helpful", 1.5),
    ("love", 2.0),
    ("nice", 1.0),
    ("perfect", 2.0),
    ("pleased", 1.5),
    ("quick", 1.0),
    ("resolved", 1.0),
    ("satisfied", 1.5),
    ("solved", 1.0),
    ("thank", 1.0),
    ("thanks", 1.0),
    ("wonderful", 2.0),
    ("work", 0.5),
    ("working", 0.5),
    ("works", 0.5),
    ("worked", 0.5),
];

/// Words that turn the next few words' sentiment around.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "neither", "nor", "without", "hardly", "cannot",
    "can't", "cant", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "isn't", "isnt",
    "wasn't", "wasnt", "won't", "wont", "haven't", "havent", "hasn't", "hasnt",
];

/// Words that make the next one count more.
const INTENSIFIERS: &[(&str, f64)] = &[
    ("very", 1.5),
    ("really", 1.5),
    ("extremely", 2.0),
    ("so", 1.3),
    ("totally", 1.5),
    ("completely", 1.5),
    ("absolutely", 1.5),
];

/// How many words after a negation it reaches.
const NEGATION_REACH: usize = 3;

/// The sentiment of `text` by a lexicon: each word's weight, turned around within three words
/// after a negation ("not happy", "never arrived", "doesn't work", "still not working"),
/// raised after an intensifier; shouting (a word in capitals, "!!") makes a negative text more
/// so. Negative from −0.75 down, positive above +1 (a lone "thanks" in a complaint does not make it
/// positive); a plain report of something gone wrong ("it doesn't work") is already negative.
#[must_use]
pub fn sentiment(text: &str) -> Sentiment {
    let mut score = 0.0;
    let mut negated_for = 0usize;
    let mut boost = 1.0;
    for raw in text.split_whitespace() {
        let shouted = raw.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && raw.chars().all(|c| !c.is_lowercase());
        for w in words(raw) {
            if NEGATIONS.contains(&w.as_str()) {
                negated_for = NEGATION_REACH;
                continue;
            }
            if let Some((_, b)) = INTENSIFIERS.iter().find(|(i, _)| *i == w) {
                boost = *b;
                continue;
            }
            if let Some((_, weight)) = LEXICON.iter().find(|(l, _)| *l == w) {
                let mut v = weight * boost;
                if negated_for > 0 {
                    // "not bad" is mildly good; "not happy" is plainly bad.
                    v = if v < 0.0 { -v * 0.5 } else { -v * 1.5 };
                    negated_for = 0;
                }
                if shouted && v < 0.0 {
                    v *= 1.5;
                }
                score += v;
            }
            boost = 1.0;
            negated_for = negated_for.saturating_sub(1);
        }
        if raw.ends_with("!!") || raw.ends_with("?!") {
            score -= 0.5;
        }
    }
    if score <= -0.75 {
        Sentiment::Negative
    } else if score > 1.0 {
        Sentiment::Positive
    } else {
        Sentiment::Neutral
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_turns_sentiment_around() {
        for (text, expected) in [
            ("I am not happy with this at all.", Sentiment::Negative),
            ("The charger doesn't work.", Sentiment::Negative),
            ("The parcel arrived on time.", Sentiment::Neutral),
            (
                "The charger still doesn't work and I am frustrated.",
                Sentiment::Negative,
            ),
            (
                "My parcel never arrived. This is unacceptable!",
                Sentiment::Negative,
            ),
            (
                "Not bad at all, thanks a lot, great help!",
                Sentiment::Positive,
            ),
            (
                "Great, it works now. Thank you so much!",
                Sentiment::Positive,
            ),
            ("Where is my order 1234?", Sentiment::Neutral),
            (
                "Thanks, but the item is broken and the box was damaged.",
                Sentiment::Negative,
            ),
            ("This is TERRIBLE service", Sentiment::Negative),
            (
                "I was not disappointed, very helpful people.",
                Sentiment::Positive,
            ),
        ] {
            assert_eq!(sentiment(text), expected, "{text}");
        }
    }

    #[test]
    fn the_summary_keeps_what_the_conversation_is_about() {
        let first = "Hello,\n\nI ordered a blue kettle last week, order 48213. \
                     The weather is nice today. The kettle arrived with a cracked lid.\n\n\
                     Kind regards,\nJane";
        let second = "Hi again. Any news about the cracked kettle lid? I would like a \
                      replacement kettle.\n\nThanks";
        let s = summary("Cracked kettle lid", &[first, second]);
        assert!(s.contains("order 48213"), "{s}");
        assert!(s.contains("cracked lid"), "{s}");
        assert!(!s.contains("weather"), "{s}");
        assert!(!s.starts_with("Hello"), "{s}");
        assert!(s.chars().count() <= 301, "{s}");
        // In the conversation's order.
        assert!(s.find("48213") < s.find("cracked lid"), "{s}");
        assert_eq!(summary("Subject only", &["  ", "Thanks!"]), "Subject only");
    }

    #[test]
    fn sentences_split_at_stops_and_lines() {
        assert_eq!(
            sentences("One. Two! Three?\nFour v1.2 is out"),
            ["One.", "Two!", "Three?", "Four v1.2 is out"]
        );
    }
}
