//! `quarantine`: Mail that could not be ingested, with its raw bytes and the error.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quarantine")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub source: String,
    /// `email`, `zendesk`, … (the domain's `Channel`).
    pub channel: String,
    pub raw_sha256: String,
    pub error: String,
    /// `failed` or `machine` (the domain's `QuarantineKind`).
    pub kind: String,
    pub attempts: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    /// Why staff dismissed it (not set when reprocessing resolved it).
    pub dismissed_reason: Option<String>,
    /// Who dismissed it (a staff id).
    pub dismissed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
