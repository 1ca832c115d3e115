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

mod health;
mod mail;
mod maintenance;

pub use health::Health;
pub use mail::ingest_pass;
use mail::mailbox_loop;
use maintenance::maintenance_loop;
pub use maintenance::{MaintenanceReport, maintain};

/// Exponential backoff: 1 s doubling to a cap.
#[derive(Debug)]
pub(super) struct Backoff {
    next: Duration,
    cap: Duration,
}

impl Backoff {
    pub(super) fn new(cap: Duration) -> Self {
        Self {
            next: Duration::from_secs(1),
            cap,
        }
    }

    pub(super) fn reset(&mut self) {
        self.next = Duration::from_secs(1);
    }

    pub(super) fn step(&mut self) -> Duration {
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

/// Runs until `shutdown` turns true: one task per mailbox, one for maintenance, and the sender
/// (the jobs queue when [`Frontdesk::send_now`] is notified).
pub async fn run(app: Arc<Frontdesk>, shutdown: watch::Receiver<bool>, health: Arc<Health>) {
    let wake = app.wake.clone();
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
    {
        let app = app.clone();
        let shutdown = shutdown.clone();
        tasks.spawn(async move { sender_loop(&app, shutdown).await });
    }
    while tasks.join_next().await.is_some() {}
}

/// The jobs queue run whenever [`Frontdesk::send_now`] is notified, apart from the maintenance
/// pass: claims are exclusive, so both may run jobs at once without doing one twice.
async fn sender_loop(app: &Frontdesk, mut shutdown: watch::Receiver<bool>) {
    let batch = app.config.poller.job_batch.max(1);
    loop {
        tokio::select! {
            () = app.send_now.notified() => {}
            _ = shutdown.changed() => return,
        }
        if stopping(&shutdown) {
            return;
        }
        let stop_flag = shutdown.clone();
        let stop = move || *stop_flag.borrow();
        let mut notices = Vec::new();
        let mut report = JobReport::default();
        for _ in 0..10 {
            match run_jobs(app, batch, &stop, &mut notices).await {
                Ok(r) if r.claimed > 0 => report.add(&r),
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the sender could not run the jobs queue");
                    break;
                }
            }
        }
        if let Err(e) = send_digests(app, notices, &mut report).await {
            tracing::warn!(error = %e, "the sender could not send notification digests");
        }
    }
}

pub(super) fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow()
}

/// Sleeps for `wait`, returning early (with `true`) when shutdown begins.
pub(super) async fn pause(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    if stopping(shutdown) {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(wait) => stopping(shutdown),
        _ = shutdown.changed() => true,
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
