//! What staff do to a ticket: reply, add a note, change fields, escalate.

mod edit;
mod notes;
mod notify;
mod reply;

pub(crate) use reply::attach;

use chrono::DateTime;
use chrono::Utc;

use super::Helpdesk;
use crate::ai::AutoReplyEffect;
use crate::ports::{
    ChangeSet, CommitError, Committed, Job, Notification, NotificationKind, OutboundEmail,
    StoreError,
};
use crate::staff::{Role, Staff, StaffId};
use crate::threading::reply_headers;
use crate::ticket::{
    Actor, Category, EmailHeaders, EventKind, Message, MessageKind, Priority, Status, Ticket,
    TicketEvent, TicketId, TransitionError,
};

/// The longest escalation reason, in bytes.
pub const MAX_REASON_BYTES: usize = 2000;
/// The longest message body staff may post, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
pub(super) const CONFLICT_RETRIES: usize = 3;
/// The author name on replies Frontdesk's assistant sends by itself.
pub const ASSISTANT_NAME: &str = "Frontdesk assistant";

/// Why a change to a ticket failed. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("ticket {0} does not exist")]
    NotFound(TicketId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The caller's expected version (an `If-Match` ETag) is stale, or the ticket kept changing.
    #[error("ticket {0} was changed by someone else; reload it and try again")]
    Conflict(TicketId),
    #[error("invalid change: {0}")]
    Invalid(String),
    /// Someone else has the ticket; taking it would silently reassign it.
    #[error("ticket {0} is assigned to someone else")]
    Taken(TicketId),
    #[error(transparent)]
    Merge(#[from] crate::ticket::MergeRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError> for UpdateError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Conflict(id) => Self::Conflict(id),
            CommitError::NotFound(id) => Self::NotFound(id),
            CommitError::Store(s) => Self::Store(s),
            CommitError::Duplicate(id) => {
                Self::Store(StoreError::other(format!("duplicate message {id}")))
            }
        }
    }
}

/// Why a reply failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("a reply needs some text")]
    EmptyBody,
    #[error("a reply may be at most {MAX_BODY_BYTES} bytes")]
    TooLong,
    /// The assistant's draft was asked for and it has written none.
    #[error("the ticket has no AI draft yet")]
    NoAiDraft,
    /// A customer asked to send the assistant's draft or to keep a draft.
    #[error("customers send their replies as they are")]
    CustomersSendAsWritten,
    /// The author had not seen what happened on the ticket since they started writing (the
    /// customer's newest message, another agent's reply; with a revision, any change): the
    /// reply is held back for them to review. The count of unseen messages, when known.
    #[error("new activity since you started{} — review before sending", .0.map(|n| format!(" ({n} new {})", if n == 1 { "message" } else { "messages" })).unwrap_or_default())]
    NewActivity(Option<usize>),
    #[error(transparent)]
    Ticket(#[from] UpdateError),
}

/// Why a note failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a note needs some text")]
    EmptyBody,
    #[error("a note may be at most {MAX_BODY_BYTES} bytes")]
    TooLong,
    #[error(transparent)]
    Ticket(#[from] UpdateError),
}

/// Send the reply now, or keep it as a draft for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    Send,
    Draft,
}

/// A partial change of a ticket's fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketUpdate {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<StaffId>>,
    pub tags: Option<Vec<String>>,
    /// Tags added to the ticket's tags as they are when the change is made (after `tags`).
    pub add_tags: Vec<String>,
    /// Tags removed likewise (compared without case).
    pub remove_tags: Vec<String>,
    /// Apply only if the ticket is still at this revision (its ETag: optimistic locking).
    pub expected_version: Option<u64>,
}

pub(super) fn check_body(body: &str) -> Result<&str, bool> {
    let body = body.trim();
    if body.is_empty() {
        Err(true)
    } else if body.len() > MAX_BODY_BYTES {
        Err(false)
    } else {
        Ok(body)
    }
}

impl Helpdesk {
    /// Loads a ticket, lets `plan` turn it into a change set, commits; re-reads and re-plans
    /// when someone else changed the ticket in between.
    pub(super) async fn change_ticket<F>(
        &self,
        id: TicketId,
        mut plan: F,
    ) -> Result<Committed, UpdateError>
    where
        F: FnMut(Ticket, DateTime<Utc>) -> Result<ChangeSet, UpdateError> + Send,
    {
        self.change_ticket_if(id, |ticket, now| plan(ticket, now).map(Some))
            .await
    }

    /// [`Self::change_ticket`] for a plan that may find nothing to change (`None`): then nothing
    /// is written, and the ticket comes back as it was (its version unbumped).
    pub(super) async fn change_ticket_if<F>(
        &self,
        id: TicketId,
        mut plan: F,
    ) -> Result<Committed, UpdateError>
    where
        F: FnMut(Ticket, DateTime<Utc>) -> Result<Option<ChangeSet>, UpdateError> + Send,
    {
        let mut attempt = 0;
        loop {
            let ticket = self
                .ports
                .tickets
                .get(id)
                .await?
                .ok_or(UpdateError::NotFound(id))?;
            let Some(change) = plan(ticket.clone(), self.ports.clock.now())? else {
                return Ok(Committed { ticket });
            };
            match self.ports.tickets.commit(change).await {
                Err(CommitError::Conflict(_)) if attempt < CONFLICT_RETRIES => attempt += 1,
                other => return other.map_err(UpdateError::from),
            }
        }
    }
}
