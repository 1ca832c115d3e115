//! Reading a mailbox over IMAP (any server, Gmail's included).
//!
//! Progress is a persisted cursor per mailbox and UIDVALIDITY: the last UID whose ingest
//! committed. Messages are read with `BODY.PEEK[]`, so a person reading the mailbox never hides
//! mail from the helpdesk and nothing depends on `\Seen`. A message is acknowledged (`\Seen`, a
//! move, or nothing) and the cursor advanced only when the caller says its ingest committed; a
//! crash in between means the message is fetched again, and deduplication makes that harmless.

mod position;
mod session;
mod settings;
mod stream;

use std::sync::Arc;

use async_imap::Session;
use async_trait::async_trait;
use frontdesk_domain::ports::{FetchedMail, MailError, MailSource, MailboxCursors};
use futures_util::TryStreamExt;
use tokio::sync::Mutex;

pub use settings::{AfterIngest, ImapSettings, Security};
pub use stream::MailStream;

use position::Progress;

/// A [`MailSource`] over IMAP.
pub struct ImapSource {
    settings: ImapSettings,
    cursors: Arc<dyn MailboxCursors>,
    session: Mutex<Option<Session<MailStream>>>,
    progress: Mutex<Progress>,
    /// Whether the server offers IDLE, asked once.
    idle_supported: std::sync::OnceLock<bool>,
}

impl std::fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSource")
            .field("mailbox", &self.settings.cursor_key())
            .finish_non_exhaustive()
    }
}

fn transient(e: impl std::fmt::Display) -> MailError {
    MailError::Transient(e.to_string())
}

impl ImapSource {
    #[must_use]
    pub fn new(settings: ImapSettings, cursors: Arc<dyn MailboxCursors>) -> Self {
        Self {
            settings,
            cursors,
            session: Mutex::new(None),
            progress: Mutex::new(Progress::default()),
            idle_supported: std::sync::OnceLock::new(),
        }
    }

    /// UIDs and sizes of up to `limit` messages after `high`, looking in a bounded window so a
    /// large mailbox is not listed whole on every batch; an empty window (a gap of deleted
    /// messages) is jumped with a search.
    async fn next_uids(
        session: &mut Session<MailStream>,
        high: u32,
        limit: usize,
    ) -> Result<Vec<(u32, u32)>, MailError> {
        let window = u32::try_from(limit.max(1))
            .unwrap_or(u32::MAX)
            .saturating_mul(8);
        let end = high.saturating_add(window);
        let mut found = Self::sizes(session, &format!("{}:{end}", high + 1), high).await?;
        if found.is_empty() {
            let beyond = session
                .uid_search(format!("UID {}:*", end.saturating_add(1)))
                .await
                .map_err(transient)?;
            if let Some(next) = beyond.into_iter().filter(|uid| *uid > end).min() {
                let jump_end = next.saturating_add(window);
                found = Self::sizes(session, &format!("{next}:{jump_end}"), high).await?;
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    async fn sizes(
        session: &mut Session<MailStream>,
        set: &str,
        after: u32,
    ) -> Result<Vec<(u32, u32)>, MailError> {
        let fetches: Vec<_> = session
            .uid_fetch(set, "(UID RFC822.SIZE)")
            .await
            .map_err(transient)?
            .try_collect()
            .await
            .map_err(transient)?;
        Ok(newer(&fetches, after))
    }

    async fn fetch_after(
        session: &mut Session<MailStream>,
        high: u32,
        limit: usize,
        cap: u32,
    ) -> Result<Vec<FetchedMail>, MailError> {
        let wanted = Self::next_uids(session, high, limit).await?;
        let mut mails = Vec::with_capacity(wanted.len());
        // One round trip for all whole messages, one for the headers of oversized ones.
        for (oversized, query) in [
            (false, "(UID BODY.PEEK[])"),
            (true, "(UID BODY.PEEK[HEADER])"),
        ] {
            let set: Vec<String> = wanted
                .iter()
                .filter(|(_, size)| (*size > cap) == oversized)
                .map(|(uid, _)| uid.to_string())
                .collect();
            if set.is_empty() {
                continue;
            }
            let parts: Vec<_> = session
                .uid_fetch(set.join(","), query)
                .await
                .map_err(transient)?
                .try_collect()
                .await
                .map_err(transient)?;
            for part in &parts {
                let Some(uid) = part.uid else { continue };
                let Some(size) = wanted
                    .iter()
                    .find(|(u, _)| *u == uid)
                    .map(|(_, size)| *size)
                else {
                    continue;
                };
                let raw = if oversized {
                    part.header()
                } else {
                    part.body()
                };
                mails.push(FetchedMail {
                    raw: raw.unwrap_or_default().to_vec(),
                    source_ref: uid.to_string(),
                    provider_thread: None,
                    oversized: oversized.then_some(u64::from(size)),
                });
            }
        }
        mails.sort_by_key(|m| m.source_ref.parse::<u32>().unwrap_or(u32::MAX));
        Ok(mails)
    }

    async fn apply(
        session: &mut Session<MailStream>,
        uid: u32,
        after: &AfterIngest,
    ) -> Result<(), MailError> {
        match after {
            AfterIngest::Keep => {}
            AfterIngest::Seen => {
                let _: Vec<_> = session
                    .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                    .await
                    .map_err(transient)?
                    .try_collect()
                    .await
                    .map_err(transient)?;
            }
            AfterIngest::Move(folder) => {
                if session.uid_mv(uid.to_string(), folder).await.is_err() {
                    // Most often the folder does not exist yet (TRYCREATE): create it, retry once.
                    let _ = session.create(folder).await;
                    session
                        .uid_mv(uid.to_string(), folder)
                        .await
                        .map_err(transient)?;
                }
            }
        }
        Ok(())
    }
}

/// The UIDs after `after` in a FETCH response of `n:*` (which always includes the last
/// message, even when its UID is lower), with their sizes.
fn newer(fetches: &[async_imap::types::Fetch], after: u32) -> Vec<(u32, u32)> {
    let mut uids: Vec<(u32, u32)> = fetches
        .iter()
        .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
        .filter(|(uid, _)| *uid > after)
        .collect();
    uids.sort_unstable();
    uids
}

#[async_trait]
impl MailSource for ImapSource {
    async fn fetch(&self, limit: usize) -> Result<Vec<FetchedMail>, MailError> {
        let mut guard = self.session().await?;
        // Read after connecting: opening the mailbox is what loads the stored cursor.
        let high = {
            let p = self.progress.lock().await;
            p.high.max(p.cursor)
        };
        let Some(session) = guard.as_mut() else {
            return Err(transient("no IMAP session"));
        };
        let fetched =
            match Self::fetch_after(session, high, limit, self.settings.max_message_bytes).await {
                Ok(mails) => mails,
                Err(e) => {
                    *guard = None;
                    return Err(e);
                }
            };
        let mut p = self.progress.lock().await;
        for m in &fetched {
            if let Ok(uid) = m.source_ref.parse::<u32>() {
                p.pending.insert(uid);
                p.high = p.high.max(uid);
            }
        }
        Ok(fetched)
    }

    async fn acknowledge(&self, source_ref: &str) -> Result<(), MailError> {
        let uid: u32 = source_ref
            .parse()
            .map_err(|_| MailError::Permanent(format!("not an IMAP UID: {source_ref}")))?;
        {
            let mut guard = self.session().await?;
            let Some(session) = guard.as_mut() else {
                return Err(transient("no IMAP session"));
            };
            if let Err(e) = Self::apply(session, uid, &self.settings.after_ingest).await {
                *guard = None;
                return Err(e);
            }
        }
        let (cursor, validity) = {
            let mut p = self.progress.lock().await;
            p.pending.remove(&uid);
            (p.settle(), p.uid_validity)
        };
        self.save(cursor, validity).await
    }
}
