//! The knowledge grounded drafts are written from ([`Knowledge`]): the knowledge base's sections,
//! indexed once and kept until an article changes, and resolved tickets found by the same
//! full-text index as the ticket search (PostgreSQL `tsvector` with `ts_rank`, SQLite FTS5 with
//! BM25 over its 500 best rows), any word matching, best ranked first.

use std::sync::Arc;

use async_trait::async_trait;
use frontdesk_domain::grounding::{ResolvedReply, SectionIndex};
use frontdesk_domain::ports::{Knowledge, StoreError};
use frontdesk_domain::ticket::{TicketId, TicketNumber};
use sea_orm::{ConnectionTrait, DbBackend, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::commit::search_index::SEARCH_SEQUENCE_BITS;
use crate::repository::db;

/// [`Knowledge`] over the database.
#[derive(Debug, Clone)]
pub struct KnowledgeStore {
    db: Database,
    cache: Arc<Mutex<Option<Built>>>,
}

/// The index with the articles' revision it was built from.
type Built = (String, Arc<SectionIndex>);

impl KnowledgeStore {
    #[must_use]
    pub fn new(db: Database) -> Self {
        Self {
            db,
            cache: Arc::default(),
        }
    }

    /// What changes whenever an article is added, edited, published or removed.
    async fn revision(&self) -> Result<String, StoreError> {
        let row = self
            .db
            .reader
            .query_one_raw(statement(
                self.db.backend(),
                "SELECT COUNT(*) AS n, CAST(MAX(updated_at) AS TEXT) AS at FROM kb_articles",
                [],
            ))
            .await
            .map_err(db)?;
        Ok(match row {
            Some(r) => {
                let n: i64 = r.try_get("", "n").map_err(db)?;
                let at: Option<String> = r.try_get("", "at").map_err(db)?;
                format!("{n}/{}", at.unwrap_or_default())
            }
            None => String::new(),
        })
    }
}

#[async_trait]
impl Knowledge for KnowledgeStore {
    async fn sections(&self) -> Result<Arc<SectionIndex>, StoreError> {
        let revision = self.revision().await?;
        let mut cache = self.cache.lock().await;
        if let Some((seen, index)) = cache.as_ref()
            && *seen == revision
        {
            return Ok(index.clone());
        }
        let articles = self.db.kb_articles().await?;
        let index = Arc::new(SectionIndex::build(&articles));
        *cache = Some((revision, index.clone()));
        Ok(index)
    }

    async fn resolved_like(
        &self,
        words: &[String],
        exclude: TicketId,
        limit: usize,
    ) -> Result<Vec<ResolvedReply>, StoreError> {
        let words: Vec<&String> = words
            .iter()
            .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
            .collect();
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let backend = self.db.backend();
        let limit = i64::try_from(limit).unwrap_or(10);
        let (sql, query) = if backend == DbBackend::Postgres {
            (
                "SELECT t.id, t.number, t.subject, m.rank FROM (\
                   SELECT s.ticket_id, MAX(ts_rank(s.doc, q)) AS rank \
                   FROM ticket_search s, to_tsquery('simple', $1) q \
                   WHERE s.doc @@ q GROUP BY s.ticket_id) m \
                 JOIN tickets t ON t.id = m.ticket_id \
                 WHERE t.status IN ('resolved', 'closed') AND t.id <> $2 \
                 ORDER BY m.rank DESC, t.number DESC LIMIT $3"
                    .to_owned(),
                words
                    .iter()
                    .map(|w| format!("{w}:*"))
                    .collect::<Vec<_>>()
                    .join(" | "),
            )
        } else {
            (
                format!(
                    "SELECT t.id, t.number, t.subject, m.rank FROM (\
                       SELECT rowid >> {SEARCH_SEQUENCE_BITS} AS number, -MIN(r) AS rank FROM (\
                         SELECT rowid, rank AS r FROM ticket_search \
                         WHERE ticket_search MATCH $1 ORDER BY rank LIMIT 500) \
                       GROUP BY 1) m \
                     JOIN tickets t ON t.number = m.number \
                     WHERE t.status IN ('resolved', 'closed') AND t.id <> $2 \
                     ORDER BY m.rank DESC, t.number DESC LIMIT $3"
                ),
                words
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" OR "),
            )
        };
        let rows = self
            .db
            .reader
            .query_all_raw(statement(
                backend,
                &sql,
                [
                    Value::from(query),
                    Value::from(exclude.as_uuid()),
                    Value::from(limit),
                ],
            ))
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: Uuid = r.try_get("", "id").map_err(db)?;
            let number: i64 = r.try_get("", "number").map_err(db)?;
            let subject: String = r.try_get("", "subject").map_err(db)?;
            let rank: f64 = match r.try_get::<f64>("", "rank") {
                Ok(v) => v,
                Err(_) => f64::from(r.try_get::<f32>("", "rank").map_err(db)?),
            };
            let reply = self
                .db
                .reader
                .query_one_raw(statement(
                    backend,
                    "SELECT body_text FROM messages WHERE ticket_id = $1 AND kind = 'agent' \
                     AND author_staff IS NOT NULL ORDER BY created_at DESC LIMIT 1",
                    [Value::from(id)],
                ))
                .await
                .map_err(db)?;
            let Some(reply) = reply else { continue };
            out.push(ResolvedReply {
                ticket_id: TicketId::from_uuid(id),
                number: TicketNumber::new(u64::try_from(number).unwrap_or(0))
                    .map_or_else(|_| format!("TKT-{number}"), |n| n.to_string()),
                subject,
                reply: reply.try_get("", "body_text").map_err(db)?,
                score: rank,
            });
        }
        Ok(out)
    }
}
