-- Gives the 1,000,000-ticket fixture a year of history for the report benchmark (a fixture
-- shortcut, like its status spread): opened over the year before 2026-12-01, 20 agents, first
-- responses within 8 hours (about half inside the 4-hour target), resolutions within 5 days
-- (target 48 hours), one agent reply per answered ticket, channels email/web/api 7:2:1.
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO staff (id, email, name, role, availability, active, created_at, updated_at)
SELECT randomblob(16), 'agent' || i || '@example.com', 'Agent ' || i, 'agent', 'available', 1,
       '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00' FROM n;
CREATE TEMP TABLE agents AS SELECT row_number() OVER (ORDER BY email) - 1 AS k, id FROM staff WHERE role = 'agent';
CREATE TEMP TABLE plan AS
SELECT id, number,
       1796083200 - (number * 7919) % 31536000 AS c,
       (number * 104729) % 28800 + 60 AS fr,
       3600 + (number * 7) % 432000 AS res
FROM tickets;
CREATE INDEX temp.plan_id ON plan (id);
UPDATE tickets SET
    created_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    channel = CASE WHEN number % 10 < 7 THEN 'email' WHEN number % 10 < 9 THEN 'web' ELSE 'api' END,
    assignee = CASE WHEN number % 10 = 0 THEN NULL ELSE (SELECT id FROM agents WHERE k = number % 20) END;
UPDATE tickets SET
    fr_started_at = created_at,
    fr_due_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + 14400, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    res_started_at = created_at,
    res_due_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + 172800, 'unixepoch') FROM plan WHERE plan.id = tickets.id);
UPDATE tickets SET
    first_response_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + fr, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    fr_stopped_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + fr, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    fr_remaining_secs = (SELECT 14400 - fr FROM plan WHERE plan.id = tickets.id)
WHERE status <> 'new';
UPDATE tickets SET
    resolved_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + res, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    res_stopped_at = (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + res, 'unixepoch') FROM plan WHERE plan.id = tickets.id),
    res_remaining_secs = (SELECT 172800 - res FROM plan WHERE plan.id = tickets.id),
    closed_at = CASE WHEN status = 'closed' THEN (SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000+00:00', c + res + 86400, 'unixepoch') FROM plan WHERE plan.id = tickets.id) END
WHERE status IN ('resolved', 'closed');
INSERT INTO messages (id, ticket_id, kind, direction, author_staff, body_text, created_at)
SELECT randomblob(16), id, 'agent', 'outbound', assignee, 'Thanks for writing.', first_response_at
FROM tickets WHERE first_response_at IS NOT NULL AND assignee IS NOT NULL;
COMMIT;
ANALYZE;
