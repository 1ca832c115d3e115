//! What staff (and, for replies, customers) do to a ticket: reply, note, assign, take, escalate.

use actix_web::{HttpResponse, web};
use frontdesk_domain::service::{ReplyMode, ReplyText, Seen, TicketUpdate};
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Actor, Ticket};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::visible;
use crate::auth::{Caller, Principal};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::TicketView;

fn answer(
    state: &AppState,
    caller: &Caller,
    status: actix_web::http::StatusCode,
    t: &Ticket,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if caller.customer().is_none() {
        response.insert_header((actix_web::http::header::ETAG, format!("\"{}\"", t.revision)));
    }
    response.json(TicketView::for_caller(
        caller.customer().is_some(),
        t,
        &state.desk().settings().sla.current(),
        state.now(),
    ))
}

/// Send now, or keep as a draft in the mailbox's drafts for review.
#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SendMode {
    #[default]
    Now,
    Draft,
}

/// A reply to the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The text; may be empty with `use_ai_draft`.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub send: SendMode,
    /// Send the assistant's latest draft (when `content` is empty).
    #[serde(default)]
    pub use_ai_draft: bool,
    /// The ticket's `version` when you started writing (or send `If-Match`): if anything changed
    /// since, the reply is not sent (409 `new-activity`); look, then send again.
    #[serde(default)]
    pub seen_version: Option<u64>,
    /// The id of the newest message you had seen: the reply is not sent (409 `new-activity`)
    /// if the customer or another agent wrote after it. Notes and field changes do not count.
    #[serde(default)]
    pub seen_message: Option<Uuid>,
}

/// Reply to the customer. Staff replies go out by mail through the jobs queue (SMTP, Gmail or
/// the local outbox), threaded with `In-Reply-To`/`References` and the `[TKT-…]` subject tag,
/// and count as the first response. A customer's reply (portal) is added to the conversation
/// and reopens a pending or resolved ticket; on a closed ticket it opens a follow-up linked to
/// it (`follow_up_of`), and the answer is that new ticket.
#[utoipa::path(post, path = "/api/tickets/{id}/reply", tag = "tickets", request_body = ReplyRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number"),
           ("If-Match" = Option<String>, Header, description = "the ticket's ETag when you started writing")),
    responses((status = 201, body = TicketView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem, description = "the ticket cannot take a reply, or `new-activity`: something happened since you started"),
              (status = 422, body = crate::problem::Problem)))]
pub async fn reply(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
    body: web::Json<ReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(&state, &caller, &id).await?;
    let seen = match (body.seen_message, body.seen_version) {
        (Some(message), _) => Some(Seen::LastMessage(Some(message))),
        (None, Some(version)) => Some(Seen::Revision(version)),
        (None, None) => super::update::if_match(&req)?.map(Seen::Revision),
    };
    let text = ReplyText::from_request(&body.content, body.use_ai_draft);
    let mode = match body.send {
        SendMode::Now => ReplyMode::Send,
        SendMode::Draft => ReplyMode::Draft,
    };
    let committed = match &caller.principal {
        Principal::Customer(email) => {
            let content = text.from_customer(mode)?;
            state
                .desk()
                .customer_reply(ticket.id, email, content)
                .await?
        }
        Principal::Staff(staff) => {
            state
                .desk()
                .staff_reply(ticket.id, staff, text, mode, seen)
                .await?
        }
    };
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::CREATED,
        &committed.ticket,
    ))
}

/// An internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub content: String,
}

/// Add an internal note (staff); never mailed, never shown to the customer.
#[utoipa::path(post, path = "/api/tickets/{id}/notes", tag = "tickets", request_body = NoteRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 201, body = TicketView), (status = 404, body = crate::problem::Problem)))]
pub async fn note(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(&state, &caller, &id).await?;
    let staff = caller.staff()?;
    let committed = state
        .desk()
        .add_note(ticket.id, staff, &body.content)
        .await?;
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::CREATED,
        &committed.ticket,
    ))
}

/// Whom to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A staff id, or `null` to unassign.
    pub staff_id: Option<Uuid>,
}

/// Assign the ticket to a staff member, or unassign it (staff).
#[utoipa::path(post, path = "/api/tickets/{id}/assign", tag = "tickets", request_body = AssignRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketView), (status = 422, body = crate::problem::Problem)))]
pub async fn assign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    let committed = reassign(&state, &caller, &id, body.staff_id.map(StaffId::from_uuid)).await?;
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::OK,
        &committed.ticket,
    ))
}

/// Assigns ticket `raw` (a UUID or TKT number) to `to`, or unassigns it, as `caller`: the
/// API's `/assign` and the staff page's reassignment before a deactivation take this road.
///
/// # Errors
/// 404 for a ticket the caller cannot see; the update's refusals; storage.
pub(crate) async fn reassign(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    to: Option<StaffId>,
) -> Result<frontdesk_domain::ports::Committed, ApiError> {
    let ticket = visible(state, caller, raw).await?;
    let staff = caller.staff()?;
    let update = TicketUpdate {
        assignee: Some(to),
        ..TicketUpdate::default()
    };
    Ok(state
        .desk()
        .update(ticket.id, Actor::Staff(staff.id), update)
        .await?)
}

/// Take the ticket: assign it to yourself (staff). A ticket someone else has is a conflict
/// (reassign it with `/assign`).
#[utoipa::path(post, path = "/api/tickets/{id}/take", tag = "tickets",
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketView), (status = 409, body = crate::problem::Problem)))]
pub async fn take(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(&state, &caller, &id).await?;
    let staff = caller.staff()?;
    let committed = state.desk().take(ticket.id, staff).await?;
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::OK,
        &committed.ticket,
    ))
}

/// Why a ticket is escalated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub reason: String,
}

/// Escalate by hand (staff): one level up, priority raised per policy, managers notified.
#[utoipa::path(post, path = "/api/tickets/{id}/escalate", tag = "tickets", request_body = EscalateRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketView), (status = 422, body = crate::problem::Problem)))]
pub async fn escalate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<EscalateRequest>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(&state, &caller, &id).await?;
    let staff = caller.staff()?;
    let committed = state
        .desk()
        .escalate(ticket.id, Actor::Staff(staff.id), &body.reason)
        .await?;
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::OK,
        &committed.ticket,
    ))
}

/// Which ticket takes the conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The surviving ticket: a UUID or a `TKT-…` number.
    pub into: String,
    /// Merge two customers' tickets anyway (managers and admins; agents get 403). The other
    /// customer's messages become staff-only notes and their later mail stays on their ticket.
    #[serde(default)]
    pub force: bool,
}

/// Merge a duplicate into another ticket (staff): this ticket is closed and points at `into`,
/// which takes its messages, mails, tags and threads — later mail to either lands there. Two
/// customers' tickets answer 409 unless a manager or admin sends `force`.
#[utoipa::path(post, path = "/api/tickets/{id}/merge", tag = "tickets", request_body = MergeRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, description = "the ticket merged into", body = TicketView),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem)))]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let committed = merge_tickets(&state, &caller, &id, &body.into, body.force).await?;
    Ok(answer(
        &state,
        &caller,
        actix_web::http::StatusCode::OK,
        &committed.ticket,
    ))
}

/// Merges ticket `id` into `into` for `caller` (the API's and the ticket page's one road): both
/// must be visible to the caller; `force` (managers, admins) merges two customers' tickets.
///
/// # Errors
/// 404 for an unseen source, 422 for an unseen target, 409 for two customers without `force`,
/// 403 for `force` without the right.
pub(crate) async fn merge_tickets(
    state: &AppState,
    caller: &Caller,
    id: &str,
    into: &str,
    force: bool,
) -> Result<frontdesk_domain::ports::Committed, ApiError> {
    let source = visible(state, caller, id).await?;
    let staff = caller.staff()?;
    let into = into.trim();
    let target = match visible(state, caller, into).await {
        Err(e) if e.status() == actix_web::http::StatusCode::NOT_FOUND => {
            return Err(ApiError::invalid_field("into", format!("no ticket {into}")));
        }
        other => other?,
    };
    Ok(state
        .desk()
        .merge(
            source.id,
            target.id,
            Actor::Staff(staff.id),
            force.then_some(staff.role),
        )
        .await?)
}
