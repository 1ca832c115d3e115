//! Observability: structured logs (tracing, text or JSON) and the daemon's `/metrics`
//! (Prometheus text format, from the `metrics` facade) and `/healthz` endpoints.
//!
//! The endpoint server is deliberately tiny — GET only, one request per connection, headers
//! capped at 8 KiB — since it serves two fixed documents to a scraper on a private port.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::daemon::Health;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the log subscriber: `RUST_LOG` filters (default: `info`, libraries at `warn`), to
/// stderr.
pub fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sea_orm=warn,sea_orm_migration=warn,sqlx=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Installs the Prometheus recorder behind the `metrics` macros and describes the metrics.
///
/// # Errors
/// A message when a recorder is already installed.
pub fn init_metrics() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| e.to_string())?;
    metrics::describe_counter!(
        "frontdesk_mails_ingested_total",
        "Mails read from mailboxes, by mailbox and outcome (created, appended, followup, duplicate, quarantined)"
    );
    metrics::describe_counter!(
        "frontdesk_mails_quarantined_total",
        "Mails kept in quarantine with their raw bytes"
    );
    metrics::describe_counter!("frontdesk_mails_sent_total", "Mails sent");
    metrics::describe_histogram!(
        "frontdesk_poll_batch_seconds",
        "Time to fetch, ingest and acknowledge one batch of mail"
    );
    metrics::describe_counter!(
        "frontdesk_poll_errors_total",
        "Failed mailbox passes (retried with backoff)"
    );
    metrics::describe_gauge!("frontdesk_jobs_queued", "Jobs waiting to run");
    metrics::describe_counter!("frontdesk_jobs_total", "Jobs run, by kind and result");
    metrics::describe_counter!("frontdesk_sla_breaches_total", "SLA clocks breached");
    metrics::describe_counter!("frontdesk_sla_warnings_total", "SLA warnings raised");
    metrics::describe_counter!("frontdesk_ai_calls_total", "AI assistant calls, by result");
    metrics::describe_counter!("frontdesk_ai_tokens_total", "AI tokens used, by kind");
    Ok(handle)
}

/// Serves `/metrics` and `/healthz` on `listener` until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    metrics: PrometheusHandle,
    health: Arc<Health>,
    stale: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((mut stream, _)) = accepted else {
            continue;
        };
        let metrics = metrics.clone();
        let health = health.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8 * 1024];
            let mut filled = 0;
            let read = tokio::time::timeout(Duration::from_secs(5), async {
                while filled < buf.len() {
                    let n = stream.read(&mut buf[filled..]).await?;
                    if n == 0 {
                        break;
                    }
                    filled += n;
                    if buf[..filled].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                Ok::<_, std::io::Error>(())
            })
            .await;
            if !matches!(read, Ok(Ok(()))) {
                return;
            }
            let request = String::from_utf8_lossy(&buf[..filled]);
            let line = request.lines().next().unwrap_or("");
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let path = path.split('?').next().unwrap_or(path);
            let (status, content_type, body) = match (method, path) {
                ("GET", "/metrics") => (
                    "200 OK",
                    "text/plain; version=0.0.4; charset=utf-8",
                    metrics.render(),
                ),
                ("GET", "/healthz") => match health.check(stale) {
                    Ok(()) => (
                        "200 OK",
                        "application/json",
                        "{\"status\":\"ok\"}".to_owned(),
                    ),
                    Err(reason) => (
                        "503 Service Unavailable",
                        "application/json",
                        serde_json::json!({"status": "unhealthy", "reason": reason}).to_string(),
                    ),
                },
                ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_owned()),
                _ => (
                    "405 Method Not Allowed",
                    "text/plain",
                    "only GET\n".to_owned(),
                ),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}
