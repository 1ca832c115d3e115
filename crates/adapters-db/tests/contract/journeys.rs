//! Intake forms: versions (one active at a time, published ones never edited) and the answers
//! a ticket keeps, written in the transaction that opens it.

use std::collections::BTreeMap;

use frontdesk_adapters_db::Database;
use frontdesk_domain::EmailAddress;
use frontdesk_domain::journey::{Definition, FileLimits, JourneyStatus, Question, QuestionKind};
use frontdesk_domain::ports::{OutboundAttachment, TicketRepository};
use frontdesk_domain::service::{FormFile, NewTicket};
use frontdesk_domain::staff::Customer;
use frontdesk_domain::ticket::{Actor, Channel};

use crate::backends::helpdesk;
use crate::contract;

fn definition(name: &str) -> Definition {
    Definition {
        name: name.to_owned(),
        intro: String::new(),
        questions: vec![
            Question {
                key: "what".to_owned(),
                label: "What happened?".to_owned(),
                help: String::new(),
                kind: QuestionKind::LongText,
                required: true,
                options: vec![],
                images_only: false,
                show_if: None,
            },
            Question {
                key: "photo".to_owned(),
                label: "A photo".to_owned(),
                help: String::new(),
                kind: QuestionKind::Upload,
                required: false,
                options: vec![],
                images_only: true,
                show_if: None,
            },
        ],
        rules: vec![],
    }
}

contract!(
    one_version_is_active_and_tickets_keep_theirs,
    |db: Database| async move {
        let now = chrono::Utc::now();
        let first = db
            .create_journey(uuid::Uuid::now_v7(), &definition("Support"), now)
            .await
            .unwrap();
        let second = db
            .create_journey(uuid::Uuid::now_v7(), &definition("Support v2"), now)
            .await
            .unwrap();
        assert_eq!((first.version, second.version), (1, 2));
        assert_eq!(first.status, JourneyStatus::Draft);
        assert!(db.active_journey().await.unwrap().is_none());
        assert!(
            db.update_journey_draft(first.id, &definition("Help"), now)
                .await
                .unwrap()
        );
        assert!(db.publish_journey(first.id, now).await.unwrap());
        // Published: fixed.
        assert!(
            !db.update_journey_draft(first.id, &definition("No"), now)
                .await
                .unwrap()
        );
        let active = db.active_journey().await.unwrap().unwrap();
        assert_eq!(
            (active.id, active.definition.name.as_str()),
            (first.id, "Help")
        );
        // A ticket through the active form keeps its answers and its file.
        let desk = helpdesk(&db, |_| {});
        let jane = EmailAddress::parse("jane@x.com").unwrap();
        let new = NewTicket {
            customer: Customer::new(jane.clone(), None),
            subject: "Dented".to_owned(),
            body: String::new(),
            channel: Channel::Web,
            priority: None,
            category: None,
            tags: vec![],
            actor: Actor::Customer(jane),
        };
        let raw = BTreeMap::from([("what".to_owned(), vec!["It came dented".to_owned()])]);
        let file = FormFile {
            question: "photo".to_owned(),
            file: OutboundAttachment {
                filename: "dent.png".to_owned(),
                content_type: "application/octet-stream".to_owned(),
                content: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            },
        };
        let t = desk
            .open_with_form(new, &active, &raw, vec![file], FileLimits::default())
            .await
            .unwrap()
            .ticket;
        let messages = db.messages(t.id).await.unwrap();
        assert_eq!(messages[0].attachments[0].content_type, "image/png");
        // Publishing the second archives the first; the ticket still names version 1.
        assert!(db.publish_journey(second.id, now).await.unwrap());
        assert!(
            db.publish_journey(second.id, now).await.unwrap(),
            "again: no change"
        );
        assert!(
            !db.publish_journey(first.id, now).await.unwrap(),
            "archived stays so"
        );
        let all = db.journeys().await.unwrap();
        let statuses: Vec<_> = all.iter().map(|j| (j.version, j.status)).collect();
        assert_eq!(
            statuses,
            [(2, JourneyStatus::Active), (1, JourneyStatus::Archived)]
        );
        let intake = db.intake_of(t.id).await.unwrap().unwrap();
        assert_eq!((intake.version, intake.name.as_str()), (1, "Help"));
        assert_eq!(intake.answers[0].values, ["It came dented"]);
        assert_eq!(intake.answers[1].files, ["dent.png"]);
        assert_eq!(db.journey_ticket_counts().await.unwrap(), [(first.id, 1)]);
        assert!(db.archive_journey(second.id, now).await.unwrap());
        assert!(db.active_journey().await.unwrap().is_none());
        assert!(!db.archive_journey(second.id, now).await.unwrap());
    }
);
