-- Reports (issue 18): replies to customers per staff member over a period, read from this index
-- alone when reports count from the tables (before the in-memory report index is read).
CREATE INDEX messages_replies ON messages (kind, created_at, author_staff);
