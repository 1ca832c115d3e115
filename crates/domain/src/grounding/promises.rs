//! What a draft promises, and what a customer's words say about who should answer.
//!
//! Word lists, not a model: they are predictable, cheap, and err on the side of holding a reply
//! for a person. A promise is a sentence that commits us (`we will`, `I have issued`, `you'll
//! receive`) to a refund, a replacement, a call back or a date; it is backed when a cited source
//! or the order's record speaks of the same thing.

/// Something a draft commits us to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Promise {
    Refund,
    Replacement,
    Callback,
    /// A delivery or answer by a given time (`tomorrow`, `within 3 days`, `by Friday`).
    Date,
    /// A discount, voucher or compensation.
    Compensation,
}

impl Promise {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refund => "refund",
            Self::Replacement => "replacement",
            Self::Callback => "callback",
            Self::Date => "date",
            Self::Compensation => "compensation",
        }
    }

    /// Parses a name as written by [`Promise::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Words (lower-case stems) whose presence names this kind of promise.
    fn terms(self) -> &'static [&'static str] {
        match self {
            Self::Refund => &["refund", "reimburse", "money back", "credit back"],
            Self::Replacement => &[
                "replacement",
                "replace",
                "send you a new",
                "send a new",
                "exchange",
                "reship",
                "resend",
            ],
            Self::Callback => &[
                "call you",
                "call back",
                "callback",
                "phone you",
                "ring you",
                "give you a call",
            ],
            Self::Date => &[],
            Self::Compensation => &[
                "discount",
                "voucher",
                "coupon",
                "compensation",
                "compensate",
                "free of charge",
                "gift card",
                "store credit",
            ],
        }
    }
}

const ALL: [Promise; 5] = [
    Promise::Refund,
    Promise::Replacement,
    Promise::Callback,
    Promise::Date,
    Promise::Compensation,
];

/// Words that commit the writer.
const COMMITMENTS: [&str; 34] = [
    "we will",
    "it will",
    "it'll",
    "they will",
    "they'll",
    "i will",
    "i'll",
    "we'll",
    "we shall",
    "you will",
    "you'll",
    "we are going to",
    "i am going to",
    "i'm going to",
    "we're going to",
    "guarantee",
    "promise",
    "have issued",
    "have processed",
    "have arranged",
    "have sent",
    "i've",
    "we've",
    "we're sending",
    "we are sending",
    "are sending",
    "has been issued",
    "has been processed",
    "was issued",
    "was processed",
    "is on its way",
    "on the way",
    "will be",
    "will get",
];

/// Words that turn what follows them into a refusal (looked for just before a promise word).
const REFUSALS: [&str; 11] = [
    "not", "n't", "cannot", "unable", "no", "never", "without", "nor", "neither", "refuse",
    "longer",
];

/// Whether the clause naming a promise at byte `at` of `sentence` refuses rather than promises:
/// a refusal word among the five words before it, or a condition opening the clause.
fn refused(sentence: &str, at: usize) -> bool {
    let start = sentence[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, ',' | ';' | ':' | '—' | '('))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let clause = sentence.get(start..at).unwrap_or_default().trim_start();
    let words: Vec<&str> = clause.split_whitespace().collect();
    let near = &words[words.len().saturating_sub(5)..];
    near.iter().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        REFUSALS.contains(&w) || w.ends_with("n't")
    }) || ["if ", "unless ", "whether "]
        .iter()
        .any(|c| clause.starts_with(c))
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may ",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Phrases that name a time by themselves.
const TIME_PHRASES: [&str; 10] = [
    "tomorrow",
    "tonight",
    "today",
    "next week",
    "end of the week",
    "end of the day",
    "this week",
    "next working day",
    "next business day",
    "same day",
];

/// Whether `sentence` holds a number of hours, days or weeks (`3 days`, `two business`).
fn counts_time(sentence: &str) -> bool {
    let words: Vec<&str> = sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|pair| {
        let number = pair[0].chars().all(|c| c.is_ascii_digit())
            || [
                "one", "two", "three", "four", "five", "six", "seven", "ten", "24", "48",
            ]
            .contains(&pair[0]);
        let unit = [
            "hour", "hours", "day", "days", "week", "weeks", "business", "working",
        ]
        .contains(&pair[1]);
        number && unit
    })
}

/// The kinds of promise `sentence` (lower-case) speaks of, each with where in it (a byte
/// offset) it is first named.
fn kinds_at(sentence: &str) -> Vec<(Promise, usize)> {
    ALL.into_iter()
        .filter_map(|p| match p {
            Promise::Date => time_at(sentence).map(|at| (p, at)),
            other => other
                .terms()
                .iter()
                .filter_map(|t| sentence.find(t))
                .min()
                .map(|at| (other, at)),
        })
        .collect()
}

/// Where `sentence` (lower-case) first names a time, if it does: a weekday, a month,
/// `tomorrow`, `next week`, … ([`TIME_PHRASES`]), or a number of hours, days or weeks.
fn time_at(sentence: &str) -> Option<usize> {
    WEEKDAYS
        .iter()
        .chain(MONTHS.iter())
        .chain(TIME_PHRASES.iter())
        .filter_map(|w| sentence.find(w))
        .min()
        .or_else(|| {
            counts_time(sentence).then(|| sentence.find(|c: char| c.is_ascii_digit()).unwrap_or(0))
        })
}

/// The sentences of `text`, lower-case, with citation markers kept.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        current.push(if c == '’' { '\'' } else { c });
        if matches!(c, '.' | '!' | '?' | '\n') {
            let s = current.trim().to_owned();
            if s.len() > 1 {
                out.push(s);
            }
            current.clear();
        }
    }
    let s = current.trim().to_owned();
    if s.len() > 1 {
        out.push(s);
    }
    out
}

/// The promises `draft` makes that none of `backing` (the cited sources' texts, the order's
/// record) speaks of, each kind once, in a fixed order.
#[must_use]
pub fn unsupported_promises(draft: &str, backing: &[&str]) -> Vec<Promise> {
    // A source's refusal ("opened items cannot be refunded") backs nothing.
    let backed: Vec<Promise> = backing
        .iter()
        .flat_map(|b| {
            sentences(b)
                .into_iter()
                .flat_map(|s| {
                    kinds_at(&s)
                        .into_iter()
                        .filter(|(_, at)| !refused(&s, *at))
                        .map(|(p, _)| p)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out: Vec<Promise> = Vec::new();
    for s in sentences(draft) {
        if s.ends_with('?') {
            continue;
        }
        let padded = format!(" {s} ");
        if !COMMITMENTS.iter().any(|c| padded.contains(c)) {
            continue;
        }
        for (kind, at) in kinds_at(&s) {
            if !refused(&s, at) && !backed.contains(&kind) && !out.contains(&kind) {
                out.push(kind);
            }
        }
    }
    out.sort_unstable();
    out
}

fn folded(text: &str) -> String {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect();
    format!(
        " {} ",
        lower.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Whether a customer's text touches a topic a person must answer: legal action, a chargeback
/// or fraud, personal data requests, injury or danger.
#[must_use]
pub fn sensitive_topic(text: &str) -> bool {
    const PHRASES: [&str; 24] = [
        "lawyer",
        "attorney",
        "solicitor",
        "legal action",
        " sue ",
        "lawsuit",
        "court",
        "small claims",
        "chargeback",
        "charge back",
        "dispute the charge",
        "fraud",
        "stolen card",
        "identity theft",
        "gdpr",
        "delete my data",
        "delete my personal data",
        "data protection",
        "injured",
        "injury",
        "caught fire",
        "burned",
        "electric shock",
        "hospital",
    ];
    let t = folded(text);
    PHRASES.iter().any(|p| t.contains(p))
}

/// Whether a customer asks for a person rather than an automatic answer.
#[must_use]
pub fn asks_for_human(text: &str) -> bool {
    const PHRASES: [&str; 14] = [
        "a human",
        "real person",
        "a person",
        "actual person",
        "speak to someone",
        "talk to someone",
        "speak with someone",
        "talk with someone",
        "speak to a manager",
        "speak to your manager",
        "talk to a manager",
        "not a bot",
        "stop sending automated",
        "a real agent",
    ];
    let t = folded(text);
    PHRASES.iter().any(|p| t.contains(p))
}

/// Words too common to search similar tickets by.
pub(super) fn is_common(word: &str) -> bool {
    const COMMON: [&str; 94] = [
        "the", "and", "for", "you", "your", "our", "are", "was", "not", "but", "can", "how", "why",
        "who", "any", "all", "has", "had", "did", "does", "get", "got", "one", "out", "now", "too",
        "very", "its", "it's", "i'm", "let", "may", "say", "see", "use", "yet", "off", "hello",
        "thank", "thanks", "please", "would", "could", "should", "there", "their", "about", "have",
        "with", "this", "that", "from", "what", "when", "where", "which", "will", "just", "been",
        "were", "they", "them", "then", "than", "also", "into", "regard", "kind", "best", "dear",
        "know", "need", "want", "still", "some", "since", "after", "before", "again", "here",
        "help", "hey", "much", "many", "more", "other", "only", "make", "like", "take", "time",
        "day", "long", "thi",
    ];
    COMMON.contains(&word)
}

/// Whether `line` closes a mail (`Kind regards,`, `Best,`, `--`).
pub(super) fn is_sign_off(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    l == "--"
        || l == "-- "
        || [
            "kind regards",
            "best regards",
            "regards",
            "best,",
            "cheers",
            "thanks,",
            "thank you,",
            "sincerely",
            "warm regards",
        ]
        .iter()
        .any(|s| {
            let bare = l.trim_end_matches([',', '.', '!', ' ']);
            bare == s.trim_end_matches(',')
                || (l.starts_with(s) && bare.split_whitespace().count() <= 3 && !l.contains('.'))
        })
}
