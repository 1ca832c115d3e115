//! What the AI assistant did in a period: drafts, replies sent by themselves, and why the others
//! were held — counted in the database, grouped by outcome.

use chrono::{DateTime, Utc};
use frontdesk_domain::ai::HoldReason;
use frontdesk_domain::ports::StoreError;
use sea_orm::ConnectionTrait;

use crate::Database;
use crate::accounts::statement;
use crate::error::corrupt;
use crate::repository::db;

/// The assistant's drafts of a period, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssistantCounts {
    pub drafts: u64,
    /// Sent by auto mode (only auto mode marks a draft sent).
    pub sent_automatically: u64,
    /// Held by auto mode, for any reason.
    pub held: u64,
    /// Drafts citing at least one source.
    pub grounded: u64,
    /// Drafts with at least one unsupported promise.
    pub unsupported_promises: u64,
    /// Citation markers to sources not given, removed, summed over the drafts.
    pub citation_defects: u64,
    /// Held drafts per reason (each reason once; unknown names are a corrupt row).
    pub holds: Vec<(HoldReason, u64)>,
}

fn count(r: &sea_orm::QueryResult, column: &str) -> Result<u64, StoreError> {
    let n: Option<i64> = r.try_get("", column).map_err(db)?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

impl Database {
    /// The assistant's drafts created in `[from, to)`, counted.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails or a stored hold reason is unknown.
    pub async fn assistant_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AssistantCounts, StoreError> {
        let rows = self
            .reader
            .query_all_raw(statement(
                self.backend(),
                "SELECT state, hold_reason, COUNT(*) AS n, \
                   CAST(SUM(CASE WHEN citations <> '[]' THEN 1 ELSE 0 END) AS BIGINT) \
                     AS grounded, \
                   CAST(SUM(CASE WHEN unsupported_promises <> '[]' THEN 1 ELSE 0 END) AS BIGINT) \
                     AS promises, \
                   CAST(SUM(citation_defects) AS BIGINT) AS defects \
                 FROM ai_drafts WHERE created_at >= $1 AND created_at < $2 \
                 GROUP BY state, hold_reason",
                [from.into(), to.into()],
            ))
            .await
            .map_err(db)?;
        let mut c = AssistantCounts::default();
        for r in rows {
            let state: String = r.try_get("", "state").map_err(db)?;
            let hold: Option<String> = r.try_get("", "hold_reason").map_err(db)?;
            let n = count(&r, "n")?;
            c.drafts += n;
            c.grounded += count(&r, "grounded")?;
            c.unsupported_promises += count(&r, "promises")?;
            c.citation_defects += count(&r, "defects")?;
            if state == "sent" {
                c.sent_automatically += n;
            }
            if let Some(text) = hold {
                let name = text.split(' ').next().unwrap_or_default();
                let reason = HoldReason::parse(name).ok_or_else(|| corrupt("AI hold", &text))?;
                c.held += n;
                match c.holds.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, k)) => *k += n,
                    None => c.holds.push((reason, n)),
                }
            }
        }
        Ok(c)
    }
}
