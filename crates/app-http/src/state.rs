//! What every handler can reach: the wired helpdesk (shared with the poller), the token keys and
//! the sign-in limiter.

use std::sync::Arc;

use crate::wiring::Frontdesk;
use crate::wiring::HttpConfig;
use frontdesk_adapters_db::Database;
use frontdesk_domain::service::Helpdesk;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::cache::CallerCache;
use crate::auth::limiter::{LoginLimiter, RateLimiter};
use crate::auth::password::HashPool;
use crate::auth::shared::{SharedSecret, Signer};
use crate::auth::tokens::TokenKeys;

/// Shared by all workers.
#[derive(Debug)]
pub struct AppState {
    pub app: Arc<Frontdesk>,
    pub keys: TokenKeys,
    pub limiter: LoginLimiter,
    /// Registrations per client address.
    pub registrations: RateLimiter,
    /// Where every password hash and verification runs, a bounded number at once.
    pub hashing: HashPool,
    /// Callers loaded within the last second; cleared by every account or token change.
    pub callers: CallerCache,
    /// The Prometheus handle, when this process installed the recorder (tests do not).
    pub metrics: Option<PrometheusHandle>,
    pub webhooks: Webhooks,
    pub events: crate::events::EventHub,
    /// Who has which ticket open in the workspace, and who is typing.
    pub presence: crate::presence::Presence,
    /// The reports' facts in memory, kept current from the trail of ticket events.
    pub reports: Arc<frontdesk_adapters_db::ReportIndex>,
    /// The knowledge base and its search index.
    pub kb: crate::kb::KbCache,
}

/// The inbound webhooks' secrets; a webhook without one is switched off.
#[derive(Debug, Default)]
pub struct Webhooks {
    pub inbound: Option<SharedSecret>,
    pub gmail: Option<SharedSecret>,
    /// Zendesk's webhook signing secret.
    pub zendesk: Option<Signer>,
    /// Intercom's app client secret, which signs its notifications.
    pub intercom: Option<Signer>,
}

impl AppState {
    #[must_use]
    pub fn db(&self) -> &Database {
        &self.app.db
    }

    #[must_use]
    pub fn desk(&self) -> &Helpdesk {
        &self.app.desk
    }

    /// The time now, from the helpdesk's clock (never the system's directly).
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.app.desk.now()
    }

    /// A new unique id, from the helpdesk's id source.
    #[must_use]
    pub fn new_id(&self) -> uuid::Uuid {
        self.app.desk.new_id()
    }

    #[must_use]
    pub fn http(&self) -> &HttpConfig {
        &self.app.config.http
    }
}
