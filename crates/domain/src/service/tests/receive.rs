//! Receiving raw mail: parse, quarantine what cannot be read or is too large, ingest the rest.

use mockall::predicate::{always, eq};

use super::*;
use crate::ports::{MockMailParser, MockQuarantine, ParseFailure, QuarantineKind};
use crate::service::{RawMail, Received};
use crate::ticket::Channel;

fn parser() -> MockMailParser {
    let mut p = MockMailParser::new();
    p.expect_parse().returning(|raw, _| {
        let text = String::from_utf8_lossy(raw);
        match text.strip_prefix("ok:") {
            Some(id) => Ok(mail(id, "jane@x.com", "Help", "text")),
            None => Err(ParseFailure("no header".into())),
        }
    });
    p.expect_message_id().returning(|raw| {
        let text = String::from_utf8_lossy(raw);
        text.strip_prefix("bad:")
            .map(|id| MessageId::parse(id).unwrap())
    });
    p
}

#[tokio::test]
async fn each_mail_gets_its_outcome_in_order_and_the_unreadable_keep_their_bytes() {
    let w = world();
    let mut big = RawMail::new("inbox:3", Channel::Email, b"Subject: huge".to_vec());
    big.oversized = Some(30_000_000);
    let mut from_zendesk = RawMail::new("zendesk", Channel::Zendesk, b"ok:z@c".to_vec());
    from_zendesk.provider_thread = Some("thread-9".into());
    let mails = [
        RawMail::new("inbox:1", Channel::Email, b"ok:a@c".to_vec()),
        RawMail::new("inbox:2", Channel::Email, b"bad:b@c".to_vec()),
        big,
        from_zendesk,
        RawMail::new("inbox:4", Channel::Email, b"garbage".to_vec()),
    ];
    let mut quarantine = MockQuarantine::new();
    for (source, channel, raw, error) in [
        ("inbox:2", Channel::Email, &b"bad:b@c"[..], "no header"),
        (
            "inbox:3",
            Channel::Email,
            &b"Subject: huge"[..],
            "message is 30000000 bytes, over the mailbox's size limit; only its header was kept",
        ),
        ("inbox:4", Channel::Email, &b"garbage"[..], "no header"),
    ] {
        quarantine
            .expect_quarantine()
            .with(
                eq(source),
                eq(channel),
                eq(raw),
                eq(error),
                eq(QuarantineKind::Failed),
                always(),
            )
            .times(1)
            .returning(|_, _, _, _, _, _| Ok(uuid::Uuid::nil()));
    }

    let out = w
        .desk
        .receive(&parser(), &quarantine, &mails, false, Admission::Limited)
        .await
        .unwrap();

    let names: Vec<_> = out.iter().map(Received::name).collect();
    assert_eq!(
        names,
        [
            "created",
            "quarantined",
            "quarantined",
            "created",
            "quarantined"
        ]
    );
    let Received::Quarantined { message_id, .. } = &out[1] else {
        panic!("not quarantined: {:?}", out[1]);
    };
    assert_eq!(message_id.as_str(), "b@c", "the id the header still names");
    let Received::Quarantined { message_id, .. } = &out[4] else {
        panic!("not quarantined: {:?}", out[4]);
    };
    assert_eq!(*message_id, MessageId::synthetic_from_raw(b"garbage"));
    let Received::Ingested(z) = &out[3] else {
        panic!("not ingested: {:?}", out[3]);
    };
    let t = w.ticket(z.ticket_id.unwrap());
    assert_eq!(t.channel, Channel::Zendesk, "the channel the receiver said");
    assert_eq!(t.provider_thread.as_deref(), Some("thread-9"));
}

#[tokio::test]
async fn a_dry_run_quarantines_nothing() {
    let w = world();
    let mails = [RawMail::new("f.eml", Channel::Email, b"garbage".to_vec())];
    let mut quarantine = MockQuarantine::new();
    quarantine.expect_quarantine().never();
    let out = w
        .desk
        .receive(&parser(), &quarantine, &mails, true, Admission::Limited)
        .await
        .unwrap();
    assert_eq!(out[0].name(), "quarantined");
}
