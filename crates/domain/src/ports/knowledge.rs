//! What grounded drafts are written from: the knowledge base's sections and the replies that
//! resolved similar tickets.

use std::sync::Arc;

use async_trait::async_trait;

use super::StoreError;
use crate::grounding::{ResolvedReply, SectionIndex};
use crate::ticket::TicketId;

/// The knowledge the assistant answers from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Knowledge: Send + Sync {
    /// The sections of every published public article, indexed (adapters keep it until an
    /// article changes).
    ///
    /// # Errors
    /// [`StoreError`] when the articles cannot be read.
    async fn sections(&self) -> Result<Arc<SectionIndex>, StoreError>;

    /// Resolved or closed tickets other than `exclude` whose subject or messages hold any of
    /// `words`, best match first, at most `limit`, each with its agent's last public reply.
    ///
    /// # Errors
    /// [`StoreError`] when the search fails.
    async fn resolved_like(
        &self,
        words: &[String],
        exclude: TicketId,
        limit: usize,
    ) -> Result<Vec<ResolvedReply>, StoreError>;

    /// The embedding of a ticket's `text` when an embedding model is configured and answers;
    /// `None` otherwise (retrieval is then by words alone).
    async fn embed_query(&self, _text: &str) -> Option<Vec<f32>> {
        None
    }
}

/// Turns texts into embeddings (an OpenAI-compatible `/v1/embeddings`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Embedder: Send + Sync {
    /// The model's name, stored with each embedding (another model's are not comparable).
    fn model(&self) -> String;

    /// One embedding per text, in order.
    ///
    /// # Errors
    /// [`crate::ports::AiError`] when the service fails.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, crate::ports::AiError>;
}

/// No knowledge: drafts are written without sources (and auto mode sends none).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKnowledge;

#[async_trait]
impl Knowledge for NoKnowledge {
    async fn sections(&self) -> Result<Arc<SectionIndex>, StoreError> {
        Ok(Arc::new(SectionIndex::default()))
    }

    async fn resolved_like(
        &self,
        _words: &[String],
        _exclude: TicketId,
        _limit: usize,
    ) -> Result<Vec<ResolvedReply>, StoreError> {
        Ok(Vec::new())
    }
}
