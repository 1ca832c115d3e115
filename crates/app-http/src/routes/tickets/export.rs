//! `GET /api/tickets/export.csv`: a ticket list as CSV — the list's filters and sort, every
//! matching ticket the caller may see, streamed page by page (memory stays bounded at any
//! size), quoted as RFC 4180 says, with cells that a spreadsheet would read as a formula
//! neutralised.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{PageCursor, TicketListQuery};
use uuid::Uuid;

use super::list::{ListParams, filter_of, sort_of};
use crate::auth::Caller;
use crate::csv_out::csv;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::{ClockView, TicketView};

/// Tickets read and written per step of the stream.
const STEP: u32 = 500;

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "number",
    "subject",
    "customer_email",
    "customer_name",
    "status",
    "priority",
    "category",
    "assignee",
    "tags",
    "channel",
    "escalation_level",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_sla",
    "first_response_due_at",
    "resolution_sla",
    "resolution_due_at",
];

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn clock(c: Option<&ClockView>) -> (String, String) {
    c.map(|c| (c.state.to_owned(), time(c.due_at)))
        .unwrap_or_default()
}

/// One ticket's cells, in [`COLUMNS`]' order.
fn row(t: &TicketView, names: &HashMap<Uuid, String>) -> Vec<String> {
    let assignee = match t.assignee.visible() {
        Some(Some(id)) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        _ => String::new(),
    };
    let (fr, fr_due) = clock(t.sla.as_ref().map(|s| &s.first_response));
    let (res, res_due) = clock(t.sla.as_ref().map(|s| &s.resolution));
    vec![
        t.number.clone(),
        t.subject.clone(),
        t.customer.email.clone(),
        t.customer.name.clone().unwrap_or_default(),
        t.status.clone(),
        t.priority.clone().unwrap_or_default(),
        t.category.clone().unwrap_or_default(),
        assignee,
        t.tags.clone().unwrap_or_default().join(" "),
        t.channel.clone(),
        t.escalation_level
            .map(|l| l.to_string())
            .unwrap_or_default(),
        time(Some(t.created_at)),
        time(Some(t.updated_at)),
        time(t.first_response_at),
        time(t.resolved_at),
        time(t.closed_at),
        fr,
        fr_due,
        res,
        res_due,
    ]
}

/// Where the stream is.
struct Walk {
    state: Arc<AppState>,
    caller: Caller,
    query: TicketListQuery,
    names: Arc<HashMap<Uuid, String>>,
    done: bool,
}

/// The next step of the export: up to [`STEP`] tickets as CSV, or the end.
async fn step(mut walk: Walk) -> Option<(Result<Bytes, actix_web::Error>, Walk)> {
    if walk.done {
        return None;
    }
    let page =
        match crate::reads::ticket_page_uncounted(&walk.state, &walk.caller, &walk.query).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "a ticket export stopped");
                return Some((Err(e.into()), Walk { done: true, ..walk }));
            }
        };
    walk.done = page.next.is_none();
    walk.query.after = page.next.map(PageCursor);
    let names = walk.names.clone();
    let chunk = csv(page.items.iter().map(|t| row(t, &names))).map_err(Into::into);
    Some((chunk, walk))
}

/// Export a ticket list as CSV (staff): the filters and sort of `GET /api/tickets` (`limit`
/// and `after` are ignored: every matching ticket the caller may see is written), streamed.
/// Columns: number, subject, customer, status, priority, category, assignee, tags, channel,
/// escalation, the dates and both SLA clocks' states and deadlines. Cells starting with `=`,
/// `+`, `-`, `@` (or a tab or carriage return) are prefixed with `'`.
#[utoipa::path(get, path = "/api/tickets/export.csv", tag = "tickets", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", description = "the tickets, one per line after the header"),
        (status = 400, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem)))]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    caller.staff()?;
    let now = state.now();
    let filter = filter_of(&params, &caller, &state, now)?;
    let sort = sort_of(params.sort.as_deref())?;
    let names: HashMap<Uuid, String> = crate::reads::staff_list(&state, &caller)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let header = csv(std::iter::once(COLUMNS.iter().map(|c| (*c).to_owned())))?;
    let walk = Walk {
        state: state.into_inner(),
        caller,
        query: TicketListQuery {
            filter,
            sort,
            limit: STEP,
            after: None,
            now,
        },
        names: Arc::new(names),
        done: false,
    };
    let rows = futures_util::stream::unfold(walk, step);
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, actix_web::Error>(header) }),
        rows,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"tickets.csv\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}
