-- The business calendar open tickets' SLA clocks run on (issue 16): whichever process first
-- sees a different calendar in force (through the API or the configuration file) swaps this row
-- and moves the open clocks onto the new one, once.
CREATE TABLE sla_calendar_applied (
    id         {bigint} PRIMARY KEY CHECK (id = 1),
    calendar   {text} NOT NULL,
    applied_at {ts} NOT NULL
);
