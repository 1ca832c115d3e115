//! The knowledge grounded drafts are written from ([`Knowledge`]): the knowledge base's sections,
//! indexed once and kept until an article changes, and resolved tickets found by the same
//! full-text index as the ticket search (PostgreSQL `tsvector` with `ts_rank`, SQLite FTS5 with
//! BM25 over its 500 best rows), any word matching, best ranked first.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use frontdesk_domain::grounding::{ResolvedReply, Section, SectionIndex};
use frontdesk_domain::ports::{Embedder, Knowledge, StoreError};
use frontdesk_domain::ticket::{TicketId, TicketNumber};
use sea_orm::{ConnectionTrait, DbBackend, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::Database;
use crate::accounts::statement;
use crate::commit::search_index::SEARCH_SEQUENCE_BITS;
use crate::repository::db;

/// Sections embedded per request to the model.
const EMBED_BATCH: usize = 32;

/// [`Knowledge`] over the database.
#[derive(Clone)]
pub struct KnowledgeStore {
    db: Database,
    cache: Arc<Mutex<Option<Built>>>,
    /// The embedding model, when one is configured, and the least similarity it counts.
    embedder: Option<Arc<dyn Embedder>>,
    min_similarity: f32,
    /// Until when tickets are not embedded, after the model failed.
    query_pause: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl std::fmt::Debug for KnowledgeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeStore")
            .field("embedder", &self.embedder.as_ref().map(|e| e.model()))
            .finish_non_exhaustive()
    }
}

/// The index with the articles' revision it was built from, and — when the embedding model
/// failed for some sections — when to ask it again.
type Built = (String, Arc<SectionIndex>, Option<tokio::time::Instant>);

/// How long an index missing embeddings (the model failed) is used before the model is asked
/// again: a model that is down must not cost every draft a timeout.
const EMBED_RETRY: std::time::Duration = std::time::Duration::from_secs(300);

impl KnowledgeStore {
    #[must_use]
    pub fn new(db: Database) -> Self {
        Self {
            db,
            cache: Arc::default(),
            embedder: None,
            min_similarity: frontdesk_domain::grounding::MIN_COSINE,
            query_pause: Arc::default(),
        }
    }

    /// Sections are embedded by `embedder` too (each once per model, stored), and tickets'
    /// texts when retrieving: retrieval then also finds what shares no word with a ticket.
    #[must_use]
    pub fn with_embedder(mut self, embedder: Arc<dyn Embedder>) -> Self {
        self.embedder = Some(embedder);
        self
    }

    /// The least cosine similarity a section needs to be found by meaning alone.
    #[must_use]
    pub fn with_min_similarity(mut self, min: f32) -> Self {
        self.min_similarity = min;
        self
    }

    /// The stored embeddings of `model`, by section key.
    async fn stored(&self, model: &str) -> Result<HashMap<String, Vec<f32>>, StoreError> {
        let rows = self
            .db
            .reader
            .query_all_raw(statement(
                self.db.backend(),
                "SELECT key, vector FROM kb_section_embeddings WHERE model = $1",
                [Value::from(model.to_owned())],
            ))
            .await
            .map_err(db)?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in rows {
            let key: String = r.try_get("", "key").map_err(db)?;
            let bytes: Vec<u8> = r.try_get("", "vector").map_err(db)?;
            let vector: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            out.insert(key, vector);
        }
        Ok(out)
    }

    /// `index` with every section's embedding: stored ones read, missing ones asked of the
    /// model and stored. Whether every section has one (a model that failed leaves some
    /// without; retrieval then uses words for them, and the next build asks again).
    async fn embedded(
        &self,
        index: SectionIndex,
        embedder: &dyn Embedder,
    ) -> Result<(SectionIndex, bool), StoreError> {
        let model = embedder.model();
        let mut stored = self.stored(&model).await?;
        let keys: Vec<String> = index.sections().iter().map(Section::key).collect();
        let missing: Vec<usize> = (0..keys.len())
            .filter(|i| !stored.contains_key(&keys[*i]))
            .collect();
        let mut complete = true;
        for batch in missing.chunks(EMBED_BATCH) {
            let texts: Vec<String> = batch
                .iter()
                .map(|i| index.sections()[*i].embedding_text())
                .collect();
            match embedder.embed(&texts).await {
                Ok(vectors) if vectors.len() == batch.len() => {
                    let now = chrono::Utc::now();
                    for (i, v) in batch.iter().zip(vectors) {
                        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                        self.db
                            .writer
                            .execute_raw(statement(
                                self.db.backend(),
                                "INSERT INTO kb_section_embeddings (key, model, dims, vector, \
                                 created_at) VALUES ($1, $2, $3, $4, $5) \
                                 ON CONFLICT (key, model) DO NOTHING",
                                [
                                    Value::from(keys[*i].clone()),
                                    Value::from(model.clone()),
                                    Value::from(i64::try_from(v.len()).unwrap_or(0)),
                                    Value::from(bytes),
                                    Value::from(now),
                                ],
                            ))
                            .await
                            .map_err(db)?;
                        stored.insert(keys[*i].clone(), v);
                    }
                }
                Ok(_) => {
                    tracing::warn!(%model, "the embedding model answered the wrong number of vectors");
                    complete = false;
                }
                Err(e) => {
                    tracing::warn!(%model, error = %e, "sections were not embedded; retrieval uses words for them");
                    complete = false;
                    break;
                }
            }
        }
        let vectors = keys.iter().map(|k| stored.get(k).cloned()).collect();
        Ok((
            index
                .with_vectors(vectors)
                .with_min_cosine(self.min_similarity),
            complete,
        ))
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
        if let Some((seen, index, retry_at)) = cache.as_ref()
            && *seen == revision
            && retry_at.is_none_or(|at| tokio::time::Instant::now() < at)
        {
            return Ok(index.clone());
        }
        let articles = self.db.kb_articles().await?;
        let mut index = SectionIndex::build(&articles);
        let mut complete = true;
        if let Some(embedder) = &self.embedder {
            (index, complete) = self.embedded(index, embedder.as_ref()).await?;
        }
        let index = Arc::new(index);
        let retry_at = (!complete).then(|| tokio::time::Instant::now() + EMBED_RETRY);
        *cache = Some((revision, index.clone(), retry_at));
        Ok(index)
    }

    async fn embed_query(&self, text: &str) -> Option<Vec<f32>> {
        let embedder = self.embedder.as_ref()?;
        let paused = self
            .query_pause
            .lock()
            .ok()
            .and_then(|p| *p)
            .is_some_and(|until| tokio::time::Instant::now() < until);
        if paused {
            return None;
        }
        match embedder.embed(&[text.to_owned()]).await {
            Ok(mut v) if v.len() == 1 => v.pop(),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the ticket was not embedded; retrieval uses words for the next five minutes");
                if let Ok(mut p) = self.query_pause.lock() {
                    *p = Some(tokio::time::Instant::now() + EMBED_RETRY);
                }
                None
            }
        }
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
                   AND EXISTS (SELECT 1 FROM messages r WHERE r.ticket_id = t.id \
                   AND r.kind = 'agent' AND r.author_staff IS NOT NULL) \
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
                   AND EXISTS (SELECT 1 FROM messages r WHERE r.ticket_id = t.id \
                   AND r.kind = 'agent' AND r.author_staff IS NOT NULL) \
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
