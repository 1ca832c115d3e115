//! E-mail vocabulary shared by every rule: addresses, Message-IDs and the inbound e-mail as the
//! mail adapters hand it to the domain.

mod address;
mod authentication;
mod filters;
mod inbound;
mod message_id;
mod untrusted;

pub use address::{AddressError, EmailAddress, Mailbox};
pub use authentication::{AuthenticationResults, sender_authentication_failure};
pub use filters::{LiveFilters, PatternError, SenderFilters, SenderPattern, SenderVerdict};
pub use inbound::{Attachment, Header, InboundEmail};
pub use message_id::{MessageId, MessageIdError, content_address};
pub use untrusted::{UNTRUSTED_TEXT_CHARS, quote_untrusted};
