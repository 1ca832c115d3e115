//! `/admin/staff` (managers read, admins change): the team with role, availability, shift,
//! active and how each signs in; add a member (mailed an invitation link), edit role, name and
//! shift, send a password reset, and deactivate — the member's open tickets listed first, each
//! given to someone (or nobody) on the same form. Through the API's own functions
//! ([`add_member`], [`change_member`], [`send_link`], [`reassign`]) with their rights.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::StaffAccess;
use frontdesk_domain::access::{Permission, StaffLinkPurpose};
use frontdesk_domain::ports::{AssigneeFilter, TicketFilter, TicketListQuery, TicketSort};
use frontdesk_domain::staff::{Role, StaffId};
use frontdesk_domain::ticket::Status;
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::staff::{
    NewStaff, PatchStaff, ShiftInput, add_member, change_member, send_link,
};
use crate::routes::tickets::actions::reassign;
use crate::state::AppState;
use crate::views::{StaffView, TicketView};

/// The weekdays a shift may hold, as the API names them.
const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// Open tickets listed for reassignment on one page; more are named by count.
const LISTED: u32 = 200;

/// One member in the list.
#[derive(Debug)]
pub struct Row {
    pub member: StaffView,
    pub shift: String,
    pub access: String,
}

/// What was typed in the add form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "workspace/admin_staff.html")]
struct ListPage {
    chrome: Chrome,
    may_manage: bool,
    rows: Vec<Row>,
    form: AddForm,
    problem: Option<String>,
    field: String,
    /// A member just added, and until when their invitation works.
    added: Option<(String, String)>,
    roles: &'static [Role],
}

/// A shift in words: "Monday–Friday, 09:00–17:00 (Europe/Berlin)".
fn shift_words(member: &StaffView) -> String {
    let Some(shift) = &member.shift else {
        return "no working hours".to_owned();
    };
    let days: Vec<&str> = shift["days"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str())
        .filter_map(|d| {
            DAYS.iter()
                .find(|(k, _)| *k == d)
                .map(|(_, label)| &label[..3])
        })
        .collect();
    format!(
        "{}, {}–{} ({})",
        days.join(" "),
        shift["start"].as_str().unwrap_or_default(),
        shift["end"].as_str().unwrap_or_default(),
        shift["time_zone"].as_str().unwrap_or_default()
    )
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// How a member signs in, in words.
fn access_words(access: Option<&StaffAccess>, now: DateTime<Utc>) -> String {
    let Some(a) = access else {
        return String::new();
    };
    let link = a
        .link
        .as_ref()
        .map(|l| (l.purpose, l.expires_at, now < l.expires_at));
    match (a.has_password, link) {
        (_, Some((StaffLinkPurpose::Invitation, until, true))) => {
            format!("invited — the link works until {}", day(until))
        }
        (false, Some((StaffLinkPurpose::Invitation, _, false))) => {
            "invitation expired — send a new one".to_owned()
        }
        (true, Some((StaffLinkPurpose::Reset, until, true))) => {
            format!("password set; a reset link works until {}", day(until))
        }
        (true, _) => "password set".to_owned(),
        (false, _) => "no password yet".to_owned(),
    }
}

async fn list_page(
    state: &AppState,
    session: &Session,
    form: AddForm,
    problem: Option<&ApiError>,
    added: Option<(String, String)>,
) -> Result<ListPage, PageError> {
    session.caller.may(Permission::Configure)?;
    let chrome = Chrome::of(session)?;
    let team = crate::reads::staff_list(state, &session.caller).await?;
    let access: HashMap<Uuid, StaffAccess> = state
        .db()
        .staff_access()
        .await?
        .into_iter()
        .map(|a| (a.staff_id.as_uuid(), a))
        .collect();
    let now = state.now();
    let rows = team
        .into_iter()
        .map(|member| Row {
            shift: shift_words(&member),
            access: access_words(access.get(&member.id), now),
            member,
        })
        .collect();
    Ok(ListPage {
        chrome,
        may_manage: Permission::ManageStaff.allows(session.staff()?.role),
        rows,
        form,
        problem: problem.map(ApiError::sentence),
        field: problem.and_then(ApiError::field).unwrap_or_default(),
        added,
        roles: Role::ALL,
    })
}

/// The team.
pub async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    let page = list_page(&state, &session, AddForm::default(), None, None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Adds a member and mails the invitation; the form back with the field marked when wrong.
pub async fn add(
    state: web::Data<AppState>,
    posted: Posted<AddForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let request = NewStaff {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        invite: Some(true),
        ..NewStaff::default()
    };
    match add_member(&state, &session.caller, request).await {
        Ok((member, sent)) => {
            let until = sent.map(|s| day(s.expires_at)).unwrap_or_default();
            let added = Some((format!("{} <{}>", member.name, member.email), until));
            let page = list_page(&state, &session, AddForm::default(), None, added).await?;
            Ok(html(StatusCode::CREATED, &page))
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            let e = if e.status() == StatusCode::CONFLICT {
                ApiError::invalid_field("email", e.detail().to_owned())
            } else {
                e
            };
            let page = list_page(&state, &session, form, Some(&e), None).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The edit form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    pub name: String,
    pub role: String,
    pub time_zone: String,
    /// The shift's weekdays (`mon` …), one field per ticked box.
    pub days: Vec<String>,
    pub start: String,
    pub end: String,
}

impl EditForm {
    fn of(m: &StaffView) -> Self {
        let shift = m.shift.as_ref();
        let text = |k: &str| {
            shift
                .and_then(|s| s[k].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            csrf: String::new(),
            name: m.name.clone(),
            role: m.role.clone(),
            time_zone: text("time_zone"),
            days: shift
                .and_then(|s| s["days"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            start: text("start"),
            end: text("end"),
        }
    }

    /// Whether weekday `code` is ticked.
    pub fn has_day(&self, code: &str) -> bool {
        self.days.iter().any(|d| d == code)
    }

    /// The shift typed: none when the zone and both times are empty.
    fn shift(&self) -> Option<ShiftInput> {
        let empty = self.time_zone.trim().is_empty()
            && self.start.trim().is_empty()
            && self.end.trim().is_empty();
        (!empty).then(|| ShiftInput {
            time_zone: self.time_zone.trim().to_owned(),
            days: self.days.clone(),
            start: self.start.trim().to_owned(),
            end: self.end.trim().to_owned(),
        })
    }
}

#[derive(Template)]
#[template(path = "workspace/admin_staff_member.html")]
struct MemberPage {
    chrome: Chrome,
    member: StaffView,
    form: EditForm,
    problem: Option<String>,
    field: String,
    access: String,
    has_password: bool,
    /// What was just done, for the notice.
    done: Option<String>,
    /// The member's open tickets, for reassignment before deactivating.
    tickets: Vec<TicketView>,
    /// Open tickets beyond those listed.
    more: u64,
    /// Whom tickets can go to: active staff but the member.
    team: Vec<(Uuid, String)>,
    is_self: bool,
    deactivate_problem: Option<String>,
    roles: &'static [Role],
    days: &'static [(&'static str, &'static str)],
}

/// The statuses of a ticket still being worked.
fn open_statuses() -> Vec<Status> {
    Status::ALL
        .iter()
        .copied()
        .filter(|s| s.is_active())
        .collect()
}

/// The member's open tickets (at most [`LISTED`]) and how many there are in all.
async fn open_tickets(
    state: &AppState,
    session: &Session,
    id: StaffId,
) -> Result<(Vec<TicketView>, u64), ApiError> {
    let query = TicketListQuery {
        filter: TicketFilter {
            statuses: open_statuses(),
            assignee: Some(AssigneeFilter::Staff(id)),
            ..TicketFilter::default()
        },
        sort: TicketSort::default(),
        limit: LISTED,
        after: None,
        now: state.now(),
    };
    let page = crate::reads::ticket_page(state, &session.caller, &query).await?;
    Ok((page.items, page.total))
}

struct Outcome<'a> {
    form: Option<EditForm>,
    problem: Option<&'a ApiError>,
    done: Option<String>,
    deactivate_problem: Option<String>,
}

async fn member_page(
    state: &AppState,
    session: &Session,
    id: Uuid,
    outcome: Outcome<'_>,
) -> Result<MemberPage, PageError> {
    session.caller.may(Permission::ManageStaff)?;
    let chrome = Chrome::of(session)?;
    let team = crate::reads::staff_list(state, &session.caller).await?;
    let member = team
        .iter()
        .find(|m| m.id == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("no such staff member"))?;
    let access = state
        .db()
        .staff_access()
        .await?
        .into_iter()
        .find(|a| a.staff_id.as_uuid() == id);
    let (tickets, total) = open_tickets(state, session, StaffId::from_uuid(id)).await?;
    let more = total.saturating_sub(tickets.len() as u64);
    Ok(MemberPage {
        form: outcome.form.unwrap_or_else(|| EditForm::of(&member)),
        problem: outcome.problem.map(ApiError::sentence),
        field: outcome
            .problem
            .and_then(ApiError::field)
            .unwrap_or_default(),
        access: access_words(access.as_ref(), state.now()),
        has_password: access.is_some_and(|a| a.has_password),
        done: outcome.done,
        tickets,
        more,
        team: team
            .iter()
            .filter(|m| m.active && m.id != id)
            .map(|m| (m.id, m.name.clone()))
            .collect(),
        is_self: session.staff()?.id.as_uuid() == id,
        deactivate_problem: outcome.deactivate_problem,
        roles: Role::ALL,
        days: &DAYS,
        chrome,
        member,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// `saved`, `invitation`, `reset`, `deactivated`, `activated`.
    done: String,
}

/// A member's page.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let done = match query.done.as_str() {
        "saved" => Some("Saved.".to_owned()),
        "invitation" => Some("An invitation link was mailed.".to_owned()),
        "reset" => Some("A link to choose a new password was mailed.".to_owned()),
        "deactivated" => Some("Deactivated: no sign-in, no new work; history kept.".to_owned()),
        "activated" => Some("Active again.".to_owned()),
        _ => None,
    };
    let outcome = Outcome {
        form: None,
        problem: None,
        done,
        deactivate_problem: None,
    };
    let page = member_page(&state, &session, *id, outcome).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Saves name, role and shift.
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    posted: Posted<EditForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let change = PatchStaff {
        name: Some(form.name.clone()),
        role: Some(form.role.clone()),
        shift: Some(form.shift()),
        ..PatchStaff::default()
    };
    match change_member(&state, &req, &session.caller, *id, change).await {
        Ok(_) => Ok(see_other(&format!("/admin/staff/{id}?done=saved"))),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            let outcome = Outcome {
                form: Some(form),
                problem: Some(&e),
                done: None,
                deactivate_problem: None,
            };
            let page = member_page(&state, &session, *id, outcome).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Mails a new invitation.
pub async fn invite(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    send_link(
        &state,
        &posted.session.caller,
        *id,
        StaffLinkPurpose::Invitation,
    )
    .await?;
    Ok(see_other(&format!("/admin/staff/{id}?done=invitation")))
}

/// Mails a password reset link.
pub async fn reset(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    send_link(&state, &posted.session.caller, *id, StaffLinkPurpose::Reset).await?;
    Ok(see_other(&format!("/admin/staff/{id}?done=reset")))
}

/// The deactivation form: each listed ticket (`ticket`) with whom it goes to (`to`: a staff
/// id, or empty for nobody), in the same order.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeactivateForm {
    csrf: String,
    ticket: Vec<String>,
    to: Vec<String>,
}

/// Gives the listed tickets to whom the form says, then deactivates the member — unless
/// tickets arrived meanwhile: then the page comes back listing them, the member still active.
pub async fn deactivate(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    posted: Posted<DeactivateForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    session.caller.may(Permission::ManageStaff)?;
    let team = crate::reads::staff_list(&state, &session.caller).await?;
    for (number, to) in form.ticket.iter().zip(&form.to) {
        let to = match to.trim() {
            "" => None,
            raw => {
                let found = Uuid::parse_str(raw)
                    .ok()
                    .filter(|u| *u != *id && team.iter().any(|m| m.id == *u && m.active));
                match found {
                    Some(u) => Some(StaffId::from_uuid(u)),
                    None => {
                        let sentence = format!("{number}: choose someone active on the team.");
                        return again(&state, &session, *id, sentence).await;
                    }
                }
            }
        };
        reassign(&state, &session.caller, number, to).await?;
    }
    let (left, total) = open_tickets(&state, &session, StaffId::from_uuid(*id)).await?;
    if !left.is_empty() {
        let sentence = format!(
            "{total} open ticket(s) are still assigned to them (new ones may have arrived). \
             Choose who takes them, then deactivate."
        );
        return again(&state, &session, *id, sentence).await;
    }
    let change = PatchStaff {
        active: Some(false),
        ..PatchStaff::default()
    };
    change_member(&state, &req, &session.caller, *id, change).await?;
    Ok(see_other(&format!("/admin/staff/{id}?done=deactivated")))
}

async fn again(
    state: &AppState,
    session: &Session,
    id: Uuid,
    sentence: String,
) -> Result<HttpResponse, PageError> {
    let outcome = Outcome {
        form: None,
        problem: None,
        done: None,
        deactivate_problem: Some(sentence),
    };
    let page = member_page(state, session, id, outcome).await?;
    Ok(html(StatusCode::CONFLICT, &page))
}

/// Makes a deactivated member active again.
pub async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    let change = PatchStaff {
        active: Some(true),
        ..PatchStaff::default()
    };
    change_member(&state, &req, &posted.session.caller, *id, change).await?;
    Ok(see_other(&format!("/admin/staff/{id}?done=activated")))
}

super::session::csrf_form!(AddForm, EditForm, DeactivateForm);
