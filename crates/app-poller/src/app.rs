//! Wiring: the adapters the configuration asks for, plugged into the domain's ports.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_adapters_ai::Provider;
use frontdesk_adapters_ai::offline::OfflineAssistant;
use frontdesk_adapters_ai::openai::{ApiKey, OpenAiAssistant, OpenAiConfig};
use frontdesk_adapters_db::{Database, DatabaseSettings};
use frontdesk_adapters_gmail::Secret;
use frontdesk_adapters_gmail::gmail::{GmailClient, GmailSender, GmailSettings, GmailSource};
use frontdesk_adapters_gmail::imap::{ImapSettings, ImapSource};
use frontdesk_adapters_gmail::maildir::{MaildirOutbox, MaildirSource};
use frontdesk_adapters_gmail::mime::{SANITIZER_VERSION, sanitize_html};
use frontdesk_adapters_gmail::smtp::{SmtpSender, SmtpSettings};
use frontdesk_domain::EmailAddress;
use frontdesk_domain::email::{SenderFilters, SenderPattern};
use frontdesk_domain::order::{NoOrders, OrderLookup};
use frontdesk_domain::ports::Embedder;
use frontdesk_domain::ports::{
    AiAssistant, DraftContext, DraftStore, MailSender, MailSource, SystemClock, UuidV7Ids,
};
use frontdesk_domain::service::{Helpdesk, Ports};
use frontdesk_domain::sla::{CalendarConfig, SlaConfig};

use crate::config::{Config, ConfigError, GmailConfig, ImapConfig, MailboxConfig, secret};

/// Why the helpdesk could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(String),
    #[error("mailbox {name}: {message}")]
    Mailbox { name: String, message: String },
    #[error("outgoing mail: {0}")]
    Sender(String),
    #[error("AI assistant: {0}")]
    Assistant(String),
    #[error("webhook client: {0}")]
    Webhooks(String),
    #[error("orders: {0}")]
    Orders(String),
}

/// One mailbox being read.
pub struct Mailbox {
    pub name: String,
    pub kind: &'static str,
    pub source: Arc<dyn MailSource>,
    /// Set for IMAP mailboxes that wait for new mail with IDLE.
    pub idle: Option<Arc<ImapSource>>,
    pub interval: Duration,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// The helpdesk, wired.
pub struct Frontdesk {
    pub config: Config,
    pub db: Arc<Database>,
    pub desk: Arc<Helpdesk>,
    pub mailboxes: Vec<Mailbox>,
    pub sender: Arc<dyn MailSender>,
    pub drafts: Option<Arc<dyn DraftStore>>,
    pub assistant: Arc<dyn AiAssistant>,
    pub draft_context: DraftContext,
    /// What grounded drafts are written from.
    pub knowledge: frontdesk_adapters_db::KnowledgeStore,
    /// The shop's orders (`[orders]`; none by default).
    pub orders: Arc<dyn OrderLookup>,
    /// This process's name in mailbox leases: `pid-random`.
    pub holder: String,
    /// For outbound webhook deliveries, to allowed targets only.
    pub webhooks: crate::outbound::WebhookClient,
    /// Signs and checks satisfaction rating links.
    pub survey_key: crate::satisfaction::SurveyKey,
    /// Wakes this process's maintenance pass (the daemon's, when it runs here): a mail queued
    /// that a person is waiting for (a sign-in link) goes out now, not at the next interval.
    pub wake: Arc<tokio::sync::Notify>,
    /// Wakes this process's sender (the daemon's, when it runs here): the jobs queue is run at
    /// once, apart from the maintenance pass (which can take seconds on a large helpdesk), so
    /// a mail someone waits for — a sign-in link, a staff invitation — goes out within moments.
    pub send_now: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Frontdesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frontdesk")
            .field("mailboxes", &self.mailboxes)
            .finish_non_exhaustive()
    }
}

/// What a process mostly does with the database, which decides SQLite's memory defaults when the
/// configuration leaves them unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// The API server reads at random across the whole database: a large page cache and the
    /// whole file memory-mapped (mapped pages are the kernel's file cache, but count in RSS).
    Api,
    /// The poller daemon writes and reads little: a small page cache and no map keep its
    /// resident memory small (under 50 MB importing 100,000 mails).
    Daemon,
}

/// The storage settings `config` asks for, SQLite's memory defaults chosen by `workload`.
#[must_use]
pub fn database_settings(config: &Config, workload: Workload) -> DatabaseSettings {
    let (cache, mmap) = match workload {
        Workload::Api => (64, 65_536),
        Workload::Daemon => (2, 0),
    };
    DatabaseSettings {
        url: config.database.url.clone(),
        max_connections: config.database.max_connections.max(1),
        busy_timeout: Duration::from_secs(config.database.busy_timeout_secs.max(1)),
        sqlite_cache_mib: config.database.sqlite_cache_mib.unwrap_or(cache),
        sqlite_mmap_mib: config.database.sqlite_mmap_mib.unwrap_or(mmap),
    }
}

/// Connects to the configured database.
///
/// # Errors
/// [`AppError::Database`] when the database cannot be reached.
pub async fn connect(config: &Config, workload: Workload) -> Result<Database, AppError> {
    database_settings(config, workload)
        .connect()
        .await
        .map_err(|e| AppError::Database(e.to_string()))
}

/// Brings the schema up to date, then has stored mail HTML sanitised again if it was written by
/// an older sanitiser than this build's (once: the storage records the version). Every process
/// that migrates goes through here, so none serves HTML an older sanitiser let through.
///
/// # Errors
/// [`AppError::Database`] when a migration or the rewrite fails.
pub async fn migrate(db: &Database) -> Result<(), AppError> {
    db.migrate()
        .await
        .map_err(|e| AppError::Database(e.to_string()))?;
    db.resanitize_html(SANITIZER_VERSION, &sanitize_html)
        .await
        .map_err(|e| AppError::Database(format!("re-sanitising stored HTML: {e}")))?;
    Ok(())
}

impl Frontdesk {
    /// Wires the helpdesk on `db` as `config` describes.
    ///
    /// # Errors
    /// [`AppError`] for a mailbox, sender or assistant that cannot be set up.
    pub async fn build(config: Config, db: Database) -> Result<Self, AppError> {
        let db = Arc::new(db);
        let settings = config.helpdesk_settings()?;
        let classifier = settings.classifier.clone();
        let ports = Ports::from_store(db.clone(), Arc::new(SystemClock), Arc::new(UuidV7Ids));
        let desk = Arc::new(Helpdesk::new(ports, settings));
        let support = config.support_address()?;
        let support_name = config.helpdesk.support_name.clone();

        let (mailboxes, gmail_sender) =
            mailboxes(&config, &db, &support, support_name.as_ref()).await?;
        let (sender, drafts) =
            sender(&config, gmail_sender, &support, support_name.as_ref()).await?;

        let assistant: Arc<dyn AiAssistant> = match config.ai.provider {
            Provider::OpenAi => Arc::new(openai(&config)?),
            Provider::Offline => Arc::new(OfflineAssistant::new(classifier)),
        };
        let draft_context = DraftContext {
            agent_name: None,
            signature: support_name.clone(),
            ..DraftContext::default()
        };
        let holder = format!(
            "{}-{}",
            std::process::id(),
            &desk.new_id().simple().to_string()[20..]
        );
        let survey_key = crate::satisfaction::SurveyKey::load(&db)
            .await
            .map_err(|e| AppError::Database(e.to_string()))?;
        let mut knowledge = frontdesk_adapters_db::KnowledgeStore::new(db.as_ref().clone());
        if let Some(embedder) = embedder(&config)? {
            knowledge = knowledge
                .with_embedder(embedder)
                .with_min_similarity(config.ai.embeddings_min_similarity);
        }
        let orders = orders(&config)?;
        let app = Self {
            db,
            desk,
            mailboxes,
            sender,
            drafts,
            assistant,
            draft_context,
            knowledge,
            orders,
            holder,
            webhooks: crate::outbound::WebhookClient::new(config.webhook_targets()?)
                .map_err(|e| AppError::Webhooks(e.to_string()))?,
            survey_key,
            wake: Arc::new(tokio::sync::Notify::new()),
            send_now: Arc::new(tokio::sync::Notify::new()),
            config,
        };
        if let Err(e) = app.reload_sla().await {
            // Not fatal: the configuration file's policies apply until a pass can read them.
            tracing::warn!(error = %e, "SLA policies from the database not applied");
        }
        Ok(app)
    }

    /// Puts the SLA policies (and the sender lists) in force: the configuration file's, refined by those kept in the
    /// database (edited through the API). Run at start and on every maintenance pass, so every
    /// process follows an edit within one pass.
    ///
    /// # Errors
    /// What cannot be read or does not validate; the policies in force stay then.
    pub async fn reload_sla(&self) -> Result<(), String> {
        let base = self.config.sla.build().map_err(|e| format!("[sla]: {e}"))?;
        let stored = self.db.sla_overrides().await.map_err(|e| e.to_string())?;
        let policies = stored
            .overlay(base)
            .map_err(|e| format!("stored SLA settings: {e}"))?;
        self.desk.settings().sla.replace(policies);
        let calendar = stored
            .calendar
            .as_ref()
            .or(self.config.sla.calendar.as_ref());
        self.follow_calendar(calendar).await?;
        self.reload_sender_filters().await
    }

    /// Moves open tickets' running SLA clocks onto `calendar` (now in force) when it is not the
    /// one they run on, whichever way it changed (the API or the configuration file): the
    /// process that swaps the recorded calendar does it, once (`Helpdesk::recalendar` keeps
    /// each clock's counted time left).
    async fn follow_calendar(&self, calendar: Option<&CalendarConfig>) -> Result<(), String> {
        let key = serde_json::to_string(&calendar).map_err(|e| e.to_string())?;
        let applied = self
            .db
            .applied_calendar()
            .await
            .map_err(|e| e.to_string())?;
        let now = self.desk.now();
        match applied {
            None => {
                // The first start with this record: the clocks run on what is in force.
                self.db
                    .swap_applied_calendar(None, &key, now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Some(old) if old != key => {
                if !self
                    .db
                    .swap_applied_calendar(Some(&old), &key, now)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let before: Option<CalendarConfig> = serde_json::from_str(&old)
                    .map_err(|e| format!("the recorded calendar: {e}"))?;
                let before = SlaConfig::calendar_of(before.as_ref())
                    .map_err(|e| format!("the recorded calendar: {e}"))?;
                let report = self
                    .desk
                    .recalendar(&before)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(
                    moved = report.moved,
                    "open SLA clocks moved to the new calendar"
                );
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Puts the sender allow and deny lists in force: the configuration's and those set through
    /// the API together.
    ///
    /// # Errors
    /// A description when they cannot be read or a stored pattern is not one.
    pub async fn reload_sender_filters(&self) -> Result<(), String> {
        let configured = self.config.sender_filters().map_err(|e| e.to_string())?;
        let (allow, deny) = self.db.sender_filters().await.map_err(|e| e.to_string())?;
        let parse = |list: Vec<String>| {
            list.iter()
                .map(|p| SenderPattern::parse(p).map_err(|e| format!("stored sender lists: {e}")))
                .collect::<Result<Vec<_>, _>>()
        };
        let stored = SenderFilters {
            allow: parse(allow)?,
            deny: parse(deny)?,
        };
        self.desk
            .settings()
            .sender_filters
            .replace(configured.with(&stored));
        Ok(())
    }
}

/// The configured mailboxes as mail sources, and the first Gmail account that may send.
async fn mailboxes(
    config: &Config,
    db: &Arc<Database>,
    support: &EmailAddress,
    support_name: Option<&String>,
) -> Result<(Vec<Mailbox>, Option<GmailSender>), AppError> {
    let mut mailboxes = Vec::new();
    let mut gmail_sender = None;
    for (i, mailbox) in config.mailboxes().iter().enumerate() {
        let name = mailbox.name();
        let interval = Duration::from_secs(mailbox.interval_secs(config.poller.interval_secs));
        let fail = |message: String| AppError::Mailbox {
            name: name.clone(),
            message,
        };
        match mailbox {
            MailboxConfig::Maildir(m) => {
                let source = MaildirSource::open(&m.path, u64::from(m.max_message_bytes))
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                mailboxes.push(Mailbox {
                    name,
                    kind: "maildir",
                    source: Arc::new(source),
                    idle: None,
                    interval,
                });
            }
            MailboxConfig::Imap(m) => {
                let source = Arc::new(ImapSource::new(
                    imap_settings(m, i)?,
                    db.clone() as Arc<dyn frontdesk_domain::ports::MailboxCursors>,
                ));
                mailboxes.push(Mailbox {
                    name,
                    kind: "imap",
                    idle: m.idle.then(|| source.clone()),
                    source,
                    interval,
                });
            }
            MailboxConfig::Gmail(m) => {
                let client = Arc::new(
                    GmailClient::new(gmail_settings(m, i)?).map_err(|e| fail(e.to_string()))?,
                );
                if gmail_sender.is_none() && m.send != Some(false) {
                    gmail_sender = Some(
                        GmailSender::new(client.clone(), support, support_name.cloned())
                            .map_err(|e| fail(e.to_string()))?,
                    );
                }
                let source = GmailSource::new(
                    client,
                    db.clone(),
                    format!("gmail://{}", m.user),
                    m.query.clone(),
                    m.processed_label.clone(),
                );
                mailboxes.push(Mailbox {
                    name,
                    kind: "gmail",
                    source: Arc::new(source),
                    idle: None,
                    interval,
                });
            }
        }
    }
    Ok((mailboxes, gmail_sender))
}

/// Where replies go: SMTP when configured (with a Gmail account's drafts), else the Gmail
/// account, else the local outbox.
async fn sender(
    config: &Config,
    gmail_sender: Option<GmailSender>,
    support: &EmailAddress,
    support_name: Option<&String>,
) -> Result<(Arc<dyn MailSender>, Option<Arc<dyn DraftStore>>), AppError> {
    Ok(if let Some(smtp) = &config.smtp {
        let password = secret(
            "smtp.password",
            smtp.password_env.as_deref(),
            smtp.password_file.as_deref(),
        )?
        .or_else(|| std::env::var("FRONTDESK_SMTP_PASSWORD").ok());
        let settings = SmtpSettings {
            host: smtp.host.clone(),
            port: smtp.port.unwrap_or(smtp.security.smtp_port()),
            security: smtp.security,
            username: smtp.username.clone(),
            password: password.map(Secret::new),
            from_address: support.clone(),
            from_name: support_name.cloned(),
            timeout: Duration::from_secs(smtp.timeout_secs.max(1)),
        };
        let sender = SmtpSender::new(&settings).map_err(|e| AppError::Sender(e.to_string()))?;
        let drafts = gmail_sender.map(|g| Arc::new(g) as Arc<dyn DraftStore>);
        (Arc::new(sender), drafts)
    } else if let Some(gmail) = gmail_sender {
        let gmail = Arc::new(gmail);
        (gmail.clone(), Some(gmail))
    } else {
        let outbox = Arc::new(
            MaildirOutbox::open(&config.outbox.path, support, support_name.cloned())
                .await
                .map_err(|e| AppError::Sender(e.to_string()))?,
        );
        (outbox.clone(), Some(outbox))
    })
}

fn imap_settings(m: &ImapConfig, index: usize) -> Result<ImapSettings, AppError> {
    let key = format!("mailbox[{index}].password");
    let password = secret(&key, m.password_env.as_deref(), m.password_file.as_deref())?
        .ok_or_else(|| ConfigError::Invalid {
            key,
            message: "set password_env or password_file".into(),
        })?;
    Ok(ImapSettings {
        host: m.host.clone(),
        port: m.port.unwrap_or(m.security.imap_port()),
        security: m.security,
        username: m.username.clone(),
        password: Secret::new(password),
        mailbox: m.folder.clone(),
        after_ingest: m
            .after_ingest
            .parse()
            .map_err(|e: String| ConfigError::Invalid {
                key: format!("mailbox[{index}].after_ingest"),
                message: e,
            })?,
        max_message_bytes: m.max_message_bytes,
        ca_file: m.ca_file.clone(),
    })
}

fn gmail_settings(m: &GmailConfig, index: usize) -> Result<GmailSettings, AppError> {
    let required = |what: &str, env: Option<&str>, file: Option<&Path>| {
        let key = format!("mailbox[{index}].{what}");
        secret(&key, env, file)?.ok_or_else(|| ConfigError::Invalid {
            key,
            message: format!("set {what}_env or {what}_file"),
        })
    };
    Ok(GmailSettings {
        api_base: m.api_base.clone(),
        token_url: m.token_url.clone(),
        client_id: m.client_id.clone(),
        client_secret: Secret::new(required(
            "client_secret",
            m.client_secret_env.as_deref(),
            m.client_secret_file.as_deref(),
        )?),
        refresh_token: Secret::new(required(
            "refresh_token",
            m.refresh_token_env.as_deref(),
            m.refresh_token_file.as_deref(),
        )?),
        user: m.user.clone(),
        query: m.query.clone(),
        processed_label: m.processed_label.clone(),
        timeout: Duration::from_secs(30),
    })
}

fn openai(config: &Config) -> Result<OpenAiAssistant, AppError> {
    OpenAiAssistant::new(openai_config(config)?).map_err(|e| AppError::Assistant(e.to_string()))
}

/// The embedding model on the assistant's server, when `ai.embeddings_model` names one.
fn embedder(config: &Config) -> Result<Option<Arc<dyn Embedder>>, AppError> {
    match (&config.ai.provider, &config.ai.embeddings_model) {
        (Provider::OpenAi, Some(model)) => {
            let e =
                frontdesk_adapters_ai::openai::OpenAiEmbedder::new(openai_config(config)?, model)
                    .map_err(|e| AppError::Assistant(e.to_string()))?;
            Ok(Some(Arc::new(e)))
        }
        _ => Ok(None),
    }
}

fn openai_config(config: &Config) -> Result<OpenAiConfig, AppError> {
    let ai = &config.ai;
    let key = secret("ai.api_key", None, ai.api_key_file.as_deref())?
        .or_else(|| std::env::var("FRONTDESK_AI_API_KEY").ok())
        .filter(|k| !k.trim().is_empty());
    Ok(OpenAiConfig {
        base_url: ai.base_url.clone(),
        model: ai.model.clone(),
        api_key: key.map(ApiKey::new),
        temperature: ai.temperature,
        max_tokens: ai.max_tokens,
        timeout: Duration::from_secs(ai.timeout_secs.max(1)),
        deadline: Duration::from_secs(ai.deadline_secs.max(1)),
        max_retries: ai.max_retries,
        initial_backoff: Duration::from_millis(500),
        max_retry_wait: Duration::from_secs(ai.max_retry_wait_secs),
        response_format: ai.response_format,
        context_tokens: ai.context_tokens,
        frequency_penalty: ai.frequency_penalty,
        repeat_penalty: ai.repeat_penalty,
    })
}

/// The order lookup `[orders]` describes: none, or the Shopify shop with its token from
/// `access_token_file` or `FRONTDESK_SHOPIFY_TOKEN`.
fn orders(config: &Config) -> Result<Arc<dyn OrderLookup>, AppError> {
    let o = &config.orders;
    match o.provider {
        crate::config::OrdersProvider::None => Ok(Arc::new(NoOrders)),
        crate::config::OrdersProvider::Shopify => {
            let shop_url = o.shop_url.clone().ok_or_else(|| {
                AppError::Orders("orders.shop_url is required for shopify".into())
            })?;
            let token = secret("orders.access_token", None, o.access_token_file.as_deref())?
                .or_else(|| std::env::var("FRONTDESK_SHOPIFY_TOKEN").ok())
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    AppError::Orders(
                        "no access token: set orders.access_token_file or FRONTDESK_SHOPIFY_TOKEN"
                            .into(),
                    )
                })?;
            let shop = frontdesk_adapters_shopify::ShopifyOrders::new(
                frontdesk_adapters_shopify::ShopifyConfig {
                    shop_url,
                    api_version: o.api_version.clone(),
                    token: frontdesk_adapters_shopify::AccessToken::new(token),
                    timeout: Duration::from_secs(o.timeout_secs.max(1)),
                    max_wait: Duration::from_secs(o.max_wait_secs),
                },
            )
            .map_err(|e| AppError::Orders(e.to_string()))?;
            Ok(Arc::new(shop))
        }
    }
}
