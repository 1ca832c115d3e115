//! Fresh databases per test, on both backends.

use frontdesk_adapters_db::{Database, DatabaseSettings};
use sea_orm::{ConnectionTrait, Database as Connector};

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct Fresh {
    pub db: Database,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL has a database path");
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl Fresh {
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!(
            "frontdesk-test-{}.sqlite",
            uuid::Uuid::now_v7().simple()
        ));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = DatabaseSettings::new(url)
            .connect()
            .await
            .expect("open SQLite");
        db.migrate().await.expect("migrate SQLite");
        Self {
            db,
            cleanup: Cleanup::Sqlite(path),
        }
    }

    pub async fn postgres() -> Self {
        let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let name = format!("frontdesk_test_{}", uuid::Uuid::now_v7().simple());
        let conn = Connector::connect(admin.as_str())
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at DATABASE_URL is not reachable ({e}); run scripts/test.sh")
            });
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        conn.close().await.expect("close admin connection");
        let db = DatabaseSettings::new(with_database(&admin, &name))
            .connect()
            .await
            .expect("open PostgreSQL");
        db.migrate().await.expect("migrate PostgreSQL");
        Self {
            db,
            cleanup: Cleanup::Postgres { admin, name },
        }
    }

    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin, name } => {
                let conn = Connector::connect(admin.as_str())
                    .await
                    .expect("reconnect as admin");
                conn.execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                ))
                .await
                .expect("drop test database");
                let _ = conn.close().await;
            }
        }
    }
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}

use std::sync::Arc;

use chrono::{DateTime, Utc};
use frontdesk_domain::email::{EmailAddress, InboundEmail, Mailbox, MessageId};
use frontdesk_domain::ports::{ChangeSet, SystemClock, TicketWrite, UuidV7Ids};
use frontdesk_domain::service::{Helpdesk, Ports, Settings};
use frontdesk_domain::sla::SlaPolicies;
use frontdesk_domain::staff::Customer;
use frontdesk_domain::ticket::{Category, Channel, Priority, TicketDraft, TicketId};

/// Now, at the microsecond precision both backends store.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// The domain's use cases running on `db`.
pub fn helpdesk(db: &Database, configure: impl FnOnce(&mut Settings)) -> Helpdesk {
    let db = Arc::new(db.clone());
    let ports = Ports::from_store(db.clone(), Arc::new(SystemClock), Arc::new(UuidV7Ids));
    let mut settings = Settings::new(&EmailAddress::parse("support@frontdesk.test").unwrap());
    configure(&mut settings);
    Helpdesk::new(ports, settings)
}

/// A change set creating a ticket for `customer`.
pub fn new_ticket(customer: &str, subject: &str, now: DateTime<Utc>) -> ChangeSet {
    let draft = TicketDraft {
        id: TicketId::from_uuid(uuid::Uuid::now_v7()),
        customer: Customer::new(EmailAddress::parse(customer).unwrap(), Some("Jane".into())),
        subject: subject.into(),
        description: "body".into(),
        priority: Priority::Medium,
        category: Category::Other,
        channel: Channel::Api,
        tags: vec!["vip".into(), "b2b".into()],
        sla: SlaPolicies::default().start(Priority::Medium, Category::Other, now),
        follow_up_of: None,
        gmail_thread_id: Some("thread-1".into()),
        created_at: now,
    };
    ChangeSet::new(TicketWrite::Create(Box::new(draft)))
}

/// An inbound mail as a mail adapter would hand it over.
pub fn mail(id: &str, from: &str, subject: &str, body: &str) -> InboundEmail {
    InboundEmail {
        raw: format!("Message-ID: <{id}>\r\nFrom: {from}\r\nSubject: {subject}\r\n\r\n{body}")
            .into_bytes(),
        message_id: Some(MessageId::parse(id).unwrap()),
        from: Some(Mailbox::new(
            Some("Jane Doe".into()),
            EmailAddress::parse(from).unwrap(),
        )),
        to: vec![Mailbox::new(
            None,
            EmailAddress::parse("support@frontdesk.test").unwrap(),
        )],
        subject: subject.into(),
        text_body: body.into(),
        received_at: Utc::now(),
        ..InboundEmail::default()
    }
}

pub fn replying(mut m: InboundEmail, parent: &str) -> InboundEmail {
    m.in_reply_to = vec![MessageId::parse(parent).unwrap()];
    m.references = vec![MessageId::parse(parent).unwrap()];
    m
}
