//! The whole mail loop on real servers (`scripts/mail-servers.sh` and PostgreSQL): a customer
//! mails support through the loopback SMTP server, the poller (in `frontdesk-http
//! --with-poller`) ingests it from Dovecot, an agent answers through the API, the reply reaches
//! the customer's mailbox (read over IMAP) threaded and tagged, and the customer's answer lands
//! on the same ticket and reopens it. And the pages in a real Chromium (`browser/`, with
//! `scripts/browser.sh`).

// A test crate: panicking on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;

use std::time::{Duration, Instant};

use chrono::Utc;
use frontdesk_adapters_db::testing::Fresh;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::staff::{Availability, Role, Staff, StaffId};
use frontdesk_http::auth::staff_subject;
use frontdesk_http::startup::{Application, Options};
use frontdesk_poller::config::Config;
use futures_util::TryStreamExt as _;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};

fn port(var: &str) -> u16 {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: run the suite through scripts/test.sh"))
        .parse()
        .unwrap()
}

async fn send(from: &str, to: &str, raw: &str) {
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port("FRONTDESK_TEST_SMTP_PORT"))
        .build();
    let envelope =
        lettre::address::Envelope::new(Some(from.parse().unwrap()), vec![to.parse().unwrap()])
            .unwrap();
    smtp.send_raw(&envelope, raw.as_bytes()).await.unwrap();
}

/// Every message in `account`'s INBOX on the loopback Dovecot, raw.
async fn inbox(account: &str) -> Vec<String> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port("FRONTDESK_TEST_IMAP_PORT")))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap();
    let mut session = client
        .login(account, "secret")
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    let mailbox = session.select("INBOX").await.unwrap();
    let mut mails = Vec::new();
    if mailbox.exists > 0 {
        let fetches: Vec<_> = session
            .fetch("1:*", "RFC822")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        mails = fetches
            .iter()
            .filter_map(|f| f.body().map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect();
    }
    session.logout().await.unwrap();
    mails
}

/// The value of header `name` in a raw mail (first occurrence, unfolded).
fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// The configuration of a helpdesk on the loopback mail servers: `support`'s Dovecot mailbox
/// read every second, replies over SMTP, no acknowledgements, the `[ai]` section's `ai` lines.
fn mail_loop_config(dir: &std::path::Path, support: &str, database: &str, ai: &str) -> Config {
    std::fs::write(dir.join("imap.password"), "secret").unwrap();
    let config_file = dir.join("frontdesk.toml");
    std::fs::write(
        &config_file,
        format!(
            r#"[helpdesk]
support_address = "{support}"
acknowledge = false

[database]
url = "{database}"

[poller]
interval_secs = 1
metrics_bind = ""

[ai]
{ai}

[[mailbox]]
kind = "imap"
name = "support"
host = "127.0.0.1"
port = {imap}
security = "plain"
username = "{support}"
password_file = "{password}"
after_ingest = "seen"
idle = false

[smtp]
host = "127.0.0.1"
port = {smtp}
security = "plain"
"#,
            imap = port("FRONTDESK_TEST_IMAP_PORT"),
            smtp = port("FRONTDESK_TEST_SMTP_PORT"),
            password = dir.join("imap.password").display(),
        ),
    )
    .unwrap();
    Config::load_with_env(Some(&config_file), &[]).unwrap()
}

/// Ana, an available agent, stored in `fresh`.
async fn agent_of(fresh: &Fresh) -> Staff {
    let agent = Staff {
        id: StaffId::from_uuid(uuid::Uuid::now_v7()),
        email: EmailAddress::parse("agent@frontdesk.test").unwrap(),
        name: "Ana Agent".to_owned(),
        role: Role::Agent,
        availability: Availability::Available,
        shift: None,
        active: true,
    };
    fresh
        .db
        .create_staff(&agent, None, Utc::now())
        .await
        .unwrap();
    agent
}

/// `frontdesk-http --with-poller` on `config`, built (not yet running) on a free loopback port.
async fn with_poller(config: Config) -> Application {
    Application::build(
        config,
        Options {
            bind: "127.0.0.1:0".to_owned(),
            with_poller: true,
            metrics: None,
            workers: Some(2),
        },
    )
    .await
    .unwrap()
}

async fn until<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_mail_is_answered_by_api_and_the_answer_reopens_the_ticket() {
    let fresh = Fresh::postgres().await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let support = format!("support-{run}@frontdesk.test");
    let customer = format!("customer-{run}@customer.test");
    let dir = tempfile::tempdir().unwrap();
    let config = mail_loop_config(dir.path(), &support, &fresh.url, "mode = \"off\"");
    let agent = agent_of(&fresh).await;
    let app = with_poller(config).await;
    let base = format!("http://127.0.0.1:{}", app.port());
    let token = app
        .state()
        .keys
        .issue(&staff_subject(agent.id), "agent", Utc::now())
        .unwrap();
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let get = async |path: &str| -> Value {
        http.get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };

    // 1. The customer writes to support (a seed example: a late order, urgent).
    let first_id = format!("<first-{run}@customer.test>");
    send(
        &customer,
        &support,
        &format!(
            "From: Casey Customer <{customer}>\r\nTo: {support}\r\n\
             Subject: URGENT: my order #4411 has not arrived\r\nMessage-ID: {first_id}\r\n\
             Date: Sun, 22 Nov 2026 09:00:00 +0000\r\n\r\n\
             I ordered a week ago and the parcel has still not been delivered. Please help!\r\n"
        ),
    )
    .await;

    // 2. The poller ingests it from Dovecot; the ticket is in the API, classified.
    let ticket = until("the ticket", async || {
        let list = get(&format!("/api/tickets?customer={customer}")).await;
        (list["total"] == 1).then(|| list["items"][0].clone())
    })
    .await;
    assert_eq!(ticket["priority"], "urgent", "{ticket}");
    assert_eq!(ticket["category"], "order", "{ticket}");
    assert_eq!(ticket["status"], "new");
    let id = ticket["id"].as_str().unwrap().to_owned();
    let number = ticket["number"].as_str().unwrap().to_owned();

    // 3. The agent replies through the API.
    let replied = http
        .post(format!("{base}/api/tickets/{id}/reply"))
        .bearer_auth(&token)
        .json(&json!({"content": "Sorry for the wait, your parcel ships today.", "send": "now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status().as_u16(), 201);

    // 4. The customer's mailbox holds the reply: tagged, threaded.
    let reply = until("the reply in the customer's mailbox", async || {
        inbox(&customer)
            .await
            .into_iter()
            .find(|m| m.contains("your parcel ships today"))
    })
    .await;
    let subject = header(&reply, "Subject").unwrap();
    assert!(subject.contains(&format!("[{number}]")), "{subject}");
    assert_eq!(
        header(&reply, "In-Reply-To").as_deref(),
        Some(first_id.as_str())
    );
    assert!(header(&reply, "References").unwrap().contains(&first_id));
    let reply_id = header(&reply, "Message-ID").unwrap();

    let (_, after_reply) = (0, get(&format!("/api/tickets/{id}")).await);
    assert!(
        after_reply["first_response_at"].is_string(),
        "{after_reply}"
    );
    assert_eq!(after_reply["sla"]["first_response"]["state"], "met");
    let status_after_reply = after_reply["status"].as_str().unwrap().to_owned();

    // 5. The customer answers: no tag in the subject, only In-Reply-To.
    send(
        &customer,
        &support,
        &format!(
            "From: Casey Customer <{customer}>\r\nTo: {support}\r\nSubject: Re: my order\r\n\
             Message-ID: <second-{run}@customer.test>\r\nIn-Reply-To: {reply_id}\r\n\
             Date: Sun, 22 Nov 2026 11:00:00 +0000\r\n\r\nIt still has not arrived.\r\n"
        ),
    )
    .await;
    let detail = until("the answer on the ticket", async || {
        let t = get(&format!("/api/tickets/{id}")).await;
        (t["messages"].as_array().map_or(0, Vec::len) == 3).then_some(t)
    })
    .await;
    let kinds: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "agent", "customer"]);
    assert_eq!(
        detail["status"], "open",
        "reopened (it was {status_after_reply})"
    );
    let all = get(&format!("/api/tickets?customer={customer}")).await;
    assert_eq!(all["total"], 1, "no second ticket");

    // 6. The reports reflect it: the agent's reply, the first response in time.
    let figures = get(&format!("/api/staff/{}/performance?interval=day", agent.id)).await;
    assert_eq!(figures["replies"], 1, "{figures}");
    assert_eq!(figures["total"]["first_response"]["count"], 1, "{figures}");
    assert_eq!(figures["total"]["sla"]["met"], 1, "{figures}");
    assert_eq!(figures["total"]["sla"]["breached"], 0, "{figures}");
    assert_eq!(
        figures["assigned_active"], 1,
        "the reply assigned it: {figures}"
    );
    fresh.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_link_goes_out_at_once_between_maintenance_passes() {
    let fresh = Fresh::postgres().await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let support = format!("support-{run}@frontdesk.test");
    let customer = format!("customer-{run}@customer.test");
    let dir = tempfile::tempdir().unwrap();
    let mut config = mail_loop_config(dir.path(), &support, &fresh.url, "mode = \"off\"");
    // The maintenance pass runs at the start, then not for an hour: only the sender can send.
    config.poller.interval_secs = 3600;
    let agent = agent_of(&fresh).await;
    let app = with_poller(config).await;
    let base = format!("http://127.0.0.1:{}", app.port());
    let token = app
        .state()
        .keys
        .issue(&staff_subject(agent.id), "agent", Utc::now())
        .unwrap();
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let opened = http
        .post(format!("{base}/api/tickets"))
        .bearer_auth(&token)
        .json(
            &json!({"subject": "Phone call", "description": "Called about an order",
                      "customer_email": customer}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status().as_u16(), 201);
    // Let the first maintenance pass end, so it cannot be what sends the link.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = http
        .post(format!("{base}/api/auth/portal-link"))
        .json(&json!({ "email": customer }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status().as_u16(), 202);
    let mail = until("the sign-in link in the customer's mailbox", async || {
        inbox(&customer)
            .await
            .into_iter()
            .find(|m| m.contains("/portal/link?token="))
    })
    .await;
    assert!(header(&mail, "Subject").is_some(), "{mail}");
}
