//! `messages`: Messages on tickets.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub kind: String,
    pub direction: String,
    pub author_staff: Option<Uuid>,
    pub author_email: Option<String>,
    pub author_name: Option<String>,
    pub body_text: String,
    pub full_text: Option<String>,
    pub body_html: Option<String>,
    pub email_message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references_ids: Option<String>,
    pub auto_reply: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::message_attachments::Entity")]
    Attachments,
}

impl Related<super::message_attachments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attachments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
