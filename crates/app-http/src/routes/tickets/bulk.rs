//! `POST /api/tickets/bulk`: one change applied to many tickets, each through the domain with
//! its rules and checks, answered per ticket.

use actix_web::{HttpResponse, web};
use frontdesk_domain::service::TicketUpdate;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Category, Priority, Status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::visible;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;

/// The most tickets one bulk change names.
pub(crate) const MAX_TICKETS: usize = 200;

/// A change for many tickets: any of the fields, applied to each ticket named.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkChange {
    /// UUIDs or `TKT-…` numbers, 1 to 200.
    pub tickets: Vec<String>,
    /// Take each ticket (assign it to yourself; refused for one someone else has).
    #[serde(default)]
    pub take: bool,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    /// A staff id, or `null` to unassign.
    #[serde(default, deserialize_with = "crate::routes::input::present")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee: Option<Option<Uuid>>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

/// What became of one ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkOutcome {
    /// The ticket as the request named it.
    pub ticket: String,
    pub id: Option<Uuid>,
    /// `TKT-…`.
    pub number: Option<String>,
    /// `done` or `refused`.
    pub outcome: String,
    /// The status this change alone would have answered (200, 404, 409, 412, 422).
    pub status: u16,
    /// Why it was refused.
    pub error: Option<String>,
}

/// Each ticket's outcome, in the order named.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub results: Vec<BulkOutcome>,
}

/// Apply one change to many tickets (staff): take, assign, status, priority, category, tags.
/// Each ticket goes through the same rules as its own `PATCH` or `take`; a ticket the caller
/// may not see, or whose change is refused, is reported and the others are still changed.
#[utoipa::path(post, path = "/api/tickets/bulk", tag = "tickets", request_body = BulkChange,
    security(("bearer" = [])),
    responses((status = 200, body = BulkResult), (status = 403, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn bulk(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<BulkChange>,
) -> Result<HttpResponse, ApiError> {
    let results = apply(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(BulkResult { results }))
}

/// Applies `body` for `caller`: the API's and the ticket list's one road for bulk changes.
///
/// # Errors
/// 403 for customers; 422 for no tickets, too many, or a change that changes nothing.
pub(crate) async fn apply(
    state: &AppState,
    caller: &Caller,
    body: BulkChange,
) -> Result<Vec<BulkOutcome>, ApiError> {
    let staff = caller.staff()?.clone();
    if body.tickets.is_empty() || body.tickets.len() > MAX_TICKETS {
        return Err(ApiError::invalid_field(
            "tickets",
            format!("1 to {MAX_TICKETS} tickets"),
        ));
    }
    for (field, tags) in [
        ("add_tags", &body.add_tags),
        ("remove_tags", &body.remove_tags),
    ] {
        input::tags(field, tags)?;
        if tags.iter().any(|t| t.trim().is_empty()) {
            return Err(ApiError::invalid_field(field, "no blank tags"));
        }
    }
    let update = TicketUpdate {
        status: input::optional::<Status>("status", body.status.as_deref())?,
        priority: input::optional::<Priority>("priority", body.priority.as_deref())?,
        category: input::optional::<Category>("category", body.category.as_deref())?,
        assignee: body.assignee.map(|a| a.map(StaffId::from_uuid)),
        add_tags: body.add_tags,
        remove_tags: body.remove_tags,
        ..TicketUpdate::default()
    };
    if !body.take && update == TicketUpdate::default() {
        return Err(ApiError::invalid(
            "the change changes nothing: name a field to set",
        ));
    }
    // What the caller may not see is refused here; the rest is changed in one domain call.
    let mut seen = Vec::with_capacity(body.tickets.len());
    for raw in &body.tickets {
        seen.push(visible(state, caller, raw).await);
    }
    let ids: Vec<_> = seen.iter().flatten().map(|t| t.id).collect();
    let mut changed = state
        .desk()
        .bulk(&staff, &ids, body.take, &update)
        .await
        .into_iter();
    let mut results = Vec::with_capacity(seen.len());
    for (raw, found) in body.tickets.into_iter().zip(seen) {
        let outcome = match found {
            Err(e) => refused(raw, None, &e),
            Ok(ticket) => match changed.next() {
                Some(Ok(c)) => BulkOutcome {
                    ticket: raw,
                    id: Some(c.ticket.id.as_uuid()),
                    number: Some(c.ticket.number.to_string()),
                    outcome: "done".to_owned(),
                    status: 200,
                    error: None,
                },
                Some(Err(e)) => refused(raw, Some(&ticket), &ApiError::from(e)),
                None => refused(raw, Some(&ticket), &ApiError::internal(&"no outcome")),
            },
        };
        results.push(outcome);
    }
    Ok(results)
}

fn refused(raw: String, ticket: Option<&frontdesk_domain::Ticket>, e: &ApiError) -> BulkOutcome {
    BulkOutcome {
        ticket: raw,
        id: ticket.map(|t| t.id.as_uuid()),
        number: ticket.map(|t| t.number.to_string()),
        outcome: "refused".to_owned(),
        status: e.status().as_u16(),
        error: Some(e.detail().to_owned()),
    }
}
