//! `[[mailbox]]` (Maildir, IMAP, Gmail) and `[smtp]`, with their defaults.

use super::*;

/// One mailbox, by `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailboxConfig {
    Maildir(MaildirConfig),
    Imap(ImapConfig),
    Gmail(GmailConfig),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaildirConfig {
    pub name: Option<String>,
    pub path: PathBuf,
    pub interval_secs: Option<u64>,
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub name: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// `tls` (default), `starttls` or `plain` (loopback test servers only).
    #[serde(default = "default_security")]
    pub security: Security,
    pub username: String,
    /// The environment variable holding the password.
    pub password_env: Option<String>,
    /// A file holding the password.
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// `keep`, `seen` (default) or `move:<folder>`.
    #[serde(default = "default_after_ingest")]
    pub after_ingest: String,
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u32,
    pub ca_file: Option<PathBuf>,
    pub interval_secs: Option<u64>,
    /// Wait with IMAP IDLE between passes, so new mail is picked up at once.
    #[serde(default = "yes")]
    pub idle: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GmailConfig {
    pub name: Option<String>,
    /// The mailbox, `me` for the authorised account.
    #[serde(default = "default_gmail_user")]
    pub user: String,
    pub client_id: String,
    pub client_secret_env: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub refresh_token_env: Option<String>,
    pub refresh_token_file: Option<PathBuf>,
    pub query: Option<String>,
    pub processed_label: Option<String>,
    #[serde(default = "default_gmail_api")]
    pub api_base: String,
    #[serde(default = "default_gmail_token_url")]
    pub token_url: String,
    pub interval_secs: Option<u64>,
    /// Send replies through this Gmail account (default when no `[smtp]` is configured).
    pub send: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: Option<u16>,
    /// `tls`, `starttls` (default) or `plain`.
    #[serde(default = "default_smtp_security")]
    pub security: Security,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
}

pub(super) fn default_max_message_bytes() -> u32 {
    25 * 1024 * 1024
}
fn default_security() -> Security {
    Security::Tls
}
fn default_smtp_security() -> Security {
    Security::StartTls
}
fn default_smtp_timeout() -> u64 {
    30
}
fn default_folder() -> String {
    "INBOX".to_owned()
}
fn default_after_ingest() -> String {
    "seen".to_owned()
}
fn default_gmail_user() -> String {
    "me".to_owned()
}
fn default_gmail_api() -> String {
    "https://gmail.googleapis.com".to_owned()
}
fn default_gmail_token_url() -> String {
    "https://oauth2.googleapis.com/token".to_owned()
}
fn yes() -> bool {
    true
}

impl MailboxConfig {
    /// The mailbox's name in logs, metrics and leases.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Maildir(m) => m
                .name
                .clone()
                .unwrap_or_else(|| format!("maildir:{}", m.path.display())),
            Self::Imap(m) => m
                .name
                .clone()
                .unwrap_or_else(|| format!("imap:{}@{}/{}", m.username, m.host, m.folder)),
            Self::Gmail(m) => m
                .name
                .clone()
                .unwrap_or_else(|| format!("gmail:{}", m.user)),
        }
    }

    /// Seconds between passes over this mailbox.
    #[must_use]
    pub fn interval_secs(&self, default: u64) -> u64 {
        match self {
            Self::Maildir(m) => m.interval_secs,
            Self::Imap(m) => m.interval_secs,
            Self::Gmail(m) => m.interval_secs,
        }
        .unwrap_or(default)
        .max(1)
    }
}
