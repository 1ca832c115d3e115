-- Configuration and integration tables: SLA policies and calendars (editable by managers), AI
-- analyses and drafts, API tokens for integrations, canned responses, outbound webhooks.

CREATE TABLE sla_calendars (
    id         {uuid} PRIMARY KEY,
    name       {text} NOT NULL UNIQUE,
    time_zone  {text} NOT NULL,
    -- {"monday": ["09:00-17:00"], …} as in [sla.calendar] of the configuration file
    week       {text} NOT NULL,
    holidays   {text} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE sla_policies (
    id                    {uuid} PRIMARY KEY,
    priority              {text} NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    category              {text} CHECK (category IN ('order', 'product', 'billing', 'technical', 'other')),
    first_response_secs   {bigint} NOT NULL CHECK (first_response_secs > 0),
    resolution_secs       {bigint} NOT NULL CHECK (resolution_secs > 0),
    calendar_id           {uuid} REFERENCES sla_calendars (id),
    created_at            {ts} NOT NULL,
    updated_at            {ts} NOT NULL,
    UNIQUE (priority, category)
);

CREATE TABLE ai_drafts (
    id                {uuid} PRIMARY KEY,
    ticket_id         {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    body              {text} NOT NULL,
    confidence        {bigint} NOT NULL,
    sources           {text} NOT NULL,
    analysis          {text},
    model             {text} NOT NULL,
    prompt_tokens     {bigint} NOT NULL,
    completion_tokens {bigint} NOT NULL,
    state             {text} NOT NULL CHECK (state IN ('draft', 'sent', 'discarded')),
    created_at        {ts} NOT NULL,
    updated_at        {ts} NOT NULL
);
CREATE INDEX ai_drafts_ticket ON ai_drafts (ticket_id, created_at);

CREATE TABLE api_tokens (
    id           {uuid} PRIMARY KEY,
    name         {text} NOT NULL,
    -- SHA-256 of the token; the token itself is shown once and never stored
    token_hash   {text} NOT NULL UNIQUE,
    staff_id     {uuid} NOT NULL REFERENCES staff (id),
    created_at   {ts} NOT NULL,
    last_used_at {ts},
    revoked_at   {ts}
);

CREATE TABLE canned_responses (
    id         {uuid} PRIMARY KEY,
    title      {text} NOT NULL,
    category   {text} CHECK (category IN ('order', 'product', 'billing', 'technical', 'other')),
    body       {text} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE webhooks (
    id         {uuid} PRIMARY KEY,
    url        {text} NOT NULL,
    -- HMAC-SHA256 key for the signature header of each delivery
    secret     {text} NOT NULL,
    events     {text} NOT NULL,
    active     {bool} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
)
