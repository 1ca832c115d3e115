-- A mailbox cursor is its mail source's own position, opaque to storage (issue 16): one text
-- column instead of IMAP's and Gmail's fields. Existing positions are rewritten in the format
-- the IMAP and Gmail sources read: {"uid_validity":N,"last_uid":N} and {"history_id":"N"}.
ALTER TABLE mailbox_cursors ADD COLUMN position {text};

UPDATE mailbox_cursors SET position = CASE
    WHEN history_id IS NOT NULL THEN '{"history_id":"' || history_id || '"}'
    WHEN uid_validity IS NOT NULL OR last_uid IS NOT NULL THEN
        '{"uid_validity":' || CAST(COALESCE(uid_validity, 0) AS {text})
        || ',"last_uid":' || CAST(COALESCE(last_uid, 0) AS {text}) || '}'
    ELSE '{}'
END;

ALTER TABLE mailbox_cursors DROP COLUMN uid_validity;

ALTER TABLE mailbox_cursors DROP COLUMN last_uid;

ALTER TABLE mailbox_cursors DROP COLUMN history_id;
