//! Receiving raw mail: the intake every way in shares (polled mailboxes, imports, the inbound
//! webhooks, reprocessing from quarantine). Each message is parsed, ingested in one batch with
//! the others, and whatever cannot become part of a ticket — oversized, unparsable, refused by a
//! rule — is quarantined with its raw bytes. Nothing is ever dropped.
//!
//! The caller acknowledges mail on its server only after this returns: a crash in between
//! leaves it unacknowledged, it is fetched again, and deduplication makes that harmless.

use super::{Admission, Helpdesk, IngestError, IngestResult};
use crate::MessageId;
use crate::email::InboundEmail;
use crate::ports::{MailParser, Quarantine, QuarantineKind, StoreError};
use crate::ticket::Channel;

/// One raw message, where it came from and the way it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMail {
    /// A file path, `mbox#n`, `mailbox:reference` for live mail, or the webhook's name.
    pub source: String,
    /// Mail, or a helpdesk's webhook: said by whoever received it, never guessed from `source`.
    pub channel: Channel,
    pub raw: Vec<u8>,
    /// The mail provider's own thread, when it has one (Gmail's `threadId`).
    pub provider_thread: Option<String>,
    /// The full size when only the header was fetched because the message is too large.
    pub oversized: Option<u64>,
}

impl RawMail {
    /// A mail received by `source` on `channel`, whole.
    #[must_use]
    pub fn new(source: impl Into<String>, channel: Channel, raw: Vec<u8>) -> Self {
        Self {
            source: source.into(),
            channel,
            raw,
            provider_thread: None,
            oversized: None,
        }
    }
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Ingested(IngestResult),
    /// Kept with its raw bytes in quarantine (or, in a dry run, would have been).
    Quarantined {
        message_id: MessageId,
        error: String,
        /// Failed, or machine mail kept out of the queue.
        kind: QuarantineKind,
    },
}

impl Received {
    /// `created`, `appended`, `followup`, `duplicate` or `quarantined`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ingested(r) => r.outcome.as_str(),
            Self::Quarantined { .. } => "quarantined",
        }
    }
}

impl Helpdesk {
    /// Receives `mails` in one batch and returns each one's outcome in input order: parsed by
    /// `parser`, ingested together (one commit), and quarantined in `quarantine` when it is
    /// oversized, unparsable or refused. With `dry_run` the quarantine is not written (the
    /// helpdesk is then one over a dry-run store). `admission` says whether staff released the
    /// mail from quarantine (it is then not held to the per-sender cap again).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails: the caller must acknowledge none of the batch.
    pub async fn receive(
        &self,
        parser: &dyn MailParser,
        quarantine: &dyn Quarantine,
        mails: &[RawMail],
        dry_run: bool,
        admission: Admission,
    ) -> Result<Vec<Received>, StoreError> {
        let now = self.now();
        let mut parsed: Vec<InboundEmail> = Vec::with_capacity(mails.len());
        // For each input: the index into `parsed`, or why it was not parsed.
        let mut slots: Vec<Result<usize, String>> = Vec::with_capacity(mails.len());
        for m in mails {
            if let Some(size) = m.oversized {
                slots.push(Err(format!(
                    "message is {size} bytes, over the mailbox's size limit; only its header was kept"
                )));
                continue;
            }
            match parser.parse(&m.raw, now) {
                Ok(mut mail) => {
                    mail.provider_thread.clone_from(&m.provider_thread);
                    mail.channel = m.channel;
                    parsed.push(mail);
                    slots.push(Ok(parsed.len() - 1));
                }
                Err(e) => slots.push(Err(e.to_string())),
            }
        }
        let mut results: Vec<Option<Result<IngestResult, IngestError>>> = self
            .ingest_batch_as(&parsed, admission)
            .await?
            .into_iter()
            .map(Some)
            .collect();
        let mut outcomes = Vec::with_capacity(mails.len());
        for (m, slot) in mails.iter().zip(slots) {
            let outcome = match slot {
                Ok(i) => match results.get_mut(i).and_then(Option::take) {
                    Some(Ok(result)) => Received::Ingested(result),
                    Some(Err(IngestError::Quarantine(reason))) => Received::Quarantined {
                        message_id: parsed[i].effective_message_id(),
                        error: reason.to_string(),
                        kind: reason.kind(),
                    },
                    Some(Err(IngestError::Store(e))) => return Err(e),
                    None => {
                        return Err(StoreError::other(
                            "ingest returned fewer results than mails",
                        ));
                    }
                },
                Err(error) => Received::Quarantined {
                    message_id: parser
                        .message_id(&m.raw)
                        .unwrap_or_else(|| MessageId::synthetic_from_raw(&m.raw)),
                    error,
                    kind: QuarantineKind::Failed,
                },
            };
            if let Received::Quarantined { error, kind, .. } = &outcome
                && !dry_run
            {
                quarantine
                    .quarantine(&m.source, m.channel, &m.raw, error, *kind, now)
                    .await?;
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }
}
