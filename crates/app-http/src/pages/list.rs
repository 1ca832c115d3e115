//! `/tickets`: the ticket list with the API's filters, full-text search, sort and keyset paging
//! with the total. The filters are the page's URL, so every state can be shared as a link; the
//! list is read through [`crate::reads::ticket_page`] with the API's own filter parsing and the
//! caller's scope, so a page lists exactly what `GET /api/tickets` would.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use frontdesk_domain::ports::{PageCursor, TicketListQuery};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::filters;
use super::session::Session;
use super::{Chrome, PageError, age, html, span};
use crate::routes::tickets::list::{ListParams, MAX_PAGE, filter_of, sort_of};
use crate::state::AppState;
use crate::views::{ClockView, TicketView};

/// Tickets on one page of the list.
const PAGE_SIZE: u32 = 50;

/// The list's controls, as the page's URL carries them. Empty fields mean "any"; dates may be
/// days (`2026-12-01`, read in UTC, both ends included) or RFC 3339 instants.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    pub q: String,
    pub status: String,
    pub priority: String,
    pub category: String,
    pub assignee: String,
    /// The customer's address.
    pub customer: String,
    pub tag: String,
    pub sla: String,
    pub created_from: String,
    pub created_to: String,
    pub sort: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub after: String,
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A day as the start of it (or, for the end of a range, of the next day) in UTC; anything
/// else is passed on for the API's parser to judge.
fn day(raw: &str, end: bool) -> Option<String> {
    let raw = some(raw)?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(d) => {
            let d = if end { d.succ_opt().unwrap_or(d) } else { d };
            Some(format!("{d}T00:00:00Z"))
        }
        Err(_) => Some(raw),
    }
}

impl ListForm {
    /// The API's parameters for this state of the list.
    fn params(&self) -> ListParams {
        ListParams {
            status: some(&self.status),
            priority: some(&self.priority),
            category: some(&self.category),
            assignee: some(&self.assignee),
            customer: some(&self.customer),
            tag: some(&self.tag),
            sla: some(&self.sla),
            created_from: day(&self.created_from, false),
            created_to: day(&self.created_to, true),
            q: some(&self.q),
            sort: some(&self.sort),
            limit: Some(PAGE_SIZE.min(MAX_PAGE)),
            after: some(&self.after),
        }
    }

    /// The list's URL in this state (without the page cursor unless `after` is given).
    fn url(&self, after: Option<&str>) -> String {
        let mut state = self.clone();
        state.after = after.unwrap_or_default().to_owned();
        let pairs: Vec<(String, String)> = [
            ("q", &state.q),
            ("status", &state.status),
            ("priority", &state.priority),
            ("category", &state.category),
            ("assignee", &state.assignee),
            ("customer", &state.customer),
            ("tag", &state.tag),
            ("sla", &state.sla),
            ("created_from", &state.created_from),
            ("created_to", &state.created_to),
            ("sort", &state.sort),
            ("after", &state.after),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect();
        if pairs.is_empty() {
            return "/tickets".to_owned();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", super::encode(v)))
            .collect();
        format!("/tickets?{}", query.join("&"))
    }

    fn is_filtered(&self) -> bool {
        let mut plain = self.clone();
        plain.after.clear();
        plain.sort.clear();
        plain.url(None) != "/tickets"
    }
}

/// An SLA clock in a row or a header: its colour band and what it says.
#[derive(Debug, Clone)]
pub struct ClockCell {
    /// `green`, `amber`, `red` or `done`.
    pub band: &'static str,
    /// "2 h 10 min left", "breached 3 h ago", "paused", "met".
    pub label: String,
    /// The deadline, for the title and the `<time>` element.
    pub due: Option<DateTime<Utc>>,
}

impl ClockCell {
    #[must_use]
    pub fn of(clock: &ClockView) -> Self {
        let left = chrono::TimeDelta::seconds(clock.remaining_secs);
        let label = match clock.state {
            "met" => "met".to_owned(),
            "breached" => format!("breached {} ago", span(-left)),
            _ if clock.paused => format!("paused, {} left", span(left)),
            _ => format!("{} left", span(left)),
        };
        Self {
            band: clock.band,
            label,
            due: clock.due_at,
        }
    }

    /// The clock a list row shows: the first response while it runs, else the resolution.
    fn watched(t: &TicketView) -> Option<(&'static str, Self)> {
        let sla = t.sla.as_ref()?;
        if sla.first_response.state != "met" && t.first_response_at.is_none() {
            Some(("first response", Self::of(&sla.first_response)))
        } else {
            Some(("resolution", Self::of(&sla.resolution)))
        }
    }
}

/// One row of the list.
#[derive(Debug)]
pub struct Row {
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub customer_email: String,
    pub status: String,
    pub status_label: String,
    pub priority: String,
    pub category: String,
    pub assignee: String,
    pub tags: Vec<String>,
    pub age: String,
    pub created_at: DateTime<Utc>,
    /// Which clock, and its state.
    pub clock: Option<(&'static str, ClockCell)>,
}

impl Row {
    fn of(t: &TicketView, names: &HashMap<Uuid, String>, now: DateTime<Utc>) -> Self {
        let assignee = match t.assignee.visible() {
            Some(Some(id)) => names
                .get(id)
                .cloned()
                .unwrap_or_else(|| "someone".to_owned()),
            _ => String::new(),
        };
        Self {
            number: t.number.clone(),
            subject: t.subject.clone(),
            customer: t
                .customer
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| t.customer.email.clone()),
            customer_email: t.customer.email.clone(),
            status: t.status.clone(),
            status_label: super::ticket::label(&t.status).to_owned(),
            priority: t.priority.clone().unwrap_or_default(),
            category: t.category.clone().unwrap_or_default(),
            assignee,
            tags: t.tags.clone().unwrap_or_default(),
            age: age(t.created_at, now),
            created_at: t.created_at,
            clock: ClockCell::watched(t),
        }
    }
}

/// A view offered beside the list: a name and its URL.
#[derive(Debug)]
pub struct ViewLink {
    pub name: String,
    pub url: String,
    pub current: bool,
    /// A saved view's id (none for the built-in ones).
    pub id: Option<String>,
    pub shared: bool,
    /// The signed-in person may remove it.
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "workspace/list.html")]
struct ListPage {
    chrome: Chrome,
    form: ListForm,
    rows: Vec<Row>,
    total: u64,
    next_url: Option<String>,
    first_url: Option<String>,
    filtered: bool,
    /// A filter behind "More filters" is set (or the sort is): it opens.
    more_filters: bool,
    views: Vec<ViewLink>,
    /// Saved views: one's own, then the team's.
    own: Vec<ViewLink>,
    team: Vec<ViewLink>,
    /// The list's query string, for saving it as a view.
    query: String,
    problem: Option<String>,
    /// The control the problem is about (`status`, `created_from`, …).
    field: String,
    staff: Vec<(String, String)>,
    /// This list's URL, to come back to after a bulk change.
    here: String,
}

/// Views every team has: the work queue, and what nobody has taken yet.
const VIEWS: &[(&str, &str)] = &[
    (
        "My queue",
        "/tickets?status=new%2Copen&assignee=me_or_unassigned&sort=sla_due",
    ),
    (
        "Unassigned",
        "/tickets?status=new%2Copen&assignee=unassigned&sort=sla_due",
    ),
    ("All tickets", "/tickets"),
];

/// The list.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<ListForm>,
) -> Result<HttpResponse, PageError> {
    let chrome = Chrome::of(&session)?;
    let form = query.into_inner();
    let caller = &session.caller;
    let now = state.now();
    let staff = crate::reads::staff_list(&state, caller).await?;
    let names: HashMap<Uuid, String> = staff.iter().map(|s| (s.id, s.name.clone())).collect();
    let here = form.url(None);
    let me = session.staff()?;
    let (mut own, mut team) = (Vec::new(), Vec::new());
    for v in crate::reads::saved_views(&state, caller).await? {
        let url = super::views::url_of(&v.query);
        let link = ViewLink {
            current: url == here,
            id: Some(v.id.to_string()),
            shared: v.shared,
            removable: frontdesk_domain::access::may_remove_view(me, v.owner, v.shared),
            name: v.name,
            url,
        };
        if v.owner == me.id {
            own.push(link);
        } else {
            team.push(link);
        }
    }
    let mut page = ListPage {
        chrome,
        views: VIEWS
            .iter()
            .map(|(name, url)| ViewLink {
                name: (*name).to_owned(),
                url: (*url).to_owned(),
                current: *url == here,
                id: None,
                shared: true,
                removable: false,
            })
            .collect(),
        own,
        team,
        query: here
            .strip_prefix("/tickets?")
            .unwrap_or_default()
            .to_owned(),
        filtered: form.is_filtered(),
        more_filters: [
            &form.priority,
            &form.category,
            &form.tag,
            &form.created_from,
            &form.created_to,
            &form.sort,
            &form.customer,
        ]
        .iter()
        .any(|v| !v.trim().is_empty()),
        rows: Vec::new(),
        total: 0,
        next_url: None,
        first_url: (!form.after.is_empty()).then(|| form.url(None)),
        here: form.url(Some(&form.after)),
        problem: None,
        field: String::new(),
        staff: staff
            .iter()
            .filter(|s| s.active)
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        form,
    };
    let params = page.form.params();
    let listed = async {
        let filter = filter_of(&params, caller, &state, now)?;
        let sort = sort_of(params.sort.as_deref())?;
        let query = TicketListQuery {
            filter,
            sort,
            limit: params.limit.unwrap_or(PAGE_SIZE),
            after: params.after.clone().map(PageCursor),
            now,
        };
        crate::reads::ticket_page(&state, caller, &query).await
    };
    match listed.await {
        Ok(list) => {
            page.rows = list.items.iter().map(|t| Row::of(t, &names, now)).collect();
            page.total = list.total;
            page.next_url = list.next.as_deref().map(|n| page.form.url(Some(n)));
            Ok(html(StatusCode::OK, &page))
        }
        Err(e) if e.status() == StatusCode::BAD_REQUEST => {
            // A filter the API refuses: the page again, the control marked.
            let detail = e.detail().to_owned();
            page.field = detail
                .split_once(':')
                .map(|(f, _)| f.trim().to_owned())
                .unwrap_or_default();
            page.problem = Some(detail);
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(PageError::Api(e)),
    }
}
