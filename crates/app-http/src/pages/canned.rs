//! `/admin/canned` (managers, admins): canned responses by category; each edited with a live
//! preview of its placeholders filled for a sample ticket. Through the API's own functions
//! ([`crate::routes::canned`]): the same checks and storage.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::Permission;
use frontdesk_domain::service::render_template;
use frontdesk_domain::ticket::Category;
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::ticket::Choice;
use super::{Chrome, PageError, html, see_other};
use crate::problem::ApiError;
use crate::routes::canned::{
    NewCanned, PLACEHOLDERS, PatchCanned, change_canned, new_canned, remove_canned, stored,
};
use crate::state::AppState;

/// One response in the list.
#[derive(Debug)]
pub struct Item {
    pub id: Uuid,
    pub title: String,
    pub first_line: String,
}

#[derive(Template)]
#[template(path = "workspace/admin_canned.html")]
struct ListPage {
    chrome: Chrome,
    groups: Vec<(String, Vec<Item>)>,
    saved: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "workspace/admin_canned_edit.html")]
struct EditPage {
    chrome: Chrome,
    /// `None` for a new one.
    id: Option<Uuid>,
    form: CannedForm,
    categories: Vec<Choice>,
    preview: Preview,
    placeholders: &'static [&'static str],
    problem: Option<(String, String)>,
}

/// The preview: the body filled for the sample ticket, and placeholders nobody fills.
#[derive(Debug, Default)]
pub struct Preview {
    pub text: String,
    pub unknown: Vec<String>,
}

#[derive(Template)]
#[template(path = "workspace/admin_canned_preview.html")]
struct PreviewPart {
    preview: Preview,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CannedForm {
    pub csrf: String,
    pub title: String,
    /// Empty: every category.
    pub category: String,
    pub body: String,
}

super::session::csrf_form!(CannedForm);

/// `body` filled as for a sample ticket, with `agent` writing.
fn preview(body: &str, agent: &str) -> Preview {
    let vars = [
        ("customer_name", "Jane Doe"),
        ("ticket_number", "TKT-000123"),
        ("subject", "Where is my order?"),
        ("agent_name", agent),
    ];
    let text = render_template(body, &vars);
    // What is still `{word}` after filling is a placeholder nobody fills.
    let mut unknown: Vec<String> = Vec::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !unknown.iter().any(|u| u == name)
                {
                    unknown.push(name.to_owned());
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    Preview { text, unknown }
}

fn categories(chosen: &str) -> Vec<Choice> {
    Category::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_owned(),
            text: c.as_str().to_owned(),
            selected: c.as_str() == chosen,
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    saved: String,
}

/// The list, by category.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, PageError> {
    let chrome = Chrome::of(&session)?;
    session.caller.may(Permission::Configure)?;
    let all = crate::reads::canned_responses(&state, &session.caller, None).await?;
    let mut groups: Vec<(String, Vec<Item>)> = Vec::new();
    let names = std::iter::once(None).chain(Category::ALL.iter().map(|c| Some(c.as_str())));
    for name in names {
        let items: Vec<Item> = all
            .iter()
            .filter(|c| c.category.as_deref() == name)
            .map(|c| Item {
                id: c.id,
                title: c.title.clone(),
                first_line: c
                    .body
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(120)
                    .collect(),
            })
            .collect();
        if !items.is_empty() {
            groups.push((name.unwrap_or("every category").to_owned(), items));
        }
    }
    let saved = match shown.saved.as_str() {
        "saved" => Some("The canned response is saved."),
        "removed" => Some("The canned response is removed."),
        _ => None,
    };
    Ok(html(
        StatusCode::OK,
        &ListPage {
            chrome,
            groups,
            saved,
        },
    ))
}

async fn edit_page(
    session: &Session,
    id: Option<Uuid>,
    form: CannedForm,
    problem: Option<&ApiError>,
) -> Result<EditPage, PageError> {
    let chrome = Chrome::of(session)?;
    session.caller.may(Permission::Configure)?;
    let preview = preview(&form.body, &chrome.name);
    Ok(EditPage {
        categories: categories(&form.category),
        chrome,
        id,
        form,
        preview,
        placeholders: &PLACEHOLDERS,
        problem: problem.map(|e| (e.field().unwrap_or_default(), e.sentence())),
    })
}

/// A new one.
pub async fn new(session: Session) -> Result<HttpResponse, PageError> {
    Ok(html(
        StatusCode::OK,
        &edit_page(&session, None, CannedForm::default(), None).await?,
    ))
}

/// One to edit.
pub async fn edit(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    session.caller.may(Permission::Configure)?;
    let c = stored(&state, *id).await?;
    let form = CannedForm {
        csrf: String::new(),
        title: c.title,
        category: c
            .category
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        body: c.body,
    };
    Ok(html(
        StatusCode::OK,
        &edit_page(&session, Some(c.id), form, None).await?,
    ))
}

fn category(form: &CannedForm) -> Option<String> {
    Some(form.category.trim().to_owned()).filter(|c| !c.is_empty())
}

/// Saves a new one.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<CannedForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let body = NewCanned {
        title: form.title.clone(),
        body: form.body.clone(),
        category: category(&form),
    };
    match new_canned(&state, &session.caller, &body).await {
        Ok(_) => Ok(see_other("/admin/canned?saved=saved")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Ok(html(
            e.status(),
            &edit_page(&session, None, form, Some(&e)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// Saves changes.
pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<CannedForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let body = PatchCanned {
        title: Some(form.title.clone()),
        body: Some(form.body.clone()),
        category: Some(category(&form)),
    };
    match change_canned(&state, &session.caller, *id, &body).await {
        Ok(_) => Ok(see_other("/admin/canned?saved=saved")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Ok(html(
            e.status(),
            &edit_page(&session, Some(*id), form, Some(&e)).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// Removes one.
pub async fn remove(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    remove_canned(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/canned?saved=removed"))
}

/// The preview of what is being typed: the part alone for htmx, the whole page otherwise.
pub async fn show_preview(
    request: HttpRequest,
    posted: Posted<CannedForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let chrome = Chrome::of(&session)?;
    session.caller.may(Permission::Configure)?;
    if request.headers().contains_key("hx-request") {
        return Ok(html(
            StatusCode::OK,
            &PreviewPart {
                preview: preview(&form.body, &chrome.name),
            },
        ));
    }
    let id = request
        .match_info()
        .get("id")
        .and_then(|id| id.parse().ok());
    Ok(html(
        StatusCode::OK,
        &edit_page(&session, id, form, None).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_fills_the_placeholders_and_names_unknown_ones() {
        let p = preview(
            "Hello {customer_name}, about {ticket_number} ({subject}). {agent_name} {order_id} {",
            "Mo",
        );
        assert_eq!(
            p.text,
            "Hello Jane Doe, about TKT-000123 (Where is my order?). Mo {order_id} {"
        );
        assert_eq!(p.unknown, vec!["order_id".to_owned()]);
    }
}
