//! What an agent does to a ticket from its page besides editing fields and writing: assign
//! through a searchable picker that shows who is available, escalate with a reason, and merge
//! into another ticket after a confirmation that shows both. Each goes through the API's own
//! function or the domain use case with the API's rights.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use frontdesk_domain::ports::{PageCursor, SortKey, TicketFilter, TicketListQuery, TicketSort};
use frontdesk_domain::service::TicketUpdate;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::Actor;
use serde::Deserialize;

use super::filters;
use super::session::Posted;
use super::ticket::again;
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::tickets::actions::merge_tickets;
use crate::state::AppState;
use crate::views::{StaffView, TicketView};

/// How a staff member is offered in the picker: what is typed and chosen.
#[must_use]
pub fn picker_label(s: &StaffView) -> String {
    format!("{} <{}>", s.name, s.email)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    csrf: String,
    /// What the picker holds: `Name <address>`, an address, or a name.
    to: String,
}

/// The active staff member `typed` names: by the picker's label, the address, or a name only
/// one person has.
fn named<'a>(team: &'a [StaffView], typed: &str) -> Result<Option<&'a StaffView>, ApiError> {
    let typed = typed.trim();
    if typed.is_empty() || typed.eq_ignore_ascii_case("nobody") {
        return Ok(None);
    }
    let active = || team.iter().filter(|s| s.active);
    if let Some(s) = active().find(|s| {
        picker_label(s).eq_ignore_ascii_case(typed) || s.email.eq_ignore_ascii_case(typed)
    }) {
        return Ok(Some(s));
    }
    let by_name: Vec<&StaffView> = active()
        .filter(|s| s.name.eq_ignore_ascii_case(typed))
        .collect();
    match by_name.as_slice() {
        [one] => Ok(Some(one)),
        [] => Err(ApiError::invalid_field(
            "to",
            format!("nobody on the team is called {typed}; choose from the list"),
        )),
        _ => Err(ApiError::invalid_field(
            "to",
            format!("more than one person is called {typed}; choose by address"),
        )),
    }
}

/// Assigns the ticket to whom the picker names (or nobody).
pub async fn assign(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<AssignForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.clone();
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    let team = crate::reads::staff_list(&state, &session.caller).await?;
    let to = match named(&team, &form.to) {
        Ok(to) => to.map(|s| StaffId::from_uuid(s.id)),
        Err(e) => return again(&state, &session, &number, &e, "to", None).await,
    };
    let update = TicketUpdate {
        assignee: Some(to),
        ..TicketUpdate::default()
    };
    if let Err(e) = state
        .desk()
        .update(ticket.id, Actor::Staff(me.id), update)
        .await
    {
        return again(&state, &session, &number, &e.into(), "to", None).await;
    }
    Ok(see_other(&format!("/tickets/{}", ticket.number)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EscalateForm {
    csrf: String,
    reason: String,
}

/// Escalates the ticket one level with the reason given.
pub async fn escalate(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<EscalateForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.clone();
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    if let Err(e) = state
        .desk()
        .escalate(ticket.id, Actor::Staff(me.id), &form.reason)
        .await
    {
        return again(&state, &session, &number, &e.into(), "reason", None).await;
    }
    Ok(see_other(&format!("/tickets/{}", ticket.number)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    csrf: String,
    /// A `TKT-…` number, or words of the other ticket's subject.
    into: String,
    /// Set by the confirmation page.
    confirmed: bool,
    /// Two customers' tickets anyway (managers and admins).
    force: bool,
}

#[derive(Template)]
#[template(path = "workspace/merge.html")]
struct MergePage {
    chrome: Chrome,
    source: TicketView,
    /// The ticket to merge into, once one is chosen.
    target: Option<TicketView>,
    /// Tickets the search found, to choose from.
    candidates: Vec<TicketView>,
    searched: String,
    /// The two tickets belong to different customers.
    two_customers: bool,
    may_force: bool,
    problem: Option<String>,
}

/// Merging: with a ticket chosen and confirmed, merges and goes to the surviving ticket;
/// otherwise the confirmation page showing both (or the tickets a subject search found).
pub async fn merge(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<MergeForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let chrome = Chrome::of(&session)?;
    let me = session.staff()?.clone();
    let caller = &session.caller;
    let now = state.now();
    let sla = state.desk().settings().sla.current();
    let source = crate::reads::visible(&state, caller, &number).await?;
    let into = form.into.trim();
    let mut page = MergePage {
        chrome,
        source: TicketView::new(&source, &sla, now),
        target: None,
        candidates: Vec::new(),
        searched: into.to_owned(),
        two_customers: false,
        may_force: frontdesk_domain::access::Permission::MergeAcrossCustomers.allows(me.role),
        problem: None,
    };
    if into.is_empty() {
        page.problem =
            Some("Name the ticket to merge into: its number or words of its subject.".to_owned());
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let target = match crate::reads::visible(&state, caller, into).await {
        Ok(t) => Some(t),
        Err(e) if e.status() == StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e.into()),
    };
    let Some(target) = target else {
        // Not a ticket number: the tickets whose subject or conversation has the words.
        let mut filter = TicketFilter {
            text: Some(into.to_owned()),
            ..TicketFilter::default()
        };
        if let frontdesk_domain::access::TicketScope::OwnOrUnassigned(mine) =
            caller.principal.ticket_scope(state.http().agents_see_all)
        {
            filter.own_or_unassigned = Some(mine);
        }
        if let Err(e) = frontdesk_domain::ports::check_search_text(into) {
            page.problem = Some(format!("{e}"));
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        let query = TicketListQuery {
            filter,
            sort: TicketSort {
                key: SortKey::Updated,
                descending: true,
            },
            limit: 10,
            after: None::<PageCursor>,
            now,
        };
        let found = crate::reads::ticket_page(&state, caller, &query).await?;
        page.candidates = found
            .items
            .into_iter()
            .filter(|t| t.id != source.id.as_uuid())
            .collect();
        if page.candidates.is_empty() {
            page.problem = Some(format!("No other ticket matches “{into}”."));
        }
        return Ok(html(StatusCode::OK, &page));
    };
    page.two_customers = !target
        .customer
        .email
        .normalized()
        .eq(&source.customer.email.normalized());
    page.target = Some(TicketView::new(&target, &sla, now));
    if !form.confirmed {
        return Ok(html(StatusCode::OK, &page));
    }
    match merge_tickets(&state, caller, &number, into, form.force).await {
        Ok(committed) => Ok(see_other(&format!("/tickets/{}", committed.ticket.number))),
        Err(e) if e.status().is_client_error() => {
            page.problem = Some(e.detail().to_owned());
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

super::session::csrf_form!(AssignForm, EscalateForm, MergeForm);
