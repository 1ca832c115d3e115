//! `frontdesk-poller`: the daemon that ingests mailboxes and runs SLA sweeps, assignment, the
//! jobs queue and auto-close. Commands: `run`, `once`, `import`, `migrate`, `check-config`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use clap::{Parser, Subcommand};
use frontdesk_adapters_db::Database;
use frontdesk_adapters_gmail::backlog::Backlog;
use frontdesk_domain::service::ImportAs;
use frontdesk_poller::app::{Frontdesk, Workload, connect, migrate};
use frontdesk_poller::cli::CommonArgs;
use frontdesk_poller::config::Config;
use frontdesk_poller::daemon::{self, Health};
use frontdesk_poller::import::{ImportOptions, describe, import};
use frontdesk_poller::observe;
use tokio::sync::watch;

/// mimalloc returns freed memory to the system and keeps per-thread heaps small: peak RSS and
/// allocation time both dropped against glibc (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Frontdesk's mail poller and background worker.
#[derive(Debug, Parser)]
#[command(name = "frontdesk-poller", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: poll every mailbox, run SLA sweeps, assignment, jobs and auto-close.
    Run,
    /// One pass of everything `run` does, then exit (for cron or systemd timers).
    Once,
    /// Ingest a backlog: a .eml file, a directory of .eml files, a Maildir or an mbox file.
    Import {
        /// What to import.
        path: PathBuf,
        /// Classify and thread against the current database, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// One JSON object per message on stdout, in input order.
        #[arg(long)]
        json: bool,
        /// `closed`: the tickets are history (closed at their mail's date, no SLA measured);
        /// `open`: they enter the queue (SLA clocks from now). Default: open when the mail is
        /// at most `poller.import_open_within_days` old, closed when older.
        #[arg(long = "as", value_enum)]
        import_as: Option<ImportAsArg>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Check the configuration (and that the database answers), print a summary, exit.
    CheckConfig,
}

/// `import --as`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ImportAsArg {
    Closed,
    Open,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    observe::init_logs(cli.common.log_format);
    // One TLS provider for every client in the process (ring; see docs/decisions.md).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("frontdesk-poller: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk-poller: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<(), String> {
    let config = cli.common.load()?;
    match cli.command {
        Command::Migrate => {
            let db = daemon_database(&config).await?;
            migrate(&db).await.map_err(|e| e.to_string())?;
            eprintln!("database schema is up to date");
            Ok(())
        }
        Command::CheckConfig => check_config(config).await,
        Command::Import {
            path,
            dry_run,
            json,
            import_as,
        } => {
            let backlog = Backlog::open(&path).map_err(|e| e.to_string())?;
            let db = daemon_database(&config).await?;
            if !dry_run {
                migrate(&db).await.map_err(|e| e.to_string())?;
            }
            let settings = config.helpdesk_settings().map_err(|e| e.to_string())?;
            let options = ImportOptions {
                dry_run,
                json,
                progress: !json && std::io::stdout().is_terminal(),
                batch_size: config.poller.batch_size.max(200),
                import_as: match import_as {
                    Some(ImportAsArg::Closed) => ImportAs::Closed,
                    Some(ImportAsArg::Open) => ImportAs::Open,
                    None => ImportAs::OpenWithin(TimeDelta::days(i64::from(
                        config.poller.import_open_within_days,
                    ))),
                },
            };
            let started = Instant::now();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let summary = import(Arc::new(db), settings, backlog, &options, &mut out)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("{}", describe(&summary, started.elapsed(), dry_run));
            Ok(())
        }
        Command::Once => {
            let app = build(config).await?;
            let (mailboxes, maintenance) = daemon::once(&app).await?;
            let fetched: usize = mailboxes.iter().map(|r| r.mails.messages).sum();
            eprintln!(
                "one pass: {fetched} mails read from {} mailboxes; {} jobs run ({} retried, {} failed); \
                 {} SLA warnings, {} breaches; {} assigned; {} closed",
                mailboxes.len(),
                maintenance.jobs.done,
                maintenance.jobs.retried,
                maintenance.jobs.failed,
                maintenance.warnings,
                maintenance.breaches,
                maintenance.assigned,
                maintenance.closed
            );
            Ok(())
        }
        Command::Run => run(config).await,
    }
}

/// The configured database, with the daemon's memory defaults.
async fn daemon_database(config: &Config) -> Result<Database, String> {
    connect(config, Workload::Daemon)
        .await
        .map_err(|e| e.to_string())
}

async fn build(config: Config) -> Result<Frontdesk, String> {
    let db = daemon_database(&config).await?;
    migrate(&db).await.map_err(|e| e.to_string())?;
    Frontdesk::build(config, db)
        .await
        .map_err(|e| e.to_string())
}

/// Checks the configuration without side effects: the wiring is built in a scratch directory
/// (its database, Maildirs and outbox; removed after), and the real database is only described
/// — a SQLite file that does not exist yet is not created, a schema is not migrated, no
/// mail folder is made.
async fn check_config(config: Config) -> Result<(), String> {
    let database = describe_database(&config).await;
    // Everything built goes to a scratch directory: the database, Maildirs, the outbox.
    let scratch = tempfile::Builder::new()
        .prefix("frontdesk-check-config-")
        .tempdir()
        .map_err(|e| format!("a scratch directory for the check: {e}"))?;
    let built = async {
        let mut wired = config.clone();
        wired.database.url = format!(
            "sqlite://{}?mode=rwc",
            scratch.path().join("check.sqlite").display()
        );
        wired.mailboxes = config
            .mailboxes()
            .into_iter()
            .enumerate()
            .map(|(i, m)| match m {
                frontdesk_poller::config::MailboxConfig::Maildir(mut d) => {
                    d.path = scratch.path().join(format!("maildir-{i}"));
                    frontdesk_poller::config::MailboxConfig::Maildir(d)
                }
                other => other,
            })
            .collect();
        wired.outbox.path = scratch.path().join("outbox");
        let db = daemon_database(&wired).await?;
        migrate(&db).await.map_err(|e| e.to_string())?;
        let mut app = Frontdesk::build(wired, db)
            .await
            .map_err(|e| e.to_string())?;
        app.config = config;
        Ok::<_, String>(app)
    }
    .await;
    let app = built?;
    let c = &app.config;
    println!("configuration is valid");
    println!("  support address: {}", c.helpdesk.support_address);
    println!("  database: {database}");
    for m in &app.mailboxes {
        println!(
            "  mailbox {} ({}), every {} s{}",
            m.name,
            m.kind,
            m.interval.as_secs(),
            if m.idle.is_some() { " and on IDLE" } else { "" }
        );
    }
    println!(
        "  outgoing mail: {}",
        if c.smtp.is_some() {
            "SMTP".to_owned()
        } else if app.mailboxes.iter().any(|m| m.kind == "gmail") {
            "Gmail".to_owned()
        } else {
            format!("local outbox {}", c.outbox.path.display())
        }
    );
    println!("  AI: {} in {} mode", c.ai.provider.as_str(), c.ai.mode);
    Ok(())
}

/// The configured database in words, read without changing it.
async fn describe_database(config: &Config) -> String {
    let url = &config.database.url;
    let kind = url.split(':').next().unwrap_or("?");
    if let Some(path) = frontdesk_adapters_db::sqlite_path(url)
        && !path.exists()
    {
        return format!(
            "{kind}, {} does not exist yet (the first start or `migrate` creates it)",
            path.display()
        );
    }
    let db = match daemon_database(config).await {
        Ok(db) => db,
        Err(e) => return format!("{kind}, not reachable: {e}"),
    };
    let known = frontdesk_adapters_db::Database::known_migrations();
    match db.applied_migrations().await {
        Ok(None) => {
            format!("{kind}, reachable, no schema yet (the first start or `migrate` creates it)")
        }
        Ok(Some(n)) if n < known => format!(
            "{kind}, {n} of {known} migrations applied (the next start or `migrate` applies the rest)"
        ),
        Ok(Some(_)) => format!("{kind}, up to date"),
        Err(e) => format!("{kind}, cannot be read: {e}"),
    }
}

async fn run(config: Config) -> Result<(), String> {
    let metrics = observe::init_metrics()?;
    let app = Arc::new(build(config).await?);
    let health = Arc::new(Health::default());
    let (stop, shutdown) = watch::channel(false);
    let interval = Duration::from_secs(app.config.poller.interval_secs);
    let mut server = None;
    let bind = app.config.poller.metrics_bind.trim().to_owned();
    if !bind.is_empty() {
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|e| format!("cannot listen on {bind} for /metrics: {e}"))?;
        tracing::info!(address = %bind, "serving /metrics and /healthz");
        server = Some(tokio::spawn(observe::serve(
            listener,
            metrics,
            health.clone(),
            interval * 3 + Duration::from_secs(30),
            shutdown.clone(),
        )));
    }
    tracing::info!(mailboxes = app.mailboxes.len(), "frontdesk-poller running");
    let daemon = tokio::spawn(daemon::run(app.clone(), shutdown, health));
    wait_for_signal().await?;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    // Finish the current message or job; give up waiting after 8 s so the process exits well
    // within systemd's default 10 s stop timeout.
    if tokio::time::timeout(Duration::from_secs(8), daemon)
        .await
        .is_err()
    {
        tracing::warn!("background work did not stop within 8 s; exiting anyway");
    }
    if let Some(server) = server {
        server.abort();
    }
    Ok(())
}

async fn wait_for_signal() -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
