//! `/help`: the public help centre — no sign-in. Search (the last word completes while typing),
//! the categories with their published public articles, and each article rendered from Markdown
//! (sanitised) with "was this helpful?". Through the knowledge base API's functions
//! ([`search_for`], [`articles_for`], [`article_for`], [`vote`]).

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use frontdesk_domain::kb::Reader;
use serde::Deserialize;

use crate::auth::tokens::random_token;
use crate::kb::{excerpt, render_markdown};
use crate::pages::session;
use crate::pages::{PageError, filters, html};
use crate::problem::ApiError;
use crate::routes::auth::client_ip;
use crate::routes::kb::{SearchResult, article_for, articles_for, search_for, vote};
use crate::state::AppState;

const CSRF_COOKIE: &str = "fd_help_csrf";

fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    session::form_cookie(state, CSRF_COOKIE, "/help", value)
}

/// An article in a list.
#[derive(Debug)]
pub struct Entry {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
}

/// A category with its articles (the last one, without a name, holds the rest).
#[derive(Debug)]
pub struct Section {
    pub name: String,
    pub slug: String,
    pub articles: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "portal/help.html")]
struct HelpPage {
    q: String,
    results: Option<Vec<SearchResult>>,
    sections: Vec<Section>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HelpQuery {
    q: String,
}

/// The help centre, or what a search found.
pub async fn index(
    state: web::Data<AppState>,
    query: web::Query<HelpQuery>,
) -> Result<HttpResponse, PageError> {
    let q: String = query.q.trim().chars().take(200).collect();
    let results = if q.is_empty() {
        None
    } else {
        Some(search_for(&state, Reader::Public, &q, 20).await?)
    };
    let mut sections = Vec::new();
    if results.is_none() {
        let articles = articles_for(&state, Reader::Public).await?;
        let kb = state.kb.get(state.db()).await?;
        let entry = |a: &frontdesk_domain::kb::Article| Entry {
            slug: a.slug.clone(),
            title: a.title.clone(),
            excerpt: excerpt(&a.body_markdown, 140),
        };
        for c in &kb.categories {
            let list: Vec<Entry> = articles
                .iter()
                .filter(|a| a.category_id == Some(c.id))
                .map(entry)
                .collect();
            if !list.is_empty() {
                sections.push(Section {
                    name: c.name.clone(),
                    slug: c.slug.clone(),
                    articles: list,
                });
            }
        }
        let rest: Vec<Entry> = articles
            .iter()
            .filter(|a| {
                a.category_id
                    .is_none_or(|id| !kb.categories.iter().any(|c| c.id == id))
            })
            .map(entry)
            .collect();
        if !rest.is_empty() {
            sections.push(Section {
                name: String::new(),
                slug: "more".to_owned(),
                articles: rest,
            });
        }
    }
    Ok(html(
        StatusCode::OK,
        &HelpPage {
            q,
            results,
            sections,
        },
    ))
}

#[derive(Template)]
#[template(path = "portal/article.html")]
struct ArticlePage {
    slug: String,
    title: String,
    body_html: String,
    updated_at: DateTime<Utc>,
    category: Option<String>,
    csrf: String,
    voted: bool,
}

async fn article_page(
    state: &AppState,
    slug: &str,
    count_view: bool,
    voted: bool,
    csrf: String,
) -> Result<ArticlePage, PageError> {
    let a = article_for(state, Reader::Public, slug).await?;
    if count_view {
        crate::kb::count_view(state.db(), a.id);
    }
    let kb = state.kb.get(state.db()).await?;
    Ok(ArticlePage {
        category: a
            .category_id
            .and_then(|id| kb.categories.iter().find(|c| c.id == id))
            .map(|c| c.name.clone()),
        slug: a.slug.clone(),
        title: a.title.clone(),
        body_html: render_markdown(&a.body_markdown),
        updated_at: a.updated_at,
        csrf,
        voted,
    })
}

/// One article; a view is counted.
pub async fn article(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let csrf = random_token("").map_err(|e| ApiError::internal(&e))?;
    let page = article_page(&state, &slug, true, false, csrf.clone()).await?;
    let mut response = html(StatusCode::OK, &page);
    response
        .add_cookie(&csrf_cookie(&state, csrf))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoteForm {
    csrf: String,
    /// `yes` or `no`.
    helpful: String,
}

/// "Was this helpful?": counted once per client and article; the article again with thanks.
pub async fn feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<VoteForm>,
) -> Result<HttpResponse, PageError> {
    let (cookie, csrf_ok) = session::double_submit(&req, CSRF_COOKIE, &form.csrf);
    if !csrf_ok {
        return Err(ApiError::forbidden(
            "This form has expired. Reload the article and answer again.",
        )
        .into());
    }
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(ApiError::invalid_field("helpful", "yes or no").into()),
    };
    vote(&state, Reader::Public, &client_ip(&req), &slug, helpful).await?;
    let page = article_page(&state, &slug, false, true, cookie.unwrap_or_default()).await?;
    Ok(html(StatusCode::OK, &page))
}
