//! Stored HTML rewritten once when the sanitiser that wrote it is superseded.
//!
//! `messages.body_html` holds mail HTML as sanitised when it arrived. When the mail adapter
//! ships a stricter sanitiser it raises its version, and the wiring hands the new sanitiser
//! here right after migrating: every stored body is passed through it again, in pages, and the
//! version is recorded in `content_versions` so later starts do nothing. The adapter does not
//! know how to sanitise (adapters never import each other); it is given the function.

use frontdesk_domain::ports::StoreError;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Database;
use crate::entity::{content_versions, messages};
use crate::repository::db;

/// The `content_versions` row of the HTML sanitiser.
const HTML_SANITIZER: &str = "html_sanitizer";

/// Rows read, cleaned and written back per transaction.
const PAGE: u64 = 500;

impl Database {
    /// Rewrites every stored `messages.body_html` with `clean` unless the HTML sanitiser's
    /// recorded version is already `version` or newer, then records `version`. Returns how many
    /// rows changed (0 when nothing was due).
    ///
    /// Pages of 500 rows are read in key order, cleaned outside any transaction, and the changed
    /// ones written in one transaction per page, each only if the row still holds what was read.
    /// `clean` must be idempotent: a run interrupted part-way is simply run again whole on the
    /// next start, and two processes starting together may both run it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; the version is then not recorded.
    pub async fn resanitize_html(
        &self,
        version: u32,
        clean: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<u64, StoreError> {
        if self.html_sanitizer_version().await? >= version {
            return Ok(0);
        }
        let mut rewritten = 0u64;
        let mut after: Option<Uuid> = None;
        loop {
            let mut query = messages::Entity::find()
                .select_only()
                .column(messages::Column::Id)
                .column(messages::Column::BodyHtml)
                .filter(messages::Column::BodyHtml.is_not_null());
            if let Some(last) = after {
                query = query.filter(messages::Column::Id.gt(last));
            }
            let page: Vec<(Uuid, String)> = query
                .order_by_asc(messages::Column::Id)
                .limit(PAGE)
                .into_tuple()
                .all(&self.reader)
                .await
                .map_err(db)?;
            let Some(&(last, _)) = page.last() else {
                break;
            };
            after = Some(last);
            let changed: Vec<(Uuid, String, String)> = page
                .into_iter()
                .filter_map(|(id, old)| {
                    let new = clean(&old);
                    (new != old).then_some((id, old, new))
                })
                .collect();
            if changed.is_empty() {
                continue;
            }
            let txn = self.writer.begin().await.map_err(db)?;
            for (id, old, new) in changed {
                let result = messages::Entity::update_many()
                    .col_expr(messages::Column::BodyHtml, Expr::value(new))
                    .filter(messages::Column::Id.eq(id))
                    .filter(messages::Column::BodyHtml.eq(old))
                    .exec(&txn)
                    .await
                    .map_err(db)?;
                rewritten += result.rows_affected;
            }
            txn.commit().await.map_err(db)?;
        }
        let row = content_versions::Model {
            name: HTML_SANITIZER.to_owned(),
            version: i64::from(version),
        };
        content_versions::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(content_versions::Column::Name)
                    .update_column(content_versions::Column::Version)
                    .to_owned(),
            )
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        tracing::info!(
            version,
            rewritten,
            "stored message HTML re-sanitised with the current sanitiser"
        );
        Ok(rewritten)
    }

    /// The HTML sanitiser version stored rows were last rewritten with (0 when never).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn html_sanitizer_version(&self) -> Result<u32, StoreError> {
        let row = content_versions::Entity::find_by_id(HTML_SANITIZER.to_owned())
            .one(&self.reader)
            .await
            .map_err(db)?;
        Ok(row.map_or(0, |r| u32::try_from(r.version.max(0)).unwrap_or(u32::MAX)))
    }
}
