//! The IMAP source against the real Dovecot: deliver by SMTP, fetch by IMAP, cursor, ack modes,
//! UIDVALIDITY changes, oversized messages.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_adapters_gmail::imap::{AfterIngest, ImapSource};
use frontdesk_domain::ports::{MailSource, MailboxCursors};

use crate::servers::{MemoryCursors, account, deliver, flags, imap_settings};

/// Fetches until `n` messages arrived (delivery through LMTP takes a moment).
async fn fetch_n(source: &ImapSource, n: usize) -> Vec<frontdesk_domain::ports::FetchedMail> {
    let mut got = Vec::new();
    for _ in 0..50 {
        got.extend(source.fetch(100).await.unwrap());
        if got.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

/// The last UID in the IMAP source's own cursor format.
fn last_uid(c: &frontdesk_domain::ports::MailboxCursor) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_str(c.as_str()).unwrap();
    v["last_uid"].as_u64().map(|n| u32::try_from(n).unwrap())
}

#[tokio::test]
async fn delivered_mail_is_fetched_and_the_cursor_moves_only_on_ack() {
    let user = account("cursor");
    let cursors = Arc::new(MemoryCursors::default());
    let settings = imap_settings(&user, AfterIngest::Keep);
    let key = settings.cursor_key();
    let source = ImapSource::new(settings.clone(), cursors.clone());
    let id = deliver(&user, "Order late", "Where is my parcel?").await;
    let mails = fetch_n(&source, 1).await;
    assert_eq!(mails.len(), 1);
    assert!(String::from_utf8_lossy(&mails[0].raw).contains(&id));
    assert_eq!(
        last_uid(&cursors.cursor(&key).await.unwrap().unwrap()),
        Some(0)
    );
    // Fetching again before the ack hands out nothing new.
    assert!(source.fetch(100).await.unwrap().is_empty());
    source.acknowledge(&mails[0].source_ref).await.unwrap();
    let uid: u32 = mails[0].source_ref.parse().unwrap();
    assert_eq!(
        last_uid(&cursors.cursor(&key).await.unwrap().unwrap()),
        Some(uid)
    );
}

#[tokio::test]
async fn a_restart_before_the_ack_fetches_the_message_again() {
    let user = account("restart");
    let cursors = Arc::new(MemoryCursors::default());
    let first = ImapSource::new(imap_settings(&user, AfterIngest::Keep), cursors.clone());
    deliver(&user, "One", "x").await;
    deliver(&user, "Two", "y").await;
    let mails = fetch_n(&first, 2).await;
    assert_eq!(mails.len(), 2);
    first.acknowledge(&mails[0].source_ref).await.unwrap();
    drop(first); // crash: the second message was never acknowledged
    let second = ImapSource::new(imap_settings(&user, AfterIngest::Keep), cursors.clone());
    let again = second.fetch(100).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|m| m.source_ref.clone())
            .collect::<Vec<_>>(),
        [mails[1].source_ref.clone()]
    );
}

#[tokio::test]
async fn acknowledging_can_flag_seen_or_move_and_reading_never_marks_seen() {
    for (name, after) in [
        ("seen", AfterIngest::Seen),
        ("moved", AfterIngest::Move("Processed".into())),
    ] {
        let user = account(&format!("ack-{name}"));
        let cursors = Arc::new(MemoryCursors::default());
        let source = ImapSource::new(imap_settings(&user, after.clone()), cursors.clone());
        deliver(&user, "Hello", "x").await;
        let mails = fetch_n(&source, 1).await;
        // A person's client sees the message unread until the helpdesk acknowledges it.
        let probe = ImapSource::new(
            imap_settings(&user, AfterIngest::Keep),
            Arc::new(MemoryCursors::default()),
        );
        assert_eq!(
            probe.fetch(10).await.unwrap().len(),
            1,
            "{name}: still there, still readable"
        );
        let seen = |f: &[String]| f.iter().any(|f| f.contains("Seen"));
        assert!(
            !seen(&flags(&user, &mails[0].source_ref).await),
            "{name}: fetching must not mark it read"
        );
        source.acknowledge(&mails[0].source_ref).await.unwrap();
        if name == "seen" {
            assert!(
                seen(&flags(&user, &mails[0].source_ref).await),
                "acknowledged as seen"
            );
        }
        let fresh = ImapSource::new(
            imap_settings(&user, AfterIngest::Keep),
            Arc::new(MemoryCursors::default()),
        );
        let left = fresh.fetch(10).await.unwrap();
        match after {
            AfterIngest::Move(_) => assert!(left.is_empty(), "moved out of INBOX"),
            _ => assert_eq!(left.len(), 1, "seen mail stays in INBOX"),
        }
    }
}

#[tokio::test]
async fn a_changed_uidvalidity_resyncs_from_the_start() {
    let user = account("validity");
    let cursors = Arc::new(MemoryCursors::default());
    let settings = imap_settings(&user, AfterIngest::Keep);
    let source = ImapSource::new(settings.clone(), cursors.clone());
    deliver(&user, "Hello", "x").await;
    let mails = fetch_n(&source, 1).await;
    source.acknowledge(&mails[0].source_ref).await.unwrap();
    // Pretend the server renumbered the mailbox since: the stored cursor's UIDVALIDITY differs.
    let stored = cursors
        .cursor(&settings.cursor_key())
        .await
        .unwrap()
        .unwrap();
    let mut position: serde_json::Value = serde_json::from_str(stored.as_str()).unwrap();
    position["uid_validity"] = (position["uid_validity"].as_u64().unwrap() + 1).into();
    let stored = frontdesk_domain::ports::MailboxCursor::new(position.to_string());
    cursors
        .save_cursor(&settings.cursor_key(), &stored, chrono::Utc::now())
        .await
        .unwrap();
    let restarted = ImapSource::new(settings, cursors);
    assert_eq!(
        restarted.fetch(10).await.unwrap().len(),
        1,
        "everything is read again"
    );
}

#[tokio::test]
async fn an_oversized_message_arrives_as_its_header_marked_oversized() {
    let user = account("oversized");
    let mut settings = imap_settings(&user, AfterIngest::Keep);
    settings.max_message_bytes = 2_000;
    let source = ImapSource::new(settings, Arc::new(MemoryCursors::default()));
    deliver(
        &user,
        "Big",
        &"x".repeat(76)
            .repeat(150)
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n"),
    )
    .await;
    deliver(&user, "Small", "y").await;
    let mails = fetch_n(&source, 2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[0].oversized.is_some_and(|s| s > 10_000));
    assert!(
        mails[0].raw.len() < 2_000
            && String::from_utf8_lossy(&mails[0].raw).contains("Subject: Big")
    );
    assert_eq!(mails[1].oversized, None);
}

#[tokio::test]
async fn idle_wakes_on_new_mail_instead_of_waiting_out_its_timeout() {
    let user = account("idle");
    let source = Arc::new(ImapSource::new(
        imap_settings(&user, AfterIngest::Keep),
        Arc::new(MemoryCursors::default()),
    ));
    assert!(source.fetch(10).await.unwrap().is_empty());
    let waiter = source.clone();
    let wait = tokio::spawn(async move { waiter.wait_for_change(Duration::from_secs(20)).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    deliver(&user, "Push", "wake up").await;
    let changed = wait.await.unwrap().unwrap();
    // `changed` is only true when the server pushed news; a timeout (20 s) reports false.
    assert!(changed, "IDLE reported the delivery");
    assert_eq!(source.fetch(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn idle_times_out_quietly_when_nothing_arrives() {
    let user = account("idle-quiet");
    let source = ImapSource::new(
        imap_settings(&user, AfterIngest::Keep),
        Arc::new(MemoryCursors::default()),
    );
    assert!(
        !source
            .wait_for_change(Duration::from_millis(500))
            .await
            .unwrap()
    );
    // The session is usable afterwards.
    assert!(source.fetch(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_login_is_a_permanent_failure_without_the_password() {
    let mut settings = imap_settings(&account("badpass"), AfterIngest::Keep);
    settings.password = frontdesk_adapters_gmail::Secret::new("wrong");
    let err = ImapSource::new(settings, Arc::new(MemoryCursors::default()))
        .fetch(1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, frontdesk_domain::ports::MailError::Permanent(_)),
        "{err:?}"
    );
    assert!(
        !format!("{err:?}").contains("wrong"),
        "the password never appears in errors"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_transient_after_a_few_retries() {
    let mut settings = imap_settings(&account("down"), AfterIngest::Keep);
    settings.port = 1;
    let err = ImapSource::new(settings, Arc::new(MemoryCursors::default()))
        .fetch(1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, frontdesk_domain::ports::MailError::Transient(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_long_gap_of_removed_messages_is_jumped() {
    let user = account("gap");
    for i in 0..12 {
        deliver(&user, &format!("M{i}"), "x").await;
    }
    let mover = ImapSource::new(
        imap_settings(&user, AfterIngest::Move("Done".into())),
        Arc::new(MemoryCursors::default()),
    );
    let all = fetch_n(&mover, 12).await;
    assert_eq!(all.len(), 12);
    for m in &all[..10] {
        mover.acknowledge(&m.source_ref).await.unwrap();
    }
    // UIDs 1–10 are gone from INBOX; with batches of one the window (8 UIDs) finds nothing.
    let fresh = ImapSource::new(
        imap_settings(&user, AfterIngest::Keep),
        Arc::new(MemoryCursors::default()),
    );
    let next = fresh.fetch(1).await.unwrap();
    assert_eq!(
        next.iter()
            .map(|m| m.source_ref.clone())
            .collect::<Vec<_>>(),
        [all[10].source_ref.clone()]
    );
    assert_eq!(fresh.fetch(5).await.unwrap().len(), 1);
}

fn tls_settings(
    user: &str,
    security: frontdesk_adapters_gmail::imap::Security,
    port_var: &str,
) -> frontdesk_adapters_gmail::imap::ImapSettings {
    let mut settings = imap_settings(user, AfterIngest::Keep);
    settings.host = "localhost".into();
    settings.security = security;
    settings.port = std::env::var(port_var).unwrap().parse().unwrap();
    settings.ca_file = Some(std::env::var("FRONTDESK_TEST_CA").unwrap().into());
    settings
}

#[tokio::test]
async fn implicit_tls_and_starttls_both_fetch_mail() {
    use frontdesk_adapters_gmail::imap::Security;
    let user = account("tls");
    deliver(&user, "Secret", "over TLS").await;
    for (security, port_var) in [
        (Security::Tls, "FRONTDESK_TEST_IMAPS_PORT"),
        (Security::StartTls, "FRONTDESK_TEST_IMAP_PORT"),
    ] {
        let source = ImapSource::new(
            tls_settings(&user, security, port_var),
            Arc::new(MemoryCursors::default()),
        );
        let mails = fetch_n(&source, 1).await;
        assert_eq!(mails.len(), 1, "{security:?}");
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    use frontdesk_adapters_gmail::imap::Security;
    let mut settings = tls_settings(
        &account("untrusted"),
        Security::Tls,
        "FRONTDESK_TEST_IMAPS_PORT",
    );
    settings.ca_file = None; // only the web PKI: the test CA is unknown
    let err = ImapSource::new(settings, Arc::new(MemoryCursors::default()))
        .fetch(1)
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").to_lowercase().contains("certificate"),
        "{err:?}"
    );
}
