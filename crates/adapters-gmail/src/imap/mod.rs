//! Reading a mailbox over IMAP (any server, Gmail's included).
//!
//! Progress is a persisted cursor per mailbox and UIDVALIDITY: the last UID whose ingest
//! committed. Messages are read with `BODY.PEEK[]`, so a person reading the mailbox never hides
//! mail from the helpdesk and nothing depends on `\Seen`. A message is acknowledged (`\Seen`, a
//! move, or nothing) and the cursor advanced only when the caller says its ingest committed; a
//! crash in between means the message is fetched again, and deduplication makes that harmless.

mod stream;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_imap::Session;
use async_trait::async_trait;
use frontdesk_domain::ports::{FetchedMail, MailError, MailSource, MailboxCursor, MailboxCursors};
use futures_util::TryStreamExt;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

pub use stream::MailStream;

use crate::secret::Secret;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    StartTls,
    /// No encryption. Only for loopback test servers; never the default.
    Plain,
}

/// What happens to a message on the server once its ingest committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterIngest {
    /// Leave it as it is (the cursor alone tracks progress).
    Keep,
    /// Flag it `\Seen`.
    Seen,
    /// Move it to this folder.
    Move(String),
}

impl std::str::FromStr for AfterIngest {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "keep" => Ok(Self::Keep),
            "seen" => Ok(Self::Seen),
            other => match other.strip_prefix("move:").map(str::trim) {
                Some(folder) if !folder.is_empty() => Ok(Self::Move(folder.to_owned())),
                _ => Err(format!(
                    "after_ingest must be keep, seen or move:<folder>, not `{other}`"
                )),
            },
        }
    }
}

/// One IMAP mailbox.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    pub after_ingest: AfterIngest,
    /// Largest message fetched whole; bigger ones arrive as their header, marked oversized.
    pub max_message_bytes: u32,
    /// A PEM file of extra trusted certificate authorities (a company CA); the web PKI roots
    /// are always trusted.
    pub ca_file: Option<std::path::PathBuf>,
}

impl ImapSettings {
    /// The key the cursor is stored under: the account and folder, never the password.
    #[must_use]
    pub fn cursor_key(&self) -> String {
        format!(
            "imap://{}@{}:{}/{}",
            self.username, self.host, self.port, self.mailbox
        )
    }
}

/// Where this process stands in the mailbox.
#[derive(Debug, Default)]
struct Progress {
    loaded: bool,
    uid_validity: u32,
    /// Every UID up to here was acknowledged (the persisted cursor).
    cursor: u32,
    /// The highest UID handed out by `fetch`.
    high: u32,
    /// Handed out, not yet acknowledged.
    pending: BTreeSet<u32>,
}

impl Progress {
    fn settle(&mut self) -> u32 {
        self.cursor = self
            .pending
            .first()
            .map_or(self.high, |first| first - 1)
            .max(self.cursor);
        self.cursor
    }
}

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

/// The IMAP source's position in a mailbox, as it stores it in its [`MailboxCursor`]:
/// `{"uid_validity":N,"last_uid":N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ImapPosition {
    /// The UIDVALIDITY the UIDs belong to; a change means the server renumbered the mailbox.
    uid_validity: u32,
    /// Every UID up to this one was ingested and acknowledged.
    last_uid: u32,
}

impl ImapPosition {
    /// The position in `cursor`; an unreadable one reads as none, so the mailbox is read again
    /// from the start (deduplication makes that safe).
    fn read(cursor: &MailboxCursor) -> Option<Self> {
        serde_json::from_str(cursor.as_str()).ok()
    }

    fn write(self) -> MailboxCursor {
        MailboxCursor::new(format!(
            r#"{{"uid_validity":{},"last_uid":{}}}"#,
            self.uid_validity, self.last_uid
        ))
    }
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

    async fn connect(&self) -> Result<Session<MailStream>, MailError> {
        let s = &self.settings;
        let tcp = TcpStream::connect((s.host.as_str(), s.port))
            .await
            .map_err(transient)?;
        let stream = match s.security {
            Security::Plain => MailStream::Plain(tcp),
            Security::Tls => MailStream::Tls(Box::new(self.tls(tcp).await?)),
            Security::StartTls => {
                let mut client = async_imap::Client::new(tcp);
                client.read_response().await.map_err(transient)?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(transient)?;
                MailStream::Tls(Box::new(self.tls(client.into_inner()).await?))
            }
        };
        let mut client = async_imap::Client::new(stream);
        if s.security != Security::StartTls {
            client.read_response().await.map_err(transient)?;
        }
        client
            .login(&s.username, s.password.expose())
            .await
            .map_err(|(e, _)| {
                MailError::Permanent(format!("IMAP login as {} failed: {e}", s.username))
            })
    }

    async fn tls(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, MailError> {
        let config = crate::tls::client_config(self.settings.ca_file.as_deref())
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        let name = rustls::pki_types::ServerName::try_from(self.settings.host.clone())
            .map_err(|e| MailError::Permanent(format!("invalid IMAP host name: {e}")))?;
        tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(transient)
    }

    /// Selects the mailbox and reconciles the cursor with its UIDVALIDITY.
    async fn open(&self, session: &mut Session<MailStream>) -> Result<(), MailError> {
        let mailbox = session
            .select(&self.settings.mailbox)
            .await
            .map_err(transient)?;
        let validity = mailbox.uid_validity.unwrap_or(0);
        let mut progress = self.progress.lock().await;
        if !progress.loaded {
            let stored = self
                .cursors
                .cursor(&self.settings.cursor_key())
                .await
                .map_err(transient)?;
            if let Some(position) = stored.as_ref().and_then(ImapPosition::read) {
                progress.uid_validity = position.uid_validity;
                progress.cursor = position.last_uid;
            }
            progress.loaded = true;
        }
        if progress.uid_validity != validity {
            // The server renumbered the mailbox: read it all again; deduplication turns the
            // messages already ingested into no-ops.
            *progress = Progress {
                loaded: true,
                uid_validity: validity,
                ..Progress::default()
            };
            self.save(0, validity).await?;
        }
        progress.high = progress.high.max(progress.cursor);
        Ok(())
    }

    async fn save(&self, last_uid: u32, uid_validity: u32) -> Result<(), MailError> {
        let cursor = ImapPosition {
            uid_validity,
            last_uid,
        }
        .write();
        self.cursors
            .save_cursor(&self.settings.cursor_key(), &cursor, chrono::Utc::now())
            .await
            .map_err(transient)
    }

    /// The live session, connecting and selecting the mailbox first if needed. Network trouble
    /// is retried a few times with exponential backoff (0.2 s doubling to 5 s); a login the
    /// server refuses is not.
    async fn session(
        &self,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<Session<MailStream>>>, MailError> {
        use backon::{ExponentialBuilder, Retryable};
        let mut guard = self.session.lock().await;
        if guard.is_none() {
            let backoff = ExponentialBuilder::default()
                .with_min_delay(std::time::Duration::from_millis(200))
                .with_max_delay(std::time::Duration::from_secs(5))
                .with_max_times(3);
            let session = (|| async {
                let mut session = self.connect().await?;
                self.open(&mut session).await?;
                Ok(session)
            })
            .retry(backoff)
            .when(|e: &MailError| matches!(e, MailError::Transient(_)))
            .await?;
            *guard = Some(session);
        }
        Ok(guard)
    }

    /// Waits until the server reports a change in the mailbox (IMAP IDLE) or `timeout` passes,
    /// and says whether something changed. A server without IDLE is simply waited out, so the
    /// caller falls back to polling. Keep `timeout` under 29 minutes (RFC 2177).
    ///
    /// # Errors
    /// [`MailError::Transient`] when the connection breaks; the next call reconnects.
    pub async fn wait_for_change(&self, timeout: std::time::Duration) -> Result<bool, MailError> {
        let mut guard = self.session().await?;
        let Some(mut session) = guard.take() else {
            return Err(transient("no IMAP session"));
        };
        let idle = match self.idle_supported.get() {
            Some(known) => *known,
            None => {
                let has = session
                    .capabilities()
                    .await
                    .map_err(transient)?
                    .has_str("IDLE");
                *self.idle_supported.get_or_init(|| has)
            }
        };
        if !idle {
            *guard = Some(session);
            drop(guard);
            tokio::time::sleep(timeout).await;
            return Ok(false);
        }
        let mut handle = session.idle();
        handle.init().await.map_err(transient)?;
        let (wait, stop) = handle.wait_with_timeout(timeout);
        let outcome = wait.await;
        // Dropping the stop source interrupts the wait, so it lives until the wait is over.
        drop(stop);
        let changed = matches!(
            outcome,
            Ok(async_imap::extensions::idle::IdleResponse::NewData(_))
        );
        let session = handle.done().await.map_err(transient)?;
        *guard = Some(session);
        outcome.map_err(transient)?;
        Ok(changed)
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
                    gmail_thread_id: None,
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

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_read_what_the_migration_wrote() {
        let p = ImapPosition {
            uid_validity: u32::MAX,
            last_uid: 1234,
        };
        assert_eq!(ImapPosition::read(&p.write()), Some(p));
        let migrated = MailboxCursor::new(r#"{"uid_validity":7,"last_uid":0}"#);
        assert_eq!(
            ImapPosition::read(&migrated),
            Some(ImapPosition {
                uid_validity: 7,
                last_uid: 0
            })
        );
        assert_eq!(ImapPosition::read(&MailboxCursor::new("{}")), None);
        assert_eq!(
            ImapPosition::read(&MailboxCursor::new(r#"{"history_id":"5"}"#)),
            None
        );
    }
}
