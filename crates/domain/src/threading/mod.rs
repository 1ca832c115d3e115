//! Threading: deciding where an inbound mail belongs, recognising machine-generated mail, and
//! building the headers of outbound replies so customers' clients thread them.

mod auto_reply;
mod decide;
mod outbound;

pub use auto_reply::{AutoReplyKind, LoopGuard};
pub use decide::{ThreadDecision, ThreadMatch, decide};
pub use outbound::{OutboundHeaders, REFERENCES_CAP, SUBJECT_CAP, reply_headers, reply_subject};
