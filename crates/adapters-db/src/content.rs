//! Stored bytes: attachment contents, addressed by their SHA-256.

use frontdesk_domain::ports::StoreError;
use sea_orm::EntityTrait;

use crate::Database;
use crate::entity::attachments;
use crate::repository::db;

impl Database {
    /// The content of the attachment with this SHA-256 (hex), if stored.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn attachment_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(attachments::Entity::find_by_id(sha256.to_owned())
            .one(&self.reader)
            .await
            .map_err(db)?
            .map(|a| a.content))
    }
}
