//! Staff records: listing, lookup by id or address, creation, passwords.

use super::*;

impl Database {
    /// Every staff member, active or not, by name.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn all_staff(&self) -> Result<Vec<Staff>, StoreError> {
        staff::Entity::find()
            .order_by_asc(staff::Column::Name)
            .order_by_asc(staff::Column::Id)
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(staff_from_row)
            .collect()
    }

    /// A staff member by id, active or not.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff(&self, id: StaffId) -> Result<Option<Staff>, StoreError> {
        staff::Entity::find_by_id(id.as_uuid())
            .one(&self.reader)
            .await
            .map_err(db)?
            .map(staff_from_row)
            .transpose()
    }

    /// A staff member by address with their password hash (none before one was set).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(Staff, Option<String>)>, StoreError> {
        let row = staff::Entity::find()
            .filter(staff::Column::Email.eq(email.normalized()))
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.map(|r| {
            let hash = r.password_hash.clone();
            staff_from_row(r).map(|s| (s, hash))
        })
        .transpose()
    }

    /// Adds a staff member; fails with [`AccountError::Exists`] for a taken address.
    ///
    /// # Errors
    /// [`AccountError`].
    pub async fn create_staff(
        &self,
        member: &Staff,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        use sea_orm::{ActiveModelTrait as _, IntoActiveModel as _};
        let mut row = crate::mapping::staff_row(member, now);
        row.password_hash = password_hash.map(str::to_owned);
        match row
            .into_active_model()
            .reset_all()
            .insert(&self.writer)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(AccountError::Exists),
            Err(e) => Err(AccountError::Store(db(e))),
        }
    }

    /// Sets (or replaces) a staff member's password hash.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn set_staff_password(
        &self,
        id: StaffId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3";
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    Value::from(password_hash.to_owned()),
                    Value::from(now),
                    Value::from(id.as_uuid()),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// How many staff members exist (zero on a new install).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn staff_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait as _;
        staff::Entity::find().count(&self.reader).await.map_err(db)
    }
}
