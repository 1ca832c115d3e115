-- Deflection (issue 19): each time a signed-in customer opens an article the portal suggested
-- while they wrote a new request, and whether a request from them followed.
CREATE TABLE kb_suggestion_opens (
    id         {uuid} PRIMARY KEY,
    email      {text} NOT NULL,
    article_id {uuid} NOT NULL,
    opened_at  {ts} NOT NULL,
    request_at {ts}
);
CREATE INDEX kb_suggestion_opens_email ON kb_suggestion_opens (email, opened_at);
CREATE INDEX kb_suggestion_opens_time ON kb_suggestion_opens (opened_at);
