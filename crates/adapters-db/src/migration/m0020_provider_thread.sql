-- The mail provider's own thread (Gmail's threadId today) under a provider-neutral name
-- (issue 16). Both databases rename columns in place; the index is rebuilt under its new name.
ALTER TABLE tickets RENAME COLUMN gmail_thread_id TO provider_thread;

ALTER TABLE emails RENAME COLUMN gmail_thread_id TO provider_thread;

DROP INDEX tickets_gmail_thread;

CREATE INDEX tickets_provider_thread ON tickets (provider_thread);
