-- Saved views of the ticket list (issue 17): a staff member's filters under a name, kept as
-- the list's query string, for themselves or shared with the team.
CREATE TABLE saved_views (
    id         {uuid} PRIMARY KEY,
    owner      {uuid} NOT NULL REFERENCES staff (id),
    name       {text} NOT NULL,
    query      {text} NOT NULL,
    shared     {bool} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (owner, name);
