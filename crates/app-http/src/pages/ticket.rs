//! `/tickets/{number}`: one ticket — its header with every field editable in place, both SLA
//! clocks, the conversation and its trail as one timeline, the customer's other tickets, the
//! assistant's analysis and draft, and the composer. Reads go through
//! [`crate::reads::ticket_detail`]; every change through the domain's use cases with the API's
//! rights ([`crate::reads::visible`], the staff check), then back to the page (`303`), so a
//! reload never sends anything twice.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::FeedEvent;
use frontdesk_domain::ports::OutboundAttachment;
use frontdesk_domain::ports::{PageCursor, SortKey, TicketFilter, TicketListQuery, TicketSort};
use frontdesk_domain::service::{ReplyMode, ReplyText, Seen, TicketUpdate};
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Actor, Category, Priority, Status};
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::list::ClockCell;
use super::session::{Posted, Session};
use super::{Chrome, PageError, age, html, see_other};
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;
use crate::views::{AiDraftView, AttachmentView, MessageView, StaffView, TicketDetail};

/// Events shown on a ticket's timeline at most (the oldest).
const TRAIL: u64 = 500;
/// The customer's other tickets shown in the sidebar.
const OTHERS: u32 = 10;

/// One entry of the timeline: a message, a note, or something that happened.
#[derive(Debug)]
pub struct Entry {
    /// `customer`, `agent`, `system`, `note` or `event`.
    pub kind: &'static str,
    pub author: String,
    pub at: DateTime<Utc>,
    /// The new text (quoted history folded away).
    pub body: String,
    /// The whole text, when it has quoted history.
    pub quoted: Option<String>,
    /// The mail's sanitised HTML, when it came as HTML.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub id: String,
}

/// An attachment as the timeline lists it.
#[derive(Debug)]
pub struct Attachment {
    /// The name without path, control or direction-changing characters.
    pub name: String,
    pub size: String,
    pub content_type: String,
    pub url: String,
}

impl Attachment {
    fn of(a: &AttachmentView, number: &str) -> Self {
        Self {
            name: crate::routes::tickets::attachments::safe_filename(a.filename.as_deref()),
            size: size(a.size),
            content_type: a.content_type.clone(),
            url: format!("/tickets/{number}/attachments/{}", a.id),
        }
    }
}

/// A size in a glance: "812 bytes", "14 KB", "2.3 MB".
#[must_use]
pub fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000),
    }
}

impl Entry {
    fn message(m: MessageView, staff: &HashMap<Uuid, String>, number: &str) -> Self {
        let kind = match m.kind.as_str() {
            "customer" => "customer",
            "agent" => "agent",
            "note" => "note",
            _ => "system",
        };
        let author = m
            .author_staff
            .and_then(|id| staff.get(&id).cloned())
            .or(m.author_name.filter(|n| !n.trim().is_empty()))
            .or(m.author_email)
            .unwrap_or_else(|| "Frontdesk".to_owned());
        Self {
            kind,
            author,
            at: m.created_at,
            body: m.body,
            quoted: m.full_text,
            html: m.html,
            attachments: m
                .attachments
                .iter()
                .map(|a| Attachment::of(a, number))
                .collect(),
            id: m.id.to_string(),
        }
    }

    /// A trail event worth a line, in words; `None` for those the messages already show.
    fn event(e: &FeedEvent, staff: &HashMap<Uuid, String>) -> Option<Self> {
        let text = describe(&e.kind, &e.data, staff)?;
        Some(Self {
            kind: "event",
            author: String::new(),
            at: e.at,
            body: text,
            quoted: None,
            html: None,
            attachments: Vec::new(),
            id: format!("event-{}", e.id),
        })
    }
}

/// A trail event in words (`kind` and `data` as stored, `staff` naming staff ids); `None` for
/// those a ticket's messages already show (opened, a message added, the first response, the
/// assistant's work).
#[must_use]
pub fn describe(
    kind: &str,
    data: &serde_json::Value,
    staff: &HashMap<Uuid, String>,
) -> Option<String> {
    {
        let e_data = data;
        let field = |k: &str| e_data.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let who = |k: &str| {
            let id = field(k);
            uuid::Uuid::parse_str(id)
                .ok()
                .and_then(|id| staff.get(&id).cloned())
                .unwrap_or_else(|| "nobody".to_owned())
        };
        let clock = |k: &str| {
            if field(k) == "first_response" {
                "first response"
            } else {
                "resolution"
            }
        };
        let text = match kind {
            "status_changed" => format!(
                "Status changed from {} to {}",
                label(field("from")),
                label(field("to"))
            ),
            "priority_changed" => {
                format!("Priority changed from {} to {}", field("from"), field("to"))
            }
            "category_changed" => {
                format!("Category changed from {} to {}", field("from"), field("to"))
            }
            "assigned" => match e_data.get("to").and_then(|v| v.as_str()) {
                Some(_) => format!("Assigned to {}", who("to")),
                None => "Unassigned".to_owned(),
            },
            "tags_changed" => {
                let tags: Vec<&str> = e_data
                    .get("tags")
                    .and_then(|t| t.as_array())
                    .map(|t| t.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                if tags.is_empty() {
                    "Tags removed".to_owned()
                } else {
                    format!("Tags set to {}", tags.join(", "))
                }
            }
            "sla_warning" => format!("The {} SLA is at risk", clock("clock")),
            "sla_breached" => format!("The {} SLA was breached", clock("clock")),
            "escalated" => format!(
                "Escalated to level {}: {}",
                e_data
                    .get("level")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(1),
                field("reason")
            ),
            "merged_into" => format!("Merged into {}", field("number")),
            "merged_from" => format!("{} was merged into this ticket", field("number")),
            "follow_up_of" => format!("Follow-up of {}", field("number")),
            "reopened" => "Reopened".to_owned(),
            "auto_closed" => "Closed automatically".to_owned(),
            "sla_recalendared" => "SLA deadlines moved to the new business hours".to_owned(),
            "acknowledgement_withheld" => {
                format!("No acknowledgement sent: {}", field("reason"))
            }
            _ => return None,
        };
        Some(text)
    }
}

/// A status as people say it.
#[must_use]
pub fn label(status: &str) -> &str {
    match status {
        "on_hold" => "on hold",
        other => other,
    }
}

/// An option of a select: value, text, chosen.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub text: String,
    pub selected: bool,
}

/// A ticket of the same customer, for the sidebar.
#[derive(Debug)]
pub struct Other {
    pub number: String,
    pub subject: String,
    pub status: String,
    pub age: String,
}

/// What the composer holds: kept when the page comes back with a problem.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ComposeForm {
    pub csrf: String,
    /// `reply` or `note`.
    pub kind: String,
    pub body: String,
    /// A status to set after sending (`pending`, `resolved`, …); empty keeps it.
    pub then_status: String,
    /// The newest message on the page when it was shown (empty: none): a reply is held back
    /// if the customer or a colleague wrote after it.
    pub seen: String,
}

#[derive(Template)]
#[template(path = "workspace/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    t: crate::views::TicketView,
    revision: u64,
    entries: Vec<Entry>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    categories: Vec<Choice>,
    assignees: Vec<Choice>,
    /// The assignment picker's choices: label and availability.
    picker: Vec<(String, String)>,
    status_label: String,
    /// The list of this customer's tickets.
    customer_link: String,
    mine: bool,
    tags: String,
    first_response: Option<ClockCell>,
    resolution: Option<ClockCell>,
    ai: Option<AiDraftView>,
    /// Canned responses filled in for this ticket: title, text, what the search looks in.
    canned: Vec<(String, String, String)>,
    /// Help centre articles that may answer the ticket: title and public link.
    articles: Vec<(String, String)>,
    others: Vec<Other>,
    suggestions: Vec<(String, String)>,
    problem: Option<String>,
    field: String,
    compose: ComposeForm,
    /// The newest message shown, for the composer's guard.
    last_message: String,
    presence: PresenceLine,
    max_uploads: usize,
    max_upload_mib: usize,
    /// The intake form's answers the ticket was opened with.
    intake: Option<crate::views::FormAnswersView>,
    /// Whether a shop is configured (`[orders]`): the order panel loads beside the ticket.
    shop: bool,
}

impl TicketPage {
    /// Whether the problem is the composer's (shown beside it rather than in the header).
    fn composer_problem(&self) -> bool {
        matches!(
            self.field.as_str(),
            "body" | "compose" | "then_status" | "files"
        )
    }
}

fn choices<T: Copy>(all: &[T], name: fn(T) -> &'static str, current: &str) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: name(*v).to_owned(),
            text: label(name(*v)).to_owned(),
            selected: name(*v) == current,
        })
        .collect()
}

/// Builds the page for `number` as `session` may see it.
async fn page(state: &AppState, session: &Session, number: &str) -> Result<TicketPage, PageError> {
    let chrome = Chrome::of(session)?;
    let me = session.staff()?.id.as_uuid();
    let caller = &session.caller;
    let (detail, ticket) = crate::reads::ticket_detail_and_ticket(state, caller, number).await?;
    let revision = ticket.revision;
    let TicketDetail {
        ticket: t,
        messages,
        notes,
        ai,
        merge_suggestions,
        intake,
        ..
    } = detail;
    let team: Vec<StaffView> = crate::reads::staff_list(state, caller).await?;
    let canned = crate::reads::canned_for_ticket(state, caller, &ticket)
        .await?
        .into_iter()
        .map(|c| {
            let text = c.rendered.unwrap_or(c.body);
            let search = format!("{} {}", c.title, text).to_lowercase();
            (c.title, text, search)
        })
        .collect();
    // Help centre articles about what the customer wrote: public ones, since the link goes to
    // the customer.
    let about = format!("{} {}", ticket.subject, ticket.description);
    let articles = crate::routes::kb::related_for(
        state,
        frontdesk_domain::kb::Reader::Public,
        &about,
        false,
        3,
    )
    .await?
    .into_iter()
    .map(|a| {
        let link = format!("{}/help/{}", state.app.config.public_url(), a.slug);
        (a.title, link)
    })
    .collect();
    let names: HashMap<Uuid, String> = team.iter().map(|s| (s.id, s.name.clone())).collect();
    let now = state.now();

    let mut shown: Vec<MessageView> = messages.into_iter().chain(notes).collect();
    shown.sort_by_key(|m| m.created_at);
    let last_message = shown.last().map(|m| m.id.to_string()).unwrap_or_default();
    let mut entries: Vec<Entry> = shown
        .into_iter()
        .map(|m| Entry::message(m, &names, &t.number))
        .collect();
    let trail = state
        .db()
        .events_of(frontdesk_domain::TicketId::from_uuid(t.id), TRAIL)
        .await?;
    entries.extend(trail.iter().filter_map(|e| Entry::event(e, &names)));
    entries.sort_by_key(|e| e.at);

    let current: Status = t.status.parse().unwrap_or(Status::Open);
    let statuses = Status::ALL
        .iter()
        .filter(|s| current.can_become(**s))
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            text: label(s.as_str()).to_owned(),
            selected: *s == current,
        })
        .collect();
    let assignee_id = t.assignee.visible().copied().flatten();
    let mut assignees = vec![Choice {
        value: String::new(),
        text: "Nobody".to_owned(),
        selected: assignee_id.is_none(),
    }];
    assignees.extend(team.iter().filter(|s| s.active).map(|s| Choice {
        value: s.id.to_string(),
        text: format!("{} ({})", s.name, s.availability),
        selected: Some(s.id) == assignee_id,
    }));

    let customer = frontdesk_domain::email::EmailAddress::parse(&t.customer.email).ok();
    let mut others = Vec::new();
    if let Some(email) = customer {
        let mut filter = TicketFilter {
            customer: Some(email),
            ..TicketFilter::default()
        };
        if let frontdesk_domain::access::TicketScope::OwnOrUnassigned(me) =
            caller.principal.ticket_scope(state.http().agents_see_all)
        {
            filter.own_or_unassigned = Some(me);
        }
        let query = TicketListQuery {
            filter,
            sort: TicketSort {
                key: SortKey::Created,
                descending: true,
            },
            limit: OTHERS + 1,
            after: None::<PageCursor>,
            now,
        };
        let list = crate::reads::ticket_page(state, caller, &query).await?;
        others = list
            .items
            .iter()
            .filter(|o| o.id != t.id)
            .take(OTHERS as usize)
            .map(|o| Other {
                number: o.number.clone(),
                subject: o.subject.clone(),
                status: label(&o.status).to_owned(),
                age: age(o.created_at, now),
            })
            .collect();
    }

    let presence = PresenceLine {
        others: state
            .presence
            .others(&t.number, me, std::time::Instant::now()),
        number: t.number.clone(),
    };
    Ok(TicketPage {
        intake,
        shop: state.app.config.orders.provider != crate::wiring::OrdersProvider::None,
        chrome,
        statuses,
        priorities: choices(
            Priority::ALL,
            Priority::as_str,
            t.priority.as_deref().unwrap_or_default(),
        ),
        categories: choices(
            Category::ALL,
            Category::as_str,
            t.category.as_deref().unwrap_or_default(),
        ),
        mine: assignee_id == Some(me),
        picker: team
            .iter()
            .filter(|s| s.active)
            .map(|s| (super::actions::picker_label(s), s.availability.clone()))
            .collect(),
        status_label: label(&t.status).to_owned(),
        customer_link: format!("/tickets?customer={}", super::encode(&t.customer.email)),
        assignees,
        tags: t.tags.clone().unwrap_or_default().join(", "),
        first_response: t.sla.as_ref().map(|s| ClockCell::of(&s.first_response)),
        resolution: t.sla.as_ref().map(|s| ClockCell::of(&s.resolution)),
        ai,
        canned,
        articles,
        others,
        suggestions: merge_suggestions
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.ticket, s.reason))
            .collect(),
        revision,
        entries,
        t,
        problem: None,
        field: String::new(),
        compose: ComposeForm {
            kind: "reply".to_owned(),
            seen: last_message.clone(),
            ..ComposeForm::default()
        },
        last_message,
        presence,
        max_uploads: state.http().max_uploads,
        max_upload_mib: state.http().max_upload_mib,
    })
}

/// The ticket page.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    number: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = page(&state, &session, &number).await?;
    Ok(html(StatusCode::OK, &page))
}

/// The page again with a problem shown and its field marked (the composer keeps its text).
pub(crate) async fn again(
    state: &AppState,
    session: &Session,
    number: &str,
    e: &ApiError,
    field: &str,
    compose: Option<ComposeForm>,
) -> Result<HttpResponse, PageError> {
    let mut page = page(state, session, number).await?;
    page.problem = Some(e.detail().to_owned());
    page.field = field.to_owned();
    if let Some(compose) = compose {
        // What the person wrote stays; what they have now seen is the page as shown again.
        page.compose = ComposeForm {
            seen: page.last_message.clone(),
            ..compose
        };
    }
    Ok(html(e.status(), &page))
}

/// The header's fields as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldsForm {
    csrf: String,
    /// The revision the page showed: the change applies only if nobody changed the ticket
    /// since.
    version: Option<u64>,
    status: Option<String>,
    priority: Option<String>,
    category: Option<String>,
    assignee: Option<String>,
    tags: Option<String>,
}

/// What changed between the form and the ticket as it is, as the domain's update.
fn changes(
    form: &FieldsForm,
    t: &frontdesk_domain::ticket::Ticket,
) -> Result<TicketUpdate, Box<(ApiError, &'static str)>> {
    let mut update = TicketUpdate {
        expected_version: form.version,
        ..TicketUpdate::default()
    };
    if let Some(s) = form.status.as_deref().filter(|s| !s.is_empty()) {
        let s =
            input::optional::<Status>("status", Some(s)).map_err(|e| Box::new((e, "status")))?;
        update.status = s.filter(|s| *s != t.status);
    }
    if let Some(p) = form.priority.as_deref().filter(|s| !s.is_empty()) {
        let p = input::optional::<Priority>("priority", Some(p))
            .map_err(|e| Box::new((e, "priority")))?;
        update.priority = p.filter(|p| *p != t.priority);
    }
    if let Some(c) = form.category.as_deref().filter(|s| !s.is_empty()) {
        let c = input::optional::<Category>("category", Some(c))
            .map_err(|e| Box::new((e, "category")))?;
        update.category = c.filter(|c| *c != t.category);
    }
    if let Some(a) = form.assignee.as_deref() {
        let a = a.trim();
        let wanted = if a.is_empty() {
            None
        } else {
            Some(StaffId::from_uuid(Uuid::parse_str(a).map_err(|_| {
                Box::new((
                    ApiError::invalid_field("assignee", "choose someone from the list"),
                    "assignee",
                ))
            })?))
        };
        if wanted != t.assignee {
            update.assignee = Some(wanted);
        }
    }
    if let Some(tags) = &form.tags {
        let tags: Vec<String> = tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        input::tags("tags", &tags).map_err(|e| Box::new((e, "tags")))?;
        let same = tags.len() == t.tags.len()
            && tags
                .iter()
                .all(|n| t.tags.iter().any(|o| o.eq_ignore_ascii_case(n)));
        if !same {
            update.tags = Some(tags);
        }
    }
    Ok(update)
}

/// Changes the header's fields (status, priority, category, assignee, tags).
pub async fn fields(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<FieldsForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let staff = session.staff()?.clone();
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    let update = match changes(&form, &ticket) {
        Ok(update) => update,
        Err(problem) => {
            let (e, field) = *problem;
            return again(&state, &session, &number, &e, field, None).await;
        }
    };
    let no_change = update.status.is_none()
        && update.priority.is_none()
        && update.category.is_none()
        && update.assignee.is_none()
        && update.tags.is_none();
    if !no_change
        && let Err(e) = state
            .desk()
            .update(ticket.id, Actor::Staff(staff.id), update)
            .await
    {
        let e = ApiError::from(e);
        return again(&state, &session, &number, &e, "", None).await;
    }
    Ok(see_other(&format!("/tickets/{}", ticket.number)))
}

/// The composer as posted (`multipart/form-data`): its text fields, and the files attached
/// within the configured count and size (a file refused is a 422 naming it, the text kept).
async fn read_composer(
    state: &AppState,
    payload: Multipart,
) -> Result<(ComposeForm, Vec<OutboundAttachment>), (ApiError, Option<ComposeForm>)> {
    let http = state.http();
    let limits = crate::pages::multipart::Limits {
        max_files: http.max_uploads,
        max_file_bytes: http.max_upload_mib.saturating_mul(1024 * 1024),
        max_text_bytes: MAX_TEXT_FIELDS,
    };
    let posted = crate::pages::multipart::read(payload, limits)
        .await
        .map_err(|e| (e, None))?;
    let form = ComposeForm {
        csrf: posted.text("csrf"),
        kind: posted.text("kind"),
        body: posted.text("body"),
        then_status: posted.text("then_status"),
        seen: posted.text("seen"),
    };
    if let Some((_, why)) = posted.refused.first() {
        return Err((ApiError::invalid_field("files", why.clone()), Some(form)));
    }
    let files = posted.files.into_iter().map(|u| u.file).collect();
    Ok((form, files))
}

/// The text fields of the composer at most: a message at its largest and the rest.
const MAX_TEXT_FIELDS: usize = 300 * 1024;

/// Sends a reply or adds a note (with the files attached), then sets the status asked for.
pub async fn reply(
    state: web::Data<AppState>,
    number: web::Path<String>,
    session: Session,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let staff = session.staff()?.clone();
    let (form, files) = match read_composer(&state, payload).await {
        Ok(read) => read,
        Err((e, form)) => {
            // What was typed comes back unless the form could not be read at all.
            if let Some(form) = &form {
                session.check_csrf(&form.csrf)?;
            }
            return again(&state, &session, &number, &e, "files", form).await;
        }
    };
    session.check_csrf(&form.csrf)?;
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    let then_status = Some(form.then_status.trim()).filter(|s| !s.is_empty());
    let then: Option<Status> = match input::optional::<Status>("then_status", then_status) {
        Ok(s) => s,
        Err(e) => {
            return again(&state, &session, &number, &e, "then_status", Some(form)).await;
        }
    };
    let sent = if form.kind == "note" {
        state
            .desk()
            .add_note_with_files(ticket.id, &staff, &form.body, &files)
            .await
            .map_err(ApiError::from)
    } else {
        state
            .desk()
            .staff_reply_with_files(
                ticket.id,
                &staff,
                ReplyText::Written(&form.body),
                ReplyMode::Send,
                Some(Seen::LastMessage(Uuid::parse_str(form.seen.trim()).ok())),
                &files,
            )
            .await
            .map_err(ApiError::from)
    };
    if let Err(e) = sent {
        let field = if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
            "body"
        } else {
            "compose"
        };
        return again(&state, &session, &number, &e, field, Some(form)).await;
    }
    if let Some(status) = then {
        let update = TicketUpdate {
            status: Some(status),
            ..TicketUpdate::default()
        };
        if let Err(e) = state
            .desk()
            .update(ticket.id, Actor::Staff(staff.id), update)
            .await
        {
            // The message went out; only the status stayed: say so on the page.
            let e = ApiError::from(e);
            return again(&state, &session, &number, &e, "then_status", None).await;
        }
    }
    Ok(see_other(&format!("/tickets/{}#latest", ticket.number)))
}

/// An attachment of the ticket, as a download (never shown inline).
pub async fn attachment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    session.staff()?;
    let (number, att) = path.into_inner();
    Ok(
        crate::routes::tickets::attachments::download(&state, &session.caller, &number, &att)
            .await?,
    )
}

/// The presence line: who else has this ticket open, who is typing.
#[derive(Debug, Template)]
#[template(path = "workspace/presence.html")]
pub struct PresenceLine {
    pub number: String,
    pub others: Vec<crate::presence::Viewer>,
}

/// A page's heartbeat.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PresenceForm {
    csrf: String,
    /// The composer is being typed in.
    typing: bool,
    /// The page is going away.
    leave: bool,
}

/// Records a page's heartbeat and answers the presence line.
pub async fn presence(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<PresenceForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.clone();
    // Only for a ticket the person may see: presence says nothing about others.
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    let key = ticket.number.to_string();
    let who = me.id.as_uuid();
    if form.leave {
        state.presence.leave(&key, who);
        return Ok(HttpResponse::NoContent().finish());
    }
    let others = state
        .presence
        .beat(&key, who, &me.name, form.typing, std::time::Instant::now());
    Ok(html(
        StatusCode::OK,
        &PresenceLine {
            number: key,
            others,
        },
    ))
}

/// A form with nothing but its CSRF token (take, and the like).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlainForm {
    pub(crate) csrf: String,
}

/// Takes the ticket: assigns it to the person signed in.
pub async fn take(
    state: web::Data<AppState>,
    number: web::Path<String>,
    posted: Posted<PlainForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, .. } = posted;
    let staff = session.staff()?.clone();
    let ticket = crate::reads::visible(&state, &session.caller, &number).await?;
    if let Err(e) = state.desk().take(ticket.id, &staff).await {
        let e = ApiError::from(e);
        return again(&state, &session, &number, &e, "", None).await;
    }
    Ok(see_other(&format!("/tickets/{}", ticket.number)))
}

super::session::csrf_form!(FieldsForm, PresenceForm, PlainForm);

/// The order panel: the order the ticket is about, as the shop has it (loaded after the page,
/// so a slow shop never holds the ticket up).
#[derive(Debug, Template)]
#[template(path = "workspace/order_panel.html")]
pub struct OrderPanel {
    pub number: String,
    pub numbers: Vec<String>,
    pub order: Option<crate::routes::tickets::order::OrderView>,
    pub belongs: bool,
    /// Why the shop could not be asked.
    pub problem: Option<String>,
}

/// `GET /tickets/{number}/order`: the order panel.
pub async fn order_panel(
    state: web::Data<AppState>,
    session: Session,
    number: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    session.staff()?;
    let panel =
        match crate::routes::tickets::order::order_of(&state, &session.caller, &number).await {
            Ok(c) => OrderPanel {
                number: number.to_string(),
                numbers: c.numbers.clone(),
                order: c.order.as_ref().map(Into::into),
                belongs: c.belongs_to_customer,
                problem: None,
            },
            Err(e) if matches!(e.status().as_u16(), 502 | 503) => OrderPanel {
                number: number.to_string(),
                numbers: Vec::new(),
                order: None,
                belongs: false,
                problem: Some(e.detail().to_owned()),
            },
            Err(e) => return Err(e.into()),
        };
    Ok(html(StatusCode::OK, &panel))
}
