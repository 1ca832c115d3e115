-- Reports (issue 18): replies to customers per staff member over a period, read from this index
-- alone when reports count from the tables (before the in-memory report index is read).
CREATE INDEX messages_replies ON messages (kind, created_at, author_staff);
-- The console's audit trail, filtered by who acted or by kind, newest first.
CREATE INDEX ticket_events_actor ON ticket_events (actor_kind, actor, id);
CREATE INDEX ticket_events_kind ON ticket_events (kind, id);
