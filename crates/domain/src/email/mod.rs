//! E-mail vocabulary shared by every rule: addresses, Message-IDs and the inbound e-mail as the
//! mail adapters hand it to the domain.

mod address;
mod inbound;
mod message_id;

pub use address::{AddressError, EmailAddress, Mailbox};
pub use inbound::{Attachment, Header, InboundEmail};
pub use message_id::{MessageId, MessageIdError, content_address};
