//! `frontdesk-poller import PATH`: a backlog through the live pipeline (dedupe, threading,
//! classification, quarantine), in batches, with a JSON line per message on request.

use std::io::Write;
use std::sync::Arc;

use frontdesk_adapters_db::Database;
use frontdesk_adapters_gmail::backlog::{Backlog, BacklogError};
use frontdesk_domain::ports::{QuarantineKind, StoreError, SystemClock, UuidV7Ids};
use frontdesk_domain::service::{Helpdesk, ImportAs, Ports, Settings};
use frontdesk_domain::ticket::Channel;
use serde_json::json;

use crate::dryrun::DryRun;
use crate::intake::{Outcome, RawMail, Tally, process_batch};

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub json: bool,
    /// Show a progress bar (on a terminal, without `--json`).
    pub progress: bool,
    pub batch_size: usize,
    /// Whether the imported tickets are history (closed) or work (open).
    pub import_as: ImportAs,
}

/// Why an import could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Backlog(#[from] BacklogError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
}

/// Imports `backlog` into `db` with the backlog variant of `settings` ([`Settings::for_backlog`]) (or, with `dry_run`, into a dry-run overlay of it), writing JSON
/// lines to `out` when asked.
///
/// # Errors
/// [`ImportError`] when the backlog cannot be read or the database fails; what was committed
/// before stays, and a second run skips it as duplicates.
pub async fn import(
    db: Arc<Database>,
    settings: Settings,
    backlog: Backlog,
    options: &ImportOptions,
    out: &mut dyn Write,
) -> Result<Tally, ImportError> {
    let settings = settings.for_backlog(options.import_as);
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7Ids);
    let desk = if options.dry_run {
        let last = db.last_ticket_number().await?;
        let overlay = Arc::new(DryRun::new(db.clone(), last));
        let mut ports = Ports::from_store(db.clone(), clock, ids);
        ports.tickets = overlay.clone();
        ports.lookup = overlay;
        Helpdesk::new(ports, settings)
    } else {
        Helpdesk::new(Ports::from_store(db.clone(), clock, ids), settings)
    };
    let bar = options.progress.then(|| {
        let bar = match backlog.remaining_hint() {
            Some(n) => indicatif::ProgressBar::new(n as u64),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} mails [{elapsed_precise}] {per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut summary = Tally::default();
    let mut batch: Vec<RawMail> = Vec::with_capacity(options.batch_size);
    let mut backlog = backlog.peekable();
    while backlog.peek().is_some() {
        batch.clear();
        for message in backlog.by_ref().take(options.batch_size.max(1)) {
            let message = message?;
            batch.push(RawMail {
                source: message.source,
                channel: Channel::Email,
                raw: message.raw,
                provider_thread: None,
                oversized: None,
            });
        }
        let outcomes = process_batch(&desk, db.as_ref(), &batch, options.dry_run).await?;
        for (mail, outcome) in batch.iter().zip(&outcomes) {
            summary.count(outcome);
            if options.json {
                serde_json::to_writer(&mut *out, &line(&mail.source, outcome))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        if options.json {
            out.flush()?;
        }
        if let Some(bar) = &bar {
            bar.inc(batch.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}

/// One line of `--json`: the contract of `frontdesk-poller import --json`, also what the API
/// answers for mail posted to it.
#[must_use]
pub fn line(source: &str, outcome: &Outcome) -> serde_json::Value {
    match outcome {
        Outcome::Ingested(r) => json!({
            "source": source,
            "outcome": r.outcome.as_str(),
            "ticket": r.ticket.map(|t| t.to_string()),
            "message_id": r.message_id.to_header(),
            "priority": r.priority.map(|p| p.as_str()),
            "category": r.category.map(|c| c.as_str()),
            "auto_reply": r.auto_reply.is_some(),
            "error": null,
        }),
        Outcome::Quarantined {
            message_id,
            error,
            kind,
        } => json!({
            "source": source,
            "outcome": "quarantined",
            "ticket": null,
            "message_id": message_id.to_header(),
            "priority": null,
            "category": null,
            // Machine mail kept apart is machine mail: the flag says so.
            "auto_reply": *kind == QuarantineKind::Machine,
            "error": error,
        }),
    }
}

/// The summary printed on stderr.
#[must_use]
pub fn describe(summary: &Tally, elapsed: std::time::Duration, dry_run: bool) -> String {
    let secs = elapsed.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = if secs > 0.0 {
        summary.messages as f64 / secs
    } else {
        0.0
    };
    format!(
        "{}{} messages in {secs:.1} s ({rate:.0}/s): {} created, {} appended, {} follow-ups, {} \
         duplicates, {} quarantined",
        if dry_run {
            "dry run, nothing written: "
        } else {
            ""
        },
        summary.messages,
        summary.created,
        summary.appended,
        summary.followups,
        summary.duplicates,
        summary.quarantined
    )
}
