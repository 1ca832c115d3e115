-- Account security (issue 15): refresh tokens found by their account, so a password, role or
-- active change can revoke every sign-in; customer accounts proven by a mailed single-use link
-- before they see any ticket; API tokens with an expiry and a scope.

CREATE INDEX refresh_tokens_subject ON refresh_tokens (subject);

-- When the account's address was proven; until then the account sees nothing. Accounts made
-- before this migration were never proven and start unverified.
ALTER TABLE customer_accounts ADD COLUMN verified_at {ts};

CREATE TABLE account_verifications (
    -- SHA-256 of the link's token; the token itself is only in the mail
    token_hash {text} PRIMARY KEY,
    email      {text} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at    {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX account_verifications_email ON account_verifications (email, created_at);

ALTER TABLE api_tokens ADD COLUMN expires_at {ts};
-- `full` (the owner's role) or `read` (GET and HEAD only)
ALTER TABLE api_tokens ADD COLUMN scope {text} NOT NULL DEFAULT 'full';
