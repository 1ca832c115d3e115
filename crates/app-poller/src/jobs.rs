//! The jobs runner: outbound mail, drafts, acknowledgements, AI analysis and drafts, staff
//! notifications — each claimed under a lease, retried with backoff on temporary failures,
//! failed for good (and, for a customer reply, noted on the ticket) on permanent ones.

use chrono::TimeDelta;
use frontdesk_adapters_db::AttemptRecord;
use frontdesk_domain::ports::{
    ClaimedJob, Job, JobQueue, MailError, OutboundEmail, StoreError, TicketRepository,
};
use frontdesk_domain::service::AssistError;
use frontdesk_domain::webhook::DeliveryState;

use crate::app::Frontdesk;

/// Counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    pub claimed: usize,
    pub done: usize,
    pub retried: usize,
    pub failed: usize,
}

impl JobReport {
    pub fn add(&mut self, other: &Self) {
        self.claimed += other.claimed;
        self.done += other.done;
        self.retried += other.retried;
        self.failed += other.failed;
    }
}

/// Why a job did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// Try again later.
    Transient(String),
    /// Trying again will not help.
    Permanent(String),
}

impl From<MailError> for Failure {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Transient(m) => Self::Transient(m),
            MailError::Permanent(m) => Self::Permanent(m),
        }
    }
}

impl From<crate::outbound::DeliveryError> for Failure {
    fn from(e: crate::outbound::DeliveryError) -> Self {
        match e {
            crate::outbound::DeliveryError::Transient(m) => Self::Transient(m),
            crate::outbound::DeliveryError::Permanent(m) => Self::Permanent(m),
        }
    }
}

impl Failure {
    fn message(&self) -> &str {
        match self {
            Self::Transient(m) | Self::Permanent(m) => m,
        }
    }
}

/// How a job was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    Done,
    /// Queued again for this instant.
    Retry(chrono::DateTime<chrono::Utc>),
    Failed,
}

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most an hour.
fn retry_delay(attempts: u32) -> TimeDelta {
    let doublings = attempts.saturating_sub(1).min(7);
    TimeDelta::seconds(30 * (1_i64 << doublings)).min(TimeDelta::hours(1))
}

/// Claims up to `limit` due jobs and runs them one after another. `stop` is asked between jobs;
/// jobs claimed but not started when it says yes are handed back at once. Staff notifications
/// are not sent one by one: they are handed to `notices`, for [`send_digests`] at the end of
/// the pass.
///
/// # Errors
/// [`StoreError`] when the queue cannot be read or updated.
pub async fn run_jobs(
    app: &Frontdesk,
    limit: u32,
    stop: &(dyn Fn() -> bool + Sync),
    notices: &mut Vec<ClaimedJob>,
) -> Result<JobReport, StoreError> {
    let lease = TimeDelta::seconds(i64::try_from(app.config.poller.job_lease_secs).unwrap_or(300));
    let claimed = app.db.claim(app.desk.now(), lease, limit).await?;
    let mut report = JobReport {
        claimed: claimed.len(),
        ..JobReport::default()
    };
    for job in claimed {
        if stop() {
            app.db
                .fail(job.id, "handed back at shutdown", Some(app.desk.now()))
                .await?;
        } else if matches!(job.job, Job::Notify(_)) {
            notices.push(job);
        } else if let Job::DeliverWebhook(d) = &job.job {
            let attempt = crate::outbound::deliver(&app.db, &app.webhooks, d).await;
            let (id, attempts) = (job.id, job.attempts);
            let skipped = matches!(attempt.outcome, Ok(crate::outbound::Sent::Skipped));
            let result = attempt.outcome.map(|_| ()).map_err(Failure::from);
            let error = result.as_ref().err().map(|f| f.message().to_owned());
            let settled = settle(app, job, result, &mut report).await?;
            let state = match settled {
                _ if skipped => DeliveryState::Skipped,
                Settled::Done => DeliveryState::Delivered,
                Settled::Retry(_) => DeliveryState::Retrying,
                Settled::Failed => DeliveryState::Failed,
            };
            let record = AttemptRecord {
                attempts,
                http_status: attempt.status,
                error: error.as_deref(),
                state,
                next_attempt_at: match settled {
                    Settled::Retry(at) => Some(at),
                    _ => None,
                },
                at: app.desk.now(),
            };
            app.db.record_webhook_attempt(id, &record).await?;
        } else {
            let result = execute(app, &job.job).await;
            settle(app, job, result, &mut report).await?;
        }
    }
    Ok(report)
}

/// Sends the staff notifications a pass collected as one digest per person (the domain's
/// [`Helpdesk::digests`](frontdesk_domain::service::Helpdesk::digests): what each person turned
/// off left out) and settles their jobs: a job is done when its person's digest went out (or
/// held nothing they receive), and retried with that digest's error otherwise.
///
/// # Errors
/// [`StoreError`] when the queue cannot be updated.
pub async fn send_digests(
    app: &Frontdesk,
    notices: Vec<ClaimedJob>,
    report: &mut JobReport,
) -> Result<(), StoreError> {
    let notes: Vec<_> = notices
        .iter()
        .filter_map(|j| match &j.job {
            Job::Notify(n) => Some((**n).clone()),
            _ => None,
        })
        .collect();
    if notes.is_empty() || notes.len() != notices.len() {
        return Ok(());
    }
    let mut failures: Vec<Option<Failure>> = vec![None; notices.len()];
    match app.desk.digests(&notes).await {
        Ok(digests) => {
            for d in digests {
                let Some(mail) = &d.mail else { continue };
                if let Err(f) = send(app, mail).await {
                    for i in d.covers {
                        if let Some(slot) = failures.get_mut(i) {
                            slot.get_or_insert_with(|| f.clone());
                        }
                    }
                }
            }
        }
        Err(e) => failures.fill(Some(Failure::Transient(e.to_string()))),
    }
    for (job, failure) in notices.into_iter().zip(failures) {
        settle(app, job, failure.map_or(Ok(()), Err), report).await?;
    }
    Ok(())
}

/// Records how a job went: done, retried later, or failed for good.
async fn settle(
    app: &Frontdesk,
    job: ClaimedJob,
    result: Result<(), Failure>,
    report: &mut JobReport,
) -> Result<Settled, StoreError> {
    let kind = job.job.kind();
    let max_attempts = app.config.poller.job_max_attempts.max(1);
    match result {
        Ok(()) => {
            app.db.complete(job.id).await?;
            report.done += 1;
            metrics::counter!("frontdesk_jobs_total", "kind" => kind, "result" => "done")
                .increment(1);
            Ok(Settled::Done)
        }
        Err(Failure::Transient(error)) if job.attempts < max_attempts => {
            let at = app.desk.now() + retry_delay(job.attempts);
            tracing::warn!(job = %job.id, kind, attempt = job.attempts, %error, "job failed; will retry");
            app.db.fail(job.id, &error, Some(at)).await?;
            report.retried += 1;
            metrics::counter!("frontdesk_jobs_total", "kind" => kind, "result" => "retried")
                .increment(1);
            Ok(Settled::Retry(at))
        }
        Err(Failure::Transient(error) | Failure::Permanent(error)) => {
            tracing::error!(job = %job.id, kind, attempt = job.attempts, %error, "job failed for good");
            app.db.fail(job.id, &error, None).await?;
            report.failed += 1;
            metrics::counter!("frontdesk_jobs_total", "kind" => kind, "result" => "failed")
                .increment(1);
            if let Job::SendEmail(mail) = &job.job
                && let Some(ticket) = mail.ticket_id
                && let Err(e) = app.desk.record_delivery_failure(ticket, mail, &error).await
            {
                tracing::error!(%ticket, error = %e, "cannot note the failed delivery on the ticket");
            }
            Ok(Settled::Failed)
        }
    }
}

async fn send(app: &Frontdesk, mail: &OutboundEmail) -> Result<(), Failure> {
    app.sender.send(mail).await?;
    metrics::counter!("frontdesk_mails_sent_total").increment(1);
    Ok(())
}

async fn execute(app: &Frontdesk, job: &Job) -> Result<(), Failure> {
    match job {
        Job::SendEmail(mail) => send(app, mail).await,
        // Run by `run_jobs` itself, which logs each attempt.
        Job::DeliverWebhook(d) => crate::outbound::deliver(&app.db, &app.webhooks, d)
            .await
            .outcome
            .map(|_| ())
            .map_err(Failure::from),
        Job::SaveDraft(mail) => match &app.drafts {
            Some(drafts) => Ok(drafts.save_draft(mail).await?),
            // No mailbox keeps drafts (SMTP with IMAP): the draft stays on the ticket.
            None => Ok(()),
        },
        Job::AutoAcknowledge {
            ticket_id,
            answered,
            message_id,
            ..
        } => {
            let ticket = TicketRepository::get(app.db.as_ref(), *ticket_id)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?
                .ok_or_else(|| Failure::Permanent(format!("ticket {ticket_id} is gone")))?;
            match app
                .desk
                .acknowledgement(&ticket, answered, message_id.as_ref())
            {
                Some(mail) => send(app, &mail).await,
                None => Ok(()),
            }
        }
        Job::DraftReply { ticket_id } => {
            let result = app
                .desk
                .assist(
                    *ticket_id,
                    app.assistant.as_ref(),
                    &app.knowledge,
                    app.orders.as_ref(),
                    &app.draft_context,
                )
                .await;
            match result {
                Ok(outcome) => {
                    let usage = &outcome.record.usage;
                    metrics::counter!("frontdesk_ai_calls_total", "result" => "ok").increment(2);
                    metrics::counter!("frontdesk_ai_tokens_total", "kind" => "prompt")
                        .increment(usage.prompt_tokens);
                    metrics::counter!("frontdesk_ai_tokens_total", "kind" => "completion")
                        .increment(usage.completion_tokens);
                    Ok(())
                }
                Err(AssistError::Ai(e)) => {
                    metrics::counter!("frontdesk_ai_calls_total", "result" => "error").increment(1);
                    Err(if e.is_transient() {
                        Failure::Transient(e.to_string())
                    } else {
                        Failure::Permanent(e.to_string())
                    })
                }
                Err(AssistError::NotFound(id)) => {
                    Err(Failure::Permanent(format!("ticket {id} is gone")))
                }
                Err(AssistError::Ticket(e)) => Err(Failure::Transient(e.to_string())),
            }
        }
        Job::Notify(notification) => send(app, &app.desk.notification_mail(notification)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2), TimeDelta::seconds(60));
        assert_eq!(retry_delay(5), TimeDelta::seconds(480));
        assert_eq!(retry_delay(50), TimeDelta::hours(1));
    }
}
