//! `spawn_app()`: the real server on port 0 with a fresh database (SQLite or PostgreSQL), a
//! team of one admin, one manager and two agents, two customers with portal accounts, and a
//! client that signs requests as any of them.

use actix_web::web;
use chrono::Utc;
use frontdesk_adapters_db::testing::Fresh;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::service::NewTicket;
use frontdesk_domain::staff::{Availability, Customer, Role, Staff, StaffId};
use frontdesk_domain::ticket::{Actor, Channel, Ticket};
use frontdesk_http::auth::{customer_subject, password, staff_subject};
use frontdesk_http::startup::{Application, Options};
use frontdesk_http::state::AppState;
use frontdesk_poller::config::Config;
use serde_json::Value;

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// The customer `alice@customer.test`, who owns the fixture tickets.
    Customer,
    /// `mallory@customer.test`, another customer.
    OtherCustomer,
    Agent,
    Manager,
    Admin,
}

pub const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Customer,
    Who::OtherCustomer,
    Who::Agent,
    Who::Manager,
    Who::Admin,
];

pub const PASSWORD: &str = "correct horse battery staple";
pub const INBOUND_SECRET: &str = "inbound-test-secret-0123456789";
pub const GMAIL_TOKEN: &str = "gmail-push-token-0123456789";
pub const ZENDESK_SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
pub const INTERCOM_SECRET: &str = "intercom-client-secret-0123456789";

/// Configuration for tests whose webhook receiver is a local (wiremock) server.
pub const ALLOW_LOOPBACK_WEBHOOKS: &str = "[webhooks]\nallow_private_targets = [\"127.0.0.1\"]\n";

#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub admin: Staff,
    pub manager: Staff,
    pub agent: Staff,
    pub other_agent: Staff,
    pub customer: EmailAddress,
    pub other_customer: EmailAddress,
    pub fresh: Fresh,
    _dir: tempfile::TempDir,
}

fn member(email: &str, name: &str, role: Role) -> Staff {
    Staff {
        id: StaffId::from_uuid(uuid::Uuid::now_v7()),
        email: EmailAddress::parse(email).unwrap(),
        name: name.to_owned(),
        role,
        availability: Availability::Available,
        shift: None,
        active: true,
    }
}

/// Spawns the app on `fresh` with `extra` appended to its configuration file.
pub async fn spawn_app_with(fresh: Fresh, extra: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("frontdesk.toml");
    let maildir = dir.path().join("maildir");
    let outbox = dir.path().join("outbox");
    std::fs::write(
        dir.path().join("inbound.secret"),
        format!("{INBOUND_SECRET}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("gmail.token"), GMAIL_TOKEN).unwrap();
    std::fs::write(dir.path().join("zendesk.secret"), ZENDESK_SECRET).unwrap();
    std::fs::write(dir.path().join("intercom.secret"), INTERCOM_SECRET).unwrap();
    std::fs::write(
        &config_file,
        format!(
            "[helpdesk]\nsupport_address = \"support@frontdesk.test\"\n\n\
             [database]\nurl = \"{}\"\n\n[outbox]\npath = \"{}\"\n\n\
             [[mailbox]]\nkind = \"maildir\"\npath = \"{}\"\n\n\
             {extra}\n{}",
            fresh.url,
            outbox.display(),
            maildir.display(),
            if extra.contains("[http]") {
                String::new()
            } else {
                format!(
                    "[http]\ninbound_secret_file = \"{}\"\ngmail_push_token_file = \"{}\"\n\
                     zendesk_secret_file = \"{}\"\nintercom_secret_file = \"{}\"\n",
                    dir.path().join("inbound.secret").display(),
                    dir.path().join("gmail.token").display(),
                    dir.path().join("zendesk.secret").display(),
                    dir.path().join("intercom.secret").display()
                )
            }
        ),
    )
    .unwrap();
    let config = Config::load_with_env(Some(&config_file), &[]).unwrap();
    let hash = password::hash(PASSWORD, None).unwrap();
    let now = Utc::now();
    let admin = member("admin@frontdesk.test", "Ada Admin", Role::Admin);
    let manager = member("manager@frontdesk.test", "Max Manager", Role::Manager);
    let agent = member("agent@frontdesk.test", "Ana Agent", Role::Agent);
    let other_agent = member("agent2@frontdesk.test", "Otto Agent", Role::Agent);
    for s in [&admin, &manager, &agent, &other_agent] {
        fresh.db.create_staff(s, Some(&hash), now).await.unwrap();
    }
    let customer = EmailAddress::parse("alice@customer.test").unwrap();
    let other_customer = EmailAddress::parse("mallory@customer.test").unwrap();
    for c in [&customer, &other_customer] {
        fresh
            .db
            .create_customer_account(c, &hash, now)
            .await
            .unwrap();
    }
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
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        admin,
        manager,
        agent,
        other_agent,
        customer,
        other_customer,
        fresh,
        _dir: dir,
    }
}

pub async fn spawn_app(fresh: Fresh) -> TestApp {
    spawn_app_with(fresh, "").await
}

impl TestApp {
    /// An access token for `who`, minted with the server's key (sign-in itself has its own tests).
    pub fn token(&self, who: Who) -> Option<String> {
        let now = Utc::now();
        let (subject, role) = match who {
            Who::Anonymous => return None,
            Who::Customer => (customer_subject(&self.customer), "customer"),
            Who::OtherCustomer => (customer_subject(&self.other_customer), "customer"),
            Who::Agent => (staff_subject(self.agent.id), "agent"),
            Who::Manager => (staff_subject(self.manager.id), "manager"),
            Who::Admin => (staff_subject(self.admin.id), "admin"),
        };
        Some(self.state.keys.issue(&subject, role, now).unwrap())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends `method path` as `who`, with a JSON body when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        who: Who,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = self.token(who) {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    /// Like [`TestApp::call`], returning the status and the JSON body (`Null` when empty).
    pub async fn json(
        &self,
        method: &str,
        path: &str,
        who: Who,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let response = self.call(method, path, who, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// A ticket of the customer Alice, unassigned, opened through the domain.
    pub async fn ticket(&self, subject: &str, body: &str) -> Ticket {
        self.state
            .desk()
            .open(NewTicket {
                customer: Customer::new(self.customer.clone(), Some("Alice".to_owned())),
                subject: subject.to_owned(),
                body: body.to_owned(),
                channel: Channel::Web,
                priority: None,
                category: None,
                tags: Vec::new(),
                actor: Actor::Customer(self.customer.clone()),
            })
            .await
            .unwrap()
            .ticket
    }

    /// The Maildir the app reads (`new/` created).
    pub fn maildir_new(&self) -> std::path::PathBuf {
        let dir = self
            .state
            .app
            .config
            .mailboxes()
            .iter()
            .find_map(|m| match m {
                frontdesk_poller::config::MailboxConfig::Maildir(m) => Some(m.path.join("new")),
                _ => None,
            });
        let dir = dir.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub async fn finish(self) {
        self.fresh.finish().await;
    }
}

/// Posts one raw mail to the inbound-email webhook: the status and the JSON answer.
pub async fn post_mail(app: &TestApp, raw: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/webhooks/inbound-email"))
        .bearer_auth(INBOUND_SECRET)
        .header("content-type", "message/rfc822")
        .body(raw.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Reads an event stream until `done` holds for what arrived (or fails after 10 s).
pub async fn read_until(r: &mut reqwest::Response, done: impl Fn(&str) -> bool) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done(&text) {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .unwrap_or_else(|_| panic!("timed out; received so far:\n{text}"))
            .unwrap()
            .expect("the stream ended");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    text
}

/// Signs in through the API: the status and the JSON answer.
pub async fn login(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    app.json(
        "post",
        "/api/auth/login",
        Who::Anonymous,
        Some(&serde_json::json!({"email": email, "password": password})),
    )
    .await
}

/// How long one test may take before it fails by name instead of hanging the suite.
const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs a test's body, failing it if it is still running after [`TEST_LIMIT`].
pub async fn within_limit(test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, test).await.is_err() {
        panic!("still running after {} s", TEST_LIMIT.as_secs());
    }
}

/// Declares one test per backend from one body: `both!(name, async |app: &TestApp| { … })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        $crate::both!($name, "", $body);
    };
    ($name:ident, $extra:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::helpers::within_limit(async {
                    let app = $crate::helpers::spawn_app_with(
                        frontdesk_adapters_db::testing::Fresh::sqlite().await,
                        $extra,
                    )
                    .await;
                    ($body)(&app).await;
                    app.finish().await;
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::helpers::within_limit(async {
                    let app = $crate::helpers::spawn_app_with(
                        frontdesk_adapters_db::testing::Fresh::postgres().await,
                        $extra,
                    )
                    .await;
                    ($body)(&app).await;
                    app.finish().await;
                })
                .await;
            }
        }
    };
}
