-- The console's staff page (issue 18): single-use, expiring links mailed to a staff member to
-- choose a password (an invitation or a reset). Only the token's SHA-256 is kept.
CREATE TABLE staff_links (
    token_hash {text} PRIMARY KEY,
    staff_id   {uuid} NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    purpose    {text} NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    expires_at {ts} NOT NULL,
    used_at    {ts},
    created_by {uuid},
    created_at {ts} NOT NULL
);
CREATE INDEX staff_links_staff ON staff_links (staff_id, created_at);
