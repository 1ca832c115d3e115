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
pub use update::{__path_patch, patch};

use frontdesk_domain::TicketId;
use frontdesk_domain::ports::TicketRepository as _;
use frontdesk_domain::ticket::{Ticket, TicketNumber};

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// The ticket `{id}` names (a UUID or a `TKT-…` number), if the caller may see it. Tickets the
/// caller may not see are "not found", like tickets that do not exist.
pub(crate) async fn visible(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<Ticket, ApiError> {
    let missing = || ApiError::not_found(format!("no ticket {raw}"));
    let ticket = if let Ok(id) = uuid::Uuid::parse_str(raw) {
        state.db().get(TicketId::from_uuid(id)).await?
    } else if let Ok(number) = TicketNumber::parse(raw) {
        state.db().get_by_number(number).await?
    } else {
        None
    };
    let ticket = ticket.ok_or_else(missing)?;
    if caller.can_see(&ticket, state.http().agents_see_all) {
        Ok(ticket)
    } else {
        Err(missing())
    }
}
