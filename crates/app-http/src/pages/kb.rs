//! `/admin/kb` (staff): the knowledge base's articles with status, visibility, views and how
//! helpful readers found them; write and edit an article in Markdown (shown rendered as saved);
//! managers and admins also delete articles and keep the categories. Through the API's
//! functions ([`new_article`], [`change_article`], [`remove_article`], [`save_category`]).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use frontdesk_domain::access::Permission;
use frontdesk_domain::kb::{Article, Category};
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::kb::render_markdown;
use crate::problem::ApiError;
use crate::routes::kb::{
    ArticleInput, CategoryInput, change_article, new_article, remove_article, save_category,
};
use crate::state::AppState;

/// An article in the list.
#[derive(Debug)]
pub struct Row {
    pub a: Article,
    pub category: String,
    pub helpful: String,
}

#[derive(Template)]
#[template(path = "workspace/admin_kb.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    categories: Vec<Category>,
    may_manage: bool,
    problem: Option<String>,
    name: String,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    problem: Option<&ApiError>,
    name: String,
) -> Result<ListPage, PageError> {
    let chrome = Chrome::of(session)?;
    let kb = state.kb.get(state.db()).await?;
    let names: HashMap<Uuid, String> = kb
        .categories
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect();
    let rows = kb
        .articles
        .iter()
        .map(|a| Row {
            category: a
                .category_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            helpful: a.helpful_percent().map_or_else(
                || "no votes".to_owned(),
                |p| format!("{p} % of {}", a.helpful_yes + a.helpful_no),
            ),
            a: a.clone(),
        })
        .collect();
    Ok(ListPage {
        may_manage: Permission::Configure.allows(session.staff()?.role),
        chrome,
        rows,
        categories: kb.categories.clone(),
        problem: problem.map(ApiError::sentence),
        name,
    })
}

/// The articles.
pub async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    let page = list_page(&state, &session, None, String::new()).await?;
    Ok(html(StatusCode::OK, &page))
}

/// The editor's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    csrf: String,
    pub title: String,
    pub category_id: String,
    pub status: String,
    pub visibility: String,
    pub slug: String,
    pub body_markdown: String,
}

impl ArticleForm {
    fn of(a: &Article) -> Self {
        Self {
            csrf: String::new(),
            title: a.title.clone(),
            category_id: a.category_id.map(|c| c.to_string()).unwrap_or_default(),
            status: a.status.as_str().to_owned(),
            visibility: a.visibility.as_str().to_owned(),
            slug: a.slug.clone(),
            body_markdown: a.body_markdown.clone(),
        }
    }

    fn input(&self) -> Result<ArticleInput, ApiError> {
        let category = match self.category_id.trim() {
            "" => None,
            raw => Some(
                Uuid::parse_str(raw)
                    .map_err(|_| ApiError::invalid_field("category_id", "no such category"))?,
            ),
        };
        Ok(ArticleInput {
            title: Some(self.title.clone()),
            body_markdown: Some(self.body_markdown.clone()),
            category_id: Some(category),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            visibility: Some(self.visibility.clone()).filter(|s| !s.is_empty()),
            slug: Some(self.slug.clone()).filter(|s| !s.trim().is_empty()),
        })
    }
}

#[derive(Template)]
#[template(path = "workspace/admin_kb_edit.html")]
struct EditPage {
    chrome: Chrome,
    /// The article being edited; none for a new one.
    article: Option<Article>,
    form: ArticleForm,
    categories: Vec<Category>,
    problem: Option<String>,
    field: String,
    /// The saved body, rendered.
    rendered: String,
    saved: bool,
    may_delete: bool,
}

async fn edit_page(
    state: &AppState,
    session: &Session,
    article: Option<Article>,
    form: ArticleForm,
    problem: Option<&ApiError>,
    saved: bool,
) -> Result<EditPage, PageError> {
    let chrome = Chrome::of(session)?;
    let kb = state.kb.get(state.db()).await?;
    Ok(EditPage {
        may_delete: article.is_some() && Permission::Configure.allows(session.staff()?.role),
        rendered: article
            .as_ref()
            .map(|a| render_markdown(&a.body_markdown))
            .unwrap_or_default(),
        chrome,
        article,
        form,
        categories: kb.categories.clone(),
        problem: problem.map(ApiError::sentence),
        field: problem.and_then(ApiError::field).unwrap_or_default(),
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromReply {
    /// A ticket (number or id) …
    ticket: String,
    /// … and one of its staff replies, to start the article from.
    message: String,
}

/// A new article's editor; with `?ticket=&message=` it starts from a good reply: the ticket's
/// subject as the title and the reply as the text (a draft, to edit before publishing).
pub async fn new(
    state: web::Data<AppState>,
    session: Session,
    from: web::Query<FromReply>,
) -> Result<HttpResponse, PageError> {
    let mut form = ArticleForm {
        status: "draft".into(),
        visibility: "public".into(),
        ..ArticleForm::default()
    };
    if !from.ticket.is_empty() {
        session.staff()?;
        let (detail, _) =
            crate::reads::ticket_detail(&state, &session.caller, &from.ticket).await?;
        let reply = detail
            .messages
            .iter()
            .find(|m| m.id.to_string() == from.message && m.kind == "agent")
            .ok_or_else(|| ApiError::not_found("no such reply on this ticket"))?;
        form.title.clone_from(&detail.ticket.subject);
        form.body_markdown.clone_from(&reply.body);
    }
    let page = edit_page(&state, &session, None, form, None, false).await?;
    Ok(html(StatusCode::OK, &page))
}

fn refused(e: &ApiError) -> bool {
    e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN
}

/// Saves a new article, then to its editor.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<ArticleForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let result = match form.input() {
        Ok(input) => new_article(&state, &session.caller, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(see_other(&format!("/admin/kb/{}?saved=1", a.id))),
        Err(e) if refused(&e) => {
            let page = edit_page(&state, &session, None, form, Some(&e), false).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<u8>,
}

async fn stored(state: &AppState, id: Uuid) -> Result<Article, ApiError> {
    state
        .db()
        .kb_article(Some(id), None)
        .await?
        .ok_or_else(|| ApiError::not_found("no such article"))
}

/// An article's editor.
pub async fn edit(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    session.staff()?;
    let a = stored(&state, *id).await?;
    let form = ArticleForm::of(&a);
    let page = edit_page(&state, &session, Some(a), form, None, query.saved.is_some()).await?;
    Ok(html(StatusCode::OK, &page))
}

/// Saves an article's changes.
pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<ArticleForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let result = match form.input() {
        Ok(input) => change_article(&state, &session.caller, *id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(see_other(&format!("/admin/kb/{}?saved=1", a.id))),
        Err(e) if refused(&e) => {
            let a = stored(&state, *id).await?;
            let page = edit_page(&state, &session, Some(a), form, Some(&e), false).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes an article (managers, admins).
pub async fn remove(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    remove_article(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/kb"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    csrf: String,
    name: String,
}

/// Adds a category (managers, admins).
pub async fn add_category(
    state: web::Data<AppState>,
    posted: Posted<CategoryForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let input = CategoryInput {
        name: Some(form.name.clone()),
        position: None,
    };
    match save_category(&state, &session.caller, None, input).await {
        Ok(_) => Ok(see_other("/admin/kb")),
        Err(e) if refused(&e) => {
            let page = list_page(&state, &session, Some(&e), form.name).await?;
            Ok(html(e.status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a category; its articles stay (managers, admins).
pub async fn delete_category(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    crate::routes::kb::remove_category(&state, &posted.session.caller, *id).await?;
    Ok(see_other("/admin/kb"))
}

super::session::csrf_form!(ArticleForm, CategoryForm);
