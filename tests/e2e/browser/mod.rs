//! Pages in a real Chromium (`scripts/browser.sh`): the server runs in-process on a fresh
//! PostgreSQL database, the browser is driven through WebDriver at desktop and phone sizes,
//! and axe-core checks every page it reaches.

mod agent_day;
mod axe;
mod confirm;
mod console;
mod driver;
mod hostile;
mod journeys;
mod orders;
mod portal;
mod workspace;

use chrono::Utc;
use frontdesk_adapters_db::testing::Fresh;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{Job, JobQueue as _};
use frontdesk_domain::staff::{Availability, Role, Staff, StaffId};
use frontdesk_http::startup::{Application, Options};
use frontdesk_poller::config::Config;
use serde_json::json;

/// The server the browser talks to.
#[derive(Debug)]
pub struct Site {
    pub base: String,
    /// The helpdesk the server runs, for the poller's work (the jobs queue) in tests.
    desk: std::sync::Arc<frontdesk_poller::app::Frontdesk>,
    fresh: Fresh,
    _dir: tempfile::TempDir,
}

impl Site {
    pub async fn start() -> Self {
        Self::start_with("").await
    }

    /// A site whose configuration file ends with `extra`.
    pub async fn start_with(extra: &str) -> Self {
        Self::start_configured("", extra).await
    }

    /// A site with `helpdesk` in its `[helpdesk]` table and `extra` at the end of its
    /// configuration file.
    pub async fn start_configured(helpdesk: &str, extra: &str) -> Self {
        let fresh = Fresh::postgres().await;
        let dir = tempfile::tempdir().unwrap();
        let config_file = dir.path().join("frontdesk.toml");
        std::fs::write(
            &config_file,
            format!(
                "[helpdesk]\nsupport_address = \"support@frontdesk.test\"\n{helpdesk}\n\
                 [database]\nurl = \"{}\"\n\n[ai]\nmode = \"off\"\n\n\
                 [outbox]\npath = \"{}\"\n\n\
                 [[mailbox]]\nkind = \"maildir\"\npath = \"{}\"\n\n\
                 [http]\npublic_url = \"https://help.frontdesk.test\"\n\n{extra}",
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
        let desk = app.state().app.clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            desk,
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

    /// The Maildir the server reads (`new/` created).
    pub fn maildir_new(&self) -> std::path::PathBuf {
        let new = self._dir.path().join("maildir").join("new");
        std::fs::create_dir_all(&new).unwrap();
        new
    }

    /// Adds a staff member who signs in with `password`.
    pub async fn staff(&self, email: &str, name: &str, role: Role, password: &str) -> StaffId {
        let email = EmailAddress::parse(email).unwrap();
        let hash = frontdesk_http::auth::password::hash(password, Some(&email)).unwrap();
        let id = StaffId::from_uuid(uuid::Uuid::now_v7());
        let staff = Staff {
            id,
            email,
            name: name.to_owned(),
            role,
            availability: Availability::Available,
            shift: None,
            active: true,
        };
        self.fresh
            .db
            .create_staff(&staff, Some(&hash), Utc::now())
            .await
            .unwrap();
        id
    }

    /// An access token for the API, signed in as `email`.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {answer}"))
            .to_owned()
    }

    /// Opens a ticket through the API for `customer` and returns its number.
    pub async fn ticket(&self, token: &str, customer: &str, subject: &str, body: &str) -> String {
        let answer = reqwest::Client::new()
            .post(format!("{}/api/tickets", self.base))
            .bearer_auth(token)
            .json(&json!({
                "subject": subject,
                "description": body,
                "customer_email": customer,
                "customer_name": "Casey Customer",
                "source": "email",
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);
        let view: serde_json::Value = answer.json().await.unwrap();
        view["number"].as_str().unwrap().to_owned()
    }

    /// Reads the Maildir now, as a manager's "Poll now" does (`token`: a manager's or admin's),
    /// and answers how many tickets it opened.
    pub async fn poll(&self, token: &str) -> u64 {
        let answer = reqwest::Client::new()
            .post(format!("{}/api/admin/poll", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        let passes: serde_json::Value = answer.json().await.unwrap();
        passes
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["created"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Every mail queued to `to` so far (claimed from the jobs queue: each is returned once).
    pub async fn queued_mail(&self, to: &str) -> Vec<frontdesk_domain::ports::OutboundEmail> {
        let claimed = self
            .fresh
            .db
            .claim(Utc::now(), chrono::TimeDelta::minutes(5), 100)
            .await
            .unwrap();
        claimed
            .into_iter()
            .filter_map(|c| match c.job {
                Job::SendEmail(m) if m.to.iter().any(|t| t.as_str() == to) => Some(*m),
                _ => None,
            })
            .collect()
    }

    /// The messages in the outbox Maildir (`outbox/new`) addressed to `to`, as raw text with
    /// quoted-printable soft breaks and `=3D` undone (enough to read a link from).
    pub fn outbox_to(&self, to: &str) -> Vec<String> {
        let new = self._dir.path().join("outbox").join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .map(|raw| {
                raw.replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .filter(|m| {
                m.lines()
                    .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(to))
            })
            .collect()
    }

    /// Runs the poller's maintenance once: webhook dispatch and the jobs queue among it.
    pub async fn maintain(&self) {
        frontdesk_poller::daemon::maintain(&self.desk, &|| false)
            .await
            .unwrap();
    }

    pub async fn finish(self) {
        self.fresh.finish().await;
    }
}
