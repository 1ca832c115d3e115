//! Satisfaction storage: surveys sent (one per resolution) and ratings (one per ticket, the last
//! counts), read back for the ticket and for the reports.

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{Job, OutboundEmail, StoreError, TicketRepository as _};
use frontdesk_domain::satisfaction::Rating;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Status, Ticket, TicketId};
use sea_orm::{
    ActiveModelTrait as _, ConnectionTrait, IntoActiveModel as _, TransactionTrait as _, Value,
};
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::error::corrupt;
use crate::jobs::queued_row;
use crate::repository::db;

/// A ticket's rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    pub ticket_id: Uuid,
    /// `TKT-000042`, while the ticket exists.
    pub number: Option<String>,
    pub rating: Rating,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
    /// Who had the ticket when it was rated.
    pub agent: Option<StaffId>,
    /// Its category then.
    pub category: Option<String>,
}

fn record(r: &sea_orm::QueryResult) -> Result<RatingRecord, StoreError> {
    let rating: String = r.try_get("", "rating").map_err(db)?;
    let agent: Option<Uuid> = r.try_get("", "agent_id").map_err(db)?;
    let number: Option<i64> = r.try_get("", "number").map_err(db)?;
    Ok(RatingRecord {
        ticket_id: r.try_get("", "ticket_id").map_err(db)?,
        number: number
            .map(|n| {
                let n = u64::try_from(n).map_err(|e| corrupt("ticket number", e))?;
                frontdesk_domain::ticket::TicketNumber::new(n)
                    .map(|n| n.to_string())
                    .map_err(|e| corrupt("ticket number", e))
            })
            .transpose()?,
        rating: Rating::parse(&rating)
            .ok_or_else(|| corrupt("satisfaction rating", format!("rating {rating:?}")))?,
        comment: r.try_get("", "comment").map_err(db)?,
        rated_at: r.try_get("", "rated_at").map_err(db)?,
        agent: agent.map(StaffId::from_uuid),
        category: r.try_get("", "category").map_err(db)?,
    })
}

const RATING_SELECT: &str = "SELECT s.ticket_id, s.rating, s.comment, s.rated_at, s.agent_id, \
                             s.category, t.number FROM satisfaction_ratings s \
                             LEFT JOIN tickets t ON t.id = s.ticket_id";

impl Database {
    /// Tickets in one of `statuses`, resolved in `[from, to]`, whose resolution has no survey
    /// yet; at most `limit`, oldest resolution first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn surveys_owed(
        &self,
        statuses: &[Status],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Ticket>, StoreError> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "SELECT t.id FROM tickets t WHERE t.resolved_at >= $1 AND t.resolved_at <= $2 \
             AND t.status IN ({}) AND NOT EXISTS (SELECT 1 FROM satisfaction_surveys v \
             WHERE v.ticket_id = t.id AND v.resolved_at = t.resolved_at) \
             ORDER BY t.resolved_at LIMIT $3",
            marks.join(", ")
        );
        let mut values: Vec<Value> = vec![
            from.into(),
            to.into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ];
        values.extend(statuses.iter().map(|s| Value::from(s.as_str())));
        let rows = self
            .reader
            .query_all_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(db)?;
        let mut owed = Vec::with_capacity(rows.len());
        for r in rows {
            let id: Uuid = r.try_get("", "id").map_err(db)?;
            if let Some(t) = self.get(TicketId::from_uuid(id)).await? {
                owed.push(t);
            }
        }
        Ok(owed)
    }

    /// Notes the survey of the resolution at `resolved_at` and queues `mail`, in one
    /// transaction; `false`, with nothing queued, when another process sent it first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn send_survey(
        &self,
        ticket: TicketId,
        resolved_at: DateTime<Utc>,
        mail: OutboundEmail,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.writer.begin().await.map_err(db)?;
        let done = txn
            .execute_raw(statement(
                txn.get_database_backend(),
                "INSERT INTO satisfaction_surveys (ticket_id, resolved_at, sent_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (ticket_id, resolved_at) DO NOTHING",
                [ticket.as_uuid().into(), resolved_at.into(), now.into()],
            ))
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            txn.rollback().await.map_err(db)?;
            return Ok(false);
        }
        queued_row(&Job::SendEmail(Box::new(mail)), now)
            .into_active_model()
            .reset_all()
            .insert(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        Ok(true)
    }

    /// Records a ticket's rating (replacing any earlier one); `comment` `None` keeps the
    /// comment there is, `Some("")` removes it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn save_rating(
        &self,
        ticket: &Ticket,
        rating: Rating,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = match comment {
            Some(_) => {
                "INSERT INTO satisfaction_ratings (ticket_id, rating, comment, rated_at, \
                 agent_id, category) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) \
                 DO UPDATE SET rating = excluded.rating, comment = excluded.comment, \
                 rated_at = excluded.rated_at, agent_id = excluded.agent_id, \
                 category = excluded.category"
            }
            None => {
                "INSERT INTO satisfaction_ratings (ticket_id, rating, comment, rated_at, \
                 agent_id, category) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) \
                 DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at, \
                 agent_id = excluded.agent_id, category = excluded.category"
            }
        };
        let comment = comment
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        self.writer
            .execute_raw(statement(
                self.backend(),
                sql,
                [
                    ticket.id.as_uuid().into(),
                    rating.as_str().into(),
                    comment.into(),
                    now.into(),
                    ticket.assignee.map(StaffId::as_uuid).into(),
                    Some(ticket.category.as_str().to_owned()).into(),
                ],
            ))
            .await
            .map_err(db)?;
        Ok(())
    }

    /// A ticket's rating, if it has one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn rating_of(&self, ticket: TicketId) -> Result<Option<RatingRecord>, StoreError> {
        let sql = format!("{RATING_SELECT} WHERE s.ticket_id = $1");
        let row = self
            .writer
            .query_one_raw(statement(self.backend(), &sql, [ticket.as_uuid().into()]))
            .await
            .map_err(db)?;
        row.as_ref().map(record).transpose()
    }

    /// The ratings given in `[from, to)`, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn ratings_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RatingRecord>, StoreError> {
        let sql = format!(
            "{RATING_SELECT} WHERE s.rated_at >= $1 AND s.rated_at < $2 \
             ORDER BY s.rated_at DESC, s.ticket_id"
        );
        let rows = self
            .reader
            .query_all_raw(statement(self.backend(), &sql, [from.into(), to.into()]))
            .await
            .map_err(db)?;
        rows.iter().map(record).collect()
    }
}
