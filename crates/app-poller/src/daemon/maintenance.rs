//! The maintenance pass: SLA sweep, assignment, webhooks, the jobs queue and notification
//! digests, auto-close; and its loop.

use super::*;

/// What one maintenance pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    pub warnings: u32,
    pub breaches: u32,
    pub assigned: u32,
    pub closed: u32,
    /// Satisfaction surveys queued.
    pub surveys: usize,
    pub jobs: JobReport,
}

/// SLA sweep, auto-assignment, webhook dispatch, satisfaction surveys, the jobs queue (until
/// empty or `stop`), auto-close.
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
    match crate::satisfaction::send_surveys(app, app.desk.now()).await {
        Ok(n) => report.surveys = n,
        Err(e) => {
            first_error.get_or_insert_with(|| format!("satisfaction surveys: {e}"));
        }
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

pub(super) async fn maintenance_loop(
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
