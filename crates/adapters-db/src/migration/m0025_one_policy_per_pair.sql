-- One SLA policy per priority × category, enforced by storage (issue 16, item 2). The table's
-- UNIQUE (priority, category) let two "every category" policies (category NULL) of one
-- priority in, since NULLs never compare equal; the expression index counts NULL as one value.
-- Duplicates from before keep their oldest row.
DELETE FROM sla_policies
WHERE EXISTS (
    SELECT 1 FROM sla_policies AS older
    WHERE older.priority = sla_policies.priority
      AND COALESCE(older.category, '*') = COALESCE(sla_policies.category, '*')
      AND (older.created_at < sla_policies.created_at
           OR (older.created_at = sla_policies.created_at AND older.id < sla_policies.id))
);

CREATE UNIQUE INDEX sla_policies_pair ON sla_policies (priority, (COALESCE(category, '*')));
