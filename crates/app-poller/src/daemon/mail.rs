//! Reading the mailboxes: one pass over all of them, and each mailbox's own loop (its interval,
//! woken early by IMAP IDLE, backing off on failures).

use super::*;

/// Reads every mailbox until it has nothing new (or another poller holds it), then lets go of
/// the leases; each mailbox's report or error, in configuration order. What `once` and the
/// API's "poll now" do.
pub async fn ingest_pass(app: &Frontdesk) -> Vec<(String, Result<PassReport, String>)> {
    let mut results = Vec::new();
    for mailbox in &app.mailboxes {
        let result = poll_all(app, mailbox).await.map_err(|e| {
            tracing::error!(mailbox = %mailbox.name, error = %e, "mailbox pass failed");
            e.to_string()
        });
        results.push((mailbox.name.clone(), result));
    }
    for mailbox in &app.mailboxes {
        if let Err(e) = app.db.release(&mailbox.name, &app.holder).await {
            tracing::warn!(mailbox = %mailbox.name, error = %e, "cannot release the mailbox lease");
        }
    }
    results
}

/// Passes over `mailbox` until it has nothing new.
pub(super) async fn poll_all(
    app: &Frontdesk,
    mailbox: &Mailbox,
) -> Result<PassReport, IntakeError> {
    let mut total = PassReport::default();
    loop {
        let r = poll(app, mailbox, &|| false).await?;
        total.mails.add(&r.mails);
        if !r.more {
            return Ok(total);
        }
    }
}

/// Batches read per pass, so other mailboxes and the lease's other contenders get a turn.
const BATCHES_PER_PASS: usize = 20;

/// One pass over `mailbox` while this process holds (or can take) its lease; another poller
/// holding it makes the pass an empty one.
pub(super) async fn poll(
    app: &Frontdesk,
    mailbox: &Mailbox,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<PassReport, IntakeError> {
    let lease = Lease {
        leases: app.db.as_ref(),
        mailbox: &mailbox.name,
        holder: &app.holder,
        ttl: chrono::TimeDelta::seconds(
            i64::try_from(app.config.poller.mailbox_lease_secs).unwrap_or(30),
        ),
    };
    let result = drain(
        &app.desk,
        app.db.as_ref(),
        mailbox.source.as_ref(),
        lease,
        app.config.poller.batch_size,
        BATCHES_PER_PASS,
        stop,
    )
    .await;
    // The console's mail page shows how each mailbox's last pass went, whichever process ran it.
    let error = result.as_ref().err().map(ToString::to_string);
    let outcome = match (&result, &error) {
        (Ok(r), _) => Ok(r.mails.messages as u64),
        (Err(_), Some(e)) => Err(e.as_str()),
        (Err(_), None) => Err("the pass failed"),
    };
    // A pass that found another poller holding the mailbox says nothing of how it goes.
    let elsewhere = result.as_ref().is_ok_and(|r| r.elsewhere);
    if !elsewhere
        && let Err(e) = app
            .db
            .record_mailbox_pass(&mailbox.name, mailbox.kind, app.desk.now(), outcome)
            .await
    {
        tracing::warn!(mailbox = %mailbox.name, error = %e, "cannot record the mailbox pass");
    }
    let report = result?;
    let m = &report.mails;
    if m.messages > 0 {
        tracing::info!(
            mailbox = %mailbox.name,
            fetched = m.messages,
            created = m.created,
            appended = m.appended,
            followups = m.followups,
            duplicates = m.duplicates,
            quarantined = m.quarantined,
            "mail ingested"
        );
    }
    Ok(report)
}

pub(super) async fn mailbox_loop(
    app: &Frontdesk,
    index: usize,
    mut shutdown: watch::Receiver<bool>,
    wake: &Notify,
) {
    let Some(mailbox) = app.mailboxes.get(index) else {
        return;
    };
    read_mailbox(app, mailbox, &mut shutdown, wake).await;
    if let Err(e) = app.db.release(&mailbox.name, &app.holder).await {
        tracing::warn!(mailbox = %mailbox.name, error = %e, "cannot release the mailbox lease");
    }
}

pub(super) async fn read_mailbox(
    app: &Frontdesk,
    mailbox: &Mailbox,
    shutdown: &mut watch::Receiver<bool>,
    wake: &Notify,
) {
    let mut backoff = Backoff::new(Duration::from_secs(
        app.config.poller.max_backoff_secs.max(1),
    ));
    loop {
        if stopping(shutdown) {
            return;
        }
        let stop_flag = shutdown.clone();
        let stop = move || *stop_flag.borrow();
        match poll(app, mailbox, &stop).await {
            Ok(report) => {
                backoff.reset();
                if report.mails.placed() > 0 {
                    wake.notify_one();
                }
                if report.more {
                    continue;
                }
            }
            Err(e) => {
                let wait = backoff.step();
                tracing::warn!(mailbox = %mailbox.name, error = %e, retry_in_s = wait.as_secs(), "mailbox pass failed");
                metrics::counter!("frontdesk_poll_errors_total", "mailbox" => mailbox.name.clone())
                    .increment(1);
                if pause(shutdown, wait).await {
                    return;
                }
                continue;
            }
        }
        let stopped = match &mailbox.idle {
            Some(imap) => {
                let waited = tokio::select! {
                    r = imap.wait_for_change(mailbox.interval) => Some(r),
                    _ = shutdown.changed() => None,
                };
                match waited {
                    None => true,
                    Some(Ok(_)) => stopping(shutdown),
                    Some(Err(e)) => {
                        tracing::warn!(mailbox = %mailbox.name, error = %e, "IDLE failed; polling instead");
                        let wait = backoff.step();
                        pause(shutdown, wait).await
                    }
                }
            }
            None => pause(shutdown, mailbox.interval).await,
        };
        if stopped {
            return;
        }
    }
}
