-- The console's mail page (issue 18): how each mailbox's last pass went, written by whichever
-- process read it; and why staff dismissed a quarantined mail.
CREATE TABLE mailbox_status (
    mailbox         {text} PRIMARY KEY,
    kind            {text} NOT NULL,
    last_pass_at    {ts} NOT NULL,
    last_success_at {ts},
    last_read       {bigint} NOT NULL DEFAULT 0,
    total_read      {bigint} NOT NULL DEFAULT 0,
    last_error      {text},
    last_error_at   {ts}
);
ALTER TABLE quarantine ADD COLUMN dismissed_reason {text};
ALTER TABLE quarantine ADD COLUMN dismissed_by {text};
