//! Mail adapters: the Gmail API and generic IMAP/SMTP servers, behind the domain's
//! `MailSource`, `MailSender` and `DraftStore` ports. Implemented in the mail-adapters issue;
//! this crate only reserves its place in the workspace so the dependency rule can be checked.
