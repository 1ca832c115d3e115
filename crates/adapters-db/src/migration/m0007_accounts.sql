-- Sign-in for the API: customer portal accounts, refresh tokens (rotated, stored hashed), and
-- process-wide secrets such as the JWT signing key (generated once, shared by every process).

CREATE TABLE customer_accounts (
    email         {text} PRIMARY KEY,
    password_hash {text} NOT NULL,
    active        {bool} NOT NULL,
    created_at    {ts} NOT NULL,
    updated_at    {ts} NOT NULL
);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token; the token itself is handed out once and never stored
    token_hash {text} PRIMARY KEY,
    -- `staff:<uuid>` or `customer:<address>`
    subject    {text} NOT NULL,
    -- every token of one sign-in shares a family; reusing a spent token revokes the family
    family     {uuid} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at    {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE app_secrets (
    name       {text} PRIMARY KEY,
    value      {text} NOT NULL,
    created_at {ts} NOT NULL
);
