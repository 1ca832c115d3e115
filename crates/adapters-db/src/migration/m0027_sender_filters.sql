-- Sender allow and deny lists set through the API (issue 16); the configuration file's lists
-- apply too. One row per pattern.
CREATE TABLE sender_filters (
    list       {text} NOT NULL CHECK (list IN ('allow', 'deny')),
    pattern    {text} NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (list, pattern)
);
