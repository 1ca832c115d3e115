-- The console's webhooks page (issue 18): one row per delivery of an event to a subscription
-- (its job), updated by each attempt, for the delivery log and "redeliver".
CREATE TABLE webhook_deliveries (
    job_id          {uuid} PRIMARY KEY,
    webhook_id      {uuid} NOT NULL,
    event_id        {bigint} NOT NULL,
    event           {text} NOT NULL,
    ticket_id       {uuid},
    redelivery_of   {uuid},
    state           {text} NOT NULL
        CHECK (state IN ('pending', 'delivered', 'retrying', 'failed', 'skipped')),
    attempts        {bigint} NOT NULL DEFAULT 0,
    http_status     {bigint},
    last_error      {text},
    last_attempt_at {ts},
    next_attempt_at {ts},
    created_at      {ts} NOT NULL
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at);
