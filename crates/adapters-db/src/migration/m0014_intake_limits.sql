-- Intake limits (issue 15, items 16 and 17): acknowledgements counted per domain, and the
-- assistant's jobs per customer, each within the last hour, from an index alone.

-- The domain of each acknowledged address (lower-case, as the address is).
ALTER TABLE auto_replies ADD COLUMN domain {text} NOT NULL DEFAULT '';
CREATE INDEX auto_replies_domain ON auto_replies (domain, last_at);

-- Jobs by ticket: the customer's tickets (tickets_customer) lead here.
CREATE INDEX jobs_ticket ON jobs (ticket_id, kind, created_at);
