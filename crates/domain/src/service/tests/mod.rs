//! Use-case tests over the in-memory fakes: the shared world, then one file per group.

mod assist;
mod background;
mod backlog;
mod batch;
mod commands;
mod ingest;
mod intake;
mod limits;
mod machine;
mod merge;
mod notify;
mod receive;
mod suggest;

use std::sync::Arc;

use uuid::Uuid;

use super::fakes::{ManualClock, MemoryStore, SequentialIds};
use super::*;
use crate::email::{EmailAddress, InboundEmail, Mailbox, MessageId};
use crate::staff::{Availability, Role, Staff};
use crate::ticket::{Actor, Status, TicketId};

pub(super) struct World {
    pub store: Arc<MemoryStore>,
    pub clock: Arc<ManualClock>,
    pub desk: Helpdesk,
}

pub(super) fn world_with(configure: impl FnOnce(&mut Settings)) -> World {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::at("2026-11-23T09:00:00Z"));
    let ports = Ports::from_store(
        store.clone(),
        clock.clone(),
        Arc::new(SequentialIds::default()),
    );
    let mut settings = Settings::new(&EmailAddress::parse("support@frontdesk.test").unwrap());
    configure(&mut settings);
    World {
        store,
        clock,
        desk: Helpdesk::new(ports, settings),
    }
}

pub(super) fn world() -> World {
    world_with(|_| {})
}

pub(super) fn mail(id: &str, from: &str, subject: &str, body: &str) -> InboundEmail {
    InboundEmail {
        raw: format!("Message-ID: <{id}>\r\nSubject: {subject}\r\n\r\n{body}").into_bytes(),
        message_id: Some(MessageId::parse(id).unwrap()),
        from: Some(Mailbox::new(
            Some("Jane Doe".into()),
            EmailAddress::parse(from).unwrap(),
        )),
        subject: subject.into(),
        text_body: body.into(),
        ..InboundEmail::default()
    }
}

pub(super) fn replying(mut m: InboundEmail, parent: &str, refs: &[&str]) -> InboundEmail {
    m.in_reply_to = vec![MessageId::parse(parent).unwrap()];
    m.references = refs.iter().map(|r| MessageId::parse(r).unwrap()).collect();
    m
}

pub(super) fn staff(n: u128, role: Role) -> Staff {
    Staff {
        id: crate::StaffId::from_uuid(Uuid::from_u128(1000 + n)),
        email: EmailAddress::parse(&format!("staff{n}@frontdesk.test")).unwrap(),
        name: format!("Staff {n}"),
        role,
        availability: Availability::Available,
        shift: None,
        active: true,
    }
}

impl World {
    pub(super) fn ticket(&self, id: TicketId) -> crate::Ticket {
        self.store.with(|s| s.tickets[&id].clone())
    }

    pub(super) async fn ingest(&self, m: InboundEmail) -> IngestResult {
        self.desk.ingest(m).await.unwrap()
    }

    /// Opens a ticket from Jane's first mail `a@c`.
    pub(super) async fn open_ticket(&self) -> TicketId {
        let m = mail("a@c", "jane@x.com", "Help", "text");
        self.ingest(m).await.ticket_id.unwrap()
    }

    pub(super) async fn set_status(&self, id: TicketId, status: Status) {
        let update = TicketUpdate {
            status: Some(status),
            ..Default::default()
        };
        self.desk.update(id, Actor::System, update).await.unwrap();
    }
}
