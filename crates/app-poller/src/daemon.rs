//! The background work: one pass of everything (`once`), and the daemon (`run`) — a task per
//! mailbox, polled on its interval and woken early by IMAP IDLE, plus a maintenance task for
//! SLA sweeps, assignment, jobs and auto-close. Failures back off exponentially to a cap and
//! recover by themselves; shutdown stops between messages and jobs.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, watch};

use crate::app::{Frontdesk, Mailbox};
use frontdesk_domain::ports::MailboxLeases;

use crate::intake::{IntakeError, Lease, PassReport, drain};
use crate::jobs::{JobReport, run_jobs, send_digests};

/// What the daemon's health check reports: when the database last answered, and the last
/// error seen.
#[derive(Debug, Default)]
pub struct Health {
    /// Unix seconds of the last successful maintenance pass.
    last_ok: AtomicI64,
    last_error: std::sync::Mutex<Option<String>>,
}

impl Health {
    fn ok(&self) {
        self.last_ok
            .store(Utc::now().timestamp(), Ordering::Relaxed);
        if let Ok(mut e) = self.last_error.lock() {
            *e = None;
        }
    }

    fn failed(&self, error: &str) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = Some(error.to_owned());
        }
    }

    /// `Ok` when a maintenance pass succeeded within `stale`; otherwise why not.
    ///
    /// # Errors
    /// The reason the daemon is unhealthy.
    pub fn check(&self, stale: Duration) -> Result<(), String> {
        let last = self.last_ok.load(Ordering::Relaxed);
        let age = Utc::now().timestamp() - last;
        let error = self.last_error.lock().ok().and_then(|e| e.clone());
        if let Some(error) = error {
            return Err(error);
        }
        if last > 0 && age <= i64::try_from(stale.as_secs()).unwrap_or(i64::MAX) {
            return Ok(());
        }
        Err(if last == 0 {
            "no maintenance pass has completed yet".to_owned()
        } else {
            format!("the last successful pass was {age} s ago")
        })
    }
}

/// What one maintenance pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    pub warnings: u32,
    pub breaches: u32,
    pub assigned: u32,
    pub closed: u32,
    pub jobs: JobReport,
}

/// Exponential backoff: 1 s doubling to a cap.
#[derive(Debug)]
struct Backoff {
    next: Duration,
    cap: Duration,
}

impl Backoff {
    fn new(cap: Duration) -> Self {
        Self {
            next: Duration::from_secs(1),
            cap,
        }
    }

    fn reset(&mut self) {
        self.next = Duration::from_secs(1);
    }

    fn step(&mut self) -> Duration {
        let wait = self.next.min(self.cap);
        self.next = (self.next * 2).min(self.cap);
        wait
    }
}

/// Reads every mailbox once, then runs one maintenance pass.
///
/// # Errors
/// The first failure, after every mailbox and the maintenance pass were tried.
pub async fn once(app: &Frontdesk) -> Result<(Vec<PassReport>, MaintenanceReport), String> {
    let mut first_error = None;
    let mut reports = Vec::new();
    for (name, result) in ingest_pass(app).await {
        match result {
            Ok(report) => reports.push(report),
            Err(e) => {
                first_error.get_or_insert_with(|| format!("mailbox {name}: {e}"));
                reports.push(PassReport::default());
            }
        }
    }
    let maintenance = match maintain(app, &|| false).await {
        Ok(report) => report,
        Err(e) => {
            first_error.get_or_insert_with(|| e.clone());
            MaintenanceReport::default()
        }
    };
    match first_error {
        None => Ok((reports, maintenance)),
        Some(e) => Err(e),
    }
}

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
async fn poll_all(app: &Frontdesk, mailbox: &Mailbox) -> Result<PassReport, IntakeError> {
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
async fn poll(
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
    let report = drain(
        &app.desk,
        app.db.as_ref(),
        mailbox.source.as_ref(),
        lease,
        app.config.poller.batch_size,
        BATCHES_PER_PASS,
        stop,
    )
    .await?;
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

/// SLA sweep, auto-assignment, the jobs queue (until empty or `stop`), auto-close.
///
/// # Errors
/// A description of the first step that failed; later steps still ran.
pub async fn maintain(
    app: &Frontdesk,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<MaintenanceReport, String> {
    let mut report = MaintenanceReport::default();
    let mut first_error: Option<String> = None;
    if let Err(e) = app.reload_sla().await {
        first_error.get_or_insert_with(|| format!("SLA policies: {e}"));
    }
    match app.desk.sla_sweep().await {
        Ok(r) => {
            report.warnings = r.warnings;
            report.breaches = r.breaches;
            metrics::counter!("frontdesk_sla_breaches_total").increment(u64::from(r.breaches));
            metrics::counter!("frontdesk_sla_warnings_total").increment(u64::from(r.warnings));
        }
        Err(e) => {
            first_error.get_or_insert_with(|| format!("SLA sweep: {e}"));
        }
    }
    match app.desk.auto_assign().await {
        Ok(r) => report.assigned = r.assigned,
        Err(e) => {
            first_error.get_or_insert_with(|| format!("auto-assignment: {e}"));
        }
    }
    if let Err(e) = app.db.dispatch_webhook_events(1_000, app.desk.now()).await {
        first_error.get_or_insert_with(|| format!("webhook dispatch: {e}"));
    }
    let batch = app.config.poller.job_batch.max(1);
    // Jobs may queue jobs (an AI draft queues saving it); run rounds until the queue has
    // nothing due, bounded so a pass always ends. Staff notifications wait for the end of the
    // pass and go out as one digest per person.
    let mut notices = Vec::new();
    for _ in 0..100 {
        if stop() {
            break;
        }
        match run_jobs(app, batch, stop, &mut notices).await {
            Ok(r) => {
                report.jobs.add(&r);
                if r.claimed == 0 {
                    break;
                }
            }
            Err(e) => {
                first_error.get_or_insert_with(|| format!("jobs: {e}"));
                break;
            }
        }
    }
    if let Err(e) = send_digests(app, notices, &mut report.jobs).await {
        first_error.get_or_insert_with(|| format!("notification digests: {e}"));
    }
    match app.desk.auto_close().await {
        Ok(r) => report.closed = r.closed,
        Err(e) => {
            first_error.get_or_insert_with(|| format!("auto-close: {e}"));
        }
    }
    match first_error {
        None => Ok(report),
        Some(e) => {
            tracing::error!(error = %e, "maintenance pass failed");
            Err(e)
        }
    }
}

/// Runs until `shutdown` turns true: one task per mailbox and one for maintenance.
pub async fn run(app: Arc<Frontdesk>, shutdown: watch::Receiver<bool>, health: Arc<Health>) {
    let wake = Arc::new(Notify::new());
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..app.mailboxes.len() {
        let app = app.clone();
        let shutdown = shutdown.clone();
        let wake = wake.clone();
        tasks.spawn(async move { mailbox_loop(&app, index, shutdown, &wake).await });
    }
    {
        let app = app.clone();
        let shutdown = shutdown.clone();
        let wake = wake.clone();
        tasks.spawn(async move { maintenance_loop(&app, shutdown, &wake, &health).await });
    }
    while tasks.join_next().await.is_some() {}
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow()
}

/// Sleeps for `wait`, returning early (with `true`) when shutdown begins.
async fn pause(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    if stopping(shutdown) {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(wait) => stopping(shutdown),
        _ = shutdown.changed() => true,
    }
}

async fn mailbox_loop(
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

async fn read_mailbox(
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

async fn maintenance_loop(
    app: &Frontdesk,
    mut shutdown: watch::Receiver<bool>,
    wake: &Notify,
    health: &Health,
) {
    let interval = Duration::from_secs(app.config.poller.interval_secs.max(1));
    let mut backoff = Backoff::new(Duration::from_secs(
        app.config.poller.max_backoff_secs.max(1),
    ));
    loop {
        if stopping(&shutdown) {
            return;
        }
        let stop_flag = shutdown.clone();
        let stop = move || *stop_flag.borrow();
        let wait = match maintain(app, &stop).await {
            Ok(_) => {
                health.ok();
                backoff.reset();
                interval
            }
            Err(e) => {
                health.failed(&e);
                backoff.step().min(interval)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(5));
        let waits: Vec<u64> = (0..5).map(|_| b.step().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.step().as_secs(), 1);
    }

    #[test]
    fn health_is_stale_without_a_recent_pass() {
        let h = Health::default();
        assert!(h.check(Duration::from_secs(60)).is_err());
        h.ok();
        assert!(h.check(Duration::from_secs(60)).is_ok());
        h.failed("database down");
        assert_eq!(
            h.check(Duration::from_secs(60)),
            Err("database down".into())
        );
        h.ok();
        assert!(h.check(Duration::from_secs(60)).is_ok());
    }
}
