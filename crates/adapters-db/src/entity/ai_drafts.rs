//! `ai_drafts`: The AI assistant's analyses and drafts, with what each run cost.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub body: String,
    /// Per mille (0..=1000).
    pub confidence: i64,
    /// JSON array of the canned responses or facts used.
    pub sources: String,
    /// JSON object of the analysis.
    pub analysis: Option<String>,
    pub model: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub state: String,
    pub hold_reason: Option<String>,
    /// JSON array of the cited sources: `{n, source, id, title, url}`.
    pub citations: String,
    pub citation_defects: i64,
    /// JSON array of the unsupported promises' names.
    pub unsupported_promises: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
