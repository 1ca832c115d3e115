//! `frontdesk-poller`: the daemon that ingests mailboxes and runs SLA sweeps, assignment, the
//! jobs queue and auto-close. Its commands (`run`, `once`, `import`, `migrate`, `check-config`)
//! are wired once the storage, mail and AI adapters exist; until then the binary only reports
//! its version so the workspace layout and packaging can be checked.

use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => {
            println!("frontdesk-poller {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "frontdesk-poller {}: no commands are available in this build yet \
                 (the poller lands with the adapters; see README.md)",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::from(2)
        }
    }
}
