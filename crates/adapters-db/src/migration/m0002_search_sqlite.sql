-- Listing and search support on SQLite.
ALTER TABLE tickets ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN sla_next_due TEXT;
CREATE INDEX tickets_created_id ON tickets (created_at, id);

-- One row per subject or message, keyed by the ticket's (integer, indexed) number.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    ticket_number UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
