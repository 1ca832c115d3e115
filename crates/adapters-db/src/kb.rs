//! Knowledge base storage: categories and articles, with counters that only ever go up by one
//! in the database (views, helpful votes), so saving an article never loses a concurrent count.

use chrono::{DateTime, Utc};
use frontdesk_domain::kb::{Article, ArticleStatus, Category, Visibility};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::staff::StaffId;
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::{corrupt, is_unique_violation};
use crate::repository::db;

/// Why an article or category could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum KbSaveError {
    /// Another article (or category) has the slug.
    #[error("the slug is taken")]
    SlugTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

const ARTICLE_COLUMNS: &str = "id, slug, title, body_markdown, category_id, status, visibility, \
                               author_id, views, helpful_yes, helpful_no, created_at, \
                               updated_at, published_at";

fn count(r: &QueryResult, column: &str) -> Result<u64, StoreError> {
    let n: i64 = r.try_get("", column).map_err(db)?;
    u64::try_from(n).map_err(|e| corrupt("kb counter", e))
}

fn article(r: &QueryResult) -> Result<Article, StoreError> {
    let status: String = r.try_get("", "status").map_err(db)?;
    let visibility: String = r.try_get("", "visibility").map_err(db)?;
    let author: Option<Uuid> = r.try_get("", "author_id").map_err(db)?;
    Ok(Article {
        id: r.try_get("", "id").map_err(db)?,
        slug: r.try_get("", "slug").map_err(db)?,
        title: r.try_get("", "title").map_err(db)?,
        body_markdown: r.try_get("", "body_markdown").map_err(db)?,
        category_id: r.try_get("", "category_id").map_err(db)?,
        status: ArticleStatus::parse(&status)
            .ok_or_else(|| corrupt("kb article", format!("status {status:?}")))?,
        visibility: Visibility::parse(&visibility)
            .ok_or_else(|| corrupt("kb article", format!("visibility {visibility:?}")))?,
        author: author.map(StaffId::from_uuid),
        views: count(r, "views")?,
        helpful_yes: count(r, "helpful_yes")?,
        helpful_no: count(r, "helpful_no")?,
        created_at: r.try_get("", "created_at").map_err(db)?,
        updated_at: r.try_get("", "updated_at").map_err(db)?,
        published_at: r.try_get("", "published_at").map_err(db)?,
    })
}

fn category(r: &QueryResult) -> Result<Category, StoreError> {
    Ok(Category {
        id: r.try_get("", "id").map_err(db)?,
        name: r.try_get("", "name").map_err(db)?,
        slug: r.try_get("", "slug").map_err(db)?,
        position: r.try_get("", "position").map_err(db)?,
    })
}

impl Database {
    /// Every article, drafts and internal ones included (the search index and the lists
    /// filter them by reader).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn kb_articles(&self) -> Result<Vec<Article>, StoreError> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles ORDER BY title, id");
        let rows = self
            .reader
            .query_all_raw(statement(self.backend(), &sql, []))
            .await
            .map_err(db)?;
        rows.iter().map(article).collect()
    }

    /// One article by id, or by slug.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn kb_article(
        &self,
        id: Option<Uuid>,
        slug: Option<&str>,
    ) -> Result<Option<Article>, StoreError> {
        let (sql, value): (String, Value) = match (id, slug) {
            (Some(id), _) => (
                format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE id = $1"),
                id.into(),
            ),
            (None, Some(slug)) => (
                format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE slug = $1"),
                slug.to_owned().into(),
            ),
            (None, None) => return Ok(None),
        };
        let row = self
            .writer
            .query_one_raw(statement(self.backend(), &sql, [value]))
            .await
            .map_err(db)?;
        row.as_ref().map(article).transpose()
    }

    /// Writes an article (new or changed); its counters are left as the database has them.
    ///
    /// # Errors
    /// [`KbSaveError::SlugTaken`]; storage.
    pub async fn save_kb_article(&self, a: &Article) -> Result<(), KbSaveError> {
        let sql = "INSERT INTO kb_articles (id, slug, title, body_markdown, category_id, status, \
                   visibility, author_id, views, helpful_yes, helpful_no, created_at, \
                   updated_at, published_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, $9, $10, $11) \
                   ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, title = excluded.title, \
                   body_markdown = excluded.body_markdown, category_id = excluded.category_id, \
                   status = excluded.status, visibility = excluded.visibility, \
                   updated_at = excluded.updated_at, published_at = excluded.published_at";
        let values: [Value; 11] = [
            a.id.into(),
            a.slug.clone().into(),
            a.title.clone().into(),
            a.body_markdown.clone().into(),
            a.category_id.into(),
            a.status.as_str().into(),
            a.visibility.as_str().into(),
            a.author.map(StaffId::as_uuid).into(),
            a.created_at.into(),
            a.updated_at.into(),
            a.published_at.into(),
        ];
        match self
            .writer
            .execute_raw(statement(self.backend(), sql, values))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(KbSaveError::SlugTaken),
            Err(e) => Err(KbSaveError::Store(db(e))),
        }
    }

    /// Removes an article; `false` for none.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_kb_article(&self, id: Uuid) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM kb_articles WHERE id = $1",
                [id.into()],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    /// Counts a view of an article.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn count_kb_view(&self, id: Uuid) -> Result<(), StoreError> {
        self.bump(id, "views").await
    }

    /// Counts a "was this helpful?" answer.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn count_kb_vote(&self, id: Uuid, helpful: bool) -> Result<(), StoreError> {
        self.bump(id, if helpful { "helpful_yes" } else { "helpful_no" })
            .await
    }

    async fn bump(&self, id: Uuid, column: &'static str) -> Result<(), StoreError> {
        let sql = format!("UPDATE kb_articles SET {column} = {column} + 1 WHERE id = $1");
        self.writer
            .execute_raw(statement(self.backend(), &sql, [id.into()]))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Every category, in their order.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn kb_categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT id, name, slug, position FROM kb_categories ORDER BY position, name, id",
                [],
            ))
            .await
            .map_err(db)?;
        rows.iter().map(category).collect()
    }

    /// Writes a category (new or changed).
    ///
    /// # Errors
    /// [`KbSaveError::SlugTaken`]; storage.
    pub async fn save_kb_category(
        &self,
        c: &Category,
        now: DateTime<Utc>,
    ) -> Result<(), KbSaveError> {
        let sql = "INSERT INTO kb_categories (id, name, slug, position, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO UPDATE SET \
                   name = excluded.name, slug = excluded.slug, position = excluded.position, \
                   updated_at = excluded.updated_at";
        let values: [Value; 5] = [
            c.id.into(),
            c.name.clone().into(),
            c.slug.clone().into(),
            c.position.into(),
            now.into(),
        ];
        match self
            .writer
            .execute_raw(statement(self.backend(), sql, values))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(KbSaveError::SlugTaken),
            Err(e) => Err(KbSaveError::Store(db(e))),
        }
    }

    /// Removes a category (its articles keep going, without one); `false` for none.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_kb_category(&self, id: Uuid) -> Result<bool, StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE kb_articles SET category_id = NULL WHERE category_id = $1",
                [id.into()],
            ))
            .await
            .map_err(db)?;
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM kb_categories WHERE id = $1",
                [id.into()],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }
}

/// Suggested articles opened in a period, by what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeflectionCounts {
    pub opened: u64,
    pub requested: u64,
    pub deflected: u64,
    pub pending: u64,
}

impl Database {
    /// Records that `email` opened suggested article `article`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn record_suggestion_open(
        &self,
        email: &frontdesk_domain::email::EmailAddress,
        article: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "INSERT INTO kb_suggestion_opens (id, email, article_id, opened_at, request_at) \
                 VALUES ($1, $2, $3, $4, NULL)",
                [
                    Uuid::now_v7().into(),
                    email.normalized().into(),
                    article.into(),
                    now.into(),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Notes that `email` sent a request at `now`, on the suggestions they opened since `since`
    /// that no request followed yet.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn record_request_after_suggestions(
        &self,
        email: &frontdesk_domain::email::EmailAddress,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.writer
            .execute_raw(statement(
                self.backend(),
                "UPDATE kb_suggestion_opens SET request_at = $1 WHERE email = $2 \
                 AND request_at IS NULL AND opened_at >= $3",
                [now.into(), email.normalized().into(), since.into()],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The suggestions opened in `[from, to)`, judged at `now` by the domain's rule.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn deflection_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DeflectionCounts, StoreError> {
        use frontdesk_domain::kb::{SuggestionOutcome, suggestion_outcome};
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT opened_at, request_at FROM kb_suggestion_opens \
                 WHERE opened_at >= $1 AND opened_at < $2",
                [from.into(), to.into()],
            ))
            .await
            .map_err(db)?;
        let mut counts = DeflectionCounts::default();
        for r in rows {
            let opened: DateTime<Utc> = r.try_get("", "opened_at").map_err(db)?;
            let request: Option<DateTime<Utc>> = r.try_get("", "request_at").map_err(db)?;
            counts.opened += 1;
            match suggestion_outcome(opened, request, now) {
                SuggestionOutcome::Requested => counts.requested += 1,
                SuggestionOutcome::Deflected => counts.deflected += 1,
                SuggestionOutcome::Pending => counts.pending += 1,
            }
        }
        Ok(counts)
    }
}
