-- A quarantined mail keeps the channel it came in on (issue 16: an explicit channel on each
-- raw mail), so reprocessing opens its ticket on the same channel. Entries from before were
-- mail, except those the Zendesk and Intercom webhooks named as their source.
ALTER TABLE quarantine ADD COLUMN channel {text} NOT NULL DEFAULT 'email';

UPDATE quarantine SET channel = 'zendesk' WHERE source = 'webhook:zendesk';

UPDATE quarantine SET channel = 'intercom' WHERE source = 'webhook:intercom';
