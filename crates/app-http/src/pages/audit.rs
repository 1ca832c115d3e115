//! `/admin/audit` (managers, admins): the trail of everything that happened to tickets —
//! who did what, when — newest first, filtered by ticket, staff member, kind and time.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Days, NaiveDate, Utc};
use frontdesk_adapters_db::{AuditEntry, AuditQuery};
use frontdesk_domain::access::Permission;
use frontdesk_domain::staff::StaffId;
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::Session;
use super::ticket::Choice;
use super::{Chrome, PageError, html};
use crate::state::AppState;

/// Events per page.
const PAGE: u64 = 100;

/// The kinds of event, as stored, with their names on the page.
const KINDS: &[(&str, &str)] = &[
    ("created", "opened"),
    ("status_changed", "status changed"),
    ("priority_changed", "priority changed"),
    ("category_changed", "category changed"),
    ("assigned", "assigned"),
    ("tags_changed", "tags changed"),
    ("message_added", "message added"),
    ("first_response", "first response"),
    ("reopened", "reopened"),
    ("follow_up_of", "follow-up of a closed ticket"),
    ("follow_up_opened", "follow-up opened"),
    ("merged_into", "merged into another"),
    ("merged_from", "another merged in"),
    ("sla_warning", "SLA at risk"),
    ("sla_breached", "SLA breached"),
    ("sla_recalendared", "SLA deadlines moved"),
    ("escalated", "escalated"),
    ("auto_closed", "closed automatically"),
    ("ai_drafted", "assistant drafted"),
    ("acknowledgement_withheld", "acknowledgement withheld"),
    ("assistant_withheld", "assistant withheld"),
];

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AuditForm {
    /// `TKT-000042` or `42`.
    pub ticket: String,
    pub staff: String,
    pub kind: String,
    /// Days, UTC, both included.
    pub from: String,
    pub to: String,
    pub before: String,
}

/// One line of the trail.
#[derive(Debug)]
pub struct Line {
    pub at: DateTime<Utc>,
    pub number: String,
    pub who: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "workspace/admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    form: AuditForm,
    staff: Vec<Choice>,
    kinds: Vec<Choice>,
    lines: Vec<Line>,
    /// The link to older events, when there are more.
    older: Option<String>,
    problem: Option<(&'static str, String)>,
}

fn day(field: &'static str, text: &str) -> Result<Option<NaiveDate>, (&'static str, String)> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| (field, "Give a day as YYYY-MM-DD.".to_owned()))
}

fn what(e: &AuditEntry, names: &HashMap<Uuid, String>) -> String {
    if let Some(text) = super::ticket::describe(&e.kind, &e.data, names) {
        return text;
    }
    let field = |k: &str| e.data.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    match e.kind.as_str() {
        "created" => "Ticket opened".to_owned(),
        "message_added" => match field("kind") {
            "customer" => "The customer wrote".to_owned(),
            "agent" => "Reply to the customer".to_owned(),
            "note" => "Internal note".to_owned(),
            other => format!("Message added ({other})"),
        },
        "first_response" => "First response".to_owned(),
        "follow_up_opened" => "A follow-up was opened".to_owned(),
        "ai_drafted" => {
            if e.data.get("sent").and_then(serde_json::Value::as_bool) == Some(true) {
                "The assistant drafted and sent a reply".to_owned()
            } else {
                "The assistant drafted a reply".to_owned()
            }
        }
        "assistant_withheld" => format!("The assistant was not asked: {}", field("reason")),
        other => other.replace('_', " "),
    }
}

/// The audit trail.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    form: web::Query<AuditForm>,
) -> Result<HttpResponse, PageError> {
    let chrome = Chrome::of(&session)?;
    session.caller.may(Permission::Configure)?;
    let form = form.into_inner();
    let staff = crate::reads::staff_list(&state, &session.caller).await?;
    let names: HashMap<Uuid, String> = staff.iter().map(|s| (s.id, s.name.clone())).collect();
    let query = async {
        let ticket = match form.ticket.trim() {
            "" => None,
            raw => Some(
                crate::reads::visible(&state, &session.caller, raw)
                    .await
                    .map_err(|_| ("ticket", format!("There is no ticket {raw}.")))?
                    .id
                    .as_uuid(),
            ),
        };
        let staff = match form.staff.trim() {
            "" => None,
            raw => Some(StaffId::from_uuid(raw.parse().map_err(|_| {
                ("staff", "Choose a staff member from the list.".to_owned())
            })?)),
        };
        let kind = Some(form.kind.trim().to_owned()).filter(|k| !k.is_empty());
        if let Some(k) = &kind
            && !KINDS.iter().any(|(v, _)| v == k)
        {
            return Err(("kind", "Choose a kind from the list.".to_owned()));
        }
        let from = day("from", &form.from)?;
        let to = day("to", &form.to)?;
        Ok(AuditQuery {
            ticket,
            staff,
            kind,
            from: from.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
            to: to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()),
            before: form.before.trim().parse().ok(),
            limit: PAGE,
        })
    }
    .await;
    let (lines, older, problem) = match query {
        Ok(q) => {
            let entries = state.db().audit_trail(&q).await?;
            let older = (entries.len() as u64 == PAGE)
                .then(|| entries.last().map(|e| e.id))
                .flatten()
                .map(|last| {
                    let e = super::encode;
                    format!(
                        "/admin/audit?ticket={}&staff={}&kind={}&from={}&to={}&before={last}",
                        e(form.ticket.trim()),
                        e(form.staff.trim()),
                        e(form.kind.trim()),
                        e(form.from.trim()),
                        e(form.to.trim())
                    )
                });
            let lines = entries
                .iter()
                .map(|e| Line {
                    at: e.at,
                    number: e.number.clone(),
                    who: match (e.actor_kind.as_str(), &e.actor) {
                        ("staff", Some(id)) => id
                            .parse::<Uuid>()
                            .ok()
                            .and_then(|id| names.get(&id).cloned())
                            .unwrap_or_else(|| "a former staff member".to_owned()),
                        ("customer", Some(address)) => address.clone(),
                        _ => "Frontdesk".to_owned(),
                    },
                    what: what(e, &names),
                })
                .collect();
            (lines, older, None)
        }
        Err(problem) => (Vec::new(), None, Some(problem)),
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &AuditPage {
            chrome,
            staff: staff
                .iter()
                .map(|s| Choice {
                    value: s.id.to_string(),
                    text: s.name.clone(),
                    selected: s.id.to_string() == form.staff.trim(),
                })
                .collect(),
            kinds: KINDS
                .iter()
                .map(|(v, t)| Choice {
                    value: (*v).to_owned(),
                    text: (*t).to_owned(),
                    selected: *v == form.kind.trim(),
                })
                .collect(),
            form,
            lines,
            older,
            problem,
        },
    ))
}
