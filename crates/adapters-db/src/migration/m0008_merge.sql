-- Merged tickets: a duplicate points at the ticket that took its conversation.
ALTER TABLE tickets ADD COLUMN merged_into {uuid} REFERENCES tickets (id);
