//! The Gmail API behind the domain's mail ports: a mailbox source (full listing first, then
//! incremental history), a sender and a draft store.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use async_trait::async_trait;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{
    DraftStore, FetchedMail, MailError, MailSender, MailSource, MailboxCursor, MailboxCursors,
    OutboundEmail,
};
use lettre::message::Mailbox;
use tokio::sync::Mutex;

use super::{GmailClient, GmailError};
use crate::smtp::build_message;

#[derive(Debug, Default)]
struct Progress {
    loaded: bool,
    /// The history id everything up to which is ingested (the persisted cursor).
    synced_to: Option<String>,
    /// Where the current pass ends; saved once the pass is fully acknowledged.
    pass_ends_at: Option<String>,
    queue: VecDeque<String>,
    pending: HashSet<String>,
}

/// A [`MailSource`] over the Gmail API. The first run lists the mailbox (with the configured
/// query); later runs read `users.history` from the stored history id. The cursor moves only
/// when every message of a pass was acknowledged, so a crash re-reads the pass and
/// deduplication absorbs it.
pub struct GmailSource {
    client: Arc<GmailClient>,
    cursors: Arc<dyn MailboxCursors>,
    key: String,
    query: Option<String>,
    processed_label: Option<String>,
    progress: Mutex<Progress>,
}

impl std::fmt::Debug for GmailSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSource")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl GmailSource {
    /// `key` names the mailbox in the cursor store (e.g. `gmail://support@example.com`).
    #[must_use]
    pub fn new(
        client: Arc<GmailClient>,
        cursors: Arc<dyn MailboxCursors>,
        key: impl Into<String>,
        query: Option<String>,
        processed_label: Option<String>,
    ) -> Self {
        Self {
            client,
            cursors,
            key: key.into(),
            query,
            processed_label,
            progress: Mutex::new(Progress::default()),
        }
    }

    /// Fills the queue with the next pass: history since the cursor, or a full listing.
    async fn refill(&self, p: &mut Progress) -> Result<(), MailError> {
        let mut ids = Vec::new();
        let history = match &p.synced_to {
            Some(start) => {
                let mut page = None;
                let mut latest = None;
                loop {
                    match self.client.history(start, page.as_deref()).await {
                        Ok((mut found, next, current)) => {
                            ids.append(&mut found);
                            latest = current.or(latest);
                            page = next;
                            if page.is_none() {
                                break Some(latest.unwrap_or_else(|| start.clone()));
                            }
                        }
                        // The stored history id is too old for Gmail: list everything again.
                        Err(GmailError::Rejected { status: 404, .. }) => break None,
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            None => None,
        };
        let ends_at = match history {
            Some(end) => end,
            None => {
                // Take the history id first, so nothing arriving during the listing is missed.
                let end = self.client.current_history_id().await?;
                ids.clear();
                let mut page = None;
                loop {
                    let (mut found, next) = self
                        .client
                        .list_messages(self.query.as_deref(), page.as_deref())
                        .await?;
                    ids.append(&mut found);
                    page = next;
                    if page.is_none() {
                        break;
                    }
                }
                // Gmail lists newest first; ingest oldest first so replies follow their tickets.
                ids.reverse();
                end
            }
        };
        p.queue
            .extend(ids.into_iter().filter(|id| !p.pending.contains(id)));
        p.pass_ends_at = Some(ends_at);
        Ok(())
    }

    async fn save_if_done(&self, p: &mut Progress) -> Result<(), MailError> {
        if p.queue.is_empty() && p.pending.is_empty() && p.pass_ends_at.is_some() {
            p.synced_to = p.pass_ends_at.take();
            let Some(synced_to) = &p.synced_to else {
                return Ok(());
            };
            let cursor = write_history_id(synced_to);
            self.cursors
                .save_cursor(&self.key, &cursor, chrono::Utc::now())
                .await
                .map_err(|e| MailError::Transient(e.to_string()))?;
        }
        Ok(())
    }
}

#[async_trait]
impl MailSource for GmailSource {
    async fn fetch(&self, limit: usize) -> Result<Vec<FetchedMail>, MailError> {
        let mut p = self.progress.lock().await;
        if !p.loaded {
            let stored = self
                .cursors
                .cursor(&self.key)
                .await
                .map_err(|e| MailError::Transient(e.to_string()))?;
            p.synced_to = stored.as_ref().and_then(read_history_id);
            p.loaded = true;
        }
        if p.queue.is_empty() && p.pending.is_empty() {
            self.refill(&mut p).await?;
            // A pass with nothing new still moves the cursor forward.
            self.save_if_done(&mut p).await?;
        }
        let mut mails = Vec::new();
        while mails.len() < limit {
            let Some(id) = p.queue.pop_front() else { break };
            match self.client.get_raw(&id).await {
                Ok(m) => {
                    p.pending.insert(id.clone());
                    mails.push(FetchedMail {
                        raw: m.raw,
                        source_ref: id,
                        provider_thread: m.thread_id,
                        oversized: None,
                    });
                }
                // Deleted between listing and fetching: nothing to ingest.
                Err(GmailError::Rejected { status: 404, .. }) => {}
                Err(e) => {
                    p.queue.push_front(id);
                    return Err(e.into());
                }
            }
        }
        Ok(mails)
    }

    async fn acknowledge(&self, source_ref: &str) -> Result<(), MailError> {
        let add: Vec<&str> = self.processed_label.as_deref().into_iter().collect();
        self.client.modify(source_ref, &add, &["UNREAD"]).await?;
        let mut p = self.progress.lock().await;
        p.pending.remove(source_ref);
        self.save_if_done(&mut p).await
    }
}

/// Sends and drafts through the Gmail API, in the customer's thread when known.
pub struct GmailSender {
    client: Arc<GmailClient>,
    from: Mailbox,
}

impl std::fmt::Debug for GmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSender")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl GmailSender {
    /// # Errors
    /// [`MailError::Permanent`] for a from address lettre cannot use.
    pub fn new(
        client: Arc<GmailClient>,
        from_address: &EmailAddress,
        from_name: Option<String>,
    ) -> Result<Self, MailError> {
        let address = from_address
            .as_str()
            .parse()
            .map_err(|e| MailError::Permanent(format!("{e}")))?;
        Ok(Self {
            client,
            from: Mailbox::new(from_name, address),
        })
    }
}

#[async_trait]
impl MailSender for GmailSender {
    async fn send(&self, mail: &OutboundEmail) -> Result<(), MailError> {
        let raw = build_message(&self.from, mail)?.formatted();
        self.client
            .send(&raw, mail.provider_thread.as_deref())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl DraftStore for GmailSender {
    async fn save_draft(&self, mail: &OutboundEmail) -> Result<(), MailError> {
        let raw = build_message(&self.from, mail)?.formatted();
        self.client
            .create_draft(&raw, mail.provider_thread.as_deref())
            .await?;
        Ok(())
    }
}

/// The Gmail source's position, as it stores it in its [`MailboxCursor`]: `{"history_id":"N"}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct GmailPosition {
    history_id: String,
}

/// The history id in `cursor`; an unreadable one reads as none (a full listing follows, and
/// deduplication makes that safe).
fn read_history_id(cursor: &MailboxCursor) -> Option<String> {
    serde_json::from_str::<GmailPosition>(cursor.as_str())
        .ok()
        .map(|p| p.history_id)
}

fn write_history_id(history_id: &str) -> MailboxCursor {
    let position = GmailPosition {
        history_id: history_id.to_owned(),
    };
    MailboxCursor::new(serde_json::to_string(&position).unwrap_or_default())
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn history_ids_round_trip_and_read_what_the_migration_wrote() {
        assert_eq!(
            read_history_id(&write_history_id("987654")).as_deref(),
            Some("987654")
        );
        let migrated = MailboxCursor::new(r#"{"history_id":"42"}"#);
        assert_eq!(read_history_id(&migrated).as_deref(), Some("42"));
        let imap = MailboxCursor::new(r#"{"uid_validity":7,"last_uid":0}"#);
        assert_eq!(read_history_id(&imap), None);
    }
}
