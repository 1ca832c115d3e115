//! `mailbox_status`: How each mailbox's last pass went.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailbox_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox: String,
    /// `imap`, `gmail`, `maildir`.
    pub kind: String,
    pub last_pass_at: DateTimeUtc,
    pub last_success_at: Option<DateTimeUtc>,
    /// Messages the last successful pass read.
    pub last_read: i64,
    /// Messages read by every pass recorded.
    pub total_read: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
