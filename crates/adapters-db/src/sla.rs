//! SLA policies and the business-hours calendar kept in the database. They refine the
//! `[sla]` settings of the configuration file: what is stored here wins.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::StoreError;
use frontdesk_domain::sla::{CalendarConfig, PolicyConfig, SlaConfig};
use frontdesk_domain::ticket::{Category, Priority};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::{corrupt, is_unique_violation};
use crate::repository::db;

/// The name of the one calendar the API edits.
const BUSINESS_CALENDAR: &str = "default";

/// Targets for a priority, optionally only within a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicyRecord {
    pub id: Uuid,
    pub priority: Priority,
    pub category: Option<Category>,
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn minutes(secs: i64) -> u32 {
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

fn policy_from(row: &sea_orm::QueryResult) -> Result<SlaPolicyRecord, StoreError> {
    let priority: String = row.try_get("", "priority").map_err(db)?;
    let category: Option<String> = row.try_get("", "category").map_err(db)?;
    Ok(SlaPolicyRecord {
        id: row.try_get("", "id").map_err(db)?,
        priority: priority.parse().map_err(|e| corrupt("SLA priority", e))?,
        category: category
            .map(|c| c.parse().map_err(|e| corrupt("SLA category", e)))
            .transpose()?,
        first_response_minutes: minutes(row.try_get("", "first_response_secs").map_err(db)?),
        resolution_minutes: minutes(row.try_get("", "resolution_secs").map_err(db)?),
        created_at: row.try_get("", "created_at").map_err(db)?,
        updated_at: row.try_get("", "updated_at").map_err(db)?,
    })
}

const POLICY_COLUMNS: &str =
    "id, priority, category, first_response_secs, resolution_secs, created_at, updated_at";

/// Why a policy was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SavePolicyError {
    #[error("a policy for this priority and category exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Database {
    /// Every stored policy, by priority and category.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicyRecord>, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                &format!("SELECT {POLICY_COLUMNS} FROM sla_policies ORDER BY priority, category"),
                [],
            ))
            .await
            .map_err(db)?;
        rows.iter().map(policy_from).collect()
    }

    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sla_policy(&self, id: Uuid) -> Result<Option<SlaPolicyRecord>, StoreError> {
        self.reader
            .query_one_raw(statement(
                self.backend(),
                &format!("SELECT {POLICY_COLUMNS} FROM sla_policies WHERE id = $1"),
                [Value::from(id)],
            ))
            .await
            .map_err(db)?
            .as_ref()
            .map(policy_from)
            .transpose()
    }

    /// Inserts or replaces (by id) a policy.
    ///
    /// # Errors
    /// [`SavePolicyError::Exists`] when another policy has the same priority and category
    /// (a unique key, so two creators racing cannot both win); [`SavePolicyError::Store`] when
    /// storage fails.
    pub async fn save_sla_policy(&self, p: &SlaPolicyRecord) -> Result<(), SavePolicyError> {
        let values = [
            Value::from(p.id),
            Value::from(p.priority.as_str().to_owned()),
            Value::from(p.category.map(|c| c.as_str().to_owned())),
            Value::from(i64::from(p.first_response_minutes) * 60),
            Value::from(i64::from(p.resolution_minutes) * 60),
            Value::from(p.created_at),
            Value::from(p.updated_at),
        ];
        let sql = "INSERT INTO sla_policies (id, priority, category, first_response_secs, \
                   resolution_secs, calendar_id, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, NULL, $6, $7) \
                   ON CONFLICT (id) DO UPDATE SET priority = excluded.priority, \
                   category = excluded.category, first_response_secs = excluded.first_response_secs, \
                   resolution_secs = excluded.resolution_secs, updated_at = excluded.updated_at";
        self.writer
            .execute_raw(statement(self.backend(), sql, values))
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    SavePolicyError::Exists
                } else {
                    SavePolicyError::Store(db(e))
                }
            })?;
        Ok(())
    }

    /// Whether it existed.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_sla_policy(&self, id: Uuid) -> Result<bool, StoreError> {
        let r = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM sla_policies WHERE id = $1",
                [Value::from(id)],
            ))
            .await
            .map_err(db)?;
        Ok(r.rows_affected() > 0)
    }

    /// The business-hours calendar set through the API, if any.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or the stored calendar is corrupt.
    pub async fn business_calendar(&self) -> Result<Option<CalendarConfig>, StoreError> {
        let row = self
            .reader
            .query_one_raw(statement(
                self.backend(),
                "SELECT time_zone, week, holidays FROM sla_calendars WHERE name = $1",
                [Value::from(BUSINESS_CALENDAR)],
            ))
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let time_zone: String = row.try_get("", "time_zone").map_err(db)?;
        let week: String = row.try_get("", "week").map_err(db)?;
        let holidays: String = row.try_get("", "holidays").map_err(db)?;
        let mut v: serde_json::Value =
            serde_json::from_str(&week).map_err(|e| corrupt("SLA calendar", e))?;
        v["time_zone"] = time_zone.into();
        v["holidays"] = serde_json::from_str(&holidays).map_err(|e| corrupt("SLA holidays", e))?;
        serde_json::from_value(v)
            .map(Some)
            .map_err(|e| corrupt("SLA calendar", e))
    }

    /// Stores the business-hours calendar (replacing the one stored).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn save_business_calendar(
        &self,
        calendar: &CalendarConfig,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut week = serde_json::to_value(calendar).map_err(|e| corrupt("SLA calendar", e))?;
        if let Some(o) = week.as_object_mut() {
            o.remove("time_zone");
            o.remove("holidays");
        }
        let holidays = serde_json::Value::from(calendar.holidays.clone()).to_string();
        let sql = "INSERT INTO sla_calendars (id, name, time_zone, week, holidays, created_at, \
                   updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                   ON CONFLICT (name) DO UPDATE SET time_zone = excluded.time_zone, \
                   week = excluded.week, holidays = excluded.holidays, updated_at = excluded.updated_at";
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    Value::from(Uuid::now_v7()),
                    Value::from(BUSINESS_CALENDAR),
                    Value::from(calendar.time_zone.clone()),
                    Value::from(week.to_string()),
                    Value::from(holidays),
                    Value::from(now),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Removes the stored calendar (the configuration file's applies again). Whether it existed.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn delete_business_calendar(&self) -> Result<bool, StoreError> {
        let r = self
            .writer
            .execute_raw(statement(
                self.backend(),
                "DELETE FROM sla_calendars WHERE name = $1",
                [Value::from(BUSINESS_CALENDAR)],
            ))
            .await
            .map_err(db)?;
        Ok(r.rows_affected() > 0)
    }

    /// Everything stored, as settings to lay over the configuration file's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sla_overrides(&self) -> Result<SlaConfig, StoreError> {
        Ok(SlaConfig {
            calendar: self.business_calendar().await?,
            policies: self
                .sla_policies()
                .await?
                .into_iter()
                .map(|p| PolicyConfig {
                    priority: p.priority.as_str().to_owned(),
                    category: p.category.map(|c| c.as_str().to_owned()),
                    first_response_minutes: p.first_response_minutes,
                    resolution_minutes: p.resolution_minutes,
                })
                .collect(),
            ..SlaConfig::default()
        })
    }

    /// The calendar open clocks run on, as its caller wrote it; `None` before the first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn applied_calendar(&self) -> Result<Option<String>, StoreError> {
        let row = self
            .writer
            .query_one_raw(statement(
                self.backend(),
                "SELECT calendar FROM sla_calendar_applied WHERE id = 1",
                [],
            ))
            .await
            .map_err(db)?;
        row.map(|r| r.try_get::<String>("", "calendar").map_err(db))
            .transpose()
    }

    /// Records `new` as the calendar open clocks run on, if `old` still is (`None`: none was
    /// recorded). Whether this call made the change: of processes racing, exactly one does, and
    /// it alone moves the clocks.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn swap_applied_calendar(
        &self,
        old: Option<&str>,
        new: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (sql, values) = match old {
            None => (
                "INSERT INTO sla_calendar_applied (id, calendar, applied_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
                vec![Value::from(new.to_owned()), Value::from(now)],
            ),
            Some(old) => (
                "UPDATE sla_calendar_applied SET calendar = $1, applied_at = $2 \
                 WHERE id = 1 AND calendar = $3",
                vec![
                    Value::from(new.to_owned()),
                    Value::from(now),
                    Value::from(old.to_owned()),
                ],
            ),
        };
        let done = self
            .writer
            .execute_raw(statement(self.backend(), sql, values))
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
