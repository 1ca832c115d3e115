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
