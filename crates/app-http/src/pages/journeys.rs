//! `/admin/journeys` (managers, admins): the intake forms — every version with its status and
//! how many tickets were opened with it — and the form builder: a draft's questions in order,
//! each with its kind, options and the earlier answer it depends on, and the rules that map
//! answers to category, priority and tags. One "Save" posts the whole form; a blank last row
//! adds a question (or a rule). Published versions are read-only: a new draft starts from one.
//! Through the API's functions ([`create_draft`], [`update_draft`], [`publish_version`],
//! [`archive_version`]).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::Permission;
use frontdesk_domain::journey::{
    Condition, Definition, Journey, JourneyStatus, Place, Question, QuestionKind, Rule, key_from,
};
use frontdesk_domain::ticket::{Category, Priority};
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::journeys::{
    archive_version, create_draft, journey_for, publish_version, update_draft,
};
use crate::state::AppState;

/// One version in the list.
#[derive(Debug)]
pub struct Row {
    pub j: Journey,
    pub tickets: u64,
}

#[derive(Template)]
#[template(path = "workspace/admin_journeys.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

/// The forms.
pub async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    session.caller.may(Permission::Configure)?;
    let chrome = Chrome::of(&session)?;
    let counts: BTreeMap<Uuid, u64> = state
        .db()
        .journey_ticket_counts()
        .await?
        .into_iter()
        .collect();
    let rows = state
        .db()
        .journeys()
        .await?
        .into_iter()
        .map(|j| Row {
            tickets: counts.get(&j.id).copied().unwrap_or(0),
            j,
        })
        .collect();
    Ok(html(StatusCode::OK, &ListPage { chrome, rows }))
}

/// A first draft to start from: the source documents' "General Support" journey.
fn starter() -> Definition {
    let q = |key: &str, label: &str, kind, required, options: &[&str]| Question {
        key: key.to_owned(),
        label: label.to_owned(),
        help: String::new(),
        kind,
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        images_only: kind == QuestionKind::Upload,
        show_if: None,
    };
    let on_order = Some(Condition {
        question: "issue".to_owned(),
        any_of: vec!["Order issue".to_owned(), "Refund".to_owned()],
    });
    let mut order = q(
        "order",
        "Order number",
        QuestionKind::OrderNumber,
        true,
        &[],
    );
    order.show_if.clone_from(&on_order);
    let mut photos = q(
        "photos",
        "Photos of the problem",
        QuestionKind::Upload,
        false,
        &[],
    );
    photos.show_if = on_order;
    Definition {
        name: "General support".to_owned(),
        intro: String::new(),
        questions: vec![
            q(
                "issue",
                "What is it about?",
                QuestionKind::SingleChoice,
                true,
                &["Order issue", "Product question", "Refund", "Other"],
            ),
            order,
            photos,
            q("details", "Tell us more", QuestionKind::LongText, true, &[]),
        ],
        rules: vec![
            Rule {
                when: Condition {
                    question: "issue".to_owned(),
                    any_of: vec!["Order issue".to_owned()],
                },
                category: Some("order".to_owned()),
                priority: None,
                tags: Vec::new(),
            },
            Rule {
                when: Condition {
                    question: "issue".to_owned(),
                    any_of: vec!["Refund".to_owned()],
                },
                category: Some("billing".to_owned()),
                priority: None,
                tags: vec!["refund".to_owned()],
            },
        ],
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlainForm {
    csrf: String,
}

/// A new form: a draft to edit, started from the sample journey.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<PlainForm>,
) -> Result<HttpResponse, PageError> {
    let j = create_draft(&state, &posted.session.caller, &starter()).await?;
    Ok(see_other(&format!("/admin/journeys/{}?done=created", j.id)))
}

/// A new draft with version `id`'s questions.
pub async fn copy(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<PlainForm>,
) -> Result<HttpResponse, PageError> {
    let caller = &posted.session.caller;
    caller.may(Permission::Configure)?;
    let from = journey_for(&state, caller, *id).await?;
    let j = create_draft(&state, caller, &from.definition).await?;
    Ok(see_other(&format!("/admin/journeys/{}?done=copied", j.id)))
}

/// Retires the active version.
pub async fn archive(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<PlainForm>,
) -> Result<HttpResponse, PageError> {
    archive_version(&state, &posted.session.caller, *id).await?;
    Ok(see_other(&format!("/admin/journeys/{id}?done=archived")))
}

/// An option of a select.
#[derive(Debug)]
pub struct Pick {
    pub value: String,
    pub text: String,
    pub selected: bool,
}

/// One question row of the builder.
#[derive(Debug)]
pub struct QuestionRow {
    pub n: usize,
    pub q: Question,
    pub options: String,
    pub kinds: Vec<Pick>,
    /// "Always" and the earlier choice questions.
    pub conditions: Vec<Pick>,
    pub if_values: String,
    /// The problems of this row, by field (`key`, `label`, `options`, `show_if` …).
    pub problems: BTreeMap<&'static str, String>,
    /// The blank row that adds a question.
    pub blank: bool,
}

/// One rule row.
#[derive(Debug)]
pub struct RuleRow {
    pub n: usize,
    pub questions: Vec<Pick>,
    pub values: String,
    pub categories: Vec<Pick>,
    pub priorities: Vec<Pick>,
    pub tags: String,
    pub problems: BTreeMap<&'static str, String>,
    pub blank: bool,
}

#[derive(Template)]
#[template(path = "workspace/admin_journey.html")]
struct EditPage {
    chrome: Chrome,
    j: Journey,
    editable: bool,
    questions: Vec<QuestionRow>,
    rules: Vec<RuleRow>,
    /// Problems of the form as a whole (name, intro, no questions, too many rules).
    top: BTreeMap<&'static str, String>,
    problem: Option<String>,
    done: Option<&'static str>,
    tickets: u64,
}

fn picks(all: &[(String, String)], current: &str) -> Vec<Pick> {
    all.iter()
        .map(|(value, text)| Pick {
            selected: value == current,
            value: value.clone(),
            text: text.clone(),
        })
        .collect()
}

fn edit_page(
    chrome: Chrome,
    j: Journey,
    d: &Definition,
    problems: &[(Place, String)],
    tickets: u64,
) -> EditPage {
    let editable = j.status == JourneyStatus::Draft;
    let mut rows: Vec<(Question, bool)> = d.questions.iter().cloned().map(|q| (q, false)).collect();
    if editable {
        rows.push((
            Question {
                key: String::new(),
                label: String::new(),
                help: String::new(),
                kind: QuestionKind::ShortText,
                required: false,
                options: Vec::new(),
                images_only: false,
                show_if: None,
            },
            true,
        ));
    }
    let kinds: Vec<(String, String)> = QuestionKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.words().to_owned()))
        .collect();
    let choices: Vec<(String, String)> = d
        .questions
        .iter()
        .filter(|q| q.kind.is_choice())
        .map(|q| (q.key.clone(), q.label.clone()))
        .collect();
    let questions = rows
        .into_iter()
        .enumerate()
        .map(|(n, (q, blank))| {
            let mut conditions = vec![("".to_owned(), "Always".to_owned())];
            conditions.extend(
                d.questions
                    .iter()
                    .take(n)
                    .filter(|e| e.kind.is_choice())
                    .map(|e| (e.key.clone(), format!("Only if “{}” is …", e.label))),
            );
            let current = q.show_if.as_ref().map_or("", |c| c.question.as_str());
            QuestionRow {
                n,
                options: q.options.join("\n"),
                kinds: picks(&kinds, q.kind.as_str()),
                conditions: picks(&conditions, current),
                if_values: q
                    .show_if
                    .as_ref()
                    .map(|c| c.any_of.join("\n"))
                    .unwrap_or_default(),
                problems: problems
                    .iter()
                    .filter_map(|(p, m)| match p {
                        Place::Question(i, field) if *i == n => Some((*field, m.clone())),
                        _ => None,
                    })
                    .collect(),
                blank,
                q,
            }
        })
        .collect();
    let mut rule_rows: Vec<(Rule, bool)> = d.rules.iter().cloned().map(|r| (r, false)).collect();
    if editable {
        rule_rows.push((
            Rule {
                when: Condition {
                    question: String::new(),
                    any_of: Vec::new(),
                },
                category: None,
                priority: None,
                tags: Vec::new(),
            },
            true,
        ));
    }
    let mut when = vec![("".to_owned(), "Choose a question".to_owned())];
    when.extend(choices);
    let mut categories = vec![("".to_owned(), "Leave as classified".to_owned())];
    categories.extend(
        Category::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), c.as_str().to_owned())),
    );
    let mut priorities = vec![("".to_owned(), "Leave as classified".to_owned())];
    priorities.extend(
        Priority::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), p.as_str().to_owned())),
    );
    let rules = rule_rows
        .into_iter()
        .enumerate()
        .map(|(n, (r, blank))| RuleRow {
            n,
            questions: picks(&when, &r.when.question),
            values: r.when.any_of.join("\n"),
            categories: picks(&categories, r.category.as_deref().unwrap_or("")),
            priorities: picks(&priorities, r.priority.as_deref().unwrap_or("")),
            tags: r.tags.join(", "),
            problems: problems
                .iter()
                .filter_map(|(p, m)| match p {
                    Place::Rule(i, field) if *i == n => Some((*field, m.clone())),
                    _ => None,
                })
                .collect(),
            blank,
        })
        .collect();
    let top = problems
        .iter()
        .filter_map(|(p, m)| match p {
            Place::Name => Some(("name", m.clone())),
            Place::Intro => Some(("intro", m.clone())),
            Place::Questions => Some(("questions", m.clone())),
            Place::Rules => Some(("rules", m.clone())),
            _ => None,
        })
        .collect();
    let problem = match problems.len() {
        0 => None,
        1 => {
            Some("One thing needs another look: it is marked below. Nothing was saved.".to_owned())
        }
        n => Some(format!(
            "{n} things need another look: they are marked below. Nothing was saved."
        )),
    };
    EditPage {
        chrome,
        editable,
        questions,
        rules,
        top,
        problem,
        done: None,
        tickets,
        j,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// One version: the builder for a draft, the form as it is for the others.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    session.caller.may(Permission::Configure)?;
    let chrome = Chrome::of(&session)?;
    let j = journey_for(&state, &session.caller, *id).await?;
    let tickets = tickets_of(&state, j.id).await?;
    let d = j.definition.clone();
    let mut page = edit_page(chrome, j, &d, &[], tickets);
    page.done = match query.done.as_str() {
        "created" => Some("A draft was made from the sample form. Change it, save, then publish."),
        "copied" => Some("A new draft was made from that version."),
        "saved" => Some("The draft was saved."),
        "published" => Some("Published: the portal asks this form now."),
        "archived" => Some("Archived: the portal asks for a subject and a description again."),
        _ => None,
    };
    Ok(html(StatusCode::OK, &page))
}

async fn tickets_of(state: &AppState, id: Uuid) -> Result<u64, ApiError> {
    Ok(state
        .db()
        .journey_ticket_counts()
        .await?
        .into_iter()
        .find(|(j, _)| *j == id)
        .map_or(0, |(_, n)| n))
}

/// The builder as posted: each column of the question and rule rows as a list in row order
/// (checkboxes post the numbers of the rows ticked).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuilderForm {
    csrf: String,
    action: String,
    name: String,
    intro: String,
    q_key: Vec<String>,
    q_label: Vec<String>,
    q_help: Vec<String>,
    q_kind: Vec<String>,
    q_options: Vec<String>,
    q_if: Vec<String>,
    q_if_values: Vec<String>,
    q_position: Vec<String>,
    q_required: Vec<String>,
    q_images: Vec<String>,
    q_remove: Vec<String>,
    r_question: Vec<String>,
    r_values: Vec<String>,
    r_category: Vec<String>,
    r_priority: Vec<String>,
    r_tags: Vec<String>,
    r_remove: Vec<String>,
}

crate::pages::session::csrf_form!(PlainForm, BuilderForm);

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn at(column: &[String], n: usize) -> &str {
    column.get(n).map_or("", String::as_str)
}

impl BuilderForm {
    /// The definition the rows describe: blank rows and removed ones left out, questions in
    /// the order of their positions, keys made from labels where none was typed.
    fn definition(&self) -> Definition {
        let ticked = |column: &[String], n: usize| column.iter().any(|v| v == &n.to_string());
        let mut questions: Vec<(f64, usize, Question)> = Vec::new();
        for n in 0..self.q_label.len() {
            let label = at(&self.q_label, n).trim();
            let key = at(&self.q_key, n).trim();
            if ticked(&self.q_remove, n) || (label.is_empty() && key.is_empty()) {
                continue;
            }
            let kind = QuestionKind::parse(at(&self.q_kind, n)).unwrap_or(QuestionKind::ShortText);
            let condition = at(&self.q_if, n).trim();
            let q = Question {
                key: if key.is_empty() {
                    key_from(label)
                } else {
                    key.to_owned()
                },
                label: label.to_owned(),
                help: at(&self.q_help, n).trim().to_owned(),
                kind,
                required: ticked(&self.q_required, n),
                // Options typed for a kind that has none are dropped with the kind's change.
                options: if kind.is_choice() {
                    lines(at(&self.q_options, n))
                } else {
                    Vec::new()
                },
                images_only: kind == QuestionKind::Upload && ticked(&self.q_images, n),
                show_if: (!condition.is_empty()).then(|| Condition {
                    question: condition.to_owned(),
                    any_of: lines(at(&self.q_if_values, n)),
                }),
            };
            #[allow(clippy::cast_precision_loss)]
            let position = at(&self.q_position, n)
                .trim()
                .parse::<f64>()
                .unwrap_or((n + 1) as f64);
            questions.push((position, n, q));
        }
        questions.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // Keys made from equal labels get a number.
        let mut seen: Vec<String> = Vec::new();
        let questions = questions
            .into_iter()
            .map(|(_, n, mut q)| {
                if at(&self.q_key, n).trim().is_empty() && seen.contains(&q.key) {
                    let base = q.key.clone();
                    let mut i = 2;
                    while seen.contains(&q.key) {
                        q.key = format!("{base}-{i}");
                        i += 1;
                    }
                }
                seen.push(q.key.clone());
                q
            })
            .collect();
        let mut rules = Vec::new();
        for n in 0..self.r_question.len() {
            let question = at(&self.r_question, n).trim();
            let values = lines(at(&self.r_values, n));
            let category =
                Some(at(&self.r_category, n).trim().to_owned()).filter(|c| !c.is_empty());
            let priority =
                Some(at(&self.r_priority, n).trim().to_owned()).filter(|p| !p.is_empty());
            let tags: Vec<String> = at(&self.r_tags, n)
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            let empty = question.is_empty()
                && values.is_empty()
                && category.is_none()
                && priority.is_none()
                && tags.is_empty();
            if empty || ticked(&self.r_remove, n) {
                continue;
            }
            rules.push(Rule {
                when: Condition {
                    question: question.to_owned(),
                    any_of: values,
                },
                category,
                priority,
                tags,
            });
        }
        Definition {
            name: self.name.trim().to_owned(),
            intro: self.intro.trim().to_owned(),
            questions,
            rules,
        }
    }
}

/// Saves the draft (and publishes it when asked); the builder again with every problem marked
/// and nothing saved when the form is not well formed.
pub async fn save(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<BuilderForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    session.caller.may(Permission::Configure)?;
    let j = journey_for(&state, &session.caller, *id).await?;
    let d = form.definition();
    let problems: Vec<(Place, String)> = d
        .problems()
        .into_iter()
        .map(|p| (p.place, p.message))
        .collect();
    if !problems.is_empty() || j.status != JourneyStatus::Draft {
        let chrome = Chrome::of(&session)?;
        let tickets = tickets_of(&state, j.id).await?;
        let status = if problems.is_empty() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut page = edit_page(chrome, j, &d, &problems, tickets);
        if status == StatusCode::CONFLICT {
            page.problem = Some(
                "This version was published meanwhile and can no longer change; nothing was saved."
                    .to_owned(),
            );
        }
        return Ok(html(status, &page));
    }
    update_draft(&state, &session.caller, j.id, &d).await?;
    if form.action == "publish" {
        publish_version(&state, &session.caller, j.id).await?;
        return Ok(see_other(&format!(
            "/admin/journeys/{}?done=published",
            j.id
        )));
    }
    Ok(see_other(&format!("/admin/journeys/{}?done=saved", j.id)))
}
