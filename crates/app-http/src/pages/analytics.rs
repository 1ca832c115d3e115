//! `/analytics` (managers, admins): the work the team faces right now, as tiles that follow the
//! event stream — active tickets by status, priority and category, unassigned, SLA at risk and
//! breached, agents available — each a link to exactly the tickets it counts. The figures are
//! the API's realtime report ([`crate::reads::realtime`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::session::Session;
use super::{Chrome, PageError, html};
use crate::state::AppState;

/// The statuses the realtime report counts as active, as the list's filter.
const ACTIVE: &str = "new%2Copen%2Cpending%2Con_hold";

/// One tile: a figure, what it counts, and the list of exactly those tickets.
#[derive(Debug)]
pub struct Tile {
    pub label: String,
    pub count: u64,
    /// None for a figure that is not tickets (agents available).
    pub url: Option<String>,
    /// `red` for breaches, `amber` for risks: the clocks' colours.
    pub band: &'static str,
}

#[derive(Template)]
#[template(path = "workspace/analytics.html")]
struct AnalyticsPage {
    chrome: Chrome,
    headline: Vec<Tile>,
    groups: Vec<(&'static str, Vec<Tile>)>,
    generated_at: chrono::DateTime<chrono::Utc>,
}

fn tile(label: impl Into<String>, count: u64, url: Option<String>, band: &'static str) -> Tile {
    Tile {
        label: label.into(),
        count,
        url,
        band,
    }
}

/// The live tiles.
pub async fn show(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, PageError> {
    let chrome = Chrome::of(&session)?;
    let now = state.now();
    let r = crate::reads::realtime(&state, &session.caller, now).await?;
    let list = |query: String| Some(format!("/tickets?status={ACTIVE}{query}"));
    let headline = vec![
        tile(
            "active tickets",
            r.by_status.values().sum(),
            list(String::new()),
            "",
        ),
        tile(
            "unassigned",
            r.unassigned,
            list("&assignee=unassigned".to_owned()),
            "",
        ),
        tile(
            "SLA at risk",
            r.sla_at_risk,
            list("&sla=at_risk".to_owned()),
            if r.sla_at_risk > 0 { "amber" } else { "" },
        ),
        tile(
            "SLA breached",
            r.sla_breached,
            list("&sla=breached".to_owned()),
            if r.sla_breached > 0 { "red" } else { "" },
        ),
        tile("agents available now", r.agents_available, None, ""),
    ];
    let by = |field: &str, counts: &std::collections::BTreeMap<String, u64>| -> Vec<Tile> {
        counts
            .iter()
            .map(|(value, n)| {
                let url = if field == "status" {
                    Some(format!("/tickets?status={value}"))
                } else {
                    list(format!("&{field}={value}"))
                };
                tile(super::ticket::label(value), *n, url, "")
            })
            .collect()
    };
    let groups = vec![
        ("By status", by("status", &r.by_status)),
        ("By priority", by("priority", &r.by_priority)),
        ("By category", by("category", &r.by_category)),
    ];
    Ok(html(
        StatusCode::OK,
        &AnalyticsPage {
            chrome,
            headline,
            groups,
            generated_at: r.generated_at,
        },
    ))
}
