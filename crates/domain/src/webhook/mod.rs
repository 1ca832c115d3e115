//! Outbound webhooks: which events a subscription wants and what it is sent ([`FeedEvent`], the
//! public event names), which URLs a subscription may name and which addresses a delivery may
//! connect to. Resolving names is I/O and stays in the apps; they ask [`TargetPolicy`]
//! about every address they would connect to, at creation and again at connect time.

mod delivery;
mod events;
mod target;
mod url;

#[cfg(test)]
mod tests;

pub use delivery::{DeliveryState, RedeliveryRefused, may_redeliver};
pub use events::{EventSelection, EventSelectionError, FeedEvent, PublicEvent, Subscription};
pub use target::{Cidr, CidrError, RefusedAddress, TargetPolicy};
pub use url::{TargetHost, WebhookUrl, WebhookUrlError, redact_url};
