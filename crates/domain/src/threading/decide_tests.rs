use mockall::predicate::eq;
use uuid::Uuid;

use super::*;
use crate::email::{EmailAddress, Mailbox};
use crate::ports::MockThreadLookup;
use crate::ticket::TicketId;

fn tref(n: u64, status: Status, customer: &str) -> TicketRef {
    TicketRef {
        id: TicketId::from_uuid(Uuid::from_u128(u128::from(n))),
        number: Some(TicketNumber::new(n).unwrap()),
        status,
        customer: EmailAddress::parse(customer).unwrap(),
    }
}

fn id(s: &str) -> MessageId {
    MessageId::parse(s).unwrap()
}

fn mail(from: &str, subject: &str) -> InboundEmail {
    InboundEmail {
        from: Some(Mailbox::new(None, EmailAddress::parse(from).unwrap())),
        subject: subject.into(),
        message_id: Some(id("new@client")),
        ..InboundEmail::default()
    }
}

fn lookup() -> MockThreadLookup {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number().returning(|_| Ok(None));
    l.expect_by_thread_keys().returning(|_| Ok(None));
    l.expect_by_gmail_thread().returning(|_| Ok(None));
    l
}

async fn run(m: &InboundEmail, l: &MockThreadLookup) -> ThreadDecision {
    decide(m, &m.effective_message_id(), l, 50).await.unwrap()
}

#[tokio::test]
async fn a_stored_message_id_is_a_duplicate() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id()
        .with(eq(id("new@client")))
        .returning(|_| Ok(Some(tref(1, Status::Open, "c@x.com"))));
    assert_eq!(
        run(&mail("c@x.com", "hi"), &l).await,
        ThreadDecision::Duplicate
    );
}

#[tokio::test]
async fn mail_without_anything_to_match_is_new() {
    assert_eq!(
        run(&mail("c@x.com", "Help"), &lookup()).await,
        ThreadDecision::New
    );
}

#[tokio::test]
async fn the_subject_tag_from_the_customer_appends() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number()
        .with(eq(TicketNumber::new(123).unwrap()))
        .returning(|_| Ok(Some(tref(123, Status::Pending, "c@x.com"))));
    let d = run(&mail("C@X.com", "Re: Order [TKT-000123]"), &l).await;
    assert_eq!(
        d,
        ThreadDecision::Append(
            tref(123, Status::Pending, "c@x.com"),
            ThreadMatch::SubjectTag
        )
    );
}

#[tokio::test]
async fn a_subject_tag_from_a_stranger_is_not_trusted() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(123, Status::Open, "victim@x.com"))));
    l.expect_by_gmail_thread().returning(|_| Ok(None));
    let d = run(
        &mail("attacker@evil.com", "[TKT-000123] give me the data"),
        &l,
    )
    .await;
    assert_eq!(d, ThreadDecision::New);
}

#[tokio::test]
async fn a_stranger_with_matching_headers_may_use_the_tag() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(Some(tref(9, Status::Open, "c@x.com"))));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(9, Status::Open, "c@x.com"))));
    let mut m = mail("colleague@x.com", "Re: [TKT-000009]");
    m.in_reply_to = vec![id("agent-reply@frontdesk")];
    let d = run(&m, &l).await;
    assert_eq!(
        d,
        ThreadDecision::Append(tref(9, Status::Open, "c@x.com"), ThreadMatch::SubjectTag)
    );
}

#[tokio::test]
async fn in_reply_to_or_references_find_the_ticket() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .withf(|ids| ids == [id("parent@x"), id("root@x")])
        .returning(|_| Ok(Some(tref(5, Status::Resolved, "c@x.com"))));
    let mut m = mail("c@x.com", "Re: no tag");
    m.in_reply_to = vec![id("parent@x")];
    m.references = vec![id("root@x"), id("parent@x")];
    let d = run(&m, &l).await;
    assert_eq!(
        d,
        ThreadDecision::Append(tref(5, Status::Resolved, "c@x.com"), ThreadMatch::Headers)
    );
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_is_a_follow_up() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(Some(tref(5, Status::Closed, "c@x.com"))));
    let mut m = mail("c@x.com", "Re: thanks");
    m.in_reply_to = vec![id("parent@x")];
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::FollowUp(tref(5, Status::Closed, "c@x.com"), ThreadMatch::Headers)
    );
}

#[tokio::test]
async fn the_gmail_thread_is_the_last_resort() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_gmail_thread()
        .withf(|t| t == "thread-1")
        .returning(|_| Ok(Some(tref(2, Status::Open, "c@x.com"))));
    let mut m = mail("c@x.com", "Re: something");
    m.gmail_thread_id = Some("thread-1".into());
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::Append(tref(2, Status::Open, "c@x.com"), ThreadMatch::GmailThread)
    );
}

#[tokio::test]
async fn a_mail_referencing_itself_does_not_loop() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    // Only the other id is looked up: the mail's own id in its References is dropped.
    l.expect_by_thread_keys()
        .withf(|ids| ids == [id("other@x")])
        .returning(|_| Ok(None));
    let mut m = mail("c@x.com", "loop");
    m.references = vec![id("new@client"), id("other@x"), id("new@client")];
    m.in_reply_to = vec![id("new@client")];
    assert_eq!(run(&m, &l).await, ThreadDecision::New);
}

#[tokio::test]
async fn a_huge_references_header_is_capped() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .withf(|ids| ids.len() == 50)
        .returning(|_| Ok(None));
    let mut m = mail("c@x.com", "long thread");
    m.references = (0..5000).map(|i| id(&format!("r{i}@x"))).collect();
    assert_eq!(run(&m, &l).await, ThreadDecision::New);
}

#[tokio::test]
async fn mail_without_message_id_is_deduplicated_on_its_bytes() {
    let mut m = mail("c@x.com", "no id");
    m.message_id = None;
    m.raw = b"From: c@x.com\r\nSubject: no id\r\n\r\nbody".to_vec();
    let expected = MessageId::synthetic_from_raw(&m.raw);
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id()
        .with(eq(expected))
        .returning(|_| Ok(Some(tref(1, Status::Open, "c@x.com"))));
    assert_eq!(run(&m, &l).await, ThreadDecision::Duplicate);
}
