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

mod env;
mod mailbox;
mod sections;
mod settings;

pub use env::secret;
use env::{apply_env, reject_secrets};
use mailbox::default_max_message_bytes;
pub use mailbox::{GmailConfig, ImapConfig, MailboxConfig, MaildirConfig, SmtpConfig};
pub use sections::{
    AiConfig, DatabaseConfig, HelpdeskConfig, HttpConfig, OrdersConfig, OrdersProvider,
    OutboxConfig, PollerConfig, SatisfactionConfig, WebhooksConfig,
};

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

pub(super) fn invalid(key: &str, message: impl std::fmt::Display) -> ConfigError {
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
    pub satisfaction: SatisfactionConfig,
    pub orders: OrdersConfig,
}

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
        if self.http.max_upload_mib == 0 || self.http.max_upload_mib > 100 {
            return Err(invalid("http.max_upload_mib", "must be within 1..100"));
        }
        if self.http.portal_max_file_mib == 0 || self.http.portal_max_file_mib > 100 {
            return Err(invalid("http.portal_max_file_mib", "must be within 1..100"));
        }
        if self.http.portal_max_files == 0 || self.http.portal_max_files > 20 {
            return Err(invalid("http.portal_max_files", "must be within 1..20"));
        }
        if self.http.session_idle_minutes == 0 || self.http.session_days == 0 {
            return Err(invalid(
                "http.session_idle_minutes",
                "session lifetimes must be at least 1",
            ));
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
        self.survey_settings()?;
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

    /// When satisfaction surveys go out (`[satisfaction]`).
    ///
    /// # Errors
    /// [`ConfigError`] for a status that is not one.
    pub fn survey_settings(
        &self,
    ) -> Result<frontdesk_domain::satisfaction::SurveySettings, ConfigError> {
        let s = &self.satisfaction;
        let statuses = s
            .statuses
            .iter()
            .map(|name| {
                name.parse::<frontdesk_domain::ticket::Status>()
                    .map_err(|e| invalid("satisfaction.statuses", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(frontdesk_domain::satisfaction::SurveySettings {
            enabled: s.enabled,
            statuses,
            delay: chrono::TimeDelta::minutes(i64::from(s.delay_minutes)),
        })
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
}

#[cfg(test)]
mod tests;
