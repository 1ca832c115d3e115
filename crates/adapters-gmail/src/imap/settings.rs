//! How to reach an IMAP mailbox and what to do with a message once it is ingested.

use crate::secret::Secret;

/// How the connection is secured (IMAP and SMTP), as configured: `tls`, `starttls` or `plain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAP port 993, SMTP 465).
    Tls,
    /// Plain connection upgraded with STARTTLS (IMAP port 143, SMTP 587).
    StartTls,
    /// No encryption. Only for loopback test servers; never the default.
    Plain,
}

impl Security {
    /// The IMAP port this security is usually served on.
    #[must_use]
    pub fn imap_port(self) -> u16 {
        match self {
            Self::Tls => 993,
            Self::StartTls | Self::Plain => 143,
        }
    }

    /// The SMTP submission port this security is usually served on.
    #[must_use]
    pub fn smtp_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::StartTls => 587,
            Self::Plain => 25,
        }
    }
}

/// What happens to a message on the server once its ingest committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterIngest {
    /// Leave it as it is (the cursor alone tracks progress).
    Keep,
    /// Flag it `\Seen`.
    Seen,
    /// Move it to this folder.
    Move(String),
}

impl std::str::FromStr for AfterIngest {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "keep" => Ok(Self::Keep),
            "seen" => Ok(Self::Seen),
            other => match other.strip_prefix("move:").map(str::trim) {
                Some(folder) if !folder.is_empty() => Ok(Self::Move(folder.to_owned())),
                _ => Err(format!(
                    "after_ingest must be keep, seen or move:<folder>, not `{other}`"
                )),
            },
        }
    }
}

/// One IMAP mailbox.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    pub after_ingest: AfterIngest,
    /// Largest message fetched whole; bigger ones arrive as their header, marked oversized.
    pub max_message_bytes: u32,
    /// A PEM file of extra trusted certificate authorities (a company CA); the web PKI roots
    /// are always trusted.
    pub ca_file: Option<std::path::PathBuf>,
}

impl ImapSettings {
    /// The key the cursor is stored under: the account and folder, never the password.
    #[must_use]
    pub fn cursor_key(&self) -> String {
        format!(
            "imap://{}@{}:{}/{}",
            self.username, self.host, self.port, self.mailbox
        )
    }
}
