//! `frontdesk-http`: the staff REST API and dashboard server (`serve`). It is wired once the
//! storage, mail and AI adapters exist; until then the binary only reports its version so the
//! workspace layout and packaging can be checked.

use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => {
            println!("frontdesk-http {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "frontdesk-http {}: no commands are available in this build yet \
                 (the API server lands with the adapters; see README.md)",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::from(2)
        }
    }
}
