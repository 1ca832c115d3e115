//! `GET /api/tickets/{id}`: a ticket with everything about it.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::TicketDetail;

/// A ticket by UUID or number (`TKT-000123`): the ticket, its messages, notes, mail headers,
/// attachments, the latest AI analysis and draft, its SLA clocks and, for staff, its merge
/// suggestions. The `ETag` is the
/// ticket's version, for `If-Match` on `PATCH`.
#[utoipa::path(get, path = "/api/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketDetail), (status = 404, body = crate::problem::Problem)))]
pub async fn detail(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (detail, revision) = crate::reads::ticket_detail(&state, &caller, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{revision}\"")))
        .json(detail))
}
