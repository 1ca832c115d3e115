-- One merge suggestion per pair of tickets (issue 16): a mail bridging two conversations, and
-- every later mail that bridges them again, must not pile up the same link for staff. The
-- oldest suggestion of each pair is kept; storage enforces the rule from now on.
DELETE FROM merge_suggestions
WHERE EXISTS (
    SELECT 1 FROM merge_suggestions AS older
    WHERE older.ticket_id = merge_suggestions.ticket_id
      AND older.other_id = merge_suggestions.other_id
      AND (older.created_at < merge_suggestions.created_at
           OR (older.created_at = merge_suggestions.created_at AND older.id < merge_suggestions.id))
);

CREATE UNIQUE INDEX merge_suggestions_pair ON merge_suggestions (ticket_id, other_id);
