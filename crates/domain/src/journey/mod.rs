//! Intake forms ("journeys"): the questions a customer answers when opening a request in the
//! portal. A question shows only when an earlier choice was answered a certain way (a branch);
//! rules map the answers to the ticket's category, priority and tags. Forms have versions —
//! draft, active, archived — and one is active at a time; a ticket keeps the version it was
//! answered with, its answers stored beside it ([`IntakeRecord`]).
//!
//! Everything here is a rule: what a well-formed form is ([`Definition::problems`]), which
//! questions a customer sees and whether their answers do ([`Definition::answer`]), what the
//! answers make of the ticket ([`Definition::outcome`]), and which files an upload takes
//! ([`check_file`]: images by their content, never by their name).

mod files;
#[cfg(test)]
mod tests;

pub use files::{FileLimits, FileProblem, FileRefused, check_file, check_files, sniff_image};

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::email::EmailAddress;
use crate::ticket::{Category, Priority};

/// A form's name is at most this many characters.
pub const MAX_NAME_CHARS: usize = 120;
/// A form has at most this many questions.
pub const MAX_QUESTIONS: usize = 40;
/// A choice has at most this many options.
pub const MAX_OPTIONS: usize = 30;
/// A form has at most this many mapping rules.
pub const MAX_RULES: usize = 40;
/// A question's label, and an option, are at most this many characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// A question's help text is at most this many characters.
pub const MAX_HELP_CHARS: usize = 500;
/// A short-text answer is at most this many characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// A long-text answer is at most this many bytes.
pub const MAX_LONG_BYTES: usize = 20_000;
/// A question's key is at most this many characters.
pub const MAX_KEY_CHARS: usize = 40;
/// A rule adds at most this many tags, each at most [`MAX_TAG_CHARS`].
pub const MAX_RULE_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 50;

/// Where a form version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyStatus {
    /// Being written; only drafts may be edited.
    Draft,
    /// The form the portal asks; at most one at a time.
    Active,
    /// Retired; tickets answered with it keep pointing at it.
    Archived,
}

impl JourneyStatus {
    /// The wire and storage name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    /// The status named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "draft" => Some(Self::Draft),
            "active" => Some(Self::Active),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// What a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    SingleChoice,
    MultipleChoice,
    ShortText,
    LongText,
    Email,
    OrderNumber,
    Upload,
}

impl QuestionKind {
    pub const ALL: [Self; 7] = [
        Self::SingleChoice,
        Self::MultipleChoice,
        Self::ShortText,
        Self::LongText,
        Self::Email,
        Self::OrderNumber,
        Self::Upload,
    ];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::Email => "email",
            Self::OrderNumber => "order_number",
            Self::Upload => "upload",
        }
    }

    /// The kind named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How an admin reads it.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::SingleChoice => "Single choice",
            Self::MultipleChoice => "Multiple choice",
            Self::ShortText => "Short text",
            Self::LongText => "Long text",
            Self::Email => "Email address",
            Self::OrderNumber => "Order number",
            Self::Upload => "Image or file upload",
        }
    }

    /// The customer picks among options.
    #[must_use]
    pub fn is_choice(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice)
    }
}

/// "When the answer to `question` is any of `any_of`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// The key of an earlier choice question.
    pub question: String,
    /// Options of that question; one chosen is enough.
    pub any_of: Vec<String>,
}

/// One question of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the form: lower-case letters, digits, `-` and `_`.
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
    /// The choices (choice questions only).
    #[serde(default)]
    pub options: Vec<String>,
    /// Uploads only: take images alone, recognised by their content.
    #[serde(default)]
    pub images_only: bool,
    /// Asked only when an earlier answer says so.
    #[serde(default)]
    pub show_if: Option<Condition>,
}

/// What an answer makes of the ticket: the first matching rule sets the category and the
/// priority it names; every matching rule adds its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub when: Condition,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A form: its name, a line above the questions, the questions and the mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    #[serde(default)]
    pub intro: String,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One version of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journey {
    pub id: Uuid,
    /// 1, 2, 3 … across all forms, in the order they were created.
    pub version: u32,
    pub status: JourneyStatus,
    pub definition: Definition,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// Why a form version cannot change as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("only drafts can be edited; make a new draft from this version")]
    NotDraft,
    #[error("this version is archived; make a new draft from it to use it again")]
    Archived,
    #[error("this version is not the active one")]
    NotActive,
}

impl Journey {
    /// Whether it may be edited.
    ///
    /// # Errors
    /// [`VersionError::NotDraft`] once published: a ticket keeps the version it was answered
    /// with, so a published version never changes.
    pub fn may_edit(&self) -> Result<(), VersionError> {
        if self.status == JourneyStatus::Draft {
            Ok(())
        } else {
            Err(VersionError::NotDraft)
        }
    }

    /// Whether it may become the active one (a draft; the active one again is no change).
    ///
    /// # Errors
    /// [`VersionError::Archived`] for a retired version.
    pub fn may_publish(&self) -> Result<(), VersionError> {
        if self.status == JourneyStatus::Archived {
            Err(VersionError::Archived)
        } else {
            Ok(())
        }
    }

    /// Whether it may be retired (leaving the portal with its plain form).
    ///
    /// # Errors
    /// [`VersionError::NotActive`] unless it is the active one.
    pub fn may_archive(&self) -> Result<(), VersionError> {
        if self.status == JourneyStatus::Active {
            Ok(())
        } else {
            Err(VersionError::NotActive)
        }
    }
}

/// Where in a definition a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Name,
    Intro,
    Questions,
    Rules,
    /// A field of the question at this index.
    Question(usize, &'static str),
    /// A field of the rule at this index.
    Rule(usize, &'static str),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name => f.write_str("name"),
            Self::Intro => f.write_str("intro"),
            Self::Questions => f.write_str("questions"),
            Self::Rules => f.write_str("rules"),
            Self::Question(i, field) => write!(f, "questions[{i}].{field}"),
            Self::Rule(i, field) => write!(f, "rules[{i}].{field}"),
        }
    }
}

/// Something wrong with a definition, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

fn problem(place: Place, message: impl Into<String>) -> Problem {
    Problem {
        place,
        message: message.into(),
    }
}

fn one_line(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// A key made from a label: lower-case ASCII letters and digits joined by `-`, at most
/// [`MAX_KEY_CHARS`] characters; `question` when nothing is left.
#[must_use]
pub fn key_from(label: &str) -> String {
    let mut key = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
        if key.len() >= MAX_KEY_CHARS {
            break;
        }
    }
    let key = key.trim_end_matches('-').to_owned();
    if key.is_empty() {
        "question".to_owned()
    } else {
        key
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_CHARS
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The option of `options` that `value` names (as typed, or ignoring case and spaces around).
fn option_named<'a>(options: &'a [String], value: &str) -> Option<&'a String> {
    let value = value.trim();
    options
        .iter()
        .find(|o| o.as_str() == value)
        .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(value)))
}

impl Definition {
    /// Everything wrong with the form, in order; empty when it is well formed.
    #[must_use]
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            out.push(problem(Place::Name, "give the form a name"));
        } else if name.chars().count() > MAX_NAME_CHARS || !one_line(name) {
            out.push(problem(
                Place::Name,
                format!("one line of at most {MAX_NAME_CHARS} characters"),
            ));
        }
        if self.intro.chars().count() > MAX_HELP_CHARS {
            out.push(problem(
                Place::Intro,
                format!("at most {MAX_HELP_CHARS} characters"),
            ));
        }
        if self.questions.is_empty() {
            out.push(problem(
                Place::Questions,
                "a form asks at least one question",
            ));
        } else if self.questions.len() > MAX_QUESTIONS {
            out.push(problem(
                Place::Questions,
                format!("at most {MAX_QUESTIONS} questions"),
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            self.question_problems(i, q, &mut out);
        }
        if self.rules.len() > MAX_RULES {
            out.push(problem(Place::Rules, format!("at most {MAX_RULES} rules")));
        }
        for (i, r) in self.rules.iter().enumerate() {
            self.rule_problems(i, r, &mut out);
        }
        out
    }

    fn question_problems(&self, i: usize, q: &Question, out: &mut Vec<Problem>) {
        let at = |field| Place::Question(i, field);
        if !valid_key(&q.key) {
            out.push(problem(
                at("key"),
                format!("1 to {MAX_KEY_CHARS} lower-case letters, digits, \"-\" or \"_\""),
            ));
        } else if self.questions[..i].iter().any(|o| o.key == q.key) {
            out.push(problem(at("key"), "another question has this key"));
        }
        let label = q.label.trim();
        if label.is_empty() {
            out.push(problem(at("label"), "say what the question asks"));
        } else if label.chars().count() > MAX_LABEL_CHARS || !one_line(label) {
            out.push(problem(
                at("label"),
                format!("one line of at most {MAX_LABEL_CHARS} characters"),
            ));
        }
        if q.help.chars().count() > MAX_HELP_CHARS {
            out.push(problem(
                at("help"),
                format!("at most {MAX_HELP_CHARS} characters"),
            ));
        }
        if q.kind.is_choice() {
            if q.options.len() < 2 || q.options.len() > MAX_OPTIONS {
                out.push(problem(
                    at("options"),
                    format!("a choice offers 2 to {MAX_OPTIONS} options, one per line"),
                ));
            }
            for (n, o) in q.options.iter().enumerate() {
                let o = o.trim();
                if o.is_empty() || o.chars().count() > MAX_LABEL_CHARS || !one_line(o) {
                    out.push(problem(
                        at("options"),
                        format!("each option is one line of 1 to {MAX_LABEL_CHARS} characters"),
                    ));
                    break;
                }
                if q.options[..n]
                    .iter()
                    .any(|p| p.trim().eq_ignore_ascii_case(o))
                {
                    out.push(problem(at("options"), format!("\"{o}\" is offered twice")));
                    break;
                }
            }
        } else if !q.options.is_empty() {
            out.push(problem(at("options"), "only choices have options"));
        }
        if q.images_only && q.kind != QuestionKind::Upload {
            out.push(problem(at("images_only"), "only uploads take images alone"));
        }
        if let Some(c) = &q.show_if
            && let Some(message) = self.condition_problem(c, Some(i))
        {
            out.push(problem(at("show_if"), message));
        }
    }

    fn rule_problems(&self, i: usize, r: &Rule, out: &mut Vec<Problem>) {
        let at = |field| Place::Rule(i, field);
        if let Some(message) = self.condition_problem(&r.when, None) {
            out.push(problem(at("when"), message));
        }
        if r.category.is_none() && r.priority.is_none() && r.tags.is_empty() {
            out.push(problem(
                at("category"),
                "a rule sets a category, a priority or tags",
            ));
        }
        if let Some(c) = &r.category
            && c.parse::<Category>().is_err()
        {
            out.push(problem(
                at("category"),
                format!("\"{c}\" is not a category"),
            ));
        }
        if let Some(p) = &r.priority
            && p.parse::<Priority>().is_err()
        {
            out.push(problem(
                at("priority"),
                format!("\"{p}\" is not a priority"),
            ));
        }
        if r.tags.len() > MAX_RULE_TAGS
            || r.tags.iter().any(|t| {
                t.is_empty()
                    || t.chars().count() > MAX_TAG_CHARS
                    || t.chars()
                        .any(|c| c.is_whitespace() || c.is_control() || c == ',')
            })
        {
            out.push(problem(
                at("tags"),
                format!(
                    "at most {MAX_RULE_TAGS} tags of 1 to {MAX_TAG_CHARS} characters, no spaces"
                ),
            ));
        }
    }

    /// What is wrong with `c`, which belongs to the question at `before` (it may only look
    /// back) or to a rule (any question).
    fn condition_problem(&self, c: &Condition, before: Option<usize>) -> Option<String> {
        let earlier = &self.questions[..before.unwrap_or(self.questions.len())];
        let Some(target) = earlier.iter().find(|q| q.key == c.question) else {
            return Some(match before {
                Some(_) => format!("\"{}\" is not an earlier question", c.question),
                None => format!("\"{}\" is not a question of this form", c.question),
            });
        };
        if !target.kind.is_choice() {
            return Some(format!("\"{}\" is not a choice", target.label.trim()));
        }
        if c.any_of.is_empty() {
            return Some("name at least one of its options".to_owned());
        }
        c.any_of
            .iter()
            .find(|v| option_named(&target.options, v).is_none())
            .map(|v| format!("\"{}\" offers no option \"{v}\"", target.label.trim()))
    }

    /// The question with `key`.
    #[must_use]
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    /// The questions a customer sees given `raw` answers: those without a condition, and
    /// those whose condition's question is seen and answered one of its options.
    #[must_use]
    pub fn visible(&self, raw: &RawAnswers) -> Vec<&Question> {
        let mut seen: Vec<&Question> = Vec::new();
        for q in &self.questions {
            let shown = match &q.show_if {
                None => true,
                Some(c) => {
                    seen.iter().any(|s| s.key == c.question) && {
                        let options = self
                            .question(&c.question)
                            .map_or(&[][..], |t| t.options.as_slice());
                        raw.get(&c.question).is_some_and(|values| {
                            values.iter().any(|v| {
                                option_named(options, v).is_some_and(|chosen| {
                                    c.any_of
                                        .iter()
                                        .any(|a| a.trim().eq_ignore_ascii_case(chosen))
                                })
                            })
                        })
                    }
                }
            };
            if shown {
                seen.push(q);
            }
        }
        seen
    }

    /// The customer's answers checked against the form: only the questions they see count
    /// (answers to hidden ones are dropped), required ones must be answered, each answer must
    /// fit its kind. `files` counts the files posted for each upload question (checked one by
    /// one with [`check_file`]).
    ///
    /// # Errors
    /// Every problem, by question key, when any answer does not fit.
    pub fn answer(
        &self,
        raw: &RawAnswers,
        files: &BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<Answer>, Vec<AnswerProblem>> {
        let mut answers = Vec::new();
        let mut problems = Vec::new();
        for q in self.visible(raw) {
            let values: Vec<&str> = raw
                .get(&q.key)
                .map(|v| {
                    v.iter()
                        .map(|s| s.trim())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let names = files.get(&q.key).cloned().unwrap_or_default();
            match answer_one(q, &values, names) {
                Ok(Some(a)) => answers.push(a),
                Ok(None) => {}
                Err(message) => problems.push(AnswerProblem {
                    question: q.key.clone(),
                    message,
                }),
            }
        }
        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(problems)
        }
    }

    /// What the answers make of the ticket.
    #[must_use]
    pub fn outcome(&self, answers: &[Answer]) -> Outcome {
        let mut out = Outcome::default();
        for rule in &self.rules {
            let Some(a) = answers.iter().find(|a| a.key == rule.when.question) else {
                continue;
            };
            let hit = a.values.iter().any(|v| {
                rule.when
                    .any_of
                    .iter()
                    .any(|o| o.trim().eq_ignore_ascii_case(v))
            });
            if !hit {
                continue;
            }
            if out.category.is_none() {
                out.category = rule.category.as_deref().and_then(|c| c.parse().ok());
            }
            if out.priority.is_none() {
                out.priority = rule.priority.as_deref().and_then(|p| p.parse().ok());
            }
            for t in &rule.tags {
                if !out.tags.contains(t) {
                    out.tags.push(t.clone());
                }
            }
        }
        for a in answers
            .iter()
            .filter(|a| a.kind == QuestionKind::OrderNumber)
        {
            for v in &a.values {
                let tag = format!("order:{}", v.trim_start_matches('#'));
                if !out.tags.contains(&tag) {
                    out.tags.push(tag);
                }
            }
        }
        out
    }
}

/// The posted answers: question key → the values given (one for most kinds, several for a
/// multiple choice).
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// Why an answer was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    pub question: String,
    pub message: String,
}

/// One answered question, as stored with the ticket (its label as it was asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub key: String,
    pub label: String,
    pub kind: QuestionKind,
    /// The choices made, or the text given (one value).
    #[serde(default)]
    pub values: Vec<String>,
    /// The names of the files given to an upload question.
    #[serde(default)]
    pub files: Vec<String>,
}

fn answer_one(q: &Question, values: &[&str], files: Vec<String>) -> Result<Option<Answer>, String> {
    let empty = if q.kind == QuestionKind::Upload {
        files.is_empty()
    } else {
        values.is_empty()
    };
    if empty {
        return if q.required {
            Err(match q.kind {
                QuestionKind::SingleChoice => "choose one".to_owned(),
                QuestionKind::MultipleChoice => "choose at least one".to_owned(),
                QuestionKind::Upload => "attach at least one file".to_owned(),
                _ => "this question needs an answer".to_owned(),
            })
        } else {
            Ok(None)
        };
    }
    let answer = |values: Vec<String>| Answer {
        key: q.key.clone(),
        label: q.label.trim().to_owned(),
        kind: q.kind,
        values,
        files: Vec::new(),
    };
    let one = |what: &str| -> Result<&str, String> {
        match values {
            [v] => Ok(v),
            _ => Err(format!("give one {what}")),
        }
    };
    Ok(Some(match q.kind {
        QuestionKind::SingleChoice => {
            let v = one("choice")?;
            let o = option_named(&q.options, v).ok_or("choose one of the options")?;
            answer(vec![o.clone()])
        }
        QuestionKind::MultipleChoice => {
            let mut chosen: Vec<String> = Vec::new();
            for v in values {
                let o = option_named(&q.options, v).ok_or("choose among the options")?;
                if !chosen.contains(o) {
                    chosen.push(o.clone());
                }
            }
            // In the form's order, whatever order they came in.
            chosen.sort_by_key(|c| q.options.iter().position(|o| o == c));
            answer(chosen)
        }
        QuestionKind::ShortText => {
            let v = one("answer")?;
            if v.chars().count() > MAX_SHORT_CHARS || !one_line(v) {
                return Err(format!("one line of at most {MAX_SHORT_CHARS} characters"));
            }
            answer(vec![v.to_owned()])
        }
        QuestionKind::LongText => {
            let v = one("answer")?;
            if v.len() > MAX_LONG_BYTES {
                return Err(format!("at most {MAX_LONG_BYTES} bytes"));
            }
            answer(vec![v.replace("\r\n", "\n")])
        }
        QuestionKind::Email => {
            let v = one("address")?;
            let address = EmailAddress::parse(v).map_err(|e| format!("not an address: {e}"))?;
            answer(vec![address.as_str().to_owned()])
        }
        QuestionKind::OrderNumber => {
            let v = one("order number")?;
            let bare = v.trim_start_matches('#');
            if bare.is_empty()
                || bare.chars().count() > 64
                || !bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
            {
                return Err("an order number is 1 to 64 letters, digits, -, _, . or /".to_owned());
            }
            answer(vec![v.to_owned()])
        }
        QuestionKind::Upload => Answer {
            files,
            ..answer(Vec::new())
        },
    }))
}

/// The ticket fields the answers set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub tags: Vec<String>,
}

/// The answers a ticket was opened with, kept beside it: which form version, and what was
/// answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRecord {
    pub journey_id: Uuid,
    pub version: u32,
    pub name: String,
    pub answers: Vec<Answer>,
}

/// The answers as the ticket's first message reads them: one `label: answer` line each,
/// long texts on their own lines below their label.
#[must_use]
pub fn answers_text(answers: &[Answer]) -> String {
    let mut out = String::new();
    for a in answers {
        if !out.is_empty() {
            out.push('\n');
        }
        match a.kind {
            QuestionKind::LongText => {
                out.push_str(&a.label);
                out.push('\n');
                out.push_str(a.values.first().map_or("", String::as_str));
                out.push('\n');
            }
            QuestionKind::Upload => {
                out.push_str(&format!("{}: {}", a.label, a.files.join(", ")));
            }
            _ => out.push_str(&format!("{}: {}", a.label, a.values.join(", "))),
        }
    }
    out.trim_end().to_owned()
}
