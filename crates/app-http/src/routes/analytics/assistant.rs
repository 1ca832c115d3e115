//! `GET /api/analytics/assistant`: what the AI assistant drafted in a period, how many of its
//! replies auto mode sent, how many drafts cite a source or promise what none backs, and every
//! reason auto mode held one back.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, TimeDelta, Utc};
use frontdesk_domain::access::Permission;
use frontdesk_domain::ai::HOLD_REASONS;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// Drafts held back for one reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldCount {
    /// The reason's name, as on the ticket's `ai_draft.hold`.
    pub reason: String,
    /// The reason in words.
    pub label: String,
    pub count: u64,
}

/// The assistant's drafts of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assistant {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub drafts: u64,
    /// Replies auto mode sent by itself.
    pub sent_automatically: u64,
    /// Drafts auto mode held back for a person.
    pub held: u64,
    /// Drafts citing at least one source.
    pub grounded: u64,
    /// Drafts promising something no cited source backs.
    pub unsupported_promises: u64,
    /// Citations to sources the assistant was not given, removed from the drafts.
    pub citation_defects: u64,
    /// Every reason of the fixed list, in the order auto mode checks them, with its count
    /// (zero included).
    pub holds: Vec<HoldCount>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AssistantQuery {
    /// Start (RFC 3339, inclusive); default 30 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// End (RFC 3339, exclusive); default now.
    pub to: Option<DateTime<Utc>>,
}

/// The assistant's figures of `[from, to)` for `caller` (managers, admins).
///
/// # Errors
/// 403; 422 for a period that ends before it starts; storage.
pub(crate) async fn assistant_of(
    state: &AppState,
    caller: &Caller,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Assistant, ApiError> {
    caller.may(Permission::ReadReports)?;
    let to = to.unwrap_or_else(|| state.now());
    let from = from.unwrap_or(to - TimeDelta::days(30));
    if from >= to {
        return Err(ApiError::invalid_field("to", "after `from`"));
    }
    let c = state.db().assistant_counts(from, to).await?;
    let holds = HOLD_REASONS
        .iter()
        .map(|reason| HoldCount {
            reason: reason.as_str().to_owned(),
            label: reason.label().to_owned(),
            count: c
                .holds
                .iter()
                .find(|(r, _)| r.as_str() == reason.as_str())
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(Assistant {
        from,
        to,
        drafts: c.drafts,
        sent_automatically: c.sent_automatically,
        held: c.held,
        grounded: c.grounded,
        unsupported_promises: c.unsupported_promises,
        citation_defects: c.citation_defects,
        holds,
    })
}

/// What the AI assistant drafted and why auto mode held replies back (managers, admins).
#[utoipa::path(get, path = "/api/analytics/assistant", tag = "analytics", params(AssistantQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Assistant), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn assistant(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AssistantQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(assistant_of(&state, &caller, query.from, query.to).await?))
}
