//! `mailbox_leases`: Which poller reads which mailbox, until when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailbox_leases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox: String,
    pub holder: String,
    pub lease_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
