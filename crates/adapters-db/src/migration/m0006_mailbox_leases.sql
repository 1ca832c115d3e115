-- Which poller reads which mailbox, until when (several pollers on one database).
CREATE TABLE mailbox_leases (
    mailbox     {text} PRIMARY KEY,
    holder      {text} NOT NULL,
    lease_until {ts} NOT NULL
)
