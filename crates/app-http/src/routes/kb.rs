//! `/api/kb`: the knowledge base. Anyone reads published public articles and searches them;
//! staff read everything and write articles; managers and admins also delete articles and keep
//! the categories. Markdown is rendered sanitised (`body_html`); each article carries its
//! counters (views, helpful yes/no). The help centre and the staff pages take these functions.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::KbSaveError;
use frontdesk_domain::access::Permission;
use frontdesk_domain::kb::{
    Article, ArticleStatus, Category, Reader, Visibility, check_article, check_category, slugify,
    unique_slug,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::kb::{excerpt, render_markdown};
use crate::problem::ApiError;
use crate::state::AppState;

/// An article as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub body_markdown: String,
    /// The Markdown rendered and sanitised.
    pub body_html: String,
    /// The first 200 characters as text.
    pub excerpt: String,
    pub category_id: Option<Uuid>,
    /// `draft` or `published`.
    pub status: &'static str,
    /// `public` or `internal` (staff only).
    pub visibility: &'static str,
    pub author_id: Option<Uuid>,
    pub views: u64,
    pub helpful_yes: u64,
    pub helpful_no: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<&Article> for ArticleView {
    fn from(a: &Article) -> Self {
        Self {
            id: a.id,
            slug: a.slug.clone(),
            title: a.title.clone(),
            body_markdown: a.body_markdown.clone(),
            body_html: render_markdown(&a.body_markdown),
            excerpt: excerpt(&a.body_markdown, 200),
            category_id: a.category_id,
            status: a.status.as_str(),
            visibility: a.visibility.as_str(),
            author_id: a.author.map(frontdesk_domain::staff::StaffId::as_uuid),
            views: a.views,
            helpful_yes: a.helpful_yes,
            helpful_no: a.helpful_no,
            created_at: a.created_at,
            updated_at: a.updated_at,
            published_at: a.published_at,
        }
    }
}

/// A category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub position: i64,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            position: c.position,
        }
    }
}

/// Who reads: staff, or anyone else.
pub(crate) fn reader_of(caller: Option<&Caller>) -> Reader {
    match caller {
        Some(c) if c.staff().is_ok() => Reader::Staff,
        _ => Reader::Public,
    }
}

/// The articles `reader` may read, by title.
///
/// # Errors
/// Storage.
pub(crate) async fn articles_for(
    state: &AppState,
    reader: Reader,
) -> Result<Vec<Article>, ApiError> {
    let kb = state.kb.get(state.db()).await?;
    Ok(kb
        .articles
        .iter()
        .filter(|a| a.readable_by(reader))
        .cloned()
        .collect())
}

/// An article by id or slug, if `reader` may read it (else 404, its existence not revealed).
///
/// # Errors
/// 404; storage.
pub(crate) async fn article_for(
    state: &AppState,
    reader: Reader,
    key: &str,
) -> Result<Article, ApiError> {
    let found = match Uuid::parse_str(key) {
        Ok(id) => state.db().kb_article(Some(id), None).await?,
        Err(_) => state.db().kb_article(None, Some(key)).await?,
    };
    found
        .filter(|a| a.readable_by(reader))
        .ok_or_else(|| ApiError::not_found("no such article"))
}

/// Every article the caller may read (anyone: published public ones; staff: all).
#[utoipa::path(get, path = "/api/kb/articles", tag = "knowledge base",
    responses((status = 200, body = [ArticleView])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Option<Caller>,
) -> Result<HttpResponse, ApiError> {
    let all = articles_for(&state, reader_of(caller.as_ref())).await?;
    Ok(HttpResponse::Ok().json(all.iter().map(ArticleView::from).collect::<Vec<_>>()))
}

/// One article by id or slug; a reader other than staff counts a view.
#[utoipa::path(get, path = "/api/kb/articles/{id}", tag = "knowledge base",
    params(("id" = String, Path, description = "id or slug")),
    responses((status = 200, body = ArticleView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Option<Caller>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader_of(caller.as_ref());
    let a = article_for(&state, reader, &id).await?;
    if reader == Reader::Public {
        crate::kb::count_view(state.db(), a.id);
    }
    Ok(HttpResponse::Ok().json(ArticleView::from(&a)))
}

/// A new article, or the changes to one (absent fields stay).
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub title: Option<String>,
    pub body_markdown: Option<String>,
    /// A category's id, or `null` for none.
    #[serde(default, deserialize_with = "crate::routes::input::present")]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Option<Option<Uuid>>,
    /// `draft` (the default) or `published`.
    pub status: Option<String>,
    /// `public` (the default) or `internal`.
    pub visibility: Option<String>,
    /// Made from the title when absent.
    pub slug: Option<String>,
}

fn status_of(raw: &str) -> Result<ArticleStatus, ApiError> {
    ArticleStatus::parse(raw).ok_or_else(|| ApiError::invalid_field("status", "draft or published"))
}

fn visibility_of(raw: &str) -> Result<Visibility, ApiError> {
    Visibility::parse(raw)
        .ok_or_else(|| ApiError::invalid_field("visibility", "public or internal"))
}

/// Writes `a` after checking it; a taken slug is 409 (an explicit one) or gets `-2`, … (one
/// made from the title).
async fn store(state: &AppState, a: &mut Article, explicit_slug: bool) -> Result<(), ApiError> {
    check_article(&a.title, &a.body_markdown).map_err(|e| {
        let text = e.to_string();
        let (field, detail) = text.split_once(": ").unwrap_or(("title", text.as_str()));
        ApiError::invalid_field(field, detail)
    })?;
    if let Some(c) = a.category_id {
        let kb = state.kb.get(state.db()).await?;
        if !kb.categories.iter().any(|k| k.id == c) {
            state.kb.invalidate();
            let kb = state.kb.get(state.db()).await?;
            if !kb.categories.iter().any(|k| k.id == c) {
                return Err(ApiError::invalid_field("category_id", "no such category"));
            }
        }
    }
    if !explicit_slug {
        let kb = state.kb.get(state.db()).await?;
        let base = a.slug.clone();
        let own = a.id;
        a.slug = unique_slug(&base, |s| {
            kb.articles.iter().any(|o| o.slug == s && o.id != own)
        });
    }
    state.db().save_kb_article(a).await.map_err(|e| match e {
        KbSaveError::SlugTaken => ApiError::conflict("slug: another article has this slug"),
        KbSaveError::Store(s) => s.into(),
    })?;
    state.kb.invalidate();
    Ok(())
}

/// Writes a new article for `caller` (staff).
///
/// # Errors
/// As `POST /api/kb/articles` answers.
pub(crate) async fn new_article(
    state: &AppState,
    caller: &Caller,
    input: ArticleInput,
) -> Result<Article, ApiError> {
    let staff = caller.staff()?;
    let now = state.now();
    let title = input.title.unwrap_or_default().trim().to_owned();
    let status = status_of(input.status.as_deref().unwrap_or("draft"))?;
    let explicit = input.slug.as_deref().is_some_and(|s| !s.trim().is_empty());
    let mut a = Article {
        id: state.new_id(),
        slug: match input
            .slug
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => slugify(s),
            None => slugify(&title),
        },
        title,
        body_markdown: input.body_markdown.unwrap_or_default(),
        category_id: input.category_id.flatten(),
        status,
        visibility: visibility_of(input.visibility.as_deref().unwrap_or("public"))?,
        author: Some(staff.id),
        views: 0,
        helpful_yes: 0,
        helpful_no: 0,
        created_at: now,
        updated_at: now,
        published_at: (status == ArticleStatus::Published).then_some(now),
    };
    store(state, &mut a, explicit).await?;
    Ok(a)
}

/// Applies `input` to article `id` for `caller` (staff).
///
/// # Errors
/// As `PATCH /api/kb/articles/{id}` answers.
pub(crate) async fn change_article(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: ArticleInput,
) -> Result<Article, ApiError> {
    caller.staff()?;
    let mut a = state
        .db()
        .kb_article(Some(id), None)
        .await?
        .ok_or_else(|| ApiError::not_found("no such article"))?;
    let now = state.now();
    if let Some(t) = input.title {
        a.title = t.trim().to_owned();
    }
    if let Some(b) = input.body_markdown {
        a.body_markdown = b;
    }
    if let Some(c) = input.category_id {
        a.category_id = c;
    }
    if let Some(v) = input.visibility.as_deref() {
        a.visibility = visibility_of(v)?;
    }
    if let Some(s) = input.status.as_deref() {
        let status = status_of(s)?;
        if status == ArticleStatus::Published && a.status == ArticleStatus::Draft {
            a.published_at = Some(now);
        }
        a.status = status;
    }
    let explicit = match input
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => {
            a.slug = slugify(s);
            true
        }
        None => true,
    };
    a.updated_at = now;
    store(state, &mut a, explicit).await?;
    Ok(a)
}

/// Write an article (staff).
#[utoipa::path(post, path = "/api/kb/articles", tag = "knowledge base", request_body = ArticleInput,
    security(("bearer" = [])),
    responses((status = 201, body = ArticleView), (status = 409, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let a = new_article(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/kb/articles/{}", a.id),
        ))
        .json(ArticleView::from(&a)))
}

/// Change an article (staff); absent fields stay. Publishing a draft sets `published_at`.
#[utoipa::path(patch, path = "/api/kb/articles/{id}", tag = "knowledge base",
    request_body = ArticleInput, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ArticleView), (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let a = change_article(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ArticleView::from(&a)))
}

/// Removes article `id` (managers, admins).
///
/// # Errors
/// 403, 404; storage.
pub(crate) async fn remove_article(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if !state.db().delete_kb_article(id).await? {
        return Err(ApiError::not_found("no such article"));
    }
    state.kb.invalidate();
    Ok(())
}

/// Delete an article (managers, admins).
#[utoipa::path(delete, path = "/api/kb/articles/{id}", tag = "knowledge base",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    remove_article(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// Was the article helpful?
    pub helpful: bool,
}

/// Counts a "was this helpful?" answer for a readable article: one per client and article in
/// 15 minutes (later ones are accepted and not counted).
///
/// # Errors
/// 404; storage.
pub(crate) async fn vote(
    state: &AppState,
    reader: Reader,
    ip: &str,
    key: &str,
    helpful: bool,
) -> Result<Article, ApiError> {
    let a = article_for(state, reader, key).await?;
    let first = state
        .registrations
        .reserve(&[(format!("kb-vote:{ip}:{}", a.id), 1)], state.now())
        .is_ok();
    if first {
        state.db().count_kb_vote(a.id, helpful).await?;
        state.kb.invalidate();
    }
    Ok(a)
}

/// Was this article helpful? (anyone who may read it)
#[utoipa::path(post, path = "/api/kb/articles/{id}/feedback", tag = "knowledge base",
    request_body = Feedback, params(("id" = String, Path, description = "id or slug")),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Option<Caller>,
    id: web::Path<String>,
    body: web::Json<Feedback>,
) -> Result<HttpResponse, ApiError> {
    let ip = crate::routes::auth::client_ip(&req);
    vote(&state, reader_of(caller.as_ref()), &ip, &id, body.helpful).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub score: f64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// The words; the last one also matches as a prefix. Nothing without.
    #[serde(default)]
    pub q: String,
    /// 1 to 50; 10 by default.
    pub limit: Option<usize>,
}

/// The articles `reader` may read that match `q`, best first.
///
/// # Errors
/// Storage.
pub(crate) async fn search_for(
    state: &AppState,
    reader: Reader,
    q: &str,
    limit: usize,
) -> Result<Vec<SearchResult>, ApiError> {
    let kb = state.kb.get(state.db()).await?;
    Ok(kb
        .index
        .search(q, reader, limit)
        .into_iter()
        .filter_map(|hit| result(&kb, &hit))
        .collect())
}

/// The articles `reader` may read that share words with `text` (any word; the last one also as
/// a prefix when `typing`), best first.
///
/// # Errors
/// Storage.
pub(crate) async fn related_for(
    state: &AppState,
    reader: Reader,
    text: &str,
    typing: bool,
    limit: usize,
) -> Result<Vec<SearchResult>, ApiError> {
    let kb = state.kb.get(state.db()).await?;
    Ok(kb
        .index
        .related(text, reader, typing, limit)
        .into_iter()
        .filter_map(|hit| result(&kb, &hit))
        .collect())
}

fn result(
    kb: &crate::kb::KbSnapshot,
    hit: &frontdesk_domain::kb::SearchHit,
) -> Option<SearchResult> {
    kb.article(hit.id).map(|a| SearchResult {
        id: a.id,
        slug: a.slug.clone(),
        title: a.title.clone(),
        excerpt: excerpt(&a.body_markdown, 160),
        score: hit.score,
    })
}

/// Full-text search of the articles the caller may read.
#[utoipa::path(get, path = "/api/kb/search", tag = "knowledge base", params(SearchQuery),
    responses((status = 200, body = [SearchResult]), (status = 422, body = crate::problem::Problem)))]
pub async fn search(
    state: web::Data<AppState>,
    caller: Option<Caller>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "1 to 50"));
    }
    if query.q.len() > 500 {
        return Err(ApiError::invalid_field("q", "at most 500 bytes"));
    }
    let found = search_for(&state, reader_of(caller.as_ref()), &query.q, limit).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Every category.
#[utoipa::path(get, path = "/api/kb/categories", tag = "knowledge base",
    responses((status = 200, body = [CategoryView])))]
pub async fn categories(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let kb = state.kb.get(state.db()).await?;
    Ok(HttpResponse::Ok().json(
        kb.categories
            .iter()
            .map(CategoryView::from)
            .collect::<Vec<_>>(),
    ))
}

/// A new category, or changes to one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub name: Option<String>,
    /// Lower comes first.
    pub position: Option<i64>,
}

/// Writes category `id` (new when `None`) for `caller` (managers, admins).
///
/// # Errors
/// As the category endpoints answer.
pub(crate) async fn save_category(
    state: &AppState,
    caller: &Caller,
    id: Option<Uuid>,
    input: CategoryInput,
) -> Result<Category, ApiError> {
    caller.may(Permission::Configure)?;
    let kb = state.kb.get(state.db()).await?;
    let mut c = match id {
        Some(id) => kb
            .categories
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("no such category"))?,
        None => Category {
            id: state.new_id(),
            name: String::new(),
            slug: String::new(),
            position: i64::try_from(kb.categories.len()).unwrap_or(i64::MAX),
        },
    };
    if let Some(n) = input.name {
        c.name = n.trim().to_owned();
    }
    if let Some(p) = input.position {
        c.position = p;
    }
    check_category(&c.name).map_err(|e| ApiError::invalid_field("name", e.to_string()))?;
    let own = c.id;
    c.slug = unique_slug(&slugify(&c.name), |s| {
        kb.categories.iter().any(|o| o.slug == s && o.id != own)
    });
    state
        .db()
        .save_kb_category(&c, state.now())
        .await
        .map_err(|e| match e {
            KbSaveError::SlugTaken => ApiError::conflict("a category has this name"),
            KbSaveError::Store(s) => s.into(),
        })?;
    state.kb.invalidate();
    Ok(c)
}

/// Add a category (managers, admins).
#[utoipa::path(post, path = "/api/kb/categories", tag = "knowledge base", request_body = CategoryInput,
    security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 422, body = crate::problem::Problem)))]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let c = save_category(&state, &caller, None, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(CategoryView::from(&c)))
}

/// Rename or reorder a category (managers, admins).
#[utoipa::path(patch, path = "/api/kb/categories/{id}", tag = "knowledge base",
    request_body = CategoryInput, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = CategoryView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch_category(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let c = save_category(&state, &caller, Some(*id), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(CategoryView::from(&c)))
}

/// Delete a category; its articles stay, without one (managers, admins).
#[utoipa::path(delete, path = "/api/kb/categories/{id}", tag = "knowledge base",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete_category(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    remove_category(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes category `id` (its articles stay, without one) for `caller` (managers, admins).
///
/// # Errors
/// 403, 404; storage.
pub(crate) async fn remove_category(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::Configure)?;
    if !state.db().delete_kb_category(id).await? {
        return Err(ApiError::not_found("no such category"));
    }
    state.kb.invalidate();
    Ok(())
}
