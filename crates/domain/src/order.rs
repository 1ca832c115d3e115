//! Orders a ticket is about: the numbers a customer gives (in the subject, the text, an intake
//! form's order-number answer), the shop's record of them through the [`OrderLookup`] port, and
//! what of that record staff and the assistant see.
//!
//! A record is only the customer's when the shop has it under the ticket's address: anyone can
//! type someone else's order number, so a record of another address is shown to staff with that
//! warning and never given to the assistant (which would tell the stranger where the parcel
//! is). No payment details are kept at all: status, items, fulfilment and tracking.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::EmailAddress;

/// The order numbers a text gives, in the order they appear, each once: `#1001`, `order 1001`,
/// `order no. 1001`, `order number: A-1001`, `Bestellung 1001`, `commande 1001`. A number is
/// three to twenty letters, digits and dashes with at least three digits.
#[must_use]
pub fn order_numbers(texts: &[&str]) -> Vec<String> {
    const CUES: [&str; 6] = [
        "order",
        "bestellung",
        "commande",
        "pedido",
        "ordine",
        "bestelling",
    ];
    const FILLERS: [&str; 6] = ["no", "nr", "number", "num", "id", "#"];
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | ':'))
            .filter(|w| !w.is_empty())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let candidate = if let Some(rest) = word.strip_prefix('#') {
                Some(rest)
            } else {
                let lower = word.to_lowercase();
                let cue = CUES
                    .iter()
                    .any(|c| lower.trim_end_matches(['.', 's']) == *c);
                if cue {
                    // The number follows, maybe after "no.", "number", "#".
                    words[i + 1..]
                        .iter()
                        .take(3)
                        .map(|w| w.trim_start_matches('#'))
                        .find(|w| {
                            let l = w.to_lowercase();
                            !l.is_empty() && !FILLERS.contains(&l.trim_end_matches('.'))
                        })
                } else {
                    None
                }
            };
            let Some(candidate) = candidate else { continue };
            let number = candidate.trim_end_matches(['.', '!', '?', '\'', '"']);
            if plausible(number) && !out.iter().any(|n| n.eq_ignore_ascii_case(number)) {
                out.push(number.to_owned());
            }
        }
    }
    out
}

fn plausible(number: &str) -> bool {
    (3..=20).contains(&number.len())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && number.chars().filter(char::is_ascii_digit).count() >= 3
}

/// An order as the shop records it, without payment details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The shop's own id (a Shopify `gid://…`).
    pub id: String,
    /// The number customers know, e.g. `#1001`.
    pub name: String,
    pub email: Option<EmailAddress>,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// As the shop words it, e.g. `fulfilled`, `unfulfilled`, `partially fulfilled`.
    pub fulfilment: String,
    pub items: Vec<OrderItem>,
    pub shipments: Vec<Shipment>,
    /// Where staff open it in the shop's admin, when known.
    pub admin_url: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub title: String,
    pub quantity: u32,
    pub sku: Option<String>,
}

/// A parcel of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// As the shop words it, e.g. `in transit`, `delivered`.
    pub status: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<DateTime<Utc>>,
}

impl Order {
    /// `open`, `cancelled` or `closed`.
    #[must_use]
    pub fn state(&self) -> &'static str {
        if self.cancelled_at.is_some() {
            "cancelled"
        } else if self.closed_at.is_some() {
            "closed"
        } else {
            "open"
        }
    }

    /// Whether the shop has the order under `address`.
    #[must_use]
    pub fn belongs_to(&self, address: &EmailAddress) -> bool {
        self.email
            .as_ref()
            .is_some_and(|e| e.normalized() == address.normalized())
    }

    /// The order as plain text for the assistant (what grounds a promise of a date).
    #[must_use]
    pub fn facts(&self) -> String {
        let mut text = format!(
            "Order {} placed {}: {}, {}.",
            self.name,
            self.created_at.format("%Y-%m-%d"),
            self.state(),
            self.fulfilment
        );
        if !self.items.is_empty() {
            let items: Vec<String> = self
                .items
                .iter()
                .map(|i| format!("{} × {}", i.quantity, i.title))
                .collect();
            text.push_str(&format!(" Items: {}.", items.join(", ")));
        }
        for s in &self.shipments {
            text.push_str(&format!(" Shipment {}", s.status));
            if let Some(c) = &s.carrier {
                text.push_str(&format!(" with {c}"));
            }
            if let Some(n) = &s.tracking_number {
                text.push_str(&format!(", tracking number {n}"));
            }
            if let Some(at) = s.estimated_delivery {
                text.push_str(&format!(
                    ", estimated delivery {}",
                    at.format("%A %-d %B %Y")
                ));
            }
            text.push('.');
        }
        text
    }
}

/// Why the shop could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("the shop is unavailable: {0}")]
    Unavailable(String),
    #[error("the shop refused the request: {0}")]
    Rejected(String),
}

/// Looks orders up in the shop.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OrderLookup: Send + Sync {
    /// The order named `number` (with or without its `#`), if the shop has one.
    ///
    /// # Errors
    /// [`OrderError`] when the shop cannot be asked.
    async fn by_number(&self, number: &str) -> Result<Option<Order>, OrderError>;

    /// The newest orders of `address`, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`OrderError`] when the shop cannot be asked.
    async fn recent_for(
        &self,
        address: &EmailAddress,
        limit: usize,
    ) -> Result<Vec<Order>, OrderError>;
}

/// No shop: nothing is looked up.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOrders;

#[async_trait]
impl OrderLookup for NoOrders {
    async fn by_number(&self, _number: &str) -> Result<Option<Order>, OrderError> {
        Ok(None)
    }

    async fn recent_for(
        &self,
        _address: &EmailAddress,
        _limit: usize,
    ) -> Result<Vec<Order>, OrderError> {
        Ok(Vec::new())
    }
}

/// What a ticket's order context is: the numbers it gives, and the order found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderContext {
    pub numbers: Vec<String>,
    /// The first number's order, or (no number given) the customer's newest order when the
    /// ticket speaks of an order or a delivery.
    pub order: Option<Order>,
    /// Whether the shop has `order` under the ticket's customer address; only then does the
    /// assistant see it.
    pub belongs_to_customer: bool,
}

impl OrderContext {
    /// The facts the assistant may use: only the customer's own order.
    #[must_use]
    pub fn for_assistant(&self) -> Option<String> {
        self.order
            .as_ref()
            .filter(|_| self.belongs_to_customer)
            .map(Order::facts)
    }
}

/// Whether a text speaks of an order or its delivery (so the customer's newest order is worth
/// looking up when no number is given).
#[must_use]
pub fn about_an_order(text: &str) -> bool {
    const WORDS: [&str; 10] = [
        "order",
        "parcel",
        "package",
        "delivery",
        "delivered",
        "shipping",
        "shipped",
        "tracking",
        "arrive",
        "arrived",
    ];
    let lower = text.to_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

/// The order context of a ticket from its customer's `texts` and `tags` (an intake form's
/// order number is tagged `order:<n>`), asked of `shop`.
///
/// # Errors
/// [`OrderError`] when the shop cannot be asked.
pub async fn order_context(
    shop: &dyn OrderLookup,
    customer: &EmailAddress,
    texts: &[&str],
    tags: &[String],
) -> Result<OrderContext, OrderError> {
    let mut numbers: Vec<String> = tags
        .iter()
        .filter_map(|t| t.strip_prefix("order:"))
        .filter(|n| plausible(n))
        .map(str::to_owned)
        .collect();
    for n in order_numbers(texts) {
        if !numbers.iter().any(|m| m.eq_ignore_ascii_case(&n)) {
            numbers.push(n);
        }
    }
    let order = match numbers.first() {
        Some(n) => shop.by_number(n).await?,
        None if texts.iter().any(|t| about_an_order(t)) => {
            shop.recent_for(customer, 1).await?.into_iter().next()
        }
        None => None,
    };
    Ok(OrderContext {
        belongs_to_customer: order.as_ref().is_some_and(|o| o.belongs_to(customer)),
        numbers,
        order,
    })
}

/// [`order_context`] of `ticket`: its subject, description and customer messages (of
/// `conversation`, oldest first) in that order, its tags and its customer — what the ticket
/// page and the assistant both look at, so they find the same order.
///
/// # Errors
/// [`OrderError`] when the shop cannot be asked.
pub async fn ticket_order(
    shop: &dyn OrderLookup,
    ticket: &crate::Ticket,
    conversation: &[crate::ticket::Message],
) -> Result<OrderContext, OrderError> {
    let texts: Vec<&str> = [ticket.subject.as_str(), ticket.description.as_str()]
        .into_iter()
        .chain(
            conversation
                .iter()
                .filter(|m| m.kind == crate::ticket::MessageKind::Customer)
                .map(|m| m.body_text.as_str()),
        )
        .collect();
    order_context(shop, &ticket.customer.email, &texts, &ticket.tags).await
}

#[cfg(test)]
#[path = "order_tests.rs"]
mod tests;
