//! `/admin/sla` (managers, admins): the SLA targets for every priority × category, each row
//! edited in place, the business-hours calendar, and a preview of when a ticket opened now
//! falls due. Changes go through the API's own functions ([`crate::routes::sla`]): the same
//! bounds, the same storage, in force at once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use frontdesk_adapters_db::SlaPolicyRecord;
use frontdesk_domain::access::Permission;
use frontdesk_domain::sla::CalendarConfig;
use frontdesk_domain::ticket::{Category, Priority};
use serde::Deserialize;
use uuid::Uuid;

use super::charts::duration;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::sla::{
    change_policy, forget_calendar, new_policy, remove_policy, save_calendar,
};
use crate::state::AppState;

/// The weekdays as the calendar names them.
const DAYS: [(&str, &str); 7] = [
    ("monday", "Monday"),
    ("tuesday", "Tuesday"),
    ("wednesday", "Wednesday"),
    ("thursday", "Thursday"),
    ("friday", "Friday"),
    ("saturday", "Saturday"),
    ("sunday", "Sunday"),
];

/// One row of the targets table: a priority and a category (or every category).
#[derive(Debug)]
pub struct TargetRow {
    /// The row's form id: `t-high-billing`, `t-high-any`.
    pub key: String,
    pub priority: &'static str,
    /// Empty for every category without its own targets.
    pub category: &'static str,
    pub first_response: String,
    pub resolution: String,
    /// The targets in force, readable: "1 h", "8 h".
    pub in_force: String,
    /// The stored policy behind the row, if any (else the configuration file's targets).
    pub policy: Option<Uuid>,
    /// The field marked wrong and why, after a failed save of this row.
    pub problem: Option<(String, String)>,
}

/// When a ticket opened now falls due, per priority.
#[derive(Debug)]
pub struct Due {
    pub priority: &'static str,
    pub first_response: String,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "workspace/admin_sla.html")]
struct SlaPage {
    chrome: Chrome,
    rows: Vec<(&'static str, Vec<TargetRow>)>,
    calendar: CalendarForm,
    days: &'static [(&'static str, &'static str)],
    /// `api` when the calendar was set here, `configuration` otherwise.
    source: String,
    calendar_problem: Option<(String, String)>,
    preview: Vec<Due>,
    opened: String,
    zone: String,
    saved: Option<&'static str>,
}

/// A row's change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetForm {
    csrf: String,
    priority: String,
    /// Empty: every category.
    category: String,
    first_response: String,
    resolution: String,
}

/// The calendar as the page edits it: frames like `09:00-17:00`, comma-separated, per day, and
/// holidays one per line.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
    pub csrf: String,
    pub time_zone: String,
    pub monday: String,
    pub tuesday: String,
    pub wednesday: String,
    pub thursday: String,
    pub friday: String,
    pub saturday: String,
    pub sunday: String,
    pub holidays: String,
}

impl CalendarForm {
    fn of(c: &CalendarConfig) -> Self {
        let join = |frames: &[String]| frames.join(", ");
        Self {
            csrf: String::new(),
            time_zone: c.time_zone.clone(),
            monday: join(&c.monday),
            tuesday: join(&c.tuesday),
            wednesday: join(&c.wednesday),
            thursday: join(&c.thursday),
            friday: join(&c.friday),
            saturday: join(&c.saturday),
            sunday: join(&c.sunday),
            holidays: c.holidays.join("\n"),
        }
    }

    fn config(&self) -> CalendarConfig {
        let frames = |text: &str| -> Vec<String> {
            text.split([',', ';'])
                .map(|f| f.trim().replace(' ', ""))
                .filter(|f| !f.is_empty())
                .collect()
        };
        CalendarConfig {
            time_zone: self.time_zone.trim().to_owned(),
            monday: frames(&self.monday),
            tuesday: frames(&self.tuesday),
            wednesday: frames(&self.wednesday),
            thursday: frames(&self.thursday),
            friday: frames(&self.friday),
            saturday: frames(&self.saturday),
            sunday: frames(&self.sunday),
            holidays: self
                .holidays
                .split(['\n', ',', ' '])
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// The day's frames as typed.
    #[must_use]
    pub fn day(&self, name: &str) -> &str {
        match name {
            "monday" => &self.monday,
            "tuesday" => &self.tuesday,
            "wednesday" => &self.wednesday,
            "thursday" => &self.thursday,
            "friday" => &self.friday,
            "saturday" => &self.saturday,
            "sunday" => &self.sunday,
            _ => "",
        }
    }
}

super::session::csrf_form!(TargetForm);
super::session::csrf_form!(CalendarForm);

/// What a failed save puts back on the page.
#[derive(Default)]
struct Problems {
    /// The row's key, the field and the sentence.
    row: Option<(String, String, String)>,
    /// The row's values as typed.
    typed: Option<(String, String)>,
    calendar: Option<(CalendarForm, String)>,
}

fn key(priority: Priority, category: Option<Category>) -> String {
    format!(
        "t-{}-{}",
        priority.as_str(),
        category.map_or("any", Category::as_str)
    )
}

async fn page(
    state: &AppState,
    session: &Session,
    problems: Problems,
    saved: Option<&'static str>,
) -> Result<SlaPage, PageError> {
    let chrome = Chrome::of(session)?;
    session.caller.may(Permission::Configure)?;
    let stored = state.db().sla_policies().await?;
    let policies = state.desk().settings().sla.current();
    let find = |p: Priority, c: Option<Category>| -> Option<&SlaPolicyRecord> {
        stored.iter().find(|r| r.priority == p && r.category == c)
    };
    let mut rows = Vec::new();
    for priority in Priority::ALL.iter().rev() {
        let mut group = Vec::new();
        for category in std::iter::once(None).chain(Category::ALL.iter().copied().map(Some)) {
            let k = key(*priority, category);
            let policy = find(*priority, category);
            let in_force = category.map_or_else(
                || {
                    policy.map_or_else(
                        || "as configured".to_owned(),
                        |p| {
                            format!(
                                "{} / {}",
                                duration(f64::from(p.first_response_minutes) * 60.0),
                                duration(f64::from(p.resolution_minutes) * 60.0)
                            )
                        },
                    )
                },
                |c| {
                    let t = policies.targets(*priority, c);
                    format!(
                        "{} / {}",
                        duration(t.first_response.num_seconds() as f64),
                        duration(t.resolution.num_seconds() as f64)
                    )
                },
            );
            let (mut first_response, mut resolution) = policy.map_or_else(
                || (String::new(), String::new()),
                |p| {
                    (
                        p.first_response_minutes.to_string(),
                        p.resolution_minutes.to_string(),
                    )
                },
            );
            let problem = problems
                .row
                .as_ref()
                .filter(|(row, _, _)| *row == k)
                .map(|(_, field, sentence)| (field.clone(), sentence.clone()));
            if problem.is_some()
                && let Some((f, r)) = &problems.typed
            {
                first_response.clone_from(f);
                resolution.clone_from(r);
            }
            group.push(TargetRow {
                key: k,
                priority: priority.as_str(),
                category: category.map_or("", Category::as_str),
                first_response,
                resolution,
                in_force,
                policy: policy.map(|p| p.id),
                problem,
            });
        }
        rows.push((priority.as_str(), group));
    }
    let view = crate::reads::sla_calendar(state).await?;
    let (calendar, calendar_problem) = match problems.calendar {
        Some((typed, sentence)) => (typed, Some(("calendar".to_owned(), sentence))),
        None => (
            view.calendar
                .as_ref()
                .map(CalendarForm::of)
                .unwrap_or_default(),
            None,
        ),
    };
    let zone: Tz = view
        .calendar
        .as_ref()
        .and_then(|c| c.time_zone.parse().ok())
        .unwrap_or(Tz::UTC);
    let now = state.now();
    let show = |at: DateTime<Utc>| {
        at.with_timezone(&zone)
            .format("%a %-d %b %H:%M")
            .to_string()
    };
    let preview = Priority::ALL
        .iter()
        .rev()
        .map(|p| {
            let sla = policies.start(*p, Category::Other, now);
            Due {
                priority: p.as_str(),
                first_response: show(sla.first_response.due_at),
                resolution: show(sla.resolution.due_at),
            }
        })
        .collect();
    Ok(SlaPage {
        chrome,
        rows,
        calendar,
        days: &DAYS,
        source: view.source,
        calendar_problem,
        preview,
        opened: show(now),
        zone: zone.name().to_owned(),
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    saved: String,
}

/// The SLA page.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, PageError> {
    let saved = match shown.saved.as_str() {
        "targets" => Some("The targets are saved and in force."),
        "reset" => Some("The row follows the configuration file again."),
        "calendar" => Some("The business hours are saved; open tickets' deadlines move with them."),
        _ => None,
    };
    Ok(html(
        StatusCode::OK,
        &page(&state, &session, Problems::default(), saved).await?,
    ))
}

fn minutes(field: &str, text: &str) -> Result<Option<u32>, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| ApiError::invalid_field(field, "a whole number of minutes"))
}

/// Saves one row: a new policy for the pair, or the pair's policy changed.
pub async fn targets(
    state: web::Data<AppState>,
    posted: Posted<TargetForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    session.caller.may(Permission::Configure)?;
    let priority: Priority =
        form.priority
            .parse()
            .map_err(|e: frontdesk_domain::ticket::ParseEnumError| {
                ApiError::invalid_field("priority", e.to_string())
            })?;
    let category: Option<Category> = Some(form.category.trim())
        .filter(|c| !c.is_empty())
        .map(str::parse)
        .transpose()
        .map_err(|e: frontdesk_domain::ticket::ParseEnumError| {
            ApiError::invalid_field("category", e.to_string())
        })?;
    let result = async {
        let first = minutes("first_response_minutes", &form.first_response)?;
        let resolution = minutes("resolution_minutes", &form.resolution)?;
        let existing = state
            .db()
            .sla_policies()
            .await?
            .into_iter()
            .find(|r| r.priority == priority && r.category == category);
        match existing {
            Some(p) => change_policy(&state, &session.caller, p.id, (first, resolution))
                .await
                .map(|_| ()),
            None => {
                let (Some(first), Some(resolution)) = (first, resolution) else {
                    let field = if first.is_none() {
                        "first_response_minutes"
                    } else {
                        "resolution_minutes"
                    };
                    return Err(ApiError::invalid_field(
                        field,
                        "give both targets, in minutes",
                    ));
                };
                new_policy(
                    &state,
                    &session.caller,
                    (priority, category),
                    (first, resolution),
                )
                .await
                .map(|_| ())
            }
        }
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/admin/sla?saved=targets#{}",
            key(priority, category)
        ))),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let problems = Problems {
                row: Some((
                    key(priority, category),
                    e.field().unwrap_or_default(),
                    e.sentence(),
                )),
                typed: Some((form.first_response.clone(), form.resolution.clone())),
                calendar: None,
            };
            Ok(html(
                e.status(),
                &page(&state, &session, problems, None).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a row's policy: the configuration file's targets apply again.
pub async fn reset(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    remove_policy(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/sla?saved=reset"))
}

/// Saves the business hours.
pub async fn calendar(
    state: web::Data<AppState>,
    posted: Posted<CalendarForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    match save_calendar(&state, &session.caller, &form.config()).await {
        Ok(()) => Ok(see_other("/admin/sla?saved=calendar#calendar-heading")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let problems = Problems {
                calendar: Some((form, e.sentence())),
                ..Problems::default()
            };
            Ok(html(
                e.status(),
                &page(&state, &session, problems, None).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Forgets the calendar set here: the configuration file's applies again.
pub async fn forget(
    state: web::Data<AppState>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    forget_calendar(&state, &posted.session.caller).await?;
    Ok(see_other("/admin/sla?saved=calendar"))
}
