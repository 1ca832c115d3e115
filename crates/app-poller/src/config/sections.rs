//! The sections of the file other than the mailboxes: `[helpdesk]`, `[database]`, `[poller]`,
//! `[http]`, `[webhooks]`, `[outbox]`, `[ai]`, with their defaults.

use super::*;

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
    /// A web workspace session ends after this many minutes without a request…
    pub session_idle_minutes: u32,
    /// …and this many days after the sign-in, whatever its use.
    pub session_days: u32,
    /// Files a reply or note may carry from the workspace's composer, and the largest, in MiB.
    pub max_uploads: usize,
    pub max_upload_mib: usize,
    /// Files a customer may attach to a request or a reply in the portal (the intake form's
    /// uploads included), and the largest, in MiB.
    pub portal_max_files: usize,
    pub portal_max_file_mib: usize,
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
            session_idle_minutes: 8 * 60,
            session_days: 7,
            max_uploads: 10,
            max_upload_mib: 10,
            portal_max_files: 5,
            portal_max_file_mib: 5,
        }
    }
}

/// Satisfaction surveys: mailed when a ticket reaches one of `statuses`, `delay_minutes` later.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SatisfactionConfig {
    pub enabled: bool,
    /// The statuses that ask for a rating (`resolved`, `closed`).
    pub statuses: Vec<String>,
    pub delay_minutes: u32,
}

impl Default for SatisfactionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            statuses: vec!["resolved".to_owned()],
            delay_minutes: 0,
        }
    }
}

/// Where orders are looked up: `none` (the default) or a Shopify shop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrdersProvider {
    #[default]
    None,
    Shopify,
}

/// `[orders]`: the shop whose orders tickets are about.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrdersConfig {
    pub provider: OrdersProvider,
    /// The shop's address, `https://example.myshopify.com`.
    pub shop_url: Option<String>,
    /// The Admin API version.
    pub api_version: String,
    /// A file holding the Admin API access token (scope `read_orders`); or the environment's
    /// `FRONTDESK_SHOPIFY_TOKEN`.
    pub access_token_file: Option<PathBuf>,
    pub timeout_secs: u64,
    /// The longest wait for Shopify's rate limit before a lookup is given up.
    pub max_wait_secs: u64,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        Self {
            provider: OrdersProvider::None,
            shop_url: None,
            api_version: frontdesk_adapters_shopify::DEFAULT_API_VERSION.to_owned(),
            access_token_file: None,
            timeout_secs: 10,
            max_wait_secs: 10,
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
    /// The model's context in tokens (prompt and answer together); unset: asked of the server
    /// where it says (llama.cpp), else no budget.
    pub context_tokens: Option<u32>,
    /// OpenAI's `frequency_penalty` (−2..2), sent when set.
    pub frequency_penalty: Option<f32>,
    /// llama.cpp's `repeat_penalty` (1.1–1.3 for small models), sent when set.
    pub repeat_penalty: Option<f32>,
    /// An embedding model on the same server (`/v1/embeddings`): retrieval then also finds
    /// help-centre sections by meaning. Unset: by words only.
    pub embeddings_model: Option<String>,
    /// The least cosine similarity a section needs to be found by meaning alone.
    pub embeddings_min_similarity: f32,
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
            context_tokens: None,
            frequency_penalty: None,
            repeat_penalty: None,
            embeddings_model: None,
            embeddings_min_similarity: frontdesk_domain::grounding::MIN_COSINE,
        }
    }
}
