//! The poller's library: configuration ([`config`], read through [`cli`]) shared with `frontdesk-http`, the wiring of
//! adapters to the domain ([`app`]), mailbox intake ([`intake`]), the jobs runner ([`jobs`]), the
//! background pass and daemon loop ([`daemon`]), backlog imports ([`import`], with [`dryrun`])
//! and logs, metrics and health ([`observe`]). `main.rs` only parses the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod dryrun;
pub mod import;
pub mod intake;
pub mod jobs;
pub mod observe;
pub mod outbound;
pub mod satisfaction;
