-- Indexes for the common dashboard filters, so first pages and their totals are index ranges.
CREATE INDEX tickets_priority_status_created ON tickets (priority, status, created_at);
CREATE INDEX tickets_category_status_created ON tickets (category, status, created_at);
CREATE INDEX tickets_assignee_status_created ON tickets (assignee, status, created_at)
