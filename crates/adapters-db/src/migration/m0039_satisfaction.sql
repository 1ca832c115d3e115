-- Satisfaction surveys (issue 19): which resolutions were sent a survey, and each ticket's
-- rating (the last counts), with the assignee and category it had when rated.
CREATE TABLE satisfaction_surveys (
    ticket_id   {uuid} NOT NULL,
    resolved_at {ts} NOT NULL,
    sent_at     {ts} NOT NULL,
    PRIMARY KEY (ticket_id, resolved_at)
);
CREATE TABLE satisfaction_ratings (
    ticket_id {uuid} PRIMARY KEY,
    rating    {text} NOT NULL CHECK (rating IN ('good', 'okay', 'bad')),
    comment   {text},
    rated_at  {ts} NOT NULL,
    agent_id  {uuid},
    category  {text}
);
CREATE INDEX satisfaction_ratings_time ON satisfaction_ratings (rated_at);
