//! Pages in a real Chromium (`scripts/browser.sh`): the server runs in-process on a fresh
//! PostgreSQL database, the browser is driven through WebDriver at desktop and phone sizes,
//! and axe-core checks every page it reaches.

mod axe;
mod confirm;
mod driver;

use chrono::Utc;
use frontdesk_adapters_db::testing::Fresh;
use frontdesk_domain::ports::{Job, JobQueue as _};
use frontdesk_http::startup::{Application, Options};
use frontdesk_poller::config::Config;
use serde_json::json;

/// The server the browser talks to.
#[derive(Debug)]
pub struct Site {
    pub base: String,
    fresh: Fresh,
    _dir: tempfile::TempDir,
}

impl Site {
    pub async fn start() -> Self {
        let fresh = Fresh::postgres().await;
        let dir = tempfile::tempdir().unwrap();
        let config_file = dir.path().join("frontdesk.toml");
        std::fs::write(
            &config_file,
            format!(
                "[helpdesk]\nsupport_address = \"support@frontdesk.test\"\n\n\
                 [database]\nurl = \"{}\"\n\n[ai]\nmode = \"off\"\n\n\
                 [outbox]\npath = \"{}\"\n\n\
                 [[mailbox]]\nkind = \"maildir\"\npath = \"{}\"\n\n\
                 [http]\npublic_url = \"https://help.frontdesk.test\"\n",
                fresh.url,
                dir.path().join("outbox").display(),
                dir.path().join("maildir").display(),
            ),
        )
        .unwrap();
        let config = Config::load_with_env(Some(&config_file), &[]).unwrap();
        let app = Application::build(
            config,
            Options {
                bind: "127.0.0.1:0".to_owned(),
                with_poller: false,
                metrics: None,
                workers: Some(1),
            },
        )
        .await
        .unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            fresh,
            _dir: dir,
        }
    }

    /// Registers `email` with `password` through the API and returns the link of the
    /// confirmation mail, pointed at this server.
    pub async fn register(&self, email: &str, password: &str) -> String {
        let answer = reqwest::Client::new()
            .post(format!("{}/api/auth/register", self.base))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 202, "{:?}", answer.text().await);
        let claimed = self
            .fresh
            .db
            .claim(Utc::now(), chrono::TimeDelta::minutes(5), 100)
            .await
            .unwrap();
        let mail = claimed
            .into_iter()
            .find_map(|c| match c.job {
                Job::SendEmail(m) if m.to.iter().any(|to| to.as_str() == email) => Some(m),
                _ => None,
            })
            .expect("a confirmation mail was queued");
        // The mail links to the configured public URL; the test server listens elsewhere.
        let public = "https://help.frontdesk.test";
        let at = mail.body_text.find(public).expect("a link in the mail") + public.len();
        let path: String = mail.body_text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert!(path.starts_with("/verify-email?token="), "{path}");
        format!("{}{path}", self.base)
    }

    pub async fn finish(self) {
        self.fresh.finish().await;
    }
}
