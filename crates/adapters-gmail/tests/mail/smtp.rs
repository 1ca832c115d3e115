//! The SMTP sender against the real server: what we send arrives threaded and intact.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use frontdesk_adapters_gmail::imap::{AfterIngest, ImapSource, Security};
use frontdesk_adapters_gmail::mime::{MimeLimits, parse_message};
use frontdesk_adapters_gmail::smtp::{SmtpSender, SmtpSettings};
use frontdesk_domain::email::{EmailAddress, MessageId};
use frontdesk_domain::ports::{MailError, MailSender, MailSource, OutboundEmail};
use frontdesk_domain::threading::LoopGuard;
use frontdesk_domain::ticket::TicketId;

use crate::servers::{MemoryCursors, account, imap_settings};

fn settings() -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: std::env::var("FRONTDESK_TEST_SMTP_PORT")
            .unwrap()
            .parse()
            .unwrap(),
        security: Security::Plain,
        username: None,
        password: None,
        from_address: EmailAddress::parse("support@frontdesk.test").unwrap(),
        from_name: Some("Frontdesk Support".into()),
        timeout: Duration::from_secs(10),
    }
}

fn reply(to: &str) -> OutboundEmail {
    OutboundEmail {
        ticket_id: Some(TicketId::from_uuid(uuid::Uuid::now_v7())),
        message: None,
        to: vec![EmailAddress::parse(to).unwrap()],
        subject: "Re: Café order late [TKT-000042]".into(),
        message_id: MessageId::parse(&format!("{}@frontdesk.test", uuid::Uuid::now_v7().simple()))
            .unwrap(),
        in_reply_to: Some(MessageId::parse("c2@client.example").unwrap()),
        references: vec![
            MessageId::parse("c1@client.example").unwrap(),
            MessageId::parse("c2@client.example").unwrap(),
        ],
        body_text: "Your parcel left the warehouse — it arrives tomorrow.".into(),
        body_html: Some("<p>Your parcel left the warehouse.</p>".into()),
        automatic: true,
        x_loop: Some("support@frontdesk.test".into()),
        provider_thread: None,
        attachments: vec![frontdesk_domain::ports::OutboundAttachment {
            filename: "label.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.7 return label".to_vec(),
        }],
    }
}

#[tokio::test]
async fn a_reply_arrives_threaded_tagged_and_marked_automatic() {
    let customer = account("smtp-customer");
    let sender = SmtpSender::new(&settings()).unwrap();
    let sent = reply(&customer);
    sender.send(&sent).await.unwrap();
    let inbox = ImapSource::new(
        imap_settings(&customer, AfterIngest::Keep),
        Arc::new(MemoryCursors::default()),
    );
    let mut got = Vec::new();
    for _ in 0..50 {
        got = inbox.fetch(10).await.unwrap();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = parse_message(&got[0].raw, Utc::now(), &MimeLimits::default()).unwrap();
    assert_eq!(mail.subject, "Re: Café order late [TKT-000042]");
    assert_eq!(mail.message_id, Some(sent.message_id.clone()));
    assert_eq!(
        mail.in_reply_to,
        vec![MessageId::parse("c2@client.example").unwrap()]
    );
    assert_eq!(mail.references, sent.references);
    assert!(mail.text_body.contains("arrives tomorrow"));
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename.as_deref(), Some("label.pdf"));
    assert_eq!(mail.attachments[0].content_type, "application/pdf");
    assert_eq!(mail.attachments[0].content, b"%PDF-1.7 return label");
    assert_eq!(
        mail.from.unwrap().name.as_deref(),
        Some("Frontdesk Support")
    );
    // Our own loop marker makes Frontdesk recognise its mail if it ever comes back.
    let mut echoed = parse_message(&got[0].raw, Utc::now(), &MimeLimits::default()).unwrap();
    echoed.from = None;
    assert!(
        LoopGuard::new("support@frontdesk.test")
            .classify(&echoed)
            .is_some()
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_transient_failure() {
    let mut s = settings();
    s.port = 1; // nothing listens there
    s.timeout = Duration::from_secs(2);
    let err = SmtpSender::new(&s)
        .unwrap()
        .send(&reply("x@frontdesk.test"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
}
