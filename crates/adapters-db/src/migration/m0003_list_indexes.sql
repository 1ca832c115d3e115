-- Indexes for the dashboard's listings. Each ends in the sort column and `id` (the tie-breaker
-- of keyset pagination), so the page's ids come from the index alone, in order when one status
-- is asked for; totals are index range counts.
CREATE INDEX tickets_list_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_list_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_list_status_sla ON tickets (status, sla_next_due, id);
CREATE INDEX tickets_list_status_priority ON tickets (status, priority_rank, id);
CREATE INDEX tickets_list_priority ON tickets (priority, status, created_at, id);
CREATE INDEX tickets_list_category ON tickets (category, status, created_at, id);
CREATE INDEX tickets_list_assignee ON tickets (assignee, status, created_at, id)
