-- Intake forms (issue 19): each version of a form, one active at a time, and the answers a
-- ticket was opened with (naming the version, which is never edited once published).
CREATE TABLE journeys (
    id           {uuid} PRIMARY KEY,
    version      {bigint} NOT NULL UNIQUE,
    status       {text} NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    name         {text} NOT NULL,
    definition   {text} NOT NULL,
    created_at   {ts} NOT NULL,
    updated_at   {ts} NOT NULL,
    published_at {ts},
    archived_at  {ts}
);
CREATE UNIQUE INDEX journeys_one_active ON journeys (status) WHERE status = 'active';
CREATE TABLE ticket_intake (
    ticket_id  {uuid} PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    journey_id {uuid} NOT NULL REFERENCES journeys (id),
    version    {bigint} NOT NULL,
    answers    {text} NOT NULL
);
CREATE INDEX ticket_intake_journey ON ticket_intake (journey_id);
