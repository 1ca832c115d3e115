//! Turning raw mail into tickets, for live mailboxes and backlog imports alike: parse, ingest a
//! batch in one transaction, quarantine what cannot be ingested — and only then acknowledge.
//!
//! The order is the exactly-once guarantee: a message is acknowledged on its server only after
//! the transaction holding it (or its quarantine entry) committed. A crash in between leaves it
//! unacknowledged; it is fetched again and deduplication makes the second ingest a no-op.

use chrono::Utc;
use frontdesk_adapters_gmail::mime::MimeParser;
use frontdesk_domain::ports::{MailError, MailSource, MailboxLeases, Quarantine, StoreError};
use frontdesk_domain::service::{Admission, Helpdesk, IngestOutcome};
pub use frontdesk_domain::service::{RawMail, Received as Outcome};
use frontdesk_domain::ticket::Channel;

/// Why a batch could not be processed. Nothing of it may be acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The `source` of messages the Zendesk webhook delivered.
pub const ZENDESK_SOURCE: &str = "webhook:zendesk";
/// The `source` of messages the Intercom webhook delivered.
pub const INTERCOM_SOURCE: &str = "webhook:intercom";

/// Parses, ingests and quarantines `mails` (one commit for the whole batch) through the
/// domain's [`Helpdesk::receive`] with the MIME adapter, returning each message's outcome in
/// input order. With `dry_run` the quarantine is not written (the helpdesk itself must then be
/// one over a dry-run store).
///
/// # Errors
/// [`StoreError`] when storage fails: the caller must not acknowledge any of the batch.
pub async fn process_batch(
    desk: &Helpdesk,
    quarantine: &dyn Quarantine,
    mails: &[RawMail],
    dry_run: bool,
) -> Result<Vec<Outcome>, StoreError> {
    process_batch_as(desk, quarantine, mails, dry_run, Admission::Limited).await
}

/// [`process_batch`] with the given [`Admission`]: mail staff release from quarantine is not
/// held to the per-sender ticket cap again.
///
/// # Errors
/// As [`process_batch`].
pub async fn process_batch_as(
    desk: &Helpdesk,
    quarantine: &dyn Quarantine,
    mails: &[RawMail],
    dry_run: bool,
    admission: Admission,
) -> Result<Vec<Outcome>, StoreError> {
    let outcomes = desk
        .receive(
            &MimeParser::default(),
            quarantine,
            mails,
            dry_run,
            admission,
        )
        .await?;
    let quarantined = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Quarantined { .. }))
        .count();
    if quarantined > 0 && !dry_run {
        metrics::counter!("frontdesk_mails_quarantined_total").increment(quarantined as u64);
    }
    Ok(outcomes)
}

/// This process's claim on a mailbox, renewed before every batch.
#[derive(Clone, Copy)]
pub struct Lease<'a> {
    pub leases: &'a dyn MailboxLeases,
    pub mailbox: &'a str,
    pub holder: &'a str,
    pub ttl: chrono::TimeDelta,
}

impl std::fmt::Debug for Lease<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("mailbox", &self.mailbox)
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

impl Lease<'_> {
    /// Takes or extends the lease; `false` when another poller holds it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn renew(&self) -> Result<bool, StoreError> {
        let now = Utc::now();
        self.leases
            .try_lease(self.mailbox, self.holder, now + self.ttl, now)
            .await
    }
}

/// How many messages ended in each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: usize,
    pub created: usize,
    pub appended: usize,
    pub followups: usize,
    pub duplicates: usize,
    pub quarantined: usize,
}

impl Tally {
    pub fn count(&mut self, outcome: &Outcome) {
        self.messages += 1;
        let slot = match outcome {
            Outcome::Ingested(r) => match r.outcome {
                IngestOutcome::Created => &mut self.created,
                IngestOutcome::Appended => &mut self.appended,
                IngestOutcome::FollowUp => &mut self.followups,
                IngestOutcome::Duplicate => &mut self.duplicates,
            },
            Outcome::Quarantined { .. } => &mut self.quarantined,
        };
        *slot += 1;
    }

    pub fn add(&mut self, other: &Self) {
        self.messages += other.messages;
        self.created += other.created;
        self.appended += other.appended;
        self.followups += other.followups;
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
    }

    /// Messages that put something new on a ticket.
    #[must_use]
    pub fn placed(&self) -> usize {
        self.created + self.appended + self.followups
    }
}

/// One pass over a mailbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// The pass stopped at its batch limit with mail left to read.
    pub more: bool,
    /// Another poller held the mailbox: this pass read nothing of it.
    pub elsewhere: bool,
    pub mails: Tally,
}

/// Reads `source` until it has nothing new, `max_batches` batches were read, `stop` says so
/// (asked between batches) or the mailbox `lease`, renewed before each batch, is lost. Each
/// batch is fetched, processed, committed, then acknowledged message by message.
///
/// # Errors
/// [`IntakeError`] when the mailbox or the database fails; what was acknowledged before stays
/// done, the rest is fetched again next time.
pub async fn drain(
    desk: &Helpdesk,
    quarantine: &dyn Quarantine,
    source: &dyn MailSource,
    lease: Lease<'_>,
    batch_size: usize,
    max_batches: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<PassReport, IntakeError> {
    let mailbox = lease.mailbox;
    let mut report = PassReport::default();
    for _ in 0..max_batches.max(1) {
        if stop() {
            return Ok(report);
        }
        if !lease.renew().await? {
            tracing::debug!(mailbox, "another poller holds this mailbox");
            report.elsewhere = report.mails.messages == 0;
            return Ok(report);
        }
        let started = std::time::Instant::now();
        let fetched = source.fetch(batch_size).await?;
        if fetched.is_empty() {
            return Ok(report);
        }
        let full = fetched.len() >= batch_size;
        let references: Vec<String> = fetched.iter().map(|f| f.source_ref.clone()).collect();
        let mails: Vec<RawMail> = fetched
            .into_iter()
            .map(|f| RawMail {
                source: format!("{mailbox}:{}", f.source_ref),
                channel: Channel::Email,
                raw: f.raw,
                provider_thread: f.provider_thread,
                oversized: f.oversized,
            })
            .collect();
        let outcomes = process_batch(desk, quarantine, &mails, false).await?;
        for (reference, outcome) in references.iter().zip(&outcomes) {
            source.acknowledge(reference).await?;
            report.mails.count(outcome);
            metrics::counter!("frontdesk_mails_ingested_total", "mailbox" => mailbox.to_owned(), "outcome" => outcome.name()).increment(1);
        }
        metrics::histogram!("frontdesk_poll_batch_seconds", "mailbox" => mailbox.to_owned())
            .record(started.elapsed().as_secs_f64());
        if !full {
            return Ok(report);
        }
    }
    report.more = true;
    Ok(report)
}
