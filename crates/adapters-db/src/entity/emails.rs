//! `emails`: Inbound e-mails; the Message-ID primary key makes redelivery a no-op.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: String,
    pub ticket_id: Uuid,
    pub message_row_id: Uuid,
    pub raw_sha256: String,
    pub in_reply_to: Option<String>,
    pub references_ids: Option<String>,
    pub provider_thread: Option<String>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub to_addresses: String,
    pub cc_addresses: String,
    pub subject: String,
    pub sent_at: Option<DateTimeUtc>,
    pub received_at: DateTimeUtc,
    pub auto_reply: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
