use std::collections::BTreeMap;

use super::*;
use crate::journey::{
    Condition, Definition, FileLimits, Journey, JourneyStatus, Question, QuestionKind, Rule,
};
use crate::ports::OutboundAttachment;
use crate::staff::Customer;
use crate::ticket::{Category, Channel, MessageKind, Priority};

fn form(status: JourneyStatus) -> Journey {
    let question = |key: &str, kind, options: &[&str]| Question {
        key: key.to_owned(),
        label: key.to_owned(),
        help: String::new(),
        kind,
        required: true,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        images_only: kind == QuestionKind::Upload,
        show_if: None,
    };
    let mut photos = question("photos", QuestionKind::Upload, &[]);
    photos.show_if = Some(Condition {
        question: "issue".to_owned(),
        any_of: vec!["Damaged".to_owned()],
    });
    let now = chrono::Utc::now();
    Journey {
        id: Uuid::nil(),
        version: 3,
        status,
        definition: Definition {
            name: "Support".to_owned(),
            intro: String::new(),
            questions: vec![
                question("issue", QuestionKind::SingleChoice, &["Damaged", "Other"]),
                photos,
            ],
            rules: vec![Rule {
                when: Condition {
                    question: "issue".to_owned(),
                    any_of: vec!["Damaged".to_owned()],
                },
                category: Some("order".to_owned()),
                priority: Some("urgent".to_owned()),
                tags: vec!["damaged".to_owned()],
            }],
        },
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        archived_at: None,
    }
}

fn jane_asks() -> NewTicket {
    let jane = EmailAddress::parse("jane@x.com").unwrap();
    NewTicket {
        customer: Customer::new(jane.clone(), None),
        subject: "Broken kettle".to_owned(),
        body: String::new(),
        channel: Channel::Web,
        priority: None,
        category: None,
        tags: Vec::new(),
        actor: Actor::Customer(jane),
    }
}

fn file(question: &str, name: &str, content: &[u8]) -> FormFile {
    FormFile {
        question: question.to_owned(),
        file: OutboundAttachment {
            filename: name.to_owned(),
            content_type: "image/png".to_owned(),
            content: content.to_vec(),
        },
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn a_form_opens_the_mapped_ticket_with_its_files_and_answers() {
    let w = world();
    let raw = BTreeMap::from([("issue".to_owned(), vec!["Damaged".to_owned()])]);
    let done = w
        .desk
        .open_with_form(
            jane_asks(),
            &form(JourneyStatus::Active),
            &raw,
            vec![file("photos", "kettle.png", PNG)],
            FileLimits::default(),
        )
        .await
        .unwrap();
    let t = done.ticket;
    assert_eq!(
        (t.category, t.priority),
        (Category::Order, Priority::Urgent)
    );
    assert_eq!(t.tags, ["damaged"]);
    let (first, intake, uploads) = w.store.with(|s| {
        (
            s.messages
                .iter()
                .find(|m| m.ticket_id == t.id)
                .cloned()
                .unwrap(),
            s.intakes.clone(),
            s.uploads.clone(),
        )
    });
    assert_eq!(first.kind, MessageKind::Customer);
    assert_eq!(first.body_text, "issue: Damaged\nphotos: kettle.png");
    assert_eq!(first.attachments.len(), 1);
    assert_eq!(first.attachments[0].content_type, "image/png");
    assert_eq!(uploads.len(), 1);
    assert_eq!(intake.len(), 1);
    assert_eq!((intake[0].0, intake[0].1.version), (t.id, 3));
    assert_eq!(intake[0].1.answers[1].files, ["kettle.png"]);
}

#[tokio::test]
async fn a_file_that_is_not_an_image_or_a_retired_form_writes_nothing() {
    let w = world();
    let raw = BTreeMap::from([("issue".to_owned(), vec!["Damaged".to_owned()])]);
    let refused = w
        .desk
        .open_with_form(
            jane_asks(),
            &form(JourneyStatus::Active),
            &raw,
            vec![file("photos", "kettle.png", b"<html><script>")],
            FileLimits::default(),
        )
        .await
        .unwrap_err();
    let FormError::Answers(problems) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].question, "photos");
    assert!(problems[0].message.contains("only images"), "{problems:?}");
    let retired = w
        .desk
        .open_with_form(
            jane_asks(),
            &form(JourneyStatus::Archived),
            &raw,
            vec![],
            FileLimits::default(),
        )
        .await;
    assert_eq!(retired.unwrap_err(), FormError::NotActive);
    // The other branch: the photos question is not asked, a file for it is dropped.
    let other = BTreeMap::from([("issue".to_owned(), vec!["Other".to_owned()])]);
    let done = w
        .desk
        .open_with_form(
            jane_asks(),
            &form(JourneyStatus::Active),
            &other,
            vec![file("photos", "x.png", PNG)],
            FileLimits::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.ticket.tags, Vec::<String>::new());
    assert!(w.store.with(|s| s.uploads.is_empty()));
    assert_eq!(w.store.with(|s| s.tickets.len()), 1);
}

#[tokio::test]
async fn a_customer_reply_carries_its_files() {
    let w = world();
    let id = w.open_ticket().await;
    let jane = EmailAddress::parse("jane@x.com").unwrap();
    let f = file("", "receipt.pdf", b"%PDF-1.7").file;
    w.desk
        .customer_reply_with_files(id, &jane, "Here is the receipt", &[f])
        .await
        .unwrap();
    let last = w.store.with(|s| s.messages.last().cloned().unwrap());
    assert_eq!(last.kind, MessageKind::Customer);
    assert_eq!(last.attachments[0].filename.as_deref(), Some("receipt.pdf"));
    assert_eq!(w.store.with(|s| s.uploads.len()), 1);
}
