-- Listing and search support on PostgreSQL.
ALTER TABLE tickets ADD COLUMN priority_rank BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN sla_next_due TIMESTAMPTZ;
CREATE INDEX tickets_created_id ON tickets (created_at, id);

-- One document per subject or message; language-neutral ('simple') because mail arrives in any
-- language.
CREATE TABLE ticket_search (
    ticket_id UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    doc       TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc);
CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id);
