-- The customer portal (issue 19): single-use sign-in links mailed to an address, valid for 15
-- minutes. Only the token's SHA-256 is kept.
CREATE TABLE portal_links (
    token_hash {text} PRIMARY KEY,
    email      {text} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at    {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX portal_links_email ON portal_links (email, created_at);
