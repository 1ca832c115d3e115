use std::net::IpAddr;

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn public_addresses_are_allowed_by_default() {
    let policy = TargetPolicy::default();
    for a in [
        "93.184.215.14",
        "8.8.8.8",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
    ] {
        assert_eq!(policy.check(ip(a)), Ok(()), "{a}");
    }
}

#[test]
fn non_public_ipv4_addresses_are_refused_by_default() {
    let policy = TargetPolicy::default();
    for (a, kind) in [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.1", "multicast"),
        ("192.0.2.10", "documentation"),
        ("198.51.100.1", "documentation"),
        ("203.0.113.7", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("240.0.0.1", "reserved"),
    ] {
        let refused = policy.check(ip(a)).unwrap_err();
        assert!(refused.kind.contains(kind), "{a}: {}", refused.kind);
    }
    assert_eq!(
        policy.check(ip("172.32.0.1")),
        Ok(()),
        "just past 172.16/12"
    );
    assert_eq!(
        policy.check(ip("100.128.0.1")),
        Ok(()),
        "just past 100.64/10"
    );
}

#[test]
fn non_public_ipv6_addresses_and_ipv6_forms_of_refused_ipv4_are_refused_by_default() {
    let policy = TargetPolicy::default();
    for (a, kind) in [
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("febf::1", "link-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:7f00:1::", "loopback"),
        ("2002:c0a8:101::1", "private"),
    ] {
        let refused = policy.check(ip(a)).unwrap_err();
        assert!(refused.kind.contains(kind), "{a}: {}", refused.kind);
    }
}

#[test]
fn allowed_blocks_let_internal_addresses_through_and_nothing_else() {
    let policy = TargetPolicy::allowing(vec![
        Cidr::parse("10.0.0.0/8").unwrap(),
        Cidr::parse("127.0.0.1").unwrap(),
        Cidr::parse("fd00::/8").unwrap(),
    ]);
    for a in ["10.9.8.7", "127.0.0.1", "::ffff:127.0.0.1", "fd00::5"] {
        assert_eq!(policy.check(ip(a)), Ok(()), "{a}");
    }
    for a in [
        "127.0.0.2",
        "192.168.0.1",
        "169.254.169.254",
        "fc00::1",
        "::1",
    ] {
        assert!(policy.check(ip(a)).is_err(), "{a}");
    }
}

#[test]
fn address_blocks_are_read_with_or_without_a_prefix() {
    assert_eq!(Cidr::parse("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
    assert_eq!(
        Cidr::parse(" 127.0.0.1 ").unwrap().to_string(),
        "127.0.0.1/32"
    );
    assert_eq!(Cidr::parse("::1").unwrap().to_string(), "::1/128");
    assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    for bad in [
        "10.0.0.0/33",
        "::/129",
        "localhost",
        "10.0.0/8",
        "",
        "10.0.0.0/x",
    ] {
        assert!(Cidr::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn encoded_ipv4_hosts_read_as_the_address_they_reach() {
    for raw in [
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "http://0177.0.0.1/hook",
        "http://127.1/hook",
        "http://0x7f.0.0.1/hook",
    ] {
        let url = WebhookUrl::parse(raw).unwrap();
        assert_eq!(url.host(), TargetHost::Address(ip("127.0.0.1")), "{raw}");
        assert_eq!(url.as_str(), "http://127.0.0.1/hook", "{raw}");
    }
    let url = WebhookUrl::parse("https://[::ffff:a9fe:a9fe]:8443/x").unwrap();
    assert_eq!(
        url.host(),
        TargetHost::Address(ip("::ffff:169.254.169.254"))
    );
    assert_eq!(url.port(), 8443);
    let url = WebhookUrl::parse("https://Hooks.Example.COM/x").unwrap();
    assert_eq!(url.host(), TargetHost::Name("hooks.example.com".to_owned()));
    assert_eq!(url.port(), 443);
}

#[test]
fn only_http_and_https_urls_with_a_host_are_webhooks() {
    for raw in [
        "ftp://files.example.test/x",
        "file:///etc/passwd",
        "gopher://x.test/",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            WebhookUrl::parse(raw),
            Err(WebhookUrlError::Scheme),
            "{raw}"
        );
    }
    for raw in [
        "https://",
        "not a url",
        "http://",
        "https://x.test/a b",
        "http:\n//x.test",
    ] {
        assert_eq!(
            WebhookUrl::parse(raw),
            Err(WebhookUrlError::Malformed),
            "{raw}"
        );
    }
    let long = format!("https://x.test/{}", "a".repeat(2048));
    assert_eq!(WebhookUrl::parse(&long), Err(WebhookUrlError::Malformed));
}

#[test]
fn a_redacted_url_shows_no_password_query_or_fragment() {
    assert_eq!(
        redact_url("https://user:hunter2@crm.example.test/hooks/in?api_key=SECRET&x=1#frag"),
        "https://user:***@crm.example.test/hooks/in?***#***"
    );
    assert_eq!(
        redact_url("https://crm.example.test/hooks/in"),
        "https://crm.example.test/hooks/in"
    );
    assert_eq!(
        redact_url("https://only-user@x.test/"),
        "https://only-user@x.test/"
    );
    assert_eq!(
        redact_url("ftp://u:pw@files.test/a?k=v"),
        "ftp://files.test/***"
    );
    assert_eq!(redact_url("::not a url?key=v"), "(an unreadable URL)");
    let url = WebhookUrl::parse("http://u:pw@x.test/?k=SECRET").unwrap();
    assert!(!format!("{url} {url:?}").contains("SECRET"));
    assert!(!format!("{url} {url:?}").contains("pw"));
}

mod events {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use crate::webhook::{
        EventSelection, EventSelectionError, FeedEvent, PublicEvent, Subscription,
    };

    fn event(kind: &str, minute: u32) -> FeedEvent {
        FeedEvent {
            id: 7,
            ticket_id: Uuid::from_u128(1),
            number: "TKT-000001".into(),
            customer: "alice@customer.test".into(),
            assignee: None,
            at: Utc.with_ymd_and_hms(2026, 12, 3, 10, minute, 0).unwrap(),
            kind: kind.into(),
            data: serde_json::json!({"kind": "customer"}),
        }
    }

    fn subscription(events: EventSelection) -> Subscription {
        let created = Utc.with_ymd_and_hms(2026, 12, 3, 10, 30, 0).unwrap();
        Subscription {
            id: Uuid::from_u128(2),
            url: "https://crm.example.test/hook?key=secret".into(),
            secret: "0123456789abcdef0123".into(),
            events,
            active: true,
            created_at: created,
            updated_at: created,
        }
    }

    #[test]
    fn audit_kinds_are_published_under_five_names() {
        assert_eq!(event("created", 0).name(), "ticket.created");
        assert_eq!(event("message_added", 0).name(), "message.added");
        assert_eq!(event("sla_warning", 0).name(), "sla.warning");
        assert_eq!(event("sla_breached", 0).name(), "sla.breached");
        for kind in ["status_changed", "assigned", "tags_changed", "merged_into"] {
            assert_eq!(event(kind, 0).name(), "ticket.updated", "{kind}");
        }
        for e in PublicEvent::ALL {
            assert_eq!(PublicEvent::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn the_body_names_the_event_and_its_ticket() {
        let body = event("created", 5).to_json();
        assert_eq!(body["event"], "ticket.created");
        assert_eq!(body["ticket"]["number"], "TKT-000001");
        assert_eq!(body["kind"], "created");
        assert_eq!(body["data"]["kind"], "customer");
        assert_eq!(body["id"], 7);
    }

    #[test]
    fn selections_are_parsed_trimmed_and_without_duplicates() {
        assert_eq!(
            EventSelection::parse(&[" ticket.created", "ticket.created", "sla.breached"]),
            Ok(EventSelection::Only(vec![
                PublicEvent::TicketCreated,
                PublicEvent::SlaBreached
            ]))
        );
        assert_eq!(
            EventSelection::parse(&["ticket.created", "*"]),
            Ok(EventSelection::All)
        );
        assert_eq!(
            EventSelection::parse::<&str>(&[]),
            Err(EventSelectionError::Empty)
        );
        let unknown = EventSelection::parse(&["ticket.deleted"]).unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("`ticket.deleted` is not one of *, ticket.created")
        );
        assert_eq!(EventSelection::All.names(), vec!["*"]);
    }

    #[test]
    fn a_subscription_wants_its_events_from_its_creation_on_while_active() {
        let only_created = subscription(EventSelection::Only(vec![PublicEvent::TicketCreated]));
        assert!(only_created.wants(&event("created", 30)));
        assert!(
            !only_created.wants(&event("created", 29)),
            "the backlog is not sent"
        );
        assert!(!only_created.wants(&event("message_added", 45)));
        let mut all = subscription(EventSelection::All);
        assert!(all.wants(&event("sla_breached", 45)));
        all.active = false;
        assert!(!all.wants(&event("sla_breached", 45)));
    }

    #[test]
    fn a_subscription_prints_without_its_secret_or_query() {
        let printed = format!("{:?}", subscription(EventSelection::All));
        assert!(!printed.contains("0123456789abcdef"));
        assert!(!printed.contains("key=secret"));
    }
}
