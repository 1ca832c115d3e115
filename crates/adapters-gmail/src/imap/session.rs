//! The IMAP session: connecting (TLS, STARTTLS or plain), signing in with retries, selecting
//! the mailbox with its persisted position, and waiting for changes (IDLE).

use async_imap::Session;
use frontdesk_domain::ports::MailError;
use tokio::net::TcpStream;

use super::position::{ImapPosition, Progress};
use super::{ImapSource, MailStream, Security, transient};

impl ImapSource {
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

    pub(super) async fn save(&self, last_uid: u32, uid_validity: u32) -> Result<(), MailError> {
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
    pub(super) async fn session(
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
}
