//! The configuration shared by `frontdesk-poller` and `frontdesk-http`: one TOML file plus
//! `FRONTDESK_…` environment overrides. Secrets are read only from the environment or from files,
//! never from the TOML. Every key is documented in `docs/configuration.md`.

use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use frontdesk_adapters_ai::Provider;
use frontdesk_adapters_ai::openai::ResponseFormat;
use frontdesk_adapters_gmail::imap::Security;
use frontdesk_domain::EmailAddress;
use frontdesk_domain::ai::{AutoReplyEffect, AutoSendPolicy};
use frontdesk_domain::assignment::Strategy;
use frontdesk_domain::classify::{Classifier, ClassifierConfig};
use frontdesk_domain::email::{SenderFilters, SenderPattern};
use frontdesk_domain::service::{AiMode, AutoAcknowledgement, IntakeLimits, Settings};
use frontdesk_domain::sla::SlaConfig;
use frontdesk_domain::webhook::{Cidr, TargetPolicy};
use serde::Deserialize;

/// The file read when `--config` is not given; missing is fine (defaults apply).
pub const DEFAULT_CONFIG_FILE: &str = "frontdesk.toml";

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{key}: secrets are read only from the environment or a file; use {instead}")]
    SecretInFile { key: String, instead: String },
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
}

fn invalid(key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.to_string(),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub helpdesk: HelpdeskConfig,
    pub database: DatabaseConfig,
    pub poller: PollerConfig,
    /// `[[mailbox]]` entries; none means the local Maildir `./data/maildir`.
    #[serde(rename = "mailbox")]
    pub mailboxes: Vec<MailboxConfig>,
    /// Outgoing mail over SMTP; without it, and without a Gmail mailbox, replies are written to
    /// the local outbox.
    pub smtp: Option<SmtpConfig>,
    pub outbox: OutboxConfig,
    pub ai: AiConfig,
    pub sla: SlaConfig,
    pub classify: ClassifierConfig,
    pub http: HttpConfig,
    pub webhooks: WebhooksConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HelpdeskConfig {
    /// The support address customers write to; replies come from it.
    pub support_address: String,
    pub support_name: Option<String>,
    /// Acknowledge new tickets to the customer.
    pub acknowledge: bool,
    /// The acknowledgement text; `{ticket_number}` is filled, `{customer_name}` and
    /// `{subject}` too, defanged and cut short (the sender chose them).
    pub acknowledgement: Option<String>,
    pub auto_close_days: u32,
    /// `round_robin` or `least_loaded`.
    pub assignment: String,
    pub max_open_per_agent: Option<u32>,
    /// The authserv-ids of our own receiving mail servers, whose `Authentication-Results`
    /// decide whether a new ticket is acknowledged; empty: the topmost header's.
    pub trusted_authserv_ids: Vec<String>,
    /// Acknowledgements to the addresses of one domain per hour (0: no limit).
    pub acknowledgements_per_domain_per_hour: u32,
    /// New tickets one address may open by mail per hour; the rest is quarantined (0: no limit).
    pub tickets_per_sender_per_hour: u32,
    /// The assistant's drafts for one customer's mail per hour (0: no limit).
    pub ai_jobs_per_sender_per_hour: u32,
    /// Senders always treated as people (their automatic mail opens tickets): addresses,
    /// domains (with their subdomains) or addresses with `*` wildcards.
    pub allow_senders: Vec<String>,
    /// Senders kept out of the queue (stored as machine mail staff can promote).
    pub deny_senders: Vec<String>,
}

impl Default for HelpdeskConfig {
    fn default() -> Self {
        Self {
            support_address: "support@frontdesk.localhost".to_owned(),
            support_name: Some("Support".to_owned()),
            acknowledge: true,
            acknowledgement: None,
            auto_close_days: 7,
            assignment: "round_robin".to_owned(),
            max_open_per_agent: None,
            trusted_authserv_ids: Vec::new(),
            acknowledgements_per_domain_per_hour: 20,
            tickets_per_sender_per_hour: 30,
            ai_jobs_per_sender_per_hour: 20,
            allow_senders: Vec::new(),
            deny_senders: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_secs: u64,
    /// SQLite's page cache per connection, in MiB (unset: 64 for the API server, 2 for the
    /// poller daemon; see [`crate::app::Workload`]).
    pub sqlite_cache_mib: Option<u32>,
    /// How much of a SQLite file is read through a memory map, in MiB (0: off; unset: 64 GiB
    /// for the API server, off for the poller daemon).
    pub sqlite_mmap_mib: Option<u32>,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/frontdesk.sqlite?mode=rwc".to_owned(),
            max_connections: 8,
            busy_timeout_secs: 10,
            sqlite_cache_mib: None,
            sqlite_mmap_mib: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PollerConfig {
    /// Seconds between two passes (mailboxes are also woken early by IMAP IDLE).
    pub interval_secs: u64,
    /// Mails fetched and committed together.
    pub batch_size: usize,
    /// Jobs claimed per pass.
    pub job_batch: u32,
    pub job_lease_secs: u64,
    /// A job failing this often is failed for good.
    pub job_max_attempts: u32,
    /// Longest wait between retries after failures (database or mail server down).
    pub max_backoff_secs: u64,
    /// `host:port` for `/metrics` and `/healthz`; empty to switch them off.
    pub metrics_bind: String,
    /// How long a poller's claim on a mailbox lasts; renewed before every batch, so a poller
    /// that died lets another take over after this long.
    pub mailbox_lease_secs: u64,
    /// `import` without `--as`: mail at most this many days old enters the queue open, older
    /// mail is imported closed, as history.
    pub import_open_within_days: u32,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval_secs: 60,
            batch_size: 100,
            job_batch: 20,
            job_lease_secs: 300,
            job_max_attempts: 8,
            max_backoff_secs: 300,
            metrics_bind: "127.0.0.1:9464".to_owned(),
            mailbox_lease_secs: 30,
            import_open_within_days: 14,
        }
    }
}

/// `frontdesk-http`: the API server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// `host:port` to listen on (`--bind` overrides).
    pub bind: String,
    /// Lifetime of an access token (JWT), in minutes.
    pub access_token_minutes: u32,
    /// Lifetime of a refresh token, in days.
    pub refresh_token_days: u32,
    /// The JWT signing key (at least 32 bytes); without either, one is generated and kept in
    /// the database so every process and restart shares it.
    pub jwt_secret_env: Option<String>,
    pub jwt_secret_file: Option<PathBuf>,
    /// Agents see every ticket (`true`), or only their own and unassigned ones.
    pub agents_see_all: bool,
    /// Customers may open a portal account with `POST /api/auth/register`.
    pub customer_signup: bool,
    /// Largest JSON body accepted, in KiB.
    pub max_json_kib: usize,
    /// Largest raw mail accepted by `POST /api/webhooks/inbound-email`, in MiB.
    pub max_mail_mib: usize,
    /// Failed sign-ins allowed per account, and per client address, in 15 minutes.
    pub login_failures_per_account: u32,
    pub login_failures_per_ip: u32,
    /// Where people reach this server (`https://help.example.com`): links in mails point
    /// there. Default: `http://` and `bind`.
    pub public_url: Option<String>,
    /// A request body must arrive within this many seconds, plus one second per
    /// `body_min_bytes_per_sec` bytes; a slower client gets 408 and is disconnected.
    pub body_grace_secs: u32,
    pub body_min_bytes_per_sec: u64,
    /// Customer registrations allowed per client address, in 15 minutes.
    pub registrations_per_ip: u32,
    /// Password hashes run at once (each holds 19 MiB); default two per core. A sign-in that
    /// finds every slot busy for two seconds gets 503 with `Retry-After`.
    pub password_hash_slots: Option<usize>,
    /// Shared secrets of the inbound webhooks; a webhook without one answers 404.
    pub inbound_secret_env: Option<String>,
    pub inbound_secret_file: Option<PathBuf>,
    pub gmail_push_token_env: Option<String>,
    pub gmail_push_token_file: Option<PathBuf>,
    pub zendesk_secret_env: Option<String>,
    pub zendesk_secret_file: Option<PathBuf>,
    pub intercom_secret_env: Option<String>,
    pub intercom_secret_file: Option<PathBuf>,
    /// Seconds between `/api/events` keep-alives, at each of which the caller is checked again
    /// (a deactivated account or an expired token ends the stream).
    pub event_keep_alive_secs: u64,
    /// Open `/api/events` streams allowed per caller (account), and in all; more answer 429.
    pub event_streams_per_caller: usize,
    pub event_streams_total: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            access_token_minutes: 15,
            refresh_token_days: 30,
            jwt_secret_env: None,
            jwt_secret_file: None,
            agents_see_all: true,
            customer_signup: true,
            max_json_kib: 1024,
            max_mail_mib: 25,
            login_failures_per_account: 5,
            login_failures_per_ip: 20,
            public_url: None,
            body_grace_secs: 10,
            body_min_bytes_per_sec: 16 * 1024,
            registrations_per_ip: 10,
            password_hash_slots: None,
            inbound_secret_env: None,
            inbound_secret_file: None,
            gmail_push_token_env: None,
            gmail_push_token_file: None,
            zendesk_secret_env: None,
            zendesk_secret_file: None,
            intercom_secret_env: None,
            intercom_secret_file: None,
            event_keep_alive_secs: 15,
            event_streams_per_caller: 8,
            event_streams_total: 1_000,
        }
    }
}

/// Outbound webhooks (`/api/outbound-webhooks`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Non-public addresses deliveries may reach anyway, as addresses or blocks
    /// (`["10.0.0.0/8", "127.0.0.1"]`); empty (the default) allows public addresses only.
    pub allow_private_targets: Vec<String>,
}

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Where replies are written as `.eml` files (a Maildir) when no SMTP server or Gmail account
    /// sends them.
    pub path: PathBuf,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("data/outbox"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AiConfig {
    /// `offline` or `openai`.
    pub provider: Provider,
    /// `off`, `draft` or `auto`.
    pub mode: String,
    pub auto_send_threshold: f32,
    /// What an automatic reply does: `holding` (the default: the first-response clock runs on
    /// until a person answers) or `resolving` (it resolves the ticket and is the first response).
    pub auto_reply: AutoReplyEffect,
    pub base_url: String,
    pub model: String,
    pub api_key_file: Option<PathBuf>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub timeout_secs: u64,
    pub deadline_secs: u64,
    pub max_retries: u32,
    pub max_retry_wait_secs: u64,
    /// `json_schema` or `json_object`.
    pub response_format: ResponseFormat,
}

impl Default for AiConfig {
    fn default() -> Self {
        Self {
            provider: Provider::Offline,
            mode: "draft".to_owned(),
            auto_send_threshold: 0.85,
            auto_reply: AutoReplyEffect::Holding,
            base_url: "https://api.openai.com/v1".to_owned(),
            model: "gpt-4o-mini".to_owned(),
            api_key_file: None,
            temperature: 0.2,
            max_tokens: 1_000,
            timeout_secs: 30,
            deadline_secs: 120,
            max_retries: 3,
            max_retry_wait_secs: 60,
            response_format: ResponseFormat::JsonSchema,
        }
    }
}

fn default_max_message_bytes() -> u32 {
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

/// Short environment names for the keys ops set most; any key can also be set as
/// `FRONTDESK_<SECTION>__<KEY>` (two underscores between levels).
const ALIASES: [(&str, &[&str]); 9] = [
    ("FRONTDESK_HTTP_BIND", &["http", "bind"]),
    ("FRONTDESK_DATABASE_URL", &["database", "url"]),
    (
        "FRONTDESK_SUPPORT_ADDRESS",
        &["helpdesk", "support_address"],
    ),
    ("FRONTDESK_AI_PROVIDER", &["ai", "provider"]),
    ("FRONTDESK_AI_MODE", &["ai", "mode"]),
    ("FRONTDESK_AI_BASE_URL", &["ai", "base_url"]),
    ("FRONTDESK_AI_MODEL", &["ai", "model"]),
    ("FRONTDESK_POLL_INTERVAL_SECS", &["poller", "interval_secs"]),
    ("FRONTDESK_METRICS_BIND", &["poller", "metrics_bind"]),
];

/// Keys that would hold a secret, and where the secret goes instead.
const SECRET_KEYS: [(&str, &str); 6] = [
    ("api_key", "FRONTDESK_AI_API_KEY or ai.api_key_file"),
    ("password", "password_env or password_file"),
    ("client_secret", "client_secret_env or client_secret_file"),
    ("refresh_token", "refresh_token_env or refresh_token_file"),
    ("secret", "an environment variable or a file"),
    ("token", "an environment variable or a file"),
];

impl Config {
    /// Reads `path` (or [`DEFAULT_CONFIG_FILE`], which may be missing), applies the environment
    /// and checks the result.
    ///
    /// # Errors
    /// [`ConfigError`] for an unreadable or invalid file, a secret in the file, or a bad value.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_with_env(path, &vars)
    }

    /// As [`Config::load`], with the environment given (for tests).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_with_env(
        path: Option<&Path>,
        vars: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let (file, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ConfigError::Read { path: file, source }),
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: file.clone(),
            message: e.to_string(),
        })?;
        reject_secrets(&toml::Value::Table(table.clone()), "")?;
        apply_env(&mut table, vars)?;
        // Errors name the key they are about (`mailbox[0].security: unknown variant …`).
        let config: Self = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(
            |e: serde_path_to_error::Error<toml::de::Error>| ConfigError::Parse {
                path: file,
                message: e.to_string(),
            },
        )?;
        config.validate()?;
        Ok(config)
    }

    /// Configuration checks beyond the types.
    fn validate(&self) -> Result<(), ConfigError> {
        self.sender_filters()?;
        self.support_address()?;
        self.helpdesk_settings()?;
        self.ai_mode()?;
        if !(0.0..=1.0).contains(&self.ai.auto_send_threshold) {
            return Err(invalid("ai.auto_send_threshold", "must be within 0..1"));
        }
        if self.http.access_token_minutes == 0 || self.http.refresh_token_days == 0 {
            return Err(invalid(
                "http.access_token_minutes",
                "token lifetimes must be at least 1",
            ));
        }
        if self.http.max_json_kib == 0 || self.http.max_mail_mib == 0 {
            return Err(invalid(
                "http.max_json_kib",
                "body limits must be at least 1",
            ));
        }
        self.webhook_targets()?;
        if self.http.event_keep_alive_secs == 0 {
            return Err(invalid("http.event_keep_alive_secs", "must be at least 1"));
        }
        if self.http.event_streams_per_caller == 0 || self.http.event_streams_total == 0 {
            return Err(invalid(
                "http.event_streams_per_caller",
                "stream limits must be at least 1",
            ));
        }
        if self.poller.interval_secs == 0 {
            return Err(invalid("poller.interval_secs", "must be at least 1"));
        }
        if self.poller.mailbox_lease_secs < 10 {
            return Err(invalid("poller.mailbox_lease_secs", "must be at least 10"));
        }
        if self.poller.batch_size == 0 {
            return Err(invalid("poller.batch_size", "must be at least 1"));
        }
        let mut names = std::collections::HashSet::new();
        for (i, mailbox) in self.mailboxes().iter().enumerate() {
            let name = mailbox.name();
            if !names.insert(name.clone()) {
                return Err(invalid(
                    &format!("mailbox[{i}].name"),
                    format!("`{name}` is used twice"),
                ));
            }
            if let MailboxConfig::Imap(imap) = mailbox {
                imap.after_ingest
                    .parse::<frontdesk_adapters_gmail::imap::AfterIngest>()
                    .map_err(|e| invalid(&format!("mailbox[{i}].after_ingest"), e))?;
            }
        }
        Ok(())
    }

    /// The addresses outbound webhooks may reach: public ones and `webhooks.allow_private_targets`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for an entry that is not an address or a block.
    pub fn webhook_targets(&self) -> Result<TargetPolicy, ConfigError> {
        self.webhooks
            .allow_private_targets
            .iter()
            .map(|c| Cidr::parse(c).map_err(|e| invalid("webhooks.allow_private_targets", e)))
            .collect::<Result<Vec<_>, _>>()
            .map(TargetPolicy::allowing)
    }

    /// The configured mailboxes, or the local Maildir when none is.
    #[must_use]
    pub fn mailboxes(&self) -> Vec<MailboxConfig> {
        if self.mailboxes.is_empty() {
            vec![MailboxConfig::Maildir(MaildirConfig {
                name: Some("local".to_owned()),
                path: PathBuf::from("data/maildir"),
                interval_secs: None,
                max_message_bytes: default_max_message_bytes(),
            })]
        } else {
            self.mailboxes.clone()
        }
    }

    /// Where people reach the web server, without a trailing slash: `http.public_url`, or
    /// `http://` and `http.bind`.
    #[must_use]
    pub fn public_url(&self) -> String {
        self.http.public_url.as_deref().map_or_else(
            || format!("http://{}", self.http.bind),
            |u| u.trim_end_matches('/').to_owned(),
        )
    }

    /// The helpdesk's own addresses: the support address and every mailbox's user name that
    /// is an address. None of them can ever be a customer's account.
    #[must_use]
    pub fn own_addresses(&self) -> Vec<EmailAddress> {
        let mut own: Vec<EmailAddress> = self.support_address().into_iter().collect();
        for mailbox in &self.mailboxes {
            let user = match mailbox {
                MailboxConfig::Imap(m) => m.username.as_str(),
                MailboxConfig::Gmail(m) => m.user.as_str(),
                MailboxConfig::Maildir(_) => continue,
            };
            if let Ok(address) = EmailAddress::parse(user)
                && !own.contains(&address)
            {
                own.push(address);
            }
        }
        own
    }

    /// # Errors
    /// [`ConfigError::Invalid`] for an address that does not parse.
    pub fn support_address(&self) -> Result<EmailAddress, ConfigError> {
        EmailAddress::parse(&self.helpdesk.support_address)
            .map_err(|e| invalid("helpdesk.support_address", e))
    }

    /// # Errors
    /// [`ConfigError::Invalid`] for an unknown mode.
    pub fn ai_mode(&self) -> Result<AiMode, ConfigError> {
        match self.ai.mode.as_str() {
            "off" => Ok(AiMode::Off),
            "draft" => Ok(AiMode::Draft),
            "auto" => Ok(AiMode::Auto),
            other => Err(invalid(
                "ai.mode",
                format!("must be off, draft or auto, not `{other}`"),
            )),
        }
    }

    /// The domain's settings: classifier, SLA policies, acknowledgement, AI mode, assignment.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for keyword tables, SLA policies or names that do not build.
    pub fn helpdesk_settings(&self) -> Result<Settings, ConfigError> {
        let mut settings = Settings::new(&self.support_address()?);
        settings.classifier =
            Classifier::new(&self.classify).map_err(|e| invalid("classify", e))?;
        settings.sla = self.sla.build().map_err(|e| invalid("sla", e))?.into();
        settings.auto_acknowledgement = self.helpdesk.acknowledge.then(|| {
            self.helpdesk
                .acknowledgement
                .clone()
                .map_or_else(AutoAcknowledgement::default, |body| AutoAcknowledgement {
                    body,
                })
        });
        settings.ai_mode = self.ai_mode()?;
        settings.auto_send = AutoSendPolicy {
            min_confidence: self.ai.auto_send_threshold,
            effect: self.ai.auto_reply,
            ..AutoSendPolicy::default()
        };
        settings.auto_close_after = TimeDelta::days(i64::from(self.helpdesk.auto_close_days));
        settings.assignment = match self.helpdesk.assignment.as_str() {
            "round_robin" => Strategy::RoundRobin,
            "least_loaded" => Strategy::LeastLoaded,
            other => {
                return Err(invalid(
                    "helpdesk.assignment",
                    format!("must be round_robin or least_loaded, not `{other}`"),
                ));
            }
        };
        settings.max_open_per_agent = self.helpdesk.max_open_per_agent;
        let limit = |n: u32| (n > 0).then_some(n);
        settings.intake_limits = IntakeLimits {
            tickets_per_sender: limit(self.helpdesk.tickets_per_sender_per_hour),
            ai_jobs_per_sender: limit(self.helpdesk.ai_jobs_per_sender_per_hour),
            acknowledgements_per_domain: limit(self.helpdesk.acknowledgements_per_domain_per_hour),
        };
        settings
            .trusted_authserv_ids
            .clone_from(&self.helpdesk.trusted_authserv_ids);
        settings.sender_filters.replace(self.sender_filters()?);
        Ok(settings)
    }

    /// The allow and deny lists of `[helpdesk]`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first pattern that is not one.
    pub fn sender_filters(&self) -> Result<SenderFilters, ConfigError> {
        let list = |key: &str, raw: &[String]| {
            raw.iter()
                .map(|p| SenderPattern::parse(p).map_err(|e| invalid(key, e)))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(SenderFilters {
            allow: list("helpdesk.allow_senders", &self.helpdesk.allow_senders)?,
            deny: list("helpdesk.deny_senders", &self.helpdesk.deny_senders)?,
        })
    }
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

/// A secret from the environment variable `env` or the file `file` (trailing newline dropped).
///
/// # Errors
/// [`ConfigError`] when neither is given, the variable is unset, or the file is unreadable.
pub fn secret(
    key: &str,
    env: Option<&str>,
    file: Option<&Path>,
) -> Result<Option<String>, ConfigError> {
    if let Some(name) = env {
        return std::env::var(name).map(Some).map_err(|_| ConfigError::Env {
            name: name.to_owned(),
            message: format!("{key} names it, but it is not set"),
        });
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(None)
}

fn reject_secrets(value: &toml::Value, at: &str) -> Result<(), ConfigError> {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let key = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                if let Some((_, instead)) = SECRET_KEYS.iter().find(|(s, _)| s == k) {
                    return Err(ConfigError::SecretInFile {
                        key,
                        instead: (*instead).to_owned(),
                    });
                }
                reject_secrets(v, &key)?;
            }
            Ok(())
        }
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| reject_secrets(v, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

/// Applies the aliases, then every `FRONTDESK_<SECTION>__<KEY>` variable.
fn apply_env(table: &mut toml::Table, vars: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, path) in ALIASES {
        if let Some((_, value)) = vars.iter().find(|(n, _)| n == name) {
            set(table, path, value);
        }
    }
    for (name, value) in vars {
        let Some(rest) = name.strip_prefix("FRONTDESK_") else {
            continue;
        };
        if !rest.contains("__") {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Env {
                name: name.clone(),
                message: "empty key between `__`".into(),
            });
        }
        if let Some(last) = path.last()
            && let Some((_, instead)) = SECRET_KEYS.iter().find(|(s, _)| s == last)
        {
            return Err(ConfigError::SecretInFile {
                key: name.clone(),
                instead: (*instead).to_owned(),
            });
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        set(table, &path, value);
    }
    Ok(())
}

/// Sets `path` in `table` to `raw`, read as a TOML value when it is one (a number, a boolean, an
/// array) and as a string otherwise.
fn set(table: &mut toml::Table, path: &[&str], raw: &str) {
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()));
    let mut current = table;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            current.insert((*key).to_owned(), value);
            return;
        }
        let entry = current
            .entry((*key).to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else {
            return;
        };
        current = next;
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
