//! Which staff notifications each person turned off (one row per person who turned any off,
//! the kinds as their stable names), and the sender allow and deny lists set through the API.

use chrono::{DateTime, Utc};
use frontdesk_domain::StaffId;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{NotificationKind, StoreError};
use sea_orm::{ConnectionTrait, TransactionTrait as _, Value};

use crate::Database;
use crate::accounts::statement;
use crate::error::corrupt;
use crate::repository::db;

fn kinds(text: &str) -> Result<Vec<NotificationKind>, StoreError> {
    text.split(',')
        .filter(|k| !k.is_empty())
        .map(|k| {
            NotificationKind::parse(k)
                .ok_or_else(|| corrupt("notification kind", format!("unknown `{k}`")))
        })
        .collect()
}

impl Database {
    /// The kinds `staff` turned off (none when they never chose).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a stored kind is unknown.
    pub async fn muted_of(&self, staff: StaffId) -> Result<Vec<NotificationKind>, StoreError> {
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                "SELECT muted FROM staff_notification_settings WHERE staff_id = $1",
                [Value::from(staff.as_uuid())],
            ))
            .await
            .map_err(db)?;
        match row {
            Some(r) => kinds(&r.try_get::<String>("", "muted").map_err(db)?),
            None => Ok(Vec::new()),
        }
    }

    /// Records the kinds `staff` turns off (an empty list turns everything back on).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn set_muted(
        &self,
        staff: StaffId,
        muted: &[NotificationKind],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let names: Vec<&str> = muted.iter().map(|k| k.as_str()).collect();
        self.writer
            .execute_raw(statement(
                self.backend(),
                "INSERT INTO staff_notification_settings (staff_id, muted, updated_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (staff_id) DO UPDATE \
                 SET muted = excluded.muted, updated_at = excluded.updated_at",
                [
                    Value::from(staff.as_uuid()),
                    Value::from(names.join(",")),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// [`frontdesk_domain::ports::StaffDirectory::muted_notifications`]: the whole table is
    /// read (one row per person who turned anything off: a team's worth).
    pub(crate) async fn muted_by_address(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<(EmailAddress, Vec<NotificationKind>)>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT s.email AS email, n.muted AS muted FROM staff_notification_settings n \
                 JOIN staff s ON s.id = n.staff_id",
                [],
            ))
            .await
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let email: String = row.try_get("", "email").map_err(db)?;
            let muted = kinds(&row.try_get::<String>("", "muted").map_err(db)?)?;
            if let Some(wanted) = emails.iter().find(|e| e.normalized() == email) {
                out.push((wanted.clone(), muted));
            }
        }
        Ok(out)
    }

    /// The allow and deny lists set through the API, as stored (patterns in the order added).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sender_filters(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT list, pattern FROM sender_filters ORDER BY created_at, pattern",
                [],
            ))
            .await
            .map_err(db)?;
        let (mut allow, mut deny) = (Vec::new(), Vec::new());
        for row in rows {
            let list: String = row.try_get("", "list").map_err(db)?;
            let pattern: String = row.try_get("", "pattern").map_err(db)?;
            if list == "allow" {
                allow.push(pattern);
            } else {
                deny.push(pattern);
            }
        }
        Ok((allow, deny))
    }

    /// Replaces the lists set through the API with these (already checked) patterns.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; nothing changed then.
    pub async fn set_sender_filters(
        &self,
        allow: &[String],
        deny: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        txn.execute_raw(statement(self.backend(), "DELETE FROM sender_filters", []))
            .await
            .map_err(db)?;
        for (list, patterns) in [("allow", allow), ("deny", deny)] {
            for p in patterns {
                txn.execute_raw(statement(
                    self.backend(),
                    "INSERT INTO sender_filters (list, pattern, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (list, pattern) DO NOTHING",
                    [
                        Value::from(list.to_owned()),
                        Value::from(p.clone()),
                        Value::from(now),
                    ],
                ))
                .await
                .map_err(db)?;
            }
        }
        txn.commit().await.map_err(db)?;
        Ok(())
    }
}
