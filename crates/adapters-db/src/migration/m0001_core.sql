-- Frontdesk core schema, written once for SQLite and PostgreSQL. `migration/mod.rs` replaces the
-- type placeholders per backend: {uuid} {ts} {bytes} {bool} {bigint} {pk_serial} {text}.

CREATE TABLE counters (
    name  {text} PRIMARY KEY,
    value {bigint} NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 0);

CREATE TABLE customers (
    email      {text} PRIMARY KEY,
    address    {text} NOT NULL,
    name       {text},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

CREATE TABLE staff (
    id           {uuid} PRIMARY KEY,
    email        {text} NOT NULL UNIQUE,
    name         {text} NOT NULL,
    role         {text} NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    availability {text} NOT NULL CHECK (availability IN ('available', 'busy', 'away', 'offline')),
    active       {bool} NOT NULL,
    shift_time_zone {text},
    shift_days   {text},
    shift_start  {text},
    shift_end    {text},
    password_hash {text},
    created_at   {ts} NOT NULL,
    updated_at   {ts} NOT NULL
);

CREATE TABLE tickets (
    id               {uuid} PRIMARY KEY,
    number           {bigint} NOT NULL UNIQUE,
    customer_email   {text} NOT NULL REFERENCES customers (email),
    customer_name    {text},
    subject          {text} NOT NULL,
    description      {text} NOT NULL,
    status           {text} NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'resolved', 'closed')),
    priority         {text} NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    category         {text} NOT NULL CHECK (category IN ('order', 'product', 'billing', 'technical', 'other')),
    channel          {text} NOT NULL,
    assignee         {uuid} REFERENCES staff (id),
    tags             {text} NOT NULL,
    first_response_at {ts},
    resolved_at      {ts},
    closed_at        {ts},
    escalation_level {bigint} NOT NULL,
    follow_up_of     {uuid} REFERENCES tickets (id),
    gmail_thread_id  {text},
    created_at       {ts} NOT NULL,
    updated_at       {ts} NOT NULL,
    version          {bigint} NOT NULL,
    fr_target_secs   {bigint} NOT NULL,
    fr_started_at    {ts} NOT NULL,
    fr_due_at        {ts} NOT NULL,
    fr_paused_since  {ts},
    fr_stopped_at    {ts},
    fr_remaining_secs {bigint},
    fr_warning_notified {bool} NOT NULL,
    fr_breach_escalated {bool} NOT NULL,
    res_target_secs  {bigint} NOT NULL,
    res_started_at   {ts} NOT NULL,
    res_due_at       {ts} NOT NULL,
    res_paused_since {ts},
    res_stopped_at   {ts},
    res_remaining_secs {bigint},
    res_warning_notified {bool} NOT NULL,
    res_breach_escalated {bool} NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_email, created_at);
CREATE INDEX tickets_gmail_thread ON tickets (gmail_thread_id);
CREATE INDEX tickets_resolved ON tickets (status, resolved_at);

CREATE TABLE ticket_tags (
    ticket_id {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       {text} NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

CREATE TABLE raw_messages (
    sha256     {text} PRIMARY KEY,
    size       {bigint} NOT NULL,
    content    {bytes} NOT NULL,
    created_at {ts} NOT NULL
);

CREATE TABLE messages (
    id           {uuid} PRIMARY KEY,
    ticket_id    {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind         {text} NOT NULL CHECK (kind IN ('customer', 'agent', 'system', 'note')),
    direction    {text} NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    author_staff {uuid} REFERENCES staff (id),
    author_email {text},
    author_name  {text},
    body_text    {text} NOT NULL,
    full_text    {text},
    body_html    {text},
    email_message_id {text},
    in_reply_to  {text},
    references_ids {text},
    auto_reply   {text},
    created_at   {ts} NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, created_at);
CREATE INDEX messages_email_message_id ON messages (email_message_id);

-- One row per inbound e-mail; the unique Message-ID is what makes a second delivery a no-op.
CREATE TABLE emails (
    message_id     {text} PRIMARY KEY,
    ticket_id      {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_row_id {uuid} NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    raw_sha256     {text} NOT NULL REFERENCES raw_messages (sha256),
    in_reply_to    {text},
    references_ids {text},
    gmail_thread_id {text},
    from_address   {text},
    from_name      {text},
    to_addresses   {text} NOT NULL,
    cc_addresses   {text} NOT NULL,
    subject        {text} NOT NULL,
    sent_at        {ts},
    received_at    {ts} NOT NULL,
    auto_reply     {text}
);
CREATE INDEX emails_ticket ON emails (ticket_id);

CREATE TABLE attachments (
    sha256     {text} PRIMARY KEY,
    size       {bigint} NOT NULL,
    content    {bytes} NOT NULL,
    created_at {ts} NOT NULL
);

CREATE TABLE message_attachments (
    message_id   {uuid} NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position     {bigint} NOT NULL,
    sha256       {text} NOT NULL REFERENCES attachments (sha256),
    size         {bigint} NOT NULL,
    filename     {text},
    content_type {text} NOT NULL,
    inline       {bool} NOT NULL,
    content_id   {text},
    PRIMARY KEY (message_id, position)
);

-- Every Message-ID stored on a ticket and every id its messages referenced, for threading.
CREATE TABLE thread_keys (
    message_id {text} NOT NULL,
    ticket_id  {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, ticket_id)
);

CREATE TABLE ticket_events (
    id         {pk_serial},
    ticket_id  {uuid} NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at         {ts} NOT NULL,
    actor_kind {text} NOT NULL,
    actor      {text},
    kind       {text} NOT NULL,
    data       {text} NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE jobs (
    id          {uuid} PRIMARY KEY,
    kind        {text} NOT NULL,
    ticket_id   {uuid},
    payload     {text} NOT NULL,
    state       {text} NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts    {bigint} NOT NULL,
    run_after   {ts} NOT NULL,
    lease_until {ts},
    last_error  {text},
    created_at  {ts} NOT NULL,
    updated_at  {ts} NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_after);

CREATE TABLE auto_replies (
    address {text} PRIMARY KEY,
    last_at {ts} NOT NULL
);

CREATE TABLE quarantine (
    id          {uuid} PRIMARY KEY,
    source      {text} NOT NULL,
    raw_sha256  {text} NOT NULL REFERENCES raw_messages (sha256),
    error       {text} NOT NULL,
    attempts    {bigint} NOT NULL,
    created_at  {ts} NOT NULL,
    updated_at  {ts} NOT NULL,
    resolved_at {ts}
);

CREATE TABLE mailbox_cursors (
    mailbox     {text} PRIMARY KEY,
    uid_validity {bigint},
    last_uid    {bigint},
    history_id  {text},
    updated_at  {ts} NOT NULL
);
