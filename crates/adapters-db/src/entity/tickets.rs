//! `tickets`: Tickets with both SLA clocks flattened into columns.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: i64,
    pub customer_email: String,
    pub customer_name: Option<String>,
    pub subject: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    pub category: String,
    pub channel: String,
    pub assignee: Option<Uuid>,
    pub tags: String,
    pub first_response_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub escalation_level: i64,
    pub follow_up_of: Option<Uuid>,
    pub merged_into: Option<Uuid>,
    pub provider_thread: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
    pub revision: i64,
    pub fr_target_secs: i64,
    pub fr_started_at: DateTimeUtc,
    pub fr_due_at: DateTimeUtc,
    pub fr_paused_since: Option<DateTimeUtc>,
    pub fr_stopped_at: Option<DateTimeUtc>,
    pub fr_remaining_secs: Option<i64>,
    pub fr_warning_notified: bool,
    pub fr_breach_escalated: bool,
    pub res_target_secs: i64,
    pub res_started_at: DateTimeUtc,
    pub res_due_at: DateTimeUtc,
    pub res_paused_since: Option<DateTimeUtc>,
    pub res_stopped_at: Option<DateTimeUtc>,
    pub res_remaining_secs: Option<i64>,
    pub res_warning_notified: bool,
    pub res_breach_escalated: bool,
    pub priority_rank: i64,
    pub sla_next_due: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
