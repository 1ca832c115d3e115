-- The realtime report (issue 18) counts the active tickets status by status: by priority,
-- category and assignee, and whose SLA is at risk or breached. This index holds just the active
-- tickets with every column those counts read, so PostgreSQL answers them from the index alone
-- instead of fetching each active ticket's row from a table of millions. (SQLite reads its
-- status index's part already: see docs/performance.md.)
CREATE INDEX tickets_active_clocks ON tickets (status, priority, category)
    INCLUDE (sla_next_due, fr_breach_escalated, res_breach_escalated, fr_due_at,
             fr_paused_since, fr_stopped_at, res_due_at, res_paused_since, res_stopped_at,
             assignee, merged_into)
    WHERE status IN ('new', 'open', 'pending', 'on_hold');
