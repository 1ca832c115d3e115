//! Canned responses: reusable replies, optionally for one category.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::ticket::Category;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::Database;
use crate::entity::canned_responses as canned;
use crate::error::corrupt;
use crate::repository::db;

/// A canned response as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    pub id: Uuid,
    pub title: String,
    /// `None`: offered for every category.
    pub category: Option<Category>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn from_row(m: canned::Model) -> Result<CannedResponse, StoreError> {
    Ok(CannedResponse {
        id: m.id,
        title: m.title,
        category: m
            .category
            .map(|c| {
                c.parse()
                    .map_err(|e| corrupt("canned response category", e))
            })
            .transpose()?,
        body: m.body,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn row(c: &CannedResponse) -> canned::Model {
    canned::Model {
        id: c.id,
        title: c.title.clone(),
        category: c.category.map(|c| c.as_str().to_owned()),
        body: c.body.clone(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

impl Database {
    /// Canned responses by title; with `category`, those for it and those for every category.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn canned_responses(
        &self,
        category: Option<Category>,
    ) -> Result<Vec<CannedResponse>, StoreError> {
        let mut query = canned::Entity::find().order_by_asc(canned::Column::Title);
        if let Some(c) = category {
            query = query.filter(
                Condition::any()
                    .add(canned::Column::Category.eq(c.as_str()))
                    .add(canned::Column::Category.is_null()),
            );
        }
        query
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn canned_response(&self, id: Uuid) -> Result<Option<CannedResponse>, StoreError> {
        canned::Entity::find_by_id(id)
            .one(&self.reader)
            .await
            .map_err(db)?
            .map(from_row)
            .transpose()
    }

    /// Inserts a new one or replaces the one with the same id (one statement).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn save_canned_response(&self, c: &CannedResponse) -> Result<(), StoreError> {
        use canned::Column as C;
        canned::Entity::insert(row(c).into_active_model().reset_all())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([C::Title, C::Category, C::Body, C::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Whether it existed.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_canned_response(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = canned::Entity::delete_by_id(id)
            .exec(&self.writer)
            .await
            .map_err(db)?;
        Ok(result.rows_affected > 0)
    }
}
