//! `/api/tickets`: listing and search, creation, the detail view, changes and the actions staff
//! take on a ticket.

mod actions;
mod attachments;
mod create;
mod get;
mod list;
mod update;

pub use actions::{
    __path_assign, __path_escalate, __path_merge, __path_note, __path_reply, __path_take, assign,
    escalate, merge, note, reply, take,
};
pub use attachments::{__path_attachment, attachment};
pub use create::{__path_create, create};
pub use get::{__path_detail, detail};
pub use list::{__path_list, __path_queue, list, queue};
pub use update::{__path_patch, patch, put_status};

use frontdesk_adapters_db::{TicketKey, WholeTicket};
use frontdesk_domain::TicketId;
use frontdesk_domain::ports::TicketRepository as _;
use frontdesk_domain::ticket::{Ticket, TicketNumber};

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// What `{id}` names: a ticket's UUID or its `TKT-…` number.
fn ticket_key(raw: &str) -> Option<TicketKey> {
    if let Ok(id) = uuid::Uuid::parse_str(raw) {
        Some(TicketKey::Id(TicketId::from_uuid(id)))
    } else {
        TicketNumber::parse(raw).ok().map(TicketKey::Number)
    }
}

/// "Not found" for a ticket that does not exist, or that the caller may not see: its existence
/// is not revealed.
fn missing(raw: &str) -> ApiError {
    ApiError::not_found(format!("no ticket {raw}"))
}

/// The ticket `{id}` names (a UUID or a `TKT-…` number), if the caller may see it.
pub(crate) async fn visible(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<Ticket, ApiError> {
    let ticket = match ticket_key(raw) {
        Some(TicketKey::Id(id)) => state.db().get(id).await?,
        Some(TicketKey::Number(number)) => state.db().get_by_number(number).await?,
        None => None,
    };
    match ticket {
        Some(t) if caller.can_see(&t, state.http().agents_see_all) => Ok(t),
        _ => Err(missing(raw)),
    }
}

/// [`visible`] with everything its page shows, read in one query.
pub(crate) async fn visible_whole(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<WholeTicket, ApiError> {
    let whole = match ticket_key(raw) {
        Some(key) => state.db().ticket_whole(key).await?,
        None => None,
    };
    match whole {
        Some(w) if caller.can_see(&w.ticket, state.http().agents_see_all) => Ok(w),
        _ => Err(missing(raw)),
    }
}
