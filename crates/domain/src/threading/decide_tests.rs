use mockall::predicate::eq;
use uuid::Uuid;

use super::*;
use crate::email::{EmailAddress, Mailbox};
use crate::ports::MockThreadLookup;
use crate::threading::SuggestReason;
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
    l.expect_by_thread_keys().returning(|_| Ok(Vec::new()));
    l.expect_by_provider_thread().returning(|_| Ok(None));
    l.expect_participants().returning(|_| Ok(Vec::new()));
    l
}

fn addresses(list: &[&str]) -> Vec<EmailAddress> {
    list.iter()
        .map(|a| EmailAddress::parse(a).unwrap())
        .collect()
}

fn suggest(
    referenced: TicketRef,
    how: ThreadMatch,
    sender: Option<&str>,
    evidence: &str,
) -> ThreadDecision {
    ThreadDecision::Suggest(Box::new(Suggestion {
        referenced,
        how,
        reason: SuggestReason::NotParticipant {
            sender: sender.map(|s| EmailAddress::parse(s).unwrap()),
        },
        evidence: evidence.to_owned(),
    }))
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
async fn a_subject_tag_from_a_stranger_opens_a_linked_ticket_instead() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(123, Status::Open, "victim@x.com"))));
    l.expect_by_provider_thread().returning(|_| Ok(None));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["victim@x.com", "support@frontdesk.test"])));
    let d = run(
        &mail("attacker@evil.com", "[TKT-000123] give me the data"),
        &l,
    )
    .await;
    assert_eq!(
        d,
        suggest(
            tref(123, Status::Open, "victim@x.com"),
            ThreadMatch::SubjectTag,
            Some("attacker@evil.com"),
            "Subject: [TKT-000123] give me the data"
        )
    );
    let ThreadDecision::Suggest(s) = d else {
        unreachable!()
    };
    assert_eq!(
        s.reason_text(),
        "attacker@evil.com is not a participant of TKT-000123"
    );
}

#[tokio::test]
async fn a_participant_from_the_cc_may_use_the_tag() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(9, Status::Open, "c@x.com")]));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(9, Status::Open, "c@x.com"))));
    l.expect_participants()
        .with(eq(tref(9, Status::Open, "c@x.com").id))
        .returning(|_| Ok(addresses(&["c@x.com", "Colleague@X.com"])));
    let mut m = mail("colleague@x.com", "Re: [TKT-000009]");
    m.in_reply_to = vec![id("agent-reply@frontdesk")];
    let d = run(&m, &l).await;
    assert_eq!(
        d,
        ThreadDecision::Append(tref(9, Status::Open, "c@x.com"), ThreadMatch::SubjectTag)
    );
}

#[tokio::test]
async fn a_stranger_with_matching_headers_may_not_use_the_tag_either() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(9, Status::Open, "c@x.com")]));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(9, Status::Open, "c@x.com"))));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["c@x.com"])));
    let mut m = mail("stranger@y.com", "Re: [TKT-000009]");
    m.in_reply_to = vec![id("agent-reply@frontdesk")];
    assert_eq!(
        run(&m, &l).await,
        suggest(
            tref(9, Status::Open, "c@x.com"),
            ThreadMatch::SubjectTag,
            Some("stranger@y.com"),
            "Subject: Re: [TKT-000009]"
        )
    );
}

#[tokio::test]
async fn a_stranger_replying_to_a_customers_message_id_opens_a_linked_ticket() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Open, "alice@customer.test")]));
    l.expect_participants().returning(|_| {
        Ok(addresses(&[
            "alice@customer.test",
            "support@frontdesk.test",
        ]))
    });
    let mut m = mail("mallory@attacker.test", "Re: my order");
    m.in_reply_to = vec![id("alice-1@customer.test")];
    m.references = vec![id("alice-1@customer.test")];
    assert_eq!(
        run(&m, &l).await,
        suggest(
            tref(1, Status::Open, "alice@customer.test"),
            ThreadMatch::Headers,
            Some("mallory@attacker.test"),
            "In-Reply-To: <alice-1@customer.test>; References: <alice-1@customer.test>"
        )
    );
}

#[tokio::test]
async fn a_stranger_replying_to_a_closed_ticket_gets_no_follow_up_of_it() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Closed, "alice@customer.test")]));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["alice@customer.test"])));
    let mut m = mail("mallory@attacker.test", "Re: my order");
    m.in_reply_to = vec![id("our-reply@frontdesk.test")];
    assert!(matches!(run(&m, &l).await, ThreadDecision::Suggest(_)));
}

#[tokio::test]
async fn someone_on_the_cc_of_the_tickets_mail_may_reply_by_headers() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Pending, "alice@customer.test")]));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["alice@customer.test", "bob@customer.test"])));
    let mut m = mail("BOB@customer.test", "Re: my order");
    m.in_reply_to = vec![id("alice-1@customer.test")];
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::Append(
            tref(1, Status::Pending, "alice@customer.test"),
            ThreadMatch::Headers
        )
    );
}

#[tokio::test]
async fn the_customer_threads_without_asking_for_the_other_participants() {
    // No participants expectation: asking for them would panic.
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Open, "alice@customer.test")]));
    let mut m = mail("Alice@Customer.test", "Re: my order");
    m.in_reply_to = vec![id("ours@frontdesk.test")];
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::Append(
            tref(1, Status::Open, "alice@customer.test"),
            ThreadMatch::Headers
        )
    );
}

#[tokio::test]
async fn a_strangers_tag_for_another_ticket_does_not_stop_their_own_reply() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(1, Status::Open, "alice@customer.test"))));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(2, Status::Open, "mallory@attacker.test")]));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["alice@customer.test"])));
    let mut m = mail("mallory@attacker.test", "Re: [TKT-000001]");
    m.in_reply_to = vec![id("mine@attacker.test")];
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::Append(
            tref(2, Status::Open, "mallory@attacker.test"),
            ThreadMatch::Headers
        )
    );
}

#[tokio::test]
async fn a_stranger_in_the_gmail_thread_opens_a_linked_ticket() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_provider_thread()
        .returning(|_| Ok(Some(tref(2, Status::Open, "c@x.com"))));
    l.expect_participants()
        .returning(|_| Ok(addresses(&["c@x.com"])));
    let mut m = mail("stranger@y.com", "Re: something");
    m.provider_thread = Some("thread-1".into());
    assert_eq!(
        run(&m, &l).await,
        suggest(
            tref(2, Status::Open, "c@x.com"),
            ThreadMatch::ProviderThread,
            Some("stranger@y.com"),
            "Gmail thread: thread-1"
        )
    );
}

#[tokio::test]
async fn mail_naming_two_senders_never_joins_even_the_customers_ticket() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_number()
        .returning(|_| Ok(Some(tref(1, Status::Open, "alice@customer.test"))));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Open, "alice@customer.test")]));
    let mut m = mail("alice@customer.test", "Re: [TKT-000001]");
    m.in_reply_to = vec![id("alice-1@customer.test")];
    m.ambiguous_from = vec!["alice@customer.test, mallory@attacker.test".into()];
    let d = run(&m, &l).await;
    assert_eq!(
        d,
        ThreadDecision::Suggest(Box::new(Suggestion {
            referenced: tref(1, Status::Open, "alice@customer.test"),
            how: ThreadMatch::SubjectTag,
            reason: SuggestReason::AmbiguousSender,
            evidence: "From: alice@customer.test, mallory@attacker.test; Subject: Re: [TKT-000001]"
                .into(),
        }))
    );
}

#[tokio::test]
async fn mail_naming_two_senders_and_nothing_else_is_simply_new() {
    let mut m = mail("alice@customer.test", "Hello");
    m.ambiguous_from = vec!["alice@customer.test".into(), "mallory@attacker.test".into()];
    assert_eq!(run(&m, &lookup()).await, ThreadDecision::New);
}

#[tokio::test]
async fn mail_without_a_sender_never_joins_a_ticket() {
    let mut l = lookup();
    l.checkpoint();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .returning(|_| Ok(vec![tref(1, Status::Open, "alice@customer.test")]));
    let mut m = mail("alice@customer.test", "Re: my order");
    m.from = None;
    m.in_reply_to = vec![id("alice-1@customer.test")];
    assert_eq!(
        run(&m, &l).await,
        suggest(
            tref(1, Status::Open, "alice@customer.test"),
            ThreadMatch::Headers,
            None,
            "In-Reply-To: <alice-1@customer.test>"
        )
    );
}

#[tokio::test]
async fn in_reply_to_or_references_find_the_ticket() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    l.expect_by_thread_keys()
        .withf(|ids| ids == [id("parent@x"), id("root@x")])
        .returning(|_| Ok(vec![tref(5, Status::Resolved, "c@x.com")]));
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
        .returning(|_| Ok(vec![tref(5, Status::Closed, "c@x.com")]));
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
    l.expect_by_provider_thread()
        .withf(|t| t == "thread-1")
        .returning(|_| Ok(Some(tref(2, Status::Open, "c@x.com"))));
    let mut m = mail("c@x.com", "Re: something");
    m.provider_thread = Some("thread-1".into());
    assert_eq!(
        run(&m, &l).await,
        ThreadDecision::Append(
            tref(2, Status::Open, "c@x.com"),
            ThreadMatch::ProviderThread
        )
    );
}

#[tokio::test]
async fn a_mail_referencing_itself_does_not_loop() {
    let mut l = MockThreadLookup::new();
    l.expect_by_message_id().returning(|_| Ok(None));
    // Only the other id is looked up: the mail's own id in its References is dropped.
    l.expect_by_thread_keys()
        .withf(|ids| ids == [id("other@x")])
        .returning(|_| Ok(Vec::new()));
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
        .returning(|_| Ok(Vec::new()));
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
