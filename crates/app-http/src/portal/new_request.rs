//! The portal's new request: a subject (with the help centre's articles that may answer it,
//! for deflection) and the active intake form's questions — or, when no form is active, a
//! description — with files. Questions that depend on an earlier answer show as the customer
//! answers (portal.js); without script they all show, each saying when it applies, and the
//! server keeps only the answers the choices lead to. A refused answer or file brings the page
//! back with everything typed and the question marked.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use frontdesk_domain::journey::{Journey, QuestionKind};
use frontdesk_domain::service::FormFile;
use uuid::Uuid;

use super::tickets::{PortalChrome, chrome};
use crate::pages::session::Session;
use crate::pages::{PageError, filters, html, see_other};
use crate::problem::ApiError;
use crate::routes::tickets::create::{CreateTicket, open_ticket_with_files, portal_limits};
use crate::state::AppState;

/// The text of a new request's fields at most.
const MAX_TEXT: usize = 300 * 1024;

/// One option of a choice.
#[derive(Debug)]
pub struct OptionView {
    pub id: String,
    pub value: String,
    pub checked: bool,
}

/// When a question applies.
#[derive(Debug)]
pub struct ShowIf {
    pub question: String,
    /// The options that show it, as a JSON array (for the script).
    pub any_of: String,
    /// The same in words: `“What is it about?” is Order issue or Refund`.
    pub words: String,
}

/// One question as the page shows it.
#[derive(Debug)]
pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<OptionView>,
    pub value: String,
    pub images_only: bool,
    pub show_if: Option<ShowIf>,
    pub problem: Option<String>,
}

/// The active form as the page shows it.
#[derive(Debug)]
pub struct FormView {
    pub id: Uuid,
    pub name: String,
    pub intro: String,
    pub questions: Vec<QuestionView>,
}

fn form_view(
    j: &Journey,
    raw: &BTreeMap<String, Vec<String>>,
    problems: &BTreeMap<String, String>,
) -> FormView {
    let d = &j.definition;
    let questions = d
        .questions
        .iter()
        .map(|q| {
            let given = raw.get(&q.key).cloned().unwrap_or_default();
            let show_if = q.show_if.as_ref().map(|c| {
                let label = d
                    .question(&c.question)
                    .map_or(c.question.as_str(), |t| t.label.as_str());
                ShowIf {
                    question: c.question.clone(),
                    any_of: serde_json::to_string(&c.any_of).unwrap_or_default(),
                    words: format!("“{}” is {}", label.trim(), c.any_of.join(" or ")),
                }
            });
            QuestionView {
                key: q.key.clone(),
                label: q.label.trim().to_owned(),
                help: q.help.trim().to_owned(),
                kind: q.kind.as_str(),
                required: q.required,
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(n, o)| OptionView {
                        id: format!("a-{}-{n}", q.key),
                        value: o.clone(),
                        checked: given.iter().any(|g| g == o),
                    })
                    .collect(),
                value: if q.kind.is_choice() || q.kind == QuestionKind::Upload {
                    String::new()
                } else {
                    given.first().cloned().unwrap_or_default()
                },
                images_only: q.images_only,
                show_if,
                problem: problems.get(&q.key).cloned(),
            }
        })
        .collect();
    FormView {
        id: j.id,
        name: d.name.trim().to_owned(),
        intro: d.intro.trim().to_owned(),
        questions,
    }
}

#[derive(Template)]
#[template(path = "portal/new.html")]
struct NewPage {
    who: String,
    csrf: String,
    subject: String,
    description: String,
    problem: Option<String>,
    /// The field marked: `subject`, `description`, `files`.
    field: String,
    /// Articles that may answer the subject typed so far.
    suggestions: Vec<crate::routes::kb::SearchResult>,
    form: Option<FormView>,
    max_files: usize,
    max_mib: usize,
}

/// What the customer posted, as the page keeps it.
#[derive(Debug, Default)]
struct Typed {
    subject: String,
    description: String,
    /// The form version the page showed.
    journey: Option<Uuid>,
    answers: BTreeMap<String, Vec<String>>,
}

/// Articles of the help centre that may answer `subject`.
async fn suggestions(
    state: &AppState,
    subject: &str,
) -> Result<Vec<crate::routes::kb::SearchResult>, ApiError> {
    if subject.trim().chars().count() < 3 {
        return Ok(Vec::new());
    }
    crate::routes::kb::related_for(
        state,
        frontdesk_domain::kb::Reader::Public,
        subject,
        true,
        5,
    )
    .await
}

struct Shown<'a> {
    typed: Typed,
    problem: Option<String>,
    field: String,
    problems: BTreeMap<String, String>,
    form: Option<&'a Journey>,
}

async fn page(state: &AppState, session: &Session, shown: Shown<'_>) -> Result<NewPage, PageError> {
    let PortalChrome { who, csrf } = chrome(session)?;
    let limits = portal_limits(state);
    Ok(NewPage {
        who,
        csrf,
        suggestions: suggestions(state, &shown.typed.subject).await?,
        form: shown
            .form
            .map(|j| form_view(j, &shown.typed.answers, &shown.problems)),
        subject: shown.typed.subject,
        description: shown.typed.description,
        problem: shown.problem,
        field: shown.field,
        max_files: limits.max_files,
        max_mib: limits.max_bytes / (1024 * 1024),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewQuery {
    subject: String,
}

/// The new-request form; with `?subject=` (typed so far) the articles that may answer it — the
/// page's script asks for them while the customer types.
pub async fn new(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let active = state.db().active_journey().await?;
    let typed = Typed {
        subject: query.subject.chars().take(500).collect(),
        ..Typed::default()
    };
    let shown = Shown {
        typed,
        problem: None,
        field: String::new(),
        problems: BTreeMap::new(),
        form: active.as_ref(),
    };
    Ok(html(StatusCode::OK, &page(&state, &session, shown).await?))
}

/// Reads the posted form: its text, the answers (`a:<key>`), and the files (`f:<key>` for a
/// question, `files` without a form); the CSRF token checked.
async fn read(
    state: &AppState,
    session: &Session,
    payload: Multipart,
) -> Result<(Typed, Vec<FormFile>, Vec<(String, String)>), PageError> {
    let limits = portal_limits(state);
    let posted = crate::pages::multipart::read(
        payload,
        crate::pages::multipart::Limits {
            max_files: limits.max_files,
            max_file_bytes: limits.max_bytes,
            max_text_bytes: MAX_TEXT,
        },
    )
    .await?;
    session.check_csrf(&posted.text("csrf"))?;
    let mut typed = Typed {
        subject: posted.text("subject"),
        description: posted.text("description"),
        journey: Uuid::parse_str(posted.text("journey").trim()).ok(),
        answers: BTreeMap::new(),
    };
    for (name, value) in &posted.fields {
        if let Some(key) = name.strip_prefix("a:") {
            typed
                .answers
                .entry(key.to_owned())
                .or_default()
                .push(value.clone());
        }
    }
    let files = posted
        .files
        .into_iter()
        .map(|u| FormFile {
            question: u.field.strip_prefix("f:").unwrap_or_default().to_owned(),
            file: u.file,
        })
        .collect();
    let refused = posted
        .refused
        .into_iter()
        .map(|(field, why)| {
            let key = field
                .strip_prefix("f:")
                .map_or_else(|| "files".to_owned(), str::to_owned);
            (key, why)
        })
        .collect();
    Ok((typed, files, refused))
}

/// The form again as typed, with the articles that may answer its subject (the button for
/// browsers without script).
pub async fn look(
    state: web::Data<AppState>,
    session: Session,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let (typed, _, _) = read(&state, &session, payload).await?;
    let active = state.db().active_journey().await?;
    let shown = Shown {
        typed,
        problem: None,
        field: String::new(),
        problems: BTreeMap::new(),
        form: active.as_ref(),
    };
    Ok(html(StatusCode::OK, &page(&state, &session, shown).await?))
}

/// Opens the request; the form back with the fields marked when something is wrong.
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let email = session.customer()?.clone();
    let (typed, files, refused) = read(&state, &session, payload).await?;
    let active = state.db().active_journey().await?;
    // The form the page showed, if it is still the one in use; else the page again with the
    // form in use now.
    let shown_form = typed.journey;
    let outcome = if !refused.is_empty() {
        let (field, why) = &refused[0];
        Err(if field == "files" {
            ApiError::invalid_field("files", why.clone())
        } else {
            ApiError::invalid_fields(
                &refused
                    .iter()
                    .map(|(k, w)| (format!("answers.{k}"), w.clone()))
                    .collect::<Vec<_>>(),
            )
        })
    } else {
        let request = CreateTicket {
            subject: typed.subject.clone(),
            description: typed.description.clone(),
            answers: shown_form.map(|_| {
                typed
                    .answers
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::json!(v)))
                    .collect()
            }),
            ..CreateTicket::default()
        };
        open_ticket_with_files(&state, &session.caller, request, shown_form, files).await
    };
    match outcome {
        Ok(view) => {
            let now = state.now();
            state
                .db()
                .record_request_after_suggestions(
                    &email,
                    now - frontdesk_domain::kb::DEFLECTION_WINDOW,
                    now,
                )
                .await?;
            Ok(see_other(&format!(
                "/portal/tickets/{}?done=opened",
                view.number
            )))
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            let mut problems = BTreeMap::new();
            let mut field = String::new();
            for (f, why) in e.field_errors() {
                match f.strip_prefix("answers.") {
                    Some(key) => {
                        problems.entry(key.to_owned()).or_insert(why);
                    }
                    None if field.is_empty() => field = f,
                    None => {}
                }
            }
            if field.is_empty() && problems.is_empty() {
                field = if e.detail().contains("subject") {
                    "subject".to_owned()
                } else {
                    "description".to_owned()
                };
            }
            let problem = if problems.is_empty() {
                e.sentence()
            } else if problems.len() == 1 {
                "One answer needs another look: it is marked below.".to_owned()
            } else {
                format!(
                    "{} answers need another look: they are marked below.",
                    problems.len()
                )
            };
            let shown = Shown {
                typed,
                problem: Some(problem),
                field,
                problems,
                form: active.as_ref(),
            };
            Ok(html(e.status(), &page(&state, &session, shown).await?))
        }
        Err(e) => Err(e.into()),
    }
}
