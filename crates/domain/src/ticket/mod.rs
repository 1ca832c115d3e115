//! Tickets: identity, the status lifecycle, messages and the audit trail.

mod event;
mod kinds;
mod lifecycle;
mod message;
mod number;
mod status;

pub use event::{Actor, EventKind, SlaClockName, TicketEvent};
pub(crate) use kinds::string_enum;
pub use kinds::{Category, Channel, ParseEnumError, Priority};
pub use lifecycle::{
    CustomerReplyEffect, MergeRefusal, MergeScope, Ticket, TicketDraft, TicketId, TicketParts,
};
pub use message::{AttachmentMeta, Direction, EmailHeaders, Message, MessageKind};
pub use number::{TicketNumber, TicketNumberError};
pub use status::{Status, TransitionError};
