//! The knowledge base: articles in Markdown with a category, a status (draft or published) and a
//! visibility (public, or internal to staff), reached by a slug; who may read which; and the
//! search that `/help`, the portal's suggestions and staff's sidebar share ([`SearchIndex`]).

mod search;

pub use search::{Document, SearchHit, SearchIndex, tokens};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::staff::StaffId;

/// Titles are at most this many characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Article bodies are at most this many bytes of Markdown.
pub const MAX_BODY_BYTES: usize = 200 * 1024;

/// Whether an article is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleStatus {
    Draft,
    Published,
}

/// Who may read a published article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Anyone, signed in or not, at `/help`.
    Public,
    /// Staff only.
    Internal,
}

macro_rules! names {
    ($t:ty, $($v:ident => $s:literal),+) => {
        impl $t {
            /// The wire name.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }

            /// The value named `name`.
            #[must_use]
            pub fn parse(name: &str) -> Option<Self> {
                match name { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}
names!(ArticleStatus, Draft => "draft", Published => "published");
names!(Visibility, Public => "public", Internal => "internal");

/// A category of articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    /// Lower comes first.
    pub position: i64,
}

/// An article with its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub body_markdown: String,
    pub category_id: Option<Uuid>,
    pub status: ArticleStatus,
    pub visibility: Visibility,
    pub author: Option<StaffId>,
    pub views: u64,
    pub helpful_yes: u64,
    pub helpful_no: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// How long after opening a suggested article a request still counts as "not deflected".
pub const DEFLECTION_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What became of a suggested article a customer opened, judged at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionOutcome {
    /// A request from the customer followed within [`DEFLECTION_WINDOW`].
    Requested,
    /// None followed within the window: the article answered them (a deflection).
    Deflected,
    /// The window is still open.
    Pending,
}

/// The outcome of a suggestion opened at `opened_at`, with the customer's next request at
/// `request_at` (if any), judged at `now`.
#[must_use]
pub fn suggestion_outcome(
    opened_at: DateTime<Utc>,
    request_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SuggestionOutcome {
    match request_at {
        Some(at) if at <= opened_at + DEFLECTION_WINDOW => SuggestionOutcome::Requested,
        _ if now < opened_at + DEFLECTION_WINDOW => SuggestionOutcome::Pending,
        _ => SuggestionOutcome::Deflected,
    }
}

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Anyone at `/help`, or a customer.
    Public,
    /// A staff member.
    Staff,
}

impl Article {
    /// A published public article written at `at`, with no category, author, views or votes
    /// (fixtures, imports).
    #[must_use]
    pub fn published(
        id: Uuid,
        slug: &str,
        title: &str,
        body_markdown: &str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            slug: slug.to_owned(),
            title: title.to_owned(),
            body_markdown: body_markdown.to_owned(),
            category_id: None,
            status: ArticleStatus::Published,
            visibility: Visibility::Public,
            author: None,
            views: 0,
            helpful_yes: 0,
            helpful_no: 0,
            created_at: at,
            updated_at: at,
            published_at: Some(at),
        }
    }

    /// Whether `reader` may read the article: the public published public articles; staff every
    /// article, drafts and internal ones included.
    #[must_use]
    pub fn readable_by(&self, reader: Reader) -> bool {
        match reader {
            Reader::Staff => true,
            Reader::Public => {
                self.status == ArticleStatus::Published && self.visibility == Visibility::Public
            }
        }
    }

    /// Share of "yes" among the helpful votes, in whole percent; none before a vote.
    #[must_use]
    pub fn helpful_percent(&self) -> Option<u64> {
        let votes = self.helpful_yes + self.helpful_no;
        (votes > 0).then(|| (self.helpful_yes * 100 + votes / 2) / votes)
    }
}

/// What is wrong with an article or a category as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KbError {
    #[error("title: 1 to {MAX_TITLE_CHARS} characters, no control characters")]
    Title,
    #[error("body_markdown: at most {MAX_BODY_BYTES} bytes")]
    Body,
    #[error("name: 1 to 100 characters, no control characters")]
    Name,
}

/// Checks an article's title and body.
///
/// # Errors
/// [`KbError::Title`] or [`KbError::Body`].
pub fn check_article(title: &str, body: &str) -> Result<(), KbError> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > MAX_TITLE_CHARS || t.chars().any(char::is_control) {
        return Err(KbError::Title);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(KbError::Body);
    }
    Ok(())
}

/// Checks a category's name.
///
/// # Errors
/// [`KbError::Name`].
pub fn check_category(name: &str) -> Result<(), KbError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(KbError::Name);
    }
    Ok(())
}

/// The slug of `title`: lower-case letters and digits joined by single hyphens, at most 80
/// characters; letters with accents keep their base letter (`Rückgabe` → `ruckgabe`) and other
/// scripts are kept as they are. `article` when nothing is left. A taken slug gets `-2`, `-3`, …
/// through [`unique_slug`].
#[must_use]
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = fold(c);
        if c.is_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.push(c);
        } else {
            gap = true;
        }
        if slug.chars().count() >= 80 {
            break;
        }
    }
    if slug.is_empty() {
        "article".to_owned()
    } else {
        slug
    }
}

/// `base`, or `base-2`, `base-3`, … — the first that `taken` does not hold.
#[must_use]
pub fn unique_slug(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken(s))
        .unwrap_or_else(|| base.to_owned())
}

/// A Latin letter with a diacritic as its base letter (the common ones); others unchanged.
pub(crate) fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        other => other,
    }
}

#[cfg(test)]
mod tests;
