-- The staff notifications each person turned off (issue 16: digests and per-person choices).
-- One row per person who turned any off; `muted` holds the kinds' names, comma-separated.
CREATE TABLE staff_notification_settings (
    staff_id   {uuid} PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    muted      {text} NOT NULL,
    updated_at {ts} NOT NULL
);
