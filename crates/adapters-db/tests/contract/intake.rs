//! Quarantine and mailbox cursors.

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{MailboxCursor, MailboxCursors, Quarantine, QuarantineKind};
use frontdesk_domain::ticket::Channel;

use crate::backends::now;
use crate::contract;

contract!(
    quarantine_keeps_raw_bytes_and_counts_repeats,
    |db: Database| async move {
        let t0 = now();
        let raw: Vec<u8> =
            b"From: x\r\nContent-Type: multipart/mixed; boundary=\xff\xfe\0\r\n\r\n--".to_vec();
        let id = db
            .quarantine(
                "imap:INBOX#42",
                Channel::Email,
                &raw,
                "unterminated multipart",
                QuarantineKind::Failed,
                t0,
            )
            .await
            .unwrap();
        let again = db
            .quarantine(
                "imap:INBOX#42",
                Channel::Email,
                &raw,
                "still broken",
                QuarantineKind::Failed,
                t0 + TimeDelta::minutes(1),
            )
            .await
            .unwrap();
        assert_eq!(id, again);
        let other = db
            .quarantine(
                "import:/tmp/a.eml",
                Channel::Email,
                b"garbage",
                "no headers",
                QuarantineKind::Failed,
                t0,
            )
            .await
            .unwrap();
        let open = db.quarantined(false, None, 10).await.unwrap();
        assert_eq!(open.len(), 2);
        let entry = db.quarantined_mail(id).await.unwrap().unwrap();
        assert_eq!(
            (entry.raw, entry.attempts, entry.error.as_str()),
            (raw.clone(), 2, "still broken")
        );
        db.resolve(other, t0).await.unwrap();
        assert_eq!(db.quarantined(false, None, 10).await.unwrap().len(), 1);
        assert_eq!(db.quarantined(true, None, 10).await.unwrap().len(), 2);
        // After resolution, the same bytes failing again open a new entry.
        db.resolve(id, t0).await.unwrap();
        assert_ne!(
            db.quarantine(
                "imap:INBOX#42",
                Channel::Email,
                &raw,
                "again",
                QuarantineKind::Failed,
                t0
            )
            .await
            .unwrap(),
            id
        );
        // The channel the receiver said is kept, so reprocessing ingests it the same way.
        let webhook = db
            .quarantine(
                "zendesk",
                Channel::Zendesk,
                b"{}",
                "no requester",
                QuarantineKind::Machine,
                t0,
            )
            .await
            .unwrap();
        let entry = db.quarantined_mail(webhook).await.unwrap().unwrap();
        assert_eq!(
            (entry.channel, entry.source.as_str(), entry.kind),
            (Channel::Zendesk, "zendesk", QuarantineKind::Machine)
        );
        let machine = db
            .quarantined(false, Some(QuarantineKind::Machine), 10)
            .await
            .unwrap();
        assert_eq!(machine.len(), 1);
        assert_eq!(machine[0].id, webhook);
        assert!(
            db.quarantined_mail(uuid::Uuid::now_v7())
                .await
                .unwrap()
                .is_none()
        );
    }
);

contract!(
    mailbox_cursors_are_saved_and_replaced,
    |db: Database| async move {
        assert_eq!(
            db.cursor("imap://support@example.com/INBOX").await.unwrap(),
            None
        );
        // Storage keeps a source's position as it is, whatever its format.
        let c = MailboxCursor::new(r#"{"uid_validity":4294967295,"last_uid":1234}"#);
        db.save_cursor("imap://support@example.com/INBOX", &c, now())
            .await
            .unwrap();
        assert_eq!(
            db.cursor("imap://support@example.com/INBOX").await.unwrap(),
            Some(c)
        );
        let g = MailboxCursor::new("any text, ünïcode and \"quotes\" included");
        db.save_cursor("imap://support@example.com/INBOX", &g, now())
            .await
            .unwrap();
        assert_eq!(
            db.cursor("imap://support@example.com/INBOX").await.unwrap(),
            Some(g)
        );
    }
);

contract!(
    a_mailbox_lease_has_one_holder_until_it_expires,
    |db: Database| async move {
        use frontdesk_domain::ports::MailboxLeases;
        let now = crate::backends::now();
        let minute = chrono::TimeDelta::minutes(1);
        assert!(
            db.try_lease("support", "a", now + minute, now)
                .await
                .unwrap()
        );
        assert!(
            !db.try_lease("support", "b", now + minute, now)
                .await
                .unwrap()
        );
        // The holder renews; another mailbox is free.
        assert!(
            db.try_lease("support", "a", now + minute * 2, now)
                .await
                .unwrap()
        );
        assert!(db.try_lease("sales", "b", now + minute, now).await.unwrap());
        // After expiry someone else may take it, and the old holder has lost it.
        let later = now + minute * 3;
        assert!(
            db.try_lease("support", "b", later + minute, later)
                .await
                .unwrap()
        );
        assert!(
            !db.try_lease("support", "a", later + minute, later)
                .await
                .unwrap()
        );
        // Releasing is only the holder's to do.
        db.release("support", "a").await.unwrap();
        assert!(
            !db.try_lease("support", "c", later + minute, later)
                .await
                .unwrap()
        );
        db.release("support", "b").await.unwrap();
        assert!(
            db.try_lease("support", "c", later + minute, later)
                .await
                .unwrap()
        );
    }
);

contract!(
    cursors_stored_before_they_were_opaque_are_rewritten_in_their_sources_format,
    |db: Database| async move {
        use sea_orm::ConnectionTrait;
        // Back to the columns from before `m0019_opaque_cursors`, with a cursor of each kind.
        let conn = db.connection();
        for sql in [
            "ALTER TABLE mailbox_cursors DROP COLUMN position",
            "ALTER TABLE mailbox_cursors ADD COLUMN uid_validity BIGINT",
            "ALTER TABLE mailbox_cursors ADD COLUMN last_uid BIGINT",
            "ALTER TABLE mailbox_cursors ADD COLUMN history_id TEXT",
            "DELETE FROM seaql_migrations WHERE version = 'm0019_opaque_cursors'",
        ] {
            conn.execute_unprepared(sql).await.unwrap();
        }
        let at = now().to_rfc3339();
        conn.execute_unprepared(&format!(
            "INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid, history_id, updated_at) \
             VALUES ('imap', 4294967295, 1234, NULL, '{at}'), \
                    ('imap-new', 7, NULL, NULL, '{at}'), \
                    ('gmail', NULL, NULL, '987654', '{at}')"
        ))
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let position = |m: &'static str| {
            let db = &db;
            async move { db.cursor(m).await.unwrap().unwrap() }
        };
        assert_eq!(
            position("imap").await,
            MailboxCursor::new(r#"{"uid_validity":4294967295,"last_uid":1234}"#)
        );
        assert_eq!(
            position("imap-new").await,
            MailboxCursor::new(r#"{"uid_validity":7,"last_uid":0}"#)
        );
        assert_eq!(
            position("gmail").await,
            MailboxCursor::new(r#"{"history_id":"987654"}"#)
        );
    }
);
