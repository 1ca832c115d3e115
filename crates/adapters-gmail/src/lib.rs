//! Frontdesk's mail side: turning raw MIME into the domain's `InboundEmail` ([`mime`]), and —
//! as the mail-adapters issue proceeds — reading mailboxes (IMAP, the Gmail API, Maildir) and
//! sending mail (SMTP, the Gmail API) behind the domain's mail ports.

pub mod mime;
