-- Merge suggestions: a ticket opened by a mail that referred to another ticket it could not join
-- (its sender was not a participant, or it named several senders). Staff see the link on both
-- tickets; customers never do.
CREATE TABLE merge_suggestions (
    id         {uuid} PRIMARY KEY,
    -- The ticket the mail opened.
    ticket_id  {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- The ticket the mail referred to.
    other_id   {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    reason     {text} NOT NULL,
    evidence   {text} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX merge_suggestions_ticket ON merge_suggestions (ticket_id);
CREATE INDEX merge_suggestions_other ON merge_suggestions (other_id);
