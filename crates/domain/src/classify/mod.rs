//! Keyword rules that give a new ticket its first priority and category.
//!
//! The rules are the product's contract, applied to a ticket's subject and body:
//!
//! - Words are maximal runs of Unicode letters and digits, compared lower-cased and by their
//!   Snowball (Porter2) English stem, so inflections match ("ordered" meets "order",
//!   "charging" meets "charge") but words that merely contain a keyword do not ("download" is
//!   not "down"). A keyword of several words matches those words consecutively, whatever
//!   separates them.
//! - Priority: any urgent keyword makes the ticket urgent; otherwise any high keyword makes it
//!   high; otherwise any low keyword makes it low; otherwise it is medium.
//! - Category: every keyword occurrence is a vote, and one in the subject counts twice. The
//!   category with most votes wins, ties going to the first in table order (order, product,
//!   billing, technical); no vote at all means other.
//!
//! The keyword tables come from [`ClassifierConfig`], whose default is the product's seed
//! list. Stemming over-reaches at times ("important" shares the stem "import"); see
//! `docs/decisions.md`.

mod config;
mod matcher;
mod prefix;
mod words;

#[cfg(test)]
mod tests;

pub use config::{CategoryKeywords, ClassifierConfig, ClassifierConfigError, PriorityKeywords};

use crate::ticket::{Category, Priority};
use matcher::{Matcher, Scanner, Tally};

/// Votes of a keyword in the subject count this many times those in the body, because a
/// customer's own one-line summary says more about the ticket than the quoted text below it.
const SUBJECT_WEIGHT: u32 = 2;
const BODY_WEIGHT: u32 = 1;

/// Classifies tickets by keyword: a compiled, validated [`ClassifierConfig`].
///
/// Building one stems every keyword, so build it once and share it; it is cheap to clone and
/// safe to use from many threads.
#[derive(Debug, Clone)]
pub struct Classifier {
    matcher: Matcher,
}

/// The priority and category the keyword rules give a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The first priority of the ticket.
    pub priority: Priority,
    /// The first category of the ticket.
    pub category: Category,
}

impl Classifier {
    /// Compiles the keyword tables of `config`.
    ///
    /// # Errors
    ///
    /// Returns [`ClassifierConfigError`] naming the table and keyword when a keyword is empty
    /// or has no letter or digit, since such a keyword could never match.
    pub fn new(config: &ClassifierConfig) -> Result<Self, ClassifierConfigError> {
        Ok(Self {
            matcher: Matcher::new(config)?,
        })
    }

    /// The priority the keyword rules give a ticket with this subject and body.
    #[must_use]
    pub fn priority(&self, subject: &str, body: &str) -> Priority {
        let mut scanner = Scanner::new(&self.matcher);
        let mut tally = Tally::default();
        // Category votes are not needed here, so the scan may stop at the first urgent keyword.
        scanner.scan(subject, SUBJECT_WEIGHT, &mut tally, true);
        if tally.priority() != Priority::Urgent {
            scanner.scan(body, BODY_WEIGHT, &mut tally, true);
        }
        tally.priority()
    }

    /// The category the keyword rules give a ticket with this subject and body.
    #[must_use]
    pub fn category(&self, subject: &str, body: &str) -> Category {
        self.tally(subject, body).category()
    }

    /// Both the priority and the category, from a single pass over the text.
    #[must_use]
    pub fn classify(&self, subject: &str, body: &str) -> Classification {
        let tally = self.tally(subject, body);
        Classification {
            priority: tally.priority(),
            category: tally.category(),
        }
    }

    fn tally(&self, subject: &str, body: &str) -> Tally {
        let mut scanner = Scanner::new(&self.matcher);
        let mut tally = Tally::default();
        scanner.scan(subject, SUBJECT_WEIGHT, &mut tally, false);
        scanner.scan(body, BODY_WEIGHT, &mut tally, false);
        tally
    }
}

impl Default for Classifier {
    /// A classifier over the product's seed keyword tables.
    fn default() -> Self {
        // The seed tables are fixed and covered by tests, so they always compile; the empty
        // fallback only exists to avoid a panic path and is never taken.
        Self::new(&ClassifierConfig::default()).unwrap_or_else(|_| Self {
            matcher: Matcher::empty(),
        })
    }
}
