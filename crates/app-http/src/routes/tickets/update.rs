//! `PATCH /api/tickets/{id}`: status, priority, category, assignee, tags — with optimistic
//! locking through `If-Match`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use frontdesk_domain::service::TicketUpdate;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Actor, Category, Priority, Status};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::visible;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;
use crate::views::TicketView;

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchTicket {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    /// A staff id, or `null` to unassign.
    #[serde(default, deserialize_with = "crate::routes::input::present")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee: Option<Option<Uuid>>,
    pub tags: Option<Vec<String>>,
}

/// The version an `If-Match` header asks for: `"7"`, `W/"7"` or `*` (any).
pub(crate) fn if_match(req: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::bad_request("If-Match: not readable"))?
        .trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    tag.trim_matches('"')
        .parse::<u64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request("If-Match: send the ETag of GET /api/tickets/{id}"))
}

/// Change a ticket's fields (staff). With `If-Match`, the change applies only if the ticket is
/// still at that version; otherwise 412 and nothing changes.
#[utoipa::path(patch, path = "/api/tickets/{id}", tag = "tickets", request_body = PatchTicket,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number"),
           ("If-Match" = Option<String>, Header, description = "the ticket's ETag")),
    responses((status = 200, body = TicketView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<PatchTicket>,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(&state, &caller, &id).await?;
    let staff = caller.staff()?;
    if let Some(tags) = &body.tags {
        input::tags("tags", tags)?;
    }
    let update = TicketUpdate {
        status: input::optional::<Status>("status", body.status.as_deref())?,
        priority: input::optional::<Priority>("priority", body.priority.as_deref())?,
        category: input::optional::<Category>("category", body.category.as_deref())?,
        assignee: body.assignee.map(|a| a.map(StaffId::from_uuid)),
        tags: body.tags.clone(),
        expected_version: if_match(&req)?,
        ..TicketUpdate::default()
    };
    let committed = state
        .desk()
        .update(ticket.id, Actor::Staff(staff.id), update)
        .await?;
    let t = committed.ticket;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", t.revision)))
        .json(TicketView::new(
            &t,
            &state.desk().settings().sla.current(),
            state.now(),
        )))
}

/// The body of `PUT /api/tickets/{id}/status`, the source documents' path for a status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: String,
}

/// `PUT /api/tickets/{id}/status`: a `PATCH` of the status alone, with its rights and answers.
pub async fn put_status(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let change = PatchTicket {
        status: Some(body.into_inner().status),
        ..PatchTicket::default()
    };
    patch(state, caller, req, id, web::Json(change)).await
}
