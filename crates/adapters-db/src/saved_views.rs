//! Saved views of the ticket list: a name and the list's query string, a staff member's own or
//! shared with the team.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::staff::StaffId;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::is_unique_violation;
use crate::repository::db;

/// A saved view as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: Uuid,
    pub owner: StaffId,
    pub name: String,
    /// The list's query string (`status=open&sort=sla_due`), without the leading `?`.
    pub query: String,
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

/// Why a view was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveViewError {
    #[error("you have a view with this name already")]
    NameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn from_row(r: &sea_orm::QueryResult) -> Result<SavedView, StoreError> {
    Ok(SavedView {
        id: r.try_get("", "id").map_err(db)?,
        owner: StaffId::from_uuid(r.try_get("", "owner").map_err(db)?),
        name: r.try_get("", "name").map_err(db)?,
        query: r.try_get("", "query").map_err(db)?,
        shared: r.try_get("", "shared").map_err(db)?,
        created_at: r.try_get("", "created_at").map_err(db)?,
    })
}

impl Database {
    /// Saves a new view.
    ///
    /// # Errors
    /// [`SaveViewError::NameTaken`] when the owner has a view of that name; storage failures.
    pub async fn save_view(&self, v: &SavedView) -> Result<(), SaveViewError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "INSERT INTO saved_views (id, owner, name, query, shared, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    Value::from(v.id),
                    Value::from(v.owner.as_uuid()),
                    Value::from(v.name.clone()),
                    Value::from(v.query.clone()),
                    Value::from(v.shared),
                    Value::from(v.created_at),
                ],
            ))
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(SaveViewError::NameTaken),
            Err(e) => Err(SaveViewError::Store(db(e))),
        }
    }

    /// The views `staff` sees: their own and those shared by others, by name.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn views_for(&self, staff: StaffId) -> Result<Vec<SavedView>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT id, owner, name, query, shared, created_at FROM saved_views \
                 WHERE owner = $1 OR shared = $2 ORDER BY name, id",
                [Value::from(staff.as_uuid()), Value::from(true)],
            ))
            .await
            .map_err(db)?;
        rows.iter().map(from_row).collect()
    }

    /// One view, by id.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn view(&self, id: Uuid) -> Result<Option<SavedView>, StoreError> {
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                "SELECT id, owner, name, query, shared, created_at FROM saved_views WHERE id = $1",
                [Value::from(id)],
            ))
            .await
            .map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deletes a view; `false` when there was none.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn delete_view(&self, id: Uuid) -> Result<bool, StoreError> {
        let done = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM saved_views WHERE id = $1",
                [Value::from(id)],
            ))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }
}
