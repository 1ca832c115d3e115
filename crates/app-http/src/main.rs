//! `frontdesk-http`: the staff REST API. `serve` (the default) listens on `--bind`; with
//! `--with-poller` the poller's loop runs in the same process, so a small team runs the whole
//! helpdesk as one process on SQLite.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use frontdesk_http::startup::{Application, Options};
use frontdesk_http::wiring::CommonArgs;
use frontdesk_http::wiring::{init_logs, init_metrics};

/// mimalloc, as in the poller (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Frontdesk's REST API server.
#[derive(Debug, Parser)]
#[command(name = "frontdesk-http", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Clone, clap::Args)]
struct ServeArgs {
    /// Address to listen on (default `http.bind`, `127.0.0.1:8080`).
    #[arg(long, value_name = "ADDR", env = "FRONTDESK_HTTP_BIND")]
    bind: Option<String>,
    /// Also run the poller's loop (mailboxes, SLA sweeps, jobs) in this process.
    #[arg(long)]
    with_poller: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.common.log_format);
    // One TLS provider for every client in the process (ring; see docs/decisions.md).
    let _ = rustls::crypto::ring::default_provider().install_default();
    match actix_web::rt::System::new().block_on(serve(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk-http: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> Result<(), String> {
    let config = cli.common.load()?;
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    let bind = args.bind.unwrap_or_else(|| config.http.bind.clone());
    let metrics = init_metrics().ok();
    let app = Application::build(
        config,
        Options {
            bind: bind.clone(),
            with_poller: args.with_poller,
            metrics,
            workers: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!(address = %bind, port = app.port(), with_poller = args.with_poller, "frontdesk-http listening");
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
