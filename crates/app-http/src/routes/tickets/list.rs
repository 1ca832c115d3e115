//! `GET /api/tickets` and `GET /api/tickets/queue`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::access::TicketScope;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{
    AssigneeFilter, PageCursor, SlaFilter, SortKey, TicketFilter, TicketListQuery, TicketSort,
};
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::Status;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::TicketList;

/// Most tickets on one page.
pub const MAX_PAGE: u32 = 100;

/// Filters, sort and page of a ticket listing. Lists are comma-separated.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// e.g. `new,open`.
    pub status: Option<String>,
    /// e.g. `urgent,high`.
    pub priority: Option<String>,
    pub category: Option<String>,
    /// A staff id, `me`, `unassigned`, or `me_or_unassigned` (your queue).
    pub assignee: Option<String>,
    /// The customer's address.
    pub customer: Option<String>,
    pub tag: Option<String>,
    /// `breached`, or `at_risk` (a running clock has under 20 % of its target left, counted on
    /// the business calendar: the rule that raises the SLA warning).
    pub sla: Option<String>,
    /// Created at or after (RFC 3339).
    pub created_from: Option<String>,
    /// Created before (RFC 3339).
    pub created_to: Option<String>,
    /// Full-text search in subjects and messages; all words must occur.
    pub q: Option<String>,
    /// `created`, `updated`, `sla_due` or `priority`; prefix `-` for descending. Default `-created`.
    pub sort: Option<String>,
    /// 1–100, default 25.
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

fn list_of<T: std::str::FromStr>(field: &str, raw: Option<&str>) -> Result<Vec<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    raw.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<T>()
                    .map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
            })
            .collect()
    })
    .unwrap_or_else(|| Ok(Vec::new()))
}

fn instant(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|s| {
        DateTime::parse_from_rfc3339(s.trim())
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| ApiError::bad_request(format!("{field}: not an RFC 3339 instant: {e}")))
    })
    .transpose()
}

pub(crate) fn sort_of(raw: Option<&str>) -> Result<TicketSort, ApiError> {
    let raw = raw.unwrap_or("-created").trim();
    let (descending, key) = match raw.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, raw),
    };
    let key = match key {
        "created" => SortKey::Created,
        "updated" => SortKey::Updated,
        "sla_due" => SortKey::SlaDue,
        "priority" => SortKey::Priority,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort: `{other}` is not one of created, updated, sla_due, priority"
            )));
        }
    };
    Ok(TicketSort { key, descending })
}

/// Customers filter their tickets by status and creation time: the other filters, the sort by
/// priority or SLA, and full-text search (which also reads internal notes) would let them probe
/// staff's working data.
fn customer_may_filter(p: &ListParams) -> Result<(), ApiError> {
    let staff_only = [
        ("priority", p.priority.is_some()),
        ("category", p.category.is_some()),
        ("assignee", p.assignee.is_some()),
        ("customer", p.customer.is_some()),
        ("tag", p.tag.is_some()),
        ("sla", p.sla.is_some()),
        ("q", p.q.is_some()),
        (
            "sort",
            p.sort
                .as_deref()
                .is_some_and(|s| !matches!(s.trim_start_matches('-'), "created" | "updated")),
        ),
    ];
    match staff_only.iter().find(|(_, used)| *used) {
        Some((name, _)) => Err(ApiError::bad_request(format!(
            "{name}: customers list their tickets by status and creation time only"
        ))),
        None => Ok(()),
    }
}

/// The filter the parameters describe, narrowed to what the caller may see.
pub(crate) fn filter_of(
    p: &ListParams,
    caller: &Caller,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<TicketFilter, ApiError> {
    let agents_see_all = state.http().agents_see_all;
    let mut filter = TicketFilter {
        statuses: list_of("status", p.status.as_deref())?,
        priorities: list_of("priority", p.priority.as_deref())?,
        categories: list_of("category", p.category.as_deref())?,
        tag: p
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        created_from: instant("created_from", p.created_from.as_deref())?,
        created_before: instant("created_to", p.created_to.as_deref())?,
        text: p
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
        ..TicketFilter::default()
    };
    if let Some(q) = &filter.text {
        frontdesk_domain::ports::check_search_text(q)
            .map_err(|e| ApiError::bad_request(format!("q: {e}")))?;
    }
    filter.customer = p
        .customer
        .as_deref()
        .map(|c| {
            EmailAddress::parse(c.trim())
                .map_err(|e| ApiError::bad_request(format!("customer: {e}")))
        })
        .transpose()?;
    filter.assignee = match p.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("unassigned") => Some(AssigneeFilter::Unassigned),
        Some("me") => Some(AssigneeFilter::Staff(caller.staff()?.id)),
        Some("me_or_unassigned") => {
            filter.own_or_unassigned = Some(caller.staff()?.id);
            None
        }
        Some(id) => Some(AssigneeFilter::Staff(StaffId::from_uuid(
            uuid::Uuid::parse_str(id).map_err(|_| {
                ApiError::bad_request(
                    "assignee: a staff id, `me`, `unassigned` or `me_or_unassigned`",
                )
            })?,
        ))),
    };
    filter.sla = match p.sla.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("breached") => Some(SlaFilter::Breached),
        Some("at_risk") => Some(SlaFilter::AtRisk(
            state.desk().settings().sla.current().risk_bands(now),
        )),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "sla: `{other}` is not breached or at_risk"
            )));
        }
    };
    match caller.principal.ticket_scope(agents_see_all) {
        TicketScope::Customer(email) => {
            customer_may_filter(p)?;
            filter.customer = Some(email);
        }
        TicketScope::OwnOrUnassigned(me) => filter.own_or_unassigned = Some(me),
        TicketScope::All => {}
    }
    Ok(filter)
}

async fn page(
    state: &AppState,
    caller: &Caller,
    filter: TicketFilter,
    sort: TicketSort,
    p: &ListParams,
    now: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let limit = p.limit.unwrap_or(25);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!("limit: 1 to {MAX_PAGE}")));
    }
    let query = TicketListQuery {
        filter,
        sort,
        limit,
        after: p.after.clone().map(PageCursor),
        now,
    };
    Ok(HttpResponse::Ok().json(crate::reads::ticket_page(state, caller, &query).await?))
}

/// List and search tickets. Customers see their own; agents all, or with
/// `http.agents_see_all = false` their own and unassigned ones.
#[utoipa::path(get, path = "/api/tickets", tag = "tickets", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = TicketList), (status = 400, body = crate::problem::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let filter = filter_of(&params, &caller, &state, now)?;
    let sort = sort_of(params.sort.as_deref())?;
    page(&state, &caller, filter, sort, &params, now).await
}

/// The work queue: active tickets (new, open) the caller can take — unassigned or their own —
/// most urgent SLA first.
#[utoipa::path(get, path = "/api/tickets/queue", tag = "tickets", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = TicketList), (status = 403, body = crate::problem::Problem)))]
pub async fn queue(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let staff = caller.staff()?;
    let now = state.now();
    let mut filter = filter_of(&params, &caller, &state, now)?;
    if filter.statuses.is_empty() {
        filter.statuses = vec![Status::New, Status::Open];
    }
    filter.own_or_unassigned = Some(staff.id);
    let sort = match params.sort.as_deref() {
        Some(s) => sort_of(Some(s))?,
        None => TicketSort {
            key: SortKey::SlaDue,
            descending: false,
        },
    };
    page(&state, &caller, filter, sort, &params, now).await
}
