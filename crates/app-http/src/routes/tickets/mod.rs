//! `/api/tickets`: listing and search, creation, the detail view, changes and the actions staff
//! take on a ticket.

pub(crate) mod actions;
pub(crate) mod attachments;
pub(crate) mod bulk;
pub(crate) mod create;
mod export;
mod get;
pub(crate) mod list;
pub(crate) mod order;
mod update;

pub use actions::{
    __path_assign, __path_escalate, __path_merge, __path_note, __path_reply, __path_take, assign,
    escalate, merge, note, reply, take,
};
pub use attachments::{__path_attachment, attachment};
pub use bulk::{__path_bulk, bulk};
pub use create::{__path_create, create};
pub use export::{__path_export, export};
pub use get::{__path_detail, detail};
pub use list::{__path_list, __path_queue, list, queue};
pub use order::{__path_order, TicketOrder, order};
pub use update::{__path_patch, patch, put_status};

pub(crate) use crate::reads::visible;
