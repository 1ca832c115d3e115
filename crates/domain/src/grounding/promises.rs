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
const COMMITMENTS: [&str; 24] = [
    "we will",
    "it will",
    "it'll",
    "they will",
    "they'll",
    "we'll",
    "i will",
    "i'll",
    "we shall",
    "you will",
    "you'll",
    "we are going to",
    "i am going to",
    "i'm going to",
    "guarantee",
    "promise",
    "have issued",
    "have processed",
    "have arranged",
    "has been issued",
    "has been processed",
    "is on its way",
    "are sending",
    "will be",
];

/// Words that turn a sentence into a refusal or a condition.
const NEGATIONS: [&str; 10] = [
    "not ",
    "n't",
    "cannot",
    "unable",
    "no longer",
    " no ",
    "never",
    "unfortunately",
    " if ",
    "whether",
];

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

/// Whether `sentence` (lower-case) names a time: a weekday, a month, `tomorrow`, `tonight`,
/// `next week`, `end of the week`, or a number of hours, days or weeks.
fn names_time(sentence: &str) -> bool {
    if WEEKDAYS
        .iter()
        .chain(MONTHS.iter())
        .any(|w| sentence.contains(w))
        || [
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
        ]
        .iter()
        .any(|w| sentence.contains(w))
    {
        return true;
    }
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

/// The kinds of promise `sentence` (lower-case) speaks of.
fn kinds(sentence: &str) -> Vec<Promise> {
    ALL.into_iter()
        .filter(|p| match p {
            Promise::Date => names_time(sentence),
            other => other.terms().iter().any(|t| sentence.contains(t)),
        })
        .collect()
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
    let backed: Vec<Promise> = backing
        .iter()
        .flat_map(|b| sentences(b).into_iter().flat_map(|s| kinds(&s)))
        .collect();
    let mut out: Vec<Promise> = Vec::new();
    for s in sentences(draft) {
        if s.ends_with('?') {
            continue;
        }
        let padded = format!(" {s} ");
        if !COMMITMENTS.iter().any(|c| padded.contains(c))
            || NEGATIONS.iter().any(|n| padded.contains(n))
        {
            continue;
        }
        for kind in kinds(&s) {
            if !backed.contains(&kind) && !out.contains(&kind) {
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
        .any(|s| l.starts_with(s) && l.len() < 30)
}
