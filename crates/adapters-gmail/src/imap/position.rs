//! Where the IMAP source stands in a mailbox: in this process (handed out, acknowledged) and
//! as persisted in its cursor.

use std::collections::BTreeSet;

use frontdesk_domain::ports::MailboxCursor;

/// Where this process stands in the mailbox.
#[derive(Debug, Default)]
pub(super) struct Progress {
    pub(super) loaded: bool,
    pub(super) uid_validity: u32,
    /// Every UID up to here was acknowledged (the persisted cursor).
    pub(super) cursor: u32,
    /// The highest UID handed out by `fetch`.
    pub(super) high: u32,
    /// Handed out, not yet acknowledged.
    pub(super) pending: BTreeSet<u32>,
}

impl Progress {
    pub(super) fn settle(&mut self) -> u32 {
        self.cursor = self
            .pending
            .first()
            .map_or(self.high, |first| first - 1)
            .max(self.cursor);
        self.cursor
    }
}

/// The IMAP source's position in a mailbox, as it stores it in its [`MailboxCursor`]:
/// `{"uid_validity":N,"last_uid":N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct ImapPosition {
    /// The UIDVALIDITY the UIDs belong to; a change means the server renumbered the mailbox.
    pub(super) uid_validity: u32,
    /// Every UID up to this one was ingested and acknowledged.
    pub(super) last_uid: u32,
}

impl ImapPosition {
    /// The position in `cursor`; an unreadable one reads as none, so the mailbox is read again
    /// from the start (deduplication makes that safe).
    pub(super) fn read(cursor: &MailboxCursor) -> Option<Self> {
        serde_json::from_str(cursor.as_str()).ok()
    }

    pub(super) fn write(self) -> MailboxCursor {
        MailboxCursor::new(format!(
            r#"{{"uid_validity":{},"last_uid":{}}}"#,
            self.uid_validity, self.last_uid
        ))
    }
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_read_what_the_migration_wrote() {
        let p = ImapPosition {
            uid_validity: u32::MAX,
            last_uid: 1234,
        };
        assert_eq!(ImapPosition::read(&p.write()), Some(p));
        let migrated = MailboxCursor::new(r#"{"uid_validity":7,"last_uid":0}"#);
        assert_eq!(
            ImapPosition::read(&migrated),
            Some(ImapPosition {
                uid_validity: 7,
                last_uid: 0
            })
        );
        assert_eq!(ImapPosition::read(&MailboxCursor::new("{}")), None);
        assert_eq!(
            ImapPosition::read(&MailboxCursor::new(r#"{"history_id":"5"}"#)),
            None
        );
    }
}
