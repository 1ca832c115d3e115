//! The offline assistant: useful analyses and drafts with no model and no network, so a new
//! install shows something sensible before anyone configures a key.
//!
//! Analysis reuses the domain's keyword classifiers, an extractive summary of the customer's
//! messages and a sentiment lexicon with negation ([`crate::offline_text`]); drafts are canned
//! responses per category with `{customer_name}`, `{ticket_number}`, `{subject}` and
//! `{agent_name}` filled in. Everything is deterministic: the same ticket gives the same draft.

use async_trait::async_trait;
use frontdesk_domain::ai::AiUsage;
use frontdesk_domain::classify::Classifier;
use frontdesk_domain::grounding::SourceKind;
use frontdesk_domain::ports::{AiAssistant, AiError, Analysis, Draft, DraftContext};
use frontdesk_domain::service::render_template;
use frontdesk_domain::ticket::{Category, Message, MessageKind, Ticket};

/// How sure the offline assistant is of its work: low on purpose, under any sensible auto-send
/// threshold, so its drafts are always reviewed by a person.
const CONFIDENCE: f32 = 0.4;
/// How sure it is of a draft quoting the best-matching article: more, but still under the
/// default auto-send threshold (0.85) — word overlap cannot tell that the article answers.
const GROUNDED_CONFIDENCE: f32 = 0.6;

/// The characters of an article section quoted in a draft.
const QUOTE_CHARS: usize = 900;

/// A section quoted for the customer, cited as source `n`.
fn quoted(title: &str, text: &str, n: usize) -> String {
    let mut excerpt: String = text.chars().take(QUOTE_CHARS).collect();
    if excerpt.len() < text.len() {
        if let Some(end) = excerpt.rfind(['.', '\n']) {
            excerpt.truncate(end + 1);
        }
        excerpt.push_str(" …");
    }
    let quote: Vec<String> = excerpt
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect();
    format!(
        "Thank you for your message. Our help centre answers this in “{title}” [{n}]:\n\n{}\n\n\
         If this does not solve it, reply to this mail and a member of the team will take it \
         from here.",
        quote.join("\n")
    )
}

/// Very common words per language, for a best guess of the customer's language.
const LANGUAGES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "is", "my", "you", "to", "of", "it", "not", "please",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ich", "mein", "sie", "bitte",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "est", "pas", "je", "mon", "vous", "merci",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "y", "es", "no", "mi", "usted", "por", "gracias",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "is", "niet", "ik", "mijn", "u", "bedankt",
        ],
    ),
];

/// The default canned response of each category.
fn built_in(category: Category) -> &'static str {
    match category {
        Category::Order => {
            "Thank you for getting in touch about your order. We are checking its status now and will come back to you with tracking details shortly."
        }
        Category::Product => {
            "Thank you for your message about the product. We are looking into your question and will get back to you with the details shortly."
        }
        Category::Billing => {
            "Thank you for contacting us about billing. We are reviewing the charge on your account and will get back to you shortly."
        }
        Category::Technical => {
            "Thank you for reporting this. We are looking into the problem and will get back to you with the next steps shortly."
        }
        Category::Other => {
            "Thank you for your message. We have received it and will get back to you shortly."
        }
    }
}

/// The deterministic assistant.
#[derive(Debug, Clone, Default)]
pub struct OfflineAssistant {
    classifier: Classifier,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The newest message from the customer, or the ticket's description.
fn latest_customer_text<'a>(ticket: &'a Ticket, conversation: &'a [Message]) -> &'a str {
    conversation
        .iter()
        .rev()
        .find(|m| m.kind == MessageKind::Customer)
        .map_or(ticket.description.as_str(), |m| m.body_text.as_str())
}

/// The customer's words in the conversation, oldest first (each without its quoted history);
/// the ticket's description when no message holds them.
fn customer_texts<'a>(ticket: &'a Ticket, conversation: &'a [Message]) -> Vec<&'a str> {
    let texts: Vec<&str> = conversation
        .iter()
        .filter(|m| m.kind == MessageKind::Customer)
        .map(|m| m.body_text.as_str())
        .collect();
    if texts.is_empty() {
        vec![ticket.description.as_str()]
    } else {
        texts
    }
}

impl OfflineAssistant {
    #[must_use]
    pub fn new(classifier: Classifier) -> Self {
        Self { classifier }
    }

    fn language(text: &str) -> String {
        let all: Vec<String> = words(text).take(400).collect();
        LANGUAGES
            .iter()
            .map(|(code, common)| {
                (
                    all.iter().filter(|w| common.contains(&w.as_str())).count(),
                    *code,
                )
            })
            .filter(|(hits, _)| *hits > 0)
            .max_by_key(|(hits, _)| *hits)
            .map_or("en", |(_, code)| code)
            .to_owned()
    }
}

/// The offline assistant costs no tokens; its runs are recorded under the model name `offline`.
fn offline_usage() -> AiUsage {
    AiUsage {
        model: "offline".to_owned(),
        ..AiUsage::default()
    }
}

#[async_trait]
impl AiAssistant for OfflineAssistant {
    async fn analyze(
        &self,
        ticket: &Ticket,
        conversation: &[Message],
    ) -> Result<Analysis, AiError> {
        let text = latest_customer_text(ticket, conversation);
        let class = self.classifier.classify(&ticket.subject, text);
        let all: Vec<String> = words(&format!("{} {text}", ticket.subject)).collect();
        let has_number = all
            .iter()
            .any(|w| w.chars().filter(char::is_ascii_digit).count() >= 3);
        Ok(Analysis {
            summary: crate::offline_text::summary(
                &ticket.subject,
                &customer_texts(ticket, conversation),
            ),
            priority: class.priority,
            category: class.category,
            sentiment: crate::offline_text::sentiment(text),
            language: Self::language(text),
            mentions_order: has_number
                && all
                    .iter()
                    .any(|w| w.starts_with("order") || w == "invoice" || w == "purchase"),
            mentions_account: all
                .iter()
                .any(|w| matches!(w.as_str(), "account" | "login" | "password" | "username")),
            confidence: CONFIDENCE,
            usage: offline_usage(),
        })
    }

    async fn draft_reply(
        &self,
        ticket: &Ticket,
        conversation: &[Message],
        context: &DraftContext,
    ) -> Result<Draft, AiError> {
        let category = self
            .classifier
            .classify(&ticket.subject, latest_customer_text(ticket, conversation))
            .category;
        // A canned response titled after the category (e.g. "billing") wins over the built-in one.
        let canned = context
            .canned_responses
            .iter()
            .find(|(title, _)| title.trim().eq_ignore_ascii_case(category.as_str()));
        // The best article section given wins over a canned or built-in text: quoted, cited.
        let article = context
            .sources
            .iter()
            .position(|s| s.kind == SourceKind::Kb);
        let (source, body, confidence) = match (article, canned) {
            (Some(i), _) => {
                let s = &context.sources[i];
                (
                    s.title.clone(),
                    quoted(&s.title, &s.text, i + 1),
                    GROUNDED_CONFIDENCE,
                )
            }
            (None, Some((title, body))) => (title.clone(), body.clone(), CONFIDENCE),
            (None, None) => (
                format!("built-in:{category}"),
                built_in(category).to_owned(),
                CONFIDENCE,
            ),
        };
        let number = ticket.number.to_string();
        let agent = context.agent_name.as_deref().unwrap_or("the support team");
        let vars = [
            ("customer_name", ticket.customer.display_name()),
            ("ticket_number", number.as_str()),
            ("subject", ticket.subject.as_str()),
            ("agent_name", agent),
        ];
        let mut text =
            format!("Hello {{customer_name}},\n\n{body}\n\nYour reference is {{ticket_number}}.");
        text = render_template(&text, &vars);
        if let Some(signature) = &context.signature {
            text.push_str("\n\n");
            text.push_str(&render_template(signature, &vars));
        } else {
            text.push_str(&format!("\n\nKind regards,\n{agent}"));
        }
        Ok(Draft {
            body: text,
            confidence,
            usage: offline_usage(),
            sources: vec![source],
        })
    }
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
