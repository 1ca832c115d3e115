-- Sign-ins of the web workspace (issue 17): the cookie holds a random token, stored here only as
-- its SHA-256 digest, with the CSRF token its pages embed. A session ends at `expires_at`, or
-- after the idle time the server is configured with since `last_seen_at`; a password, role or
-- active change deletes every session of the account (as it does its refresh tokens).
CREATE TABLE web_sessions (
    token_hash   {text} PRIMARY KEY,
    subject      {text} NOT NULL,
    csrf         {text} NOT NULL,
    created_at   {ts} NOT NULL,
    last_seen_at {ts} NOT NULL,
    expires_at   {ts} NOT NULL
);
CREATE INDEX web_sessions_subject ON web_sessions (subject);
