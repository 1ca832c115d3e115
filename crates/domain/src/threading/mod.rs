//! Threading: deciding where an inbound mail belongs (and who may join a ticket's
//! conversation), recognising machine-generated mail, and building the headers of outbound
//! replies so customers' clients thread them.

mod auto_reply;
mod decide;
mod outbound;
mod participants;

pub use auto_reply::{AutoReplyKind, LoopGuard};
pub use decide::{Bridge, Suggestion, ThreadDecision, ThreadMatch, decide};
pub use outbound::{OutboundHeaders, REFERENCES_CAP, SUBJECT_CAP, reply_headers, reply_subject};
pub use participants::{
    MergeSuggestion, SuggestReason, SuggestedLink, mail_participants, may_join,
};
