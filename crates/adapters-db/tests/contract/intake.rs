//! Quarantine and mailbox cursors.

use chrono::TimeDelta;
use frontdesk_adapters_db::Database;
use frontdesk_domain::ports::{MailboxCursor, MailboxCursors, Quarantine};

use crate::backends::now;
use crate::contract;

contract!(
    quarantine_keeps_raw_bytes_and_counts_repeats,
    |db: Database| async move {
        let t0 = now();
        let raw: Vec<u8> =
            b"From: x\r\nContent-Type: multipart/mixed; boundary=\xff\xfe\0\r\n\r\n--".to_vec();
        let id = db
            .quarantine("imap:INBOX#42", &raw, "unterminated multipart", t0)
            .await
            .unwrap();
        let again = db
            .quarantine(
                "imap:INBOX#42",
                &raw,
                "still broken",
                t0 + TimeDelta::minutes(1),
            )
            .await
            .unwrap();
        assert_eq!(id, again);
        let other = db
            .quarantine("import:/tmp/a.eml", b"garbage", "no headers", t0)
            .await
            .unwrap();
        let open = db.quarantined(false, 10).await.unwrap();
        assert_eq!(open.len(), 2);
        let entry = db.quarantined_mail(id).await.unwrap().unwrap();
        assert_eq!(
            (entry.raw, entry.attempts, entry.error.as_str()),
            (raw.clone(), 2, "still broken")
        );
        db.resolve(other, t0).await.unwrap();
        assert_eq!(db.quarantined(false, 10).await.unwrap().len(), 1);
        assert_eq!(db.quarantined(true, 10).await.unwrap().len(), 2);
        // After resolution, the same bytes failing again open a new entry.
        db.resolve(id, t0).await.unwrap();
        assert_ne!(
            db.quarantine("imap:INBOX#42", &raw, "again", t0)
                .await
                .unwrap(),
            id
        );
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
        let c = MailboxCursor {
            uid_validity: Some(u32::MAX),
            last_uid: Some(1234),
            history_id: None,
        };
        db.save_cursor("imap://support@example.com/INBOX", &c, now())
            .await
            .unwrap();
        assert_eq!(
            db.cursor("imap://support@example.com/INBOX").await.unwrap(),
            Some(c)
        );
        let g = MailboxCursor {
            uid_validity: None,
            last_uid: None,
            history_id: Some("987654".into()),
        };
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
