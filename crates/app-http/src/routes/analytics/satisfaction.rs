//! `GET /api/analytics/satisfaction`: CSAT over a period — the share of "good" among the ratings
//! customers gave — per interval, by agent (who had the ticket when it was rated) and by
//! category, with the latest comments.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::access::Permission;
use frontdesk_domain::satisfaction::RatingCounts;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::PeriodQuery;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// Ratings counted, with their CSAT.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatView {
    pub good: u64,
    pub okay: u64,
    pub bad: u64,
    /// `good` out of all, in percent; none before a rating.
    pub csat_percent: Option<f64>,
}

impl From<&RatingCounts> for CsatView {
    fn from(c: &RatingCounts) -> Self {
        Self {
            good: c.good,
            okay: c.okay,
            bad: c.bad,
            csat_percent: c.csat_percent(),
        }
    }
}

/// One interval's ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatInterval {
    pub start: DateTime<Utc>,
    #[serde(flatten)]
    pub csat: CsatView,
}

/// One agent's or category's ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatSlice {
    /// The agent's id, or the category's name; `null`: unassigned or no category.
    pub key: Option<String>,
    /// The agent's name, or the category.
    pub name: String,
    #[serde(flatten)]
    pub csat: CsatView,
}

/// A comment left with a rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatComment {
    pub ticket_id: Uuid,
    pub ticket_number: Option<String>,
    /// `good`, `okay` or `bad`.
    pub rating: &'static str,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// CSAT over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Satisfaction {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: CsatView,
    pub intervals: Vec<CsatInterval>,
    pub by_agent: Vec<CsatSlice>,
    pub by_category: Vec<CsatSlice>,
    /// The latest 50 comments, newest first.
    pub comments: Vec<CsatComment>,
}

/// CSAT over `query`'s period for `caller` (managers, admins).
///
/// # Errors
/// 403; 422 for a bad period; storage.
pub(crate) async fn satisfaction_of(
    state: &AppState,
    caller: &Caller,
    query: &PeriodQuery,
) -> Result<Satisfaction, ApiError> {
    let period = query.period(state.now())?;
    satisfaction_in(state, caller, &period).await
}

/// CSAT over `period` for `caller` (managers, admins): the API's and the analytics page's.
///
/// # Errors
/// 403; storage.
pub(crate) async fn satisfaction_in(
    state: &AppState,
    caller: &Caller,
    period: &frontdesk_domain::reports::Period,
) -> Result<Satisfaction, ApiError> {
    caller.may(Permission::ReadReports)?;
    let ratings = state
        .db()
        .ratings_between(period.from(), period.to())
        .await?;
    let names: BTreeMap<Uuid, String> = state
        .db()
        .all_staff()
        .await?
        .into_iter()
        .map(|s| (s.id.as_uuid(), s.name))
        .collect();
    let mut total = RatingCounts::default();
    let mut buckets = vec![RatingCounts::default(); period.len()];
    let mut agents: BTreeMap<Option<Uuid>, RatingCounts> = BTreeMap::new();
    let mut categories: BTreeMap<Option<String>, RatingCounts> = BTreeMap::new();
    let mut comments = Vec::new();
    for r in &ratings {
        total.add(r.rating);
        if let Some(i) = period.bucket_of(r.rated_at)
            && let Some(b) = buckets.get_mut(i)
        {
            b.add(r.rating);
        }
        agents
            .entry(r.agent.map(frontdesk_domain::staff::StaffId::as_uuid))
            .or_default()
            .add(r.rating);
        categories
            .entry(r.category.clone())
            .or_default()
            .add(r.rating);
        if let Some(c) = &r.comment
            && comments.len() < 50
        {
            comments.push(CsatComment {
                ticket_id: r.ticket_id,
                ticket_number: r.number.clone(),
                rating: r.rating.as_str(),
                comment: c.clone(),
                at: r.rated_at,
            });
        }
    }
    Ok(Satisfaction {
        from: period.from(),
        to: period.to(),
        total: CsatView::from(&total),
        intervals: period
            .buckets()
            .zip(&buckets)
            .map(|((start, _), c)| CsatInterval {
                start,
                csat: CsatView::from(c),
            })
            .collect(),
        by_agent: agents
            .iter()
            .map(|(id, c)| CsatSlice {
                key: id.map(|i| i.to_string()),
                name: id
                    .and_then(|i| names.get(&i).cloned())
                    .unwrap_or_else(|| "unassigned".to_owned()),
                csat: CsatView::from(c),
            })
            .collect(),
        by_category: categories
            .iter()
            .map(|(k, c)| CsatSlice {
                key: k.clone(),
                name: k.clone().unwrap_or_else(|| "none".to_owned()),
                csat: CsatView::from(c),
            })
            .collect(),
        comments,
    })
}

/// Customer satisfaction over a period: CSAT per interval, by agent and by category, and the
/// latest comments (managers, admins). The period as the historical report takes it (`from`,
/// `to`, `interval`, `tz`).
#[utoipa::path(get, path = "/api/analytics/satisfaction", tag = "analytics", params(PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Satisfaction), (status = 403, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn satisfaction(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(satisfaction_of(&state, &caller, &query).await?))
}
