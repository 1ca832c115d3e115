//! `frontdesk-poller` as ops run it: the real binary, a fresh database (SQLite and PostgreSQL)
//! and real files, mailboxes and servers.

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod daemon;
mod imap;
mod import;
mod outage;
mod stored_html;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use frontdesk_adapters_db::testing::Fresh;

/// Declares one test per backend from one body: `both!(name, async |site: &Site| { … })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let site = $crate::Site::new($crate::Fresh::sqlite().await);
                ($body)(&site).await;
                site.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let site = $crate::Site::new($crate::Fresh::postgres().await);
                ($body)(&site).await;
                site.finish().await;
            }
        }
    };
}

/// A working directory and a database for one test.
#[derive(Debug)]
pub struct Site {
    pub dir: tempfile::TempDir,
    pub fresh: Fresh,
}

impl Site {
    pub fn new(fresh: Fresh) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            fresh,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A command running the poller in this site's directory on its database.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_frontdesk-poller"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("FRONTDESK_DATABASE_URL", &self.fresh.url)
            .env("RUST_LOG", "warn");
        c
    }

    pub fn poller(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub async fn finish(self) {
        self.fresh.finish().await;
    }
}

/// A plain customer mail.
pub fn mail(id: &str, from: &str, subject: &str, body: &str) -> String {
    format!(
        "From: Customer <{from}>\r\nTo: support@frontdesk.localhost\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n"
    )
}

pub fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
