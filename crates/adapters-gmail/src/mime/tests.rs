//! Normalisation of hand-written messages covering each rule; the real corpora run in the
//! crate's integration suite.

use chrono::{DateTime, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .to_utc()
}

fn parse(raw: &str) -> InboundEmail {
    parse_message(raw.as_bytes(), now(), &MimeLimits::default()).unwrap()
}

const PLAIN: &str = "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <Joerg@Example.COM>\r\n\
To: Support <support@frontdesk.test>, other@example.com\r\n\
Cc: boss@example.com\r\n\
Reply-To: joerg.private@example.net\r\n\
Subject: =?UTF-8?B?QmVzdGVsbHVuZyB2ZXJzcMOkdGV0?=\r\n\
Date: Tue, 04 Mar 2025 10:12:00 +0100\r\n\
Message-ID: <abc.123@mail.example.com>\r\n\
In-Reply-To: <parent@frontdesk.test>\r\n\
References: <root@client.example>\r\n <parent@frontdesk.test>\r\n\
Auto-Submitted: auto-replied\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hallo, wo ist meine Bestellung?\r\n";

#[test]
fn addresses_subject_date_and_ids_are_normalised() {
    let m = parse(PLAIN);
    let from = m.from.clone().unwrap();
    assert_eq!(
        (from.name.as_deref(), from.address.as_str()),
        (Some("Jörg Müller"), "Joerg@example.com")
    );
    assert_eq!(m.to.len(), 2);
    assert_eq!(m.cc[0].address.as_str(), "boss@example.com");
    assert_eq!(
        m.reply_to.as_ref().unwrap().address.as_str(),
        "joerg.private@example.net"
    );
    assert_eq!(m.subject, "Bestellung verspätet");
    assert_eq!(
        m.date,
        Some(
            DateTime::parse_from_rfc3339("2025-03-04T09:12:00Z")
                .unwrap()
                .to_utc()
        )
    );
    assert_eq!(
        m.message_id.as_ref().unwrap().as_str(),
        "abc.123@mail.example.com"
    );
    assert_eq!(
        m.in_reply_to
            .iter()
            .map(MessageId::as_str)
            .collect::<Vec<_>>(),
        ["parent@frontdesk.test"]
    );
    assert_eq!(
        m.references
            .iter()
            .map(MessageId::as_str)
            .collect::<Vec<_>>(),
        ["root@client.example", "parent@frontdesk.test"]
    );
    assert_eq!(m.header("auto-submitted"), Some("auto-replied"));
    assert_eq!(m.text_body.trim(), "Hallo, wo ist meine Bestellung?");
    assert_eq!(m.raw, PLAIN.as_bytes());
    assert_eq!(m.received_at, now());
}

#[test]
fn an_rfc_822_phrase_in_reply_to_names_no_message() {
    // Old clients answer with a phrase: every word with an `@` used to become an id, so all of
    // one person's replies shared the key `jane@x.example's` and landed in one ticket.
    let m = parse(
        "From: jane@x.example\r\nSubject: Re: hello\r\nMessage-ID: <r1@x.example>\r\n\
In-Reply-To: jane@x.example's message of \"Tue, 27 Aug 2002 10:00:00\r\n +0200\"\r\n\
References: (none) jane@x.example\r\n\r\nHi\r\n",
    );
    assert!(m.in_reply_to.is_empty(), "{:?}", m.in_reply_to);
    assert!(m.references.is_empty(), "{:?}", m.references);
    let bare = parse(
        "From: jane@x.example\r\nSubject: Re\r\nIn-Reply-To: p1@frontdesk.test\r\n\r\nHi\r\n",
    );
    assert_eq!(
        bare.in_reply_to
            .iter()
            .map(MessageId::as_str)
            .collect::<Vec<_>>(),
        ["p1@frontdesk.test"]
    );
}

#[test]
fn a_missing_or_absurd_date_is_left_empty() {
    let m = parse("From: a@b.c\r\nSubject: x\r\n\r\nbody");
    assert_eq!(m.date, None);
    let m = parse("From: a@b.c\r\nDate: Mon, 32 Foo 0000 99:99:99 +9999\r\n\r\nbody");
    assert_eq!(m.date, None);
}

#[test]
fn html_only_mail_gets_readable_text_and_safe_html() {
    let m = parse(
        "From: a@b.c\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>My <b>order</b> is late</p><script>alert(1)</script><img src=\"https://t.example/x.gif\">",
    );
    assert!(m.text_body.contains("My order is late"), "{}", m.text_body);
    let html = m.html_body.unwrap();
    assert!(
        !html.contains("script") && !html.contains("t.example"),
        "{html}"
    );
}

#[test]
fn attachments_are_decoded_with_safe_names() {
    let raw = "From: a@b.c\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n\
--XX\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
--XX\r\nContent-Type: application/pdf; name=\"../../etc/passwd\"\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjc=\r\n\
--XX\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n\
--XX--\r\n";
    let m = parse(raw);
    assert_eq!(m.text_body.trim(), "See attached.");
    assert_eq!(m.attachments.len(), 2);
    let pdf = &m.attachments[0];
    assert_eq!(
        (pdf.filename.as_deref(), pdf.content_type.as_str()),
        (Some("passwd"), "application/pdf")
    );
    assert_eq!(pdf.content, b"%PDF-1.7");
    let logo = &m.attachments[1];
    assert!(logo.inline);
    assert_eq!(logo.content_id.as_deref(), Some("logo@x"));
}

#[test]
fn legacy_charsets_are_decoded() {
    let raw = b"From: a@b.c\r\nSubject: =?ISO-8859-1?Q?Caf=E9?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9 cr\xe8me\r\n";
    let m = parse_message(raw, now(), &MimeLimits::default()).unwrap();
    assert_eq!(m.subject, "Café");
    assert_eq!(m.text_body.trim(), "Café crème");
}

#[test]
fn folded_and_injected_headers_become_one_line() {
    let m = parse("From: a@b.c\r\nSubject: Hello\r\n  world\r\n\r\nx");
    assert_eq!(m.subject, "Hello world");
    assert!(
        m.headers
            .iter()
            .all(|h| !h.value.contains('\n') && !h.value.contains('\r'))
    );
}

#[test]
fn a_reply_keeps_its_new_part_apart_from_the_quote() {
    let m = parse(
        "From: a@b.c\r\nSubject: Re: x\r\n\r\nThanks, that worked!\r\n\r\n\
         On Tue, Mar 4, 2025 at 10:12 AM Support <support@frontdesk.test> wrote:\r\n> Please restart the router.\r\n",
    );
    assert_eq!(m.new_text.as_deref(), Some("Thanks, that worked!"));
    assert!(m.text_body.contains("Please restart"));
}

#[test]
fn limits_turn_into_typed_errors() {
    let limits = MimeLimits {
        max_bytes: 10,
        ..MimeLimits::default()
    };
    assert_eq!(
        parse_message(PLAIN.as_bytes(), now(), &limits).unwrap_err(),
        MimeError::TooLarge {
            size: PLAIN.len(),
            max: 10
        }
    );
    let mut nested = String::from("From: a@b.c\r\n");
    for i in 0..30 {
        nested.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
        ));
    }
    nested.push_str("Content-Type: text/plain\r\n\r\ndeep\r\n");
    let err = parse_message(nested.as_bytes(), now(), &MimeLimits::default()).unwrap_err();
    assert!(matches!(err, MimeError::TooDeep { .. }), "{err:?}");
    let mut many = String::from("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n");
    for i in 0..5 {
        many.push_str(&format!("--Z\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f{i}\r\n\r\nx\r\n"));
    }
    many.push_str("--Z--\r\n");
    let limits = MimeLimits {
        max_attachments: 3,
        ..MimeLimits::default()
    };
    assert_eq!(
        parse_message(many.as_bytes(), now(), &limits).unwrap_err(),
        MimeError::TooManyAttachments { count: 5, max: 3 }
    );
}

#[test]
fn garbage_never_panics() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let alphabet =
        b"From: a@b.c\r\n:;<>=?\"'\\-_ BbQq\x00\xff\xc3\xa9\tContent-Type multipart/boundary";
    for len in [0usize, 1, 2, 7, 64, 500, 4000] {
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = parse_message(&bytes, now(), &MimeLimits::default());
        }
    }
}

#[test]
fn bytes_without_headers_are_not_a_message() {
    assert_eq!(
        parse_message(b"", now(), &MimeLimits::default()).unwrap_err(),
        MimeError::NotAMessage
    );
}

#[test]
fn message_ids_are_found_in_unparsable_headers() {
    assert_eq!(
        raw_message_id(b"X: y\r\nMessage-ID: <a@b>\r\n\r\nbody"),
        Some(MessageId::parse("<a@b>").unwrap())
    );
    assert_eq!(raw_message_id(b"garbage"), None);
    assert_eq!(header_end(b"A: b\n\nbody"), Some(6));
    assert_eq!(header_end(b"A: b\r\n"), None);
}

#[test]
fn one_sender_is_not_ambiguous() {
    assert!(parse(PLAIN).ambiguous_from.is_empty());
    let m = parse("From: \"Doe, Jane\" <jane@example.com>\r\nSubject: x\r\n\r\nbody\r\n");
    assert!(!m.is_from_ambiguous());
}

#[test]
fn two_from_headers_are_kept_as_received() {
    let m = parse(
        "From: Mallory <mallory@attacker.test>\r\nFrom: alice@customer.test\r\n\
         Subject: Re: order\r\n\r\nbody\r\n",
    );
    assert_eq!(
        m.ambiguous_from,
        ["Mallory <mallory@attacker.test>", "alice@customer.test"]
    );
    assert!(m.from.is_some());
}

#[test]
fn several_addresses_in_one_from_header_are_ambiguous() {
    let m =
        parse("From: alice@customer.test,\r\n mallory@attacker.test\r\nSubject: x\r\n\r\nbody\r\n");
    assert_eq!(
        m.ambiguous_from,
        ["alice@customer.test, mallory@attacker.test"]
    );
    let group = parse("From: Team: a@x.test, b@x.test;\r\nSubject: x\r\n\r\nbody\r\n");
    assert!(group.is_from_ambiguous());
}

#[test]
fn every_authentication_results_header_is_kept_in_order_unfolded() {
    let m = parse(
        "Authentication-Results: mx.frontdesk.test;\r\n\tdmarc=fail header.from=bank.test\r\n\
         Received: from mail.bank.test\r\n\
         Authentication-Results: mx.frontdesk.test; dmarc=pass\r\n\
         From: ceo@bank.test\r\nSubject: x\r\n\r\nx",
    );
    let results: Vec<&str> = m
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authentication-results"))
        .map(|h| h.value.as_str())
        .collect();
    assert_eq!(
        results,
        [
            "mx.frontdesk.test; dmarc=fail header.from=bank.test",
            "mx.frontdesk.test; dmarc=pass"
        ]
    );
}

#[test]
fn a_bounce_names_the_message_it_returns() {
    let dsn = "From: MAILER-DAEMON@mx.example\r\nTo: support@frontdesk.test\r\n\
Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.example>\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n\
Final-Recipient: rfc822; gone@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\
--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@frontdesk.test\r\n\
Message-ID: <reply-7@frontdesk.test>\r\nSubject: Re: Help [TKT-000001]\r\n\
--b--\r\n";
    let m = parse(dsn);
    assert_eq!(
        m.returned_message_id.as_ref().map(MessageId::as_str),
        Some("reply-7@frontdesk.test")
    );
    let whole = dsn
        .replace(
            "Content-Type: text/rfc822-headers",
            "Content-Type: message/rfc822",
        )
        .replace(
            "Subject: Re: Help [TKT-000001]\r\n",
            "Subject: Re: Help [TKT-000001]\r\n\r\nHello Jane\r\n",
        );
    assert_eq!(
        parse(&whole)
            .returned_message_id
            .as_ref()
            .map(MessageId::as_str),
        Some("reply-7@frontdesk.test")
    );
    assert_eq!(parse(PLAIN).returned_message_id, None);
}
