-- The same history as history-sqlite.sql, for the PostgreSQL fixture.
BEGIN;
INSERT INTO staff (id, email, name, role, availability, active, created_at, updated_at)
SELECT gen_random_uuid(), 'agent' || i || '@example.com', 'Agent ' || i, 'agent', 'available', true,
       '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z' FROM generate_series(1, 20) AS i;
CREATE TEMP TABLE agents AS SELECT row_number() OVER (ORDER BY email) - 1 AS k, id FROM staff WHERE role = 'agent';
UPDATE tickets t SET
    created_at = p.c,
    channel = CASE WHEN number % 10 < 7 THEN 'email' WHEN number % 10 < 9 THEN 'web' ELSE 'api' END,
    assignee = CASE WHEN number % 10 = 0 THEN NULL ELSE (SELECT id FROM agents WHERE k = number % 20) END,
    fr_started_at = p.c, fr_due_at = p.c + interval '4 hours',
    res_started_at = p.c, res_due_at = p.c + interval '48 hours',
    first_response_at = CASE WHEN status <> 'new' THEN p.c + p.fr * interval '1 second' END,
    fr_stopped_at = CASE WHEN status <> 'new' THEN p.c + p.fr * interval '1 second' END,
    fr_remaining_secs = CASE WHEN status <> 'new' THEN 14400 - p.fr END,
    resolved_at = CASE WHEN status IN ('resolved', 'closed') THEN p.c + p.res * interval '1 second' END,
    res_stopped_at = CASE WHEN status IN ('resolved', 'closed') THEN p.c + p.res * interval '1 second' END,
    res_remaining_secs = CASE WHEN status IN ('resolved', 'closed') THEN 172800 - p.res END,
    closed_at = CASE WHEN status = 'closed' THEN p.c + (p.res + 86400) * interval '1 second' END
FROM (SELECT id,
             to_timestamp(1796083200 - (number * 7919) % 31536000) AS c,
             (number * 104729) % 28800 + 60 AS fr,
             3600 + (number * 7) % 432000 AS res
      FROM tickets) p
WHERE p.id = t.id;
INSERT INTO messages (id, ticket_id, kind, direction, author_staff, body_text, created_at)
SELECT gen_random_uuid(), id, 'agent', 'outbound', assignee, 'Thanks for writing.', first_response_at
FROM tickets WHERE first_response_at IS NOT NULL AND assignee IS NOT NULL;
COMMIT;
VACUUM ANALYZE tickets;
VACUUM ANALYZE messages;
