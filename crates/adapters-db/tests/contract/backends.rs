//! Fixtures shared by the contract tests; fresh databases come from the crate's `testing`
//! feature.

pub use frontdesk_adapters_db::Database;
pub use frontdesk_adapters_db::testing::Fresh;

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
        provider_thread: Some("thread-1".into()),
        created_at: now,
        closed_at: None,
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
