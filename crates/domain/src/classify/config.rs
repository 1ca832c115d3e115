//! The keyword tables the classifier is built from, as loaded from configuration.
//!
//! Every part is optional in the configuration file: a missing table, or a missing list inside
//! one, falls back to the product's seed list, so a deployment only spells out what it changes.

use serde::Deserialize;

use crate::ticket::{Category, Priority};

/// All keyword tables: one for priority, one for category.
#[derive(Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifierConfig {
    /// Keywords that raise or lower a ticket's priority.
    pub priority: PriorityKeywords,
    /// Keywords that vote for a ticket's category.
    pub category: CategoryKeywords,
}

/// Keywords per priority level. `medium` has none: it is what a ticket gets when nothing matches.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PriorityKeywords {
    /// Any one of these makes a ticket [`Priority::Urgent`].
    pub urgent: Vec<String>,
    /// Any one of these (and no urgent keyword) makes a ticket [`Priority::High`].
    pub high: Vec<String>,
    /// Any one of these (and no urgent or high keyword) makes a ticket [`Priority::Low`].
    pub low: Vec<String>,
}

/// Keywords per category. `other` has none: it is what a ticket gets when nothing matches.
///
/// The field order is the tie-break order: when two categories have as many hits, the one
/// declared first wins.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryKeywords {
    /// Votes for [`Category::Order`].
    pub order: Vec<String>,
    /// Votes for [`Category::Product`].
    pub product: Vec<String>,
    /// Votes for [`Category::Billing`].
    pub billing: Vec<String>,
    /// Votes for [`Category::Technical`].
    pub technical: Vec<String>,
}

/// Why a [`ClassifierConfig`] cannot be turned into a classifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifierConfigError {
    /// A keyword is empty or only whitespace, which is almost certainly a typo in the file.
    #[error("keyword #{index} of the `{table}` keyword table is empty")]
    EmptyKeyword {
        /// The table, e.g. `priority.urgent` or `category.billing`.
        table: &'static str,
        /// Zero-based position of the keyword in its table.
        index: usize,
    },
    /// A keyword has no letter or digit, so it could never match a word of a message.
    #[error(
        "keyword `{keyword}` of the `{table}` keyword table has no letters or digits, so it can never match"
    )]
    NoWordCharacters {
        /// The table, e.g. `priority.urgent` or `category.billing`.
        table: &'static str,
        /// The keyword as configured.
        keyword: String,
    },
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|&w| w.to_owned()).collect()
}

impl Default for PriorityKeywords {
    /// The product spec's seed lists.
    fn default() -> Self {
        Self {
            urgent: owned(&[
                "urgent",
                "emergency",
                "asap",
                "immediately",
                "critical",
                "down",
                "broken",
                "not working",
            ]),
            high: owned(&[
                "important",
                "soon",
                "quickly",
                "problem",
                "issue",
                "error",
                "failed",
            ]),
            low: owned(&["question", "wondering", "curious", "feedback", "suggestion"]),
        }
    }
}

impl Default for CategoryKeywords {
    /// The product spec's seed lists.
    fn default() -> Self {
        Self {
            order: owned(&[
                "order", "purchase", "bought", "delivery", "shipping", "tracking", "received",
            ]),
            product: owned(&[
                "product",
                "item",
                "quality",
                "defect",
                "size",
                "color",
                "description",
            ]),
            billing: owned(&[
                "invoice", "payment", "charge", "refund", "price", "cost", "bill",
            ]),
            technical: owned(&[
                "login",
                "password",
                "account",
                "access",
                "error",
                "bug",
                "not working",
            ]),
        }
    }
}

/// What a keyword table votes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Priority(Priority),
    Category(Category),
}

/// One named keyword table of a configuration.
pub(super) struct Table<'a> {
    pub name: &'static str,
    pub target: Target,
    pub keywords: &'a [String],
}

const fn table<'a>(name: &'static str, target: Target, keywords: &'a [String]) -> Table<'a> {
    Table {
        name,
        target,
        keywords,
    }
}

impl ClassifierConfig {
    /// Every keyword table, categories in tie-break order.
    pub(super) fn tables(&self) -> [Table<'_>; 7] {
        let p = &self.priority;
        let c = &self.category;
        [
            table(
                "priority.urgent",
                Target::Priority(Priority::Urgent),
                &p.urgent,
            ),
            table("priority.high", Target::Priority(Priority::High), &p.high),
            table("priority.low", Target::Priority(Priority::Low), &p.low),
            table(
                "category.order",
                Target::Category(Category::Order),
                &c.order,
            ),
            table(
                "category.product",
                Target::Category(Category::Product),
                &c.product,
            ),
            table(
                "category.billing",
                Target::Category(Category::Billing),
                &c.billing,
            ),
            table(
                "category.technical",
                Target::Category(Category::Technical),
                &c.technical,
            ),
        ]
    }
}
