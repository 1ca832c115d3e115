//! Putting the server together: database, wiring shared with the poller, the first admin, the
//! token key, routes — and optionally the poller's loop in the same process.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use crate::wiring::{Config, secret};
use crate::wiring::{Frontdesk, Workload, connect, migrate};
use crate::wiring::{Health, run_poller};
use actix_web::{App, HttpServer, web};
use chrono::{TimeDelta, Utc};
use frontdesk_adapters_db::Database;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::staff::{Availability, Role, Staff, StaffId};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::watch;

use crate::auth::cache::CallerCache;
use crate::auth::limiter::{LoginLimiter, RateLimiter};
use crate::auth::password::{self, HashPool};
use crate::auth::shared::{SharedSecret, Signer};
use crate::auth::tokens::{TokenKeys, random_token};
use crate::events::EventHub;
use crate::routes;
use crate::state::{AppState, Webhooks};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Wiring(String),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Admin(String),
}

/// How to start.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: String,
    /// Run the poller's loop (mailboxes, SLA sweeps, jobs) in this process too.
    pub with_poller: bool,
    pub metrics: Option<PrometheusHandle>,
    /// HTTP worker threads; default one per core.
    pub workers: Option<usize>,
}

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    poller: Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)>,
    /// Stops the event feed's reader.
    stop_feed: watch::Sender<bool>,
    state: web::Data<AppState>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects, migrates, wires the helpdesk, makes sure an admin exists, and listens.
    ///
    /// # Errors
    /// [`StartupError`] when any of it fails.
    pub async fn build(config: Config, options: Options) -> Result<Self, StartupError> {
        let wiring = |e: &dyn std::fmt::Display| StartupError::Wiring(e.to_string());
        let db = connect(&config, Workload::Api)
            .await
            .map_err(|e| wiring(&e))?;
        migrate(&db).await.map_err(|e| wiring(&e))?;
        let domain = config
            .support_address()
            .map_err(|e| wiring(&e))?
            .domain()
            .to_owned();
        ensure_admin(&db, &domain).await?;
        let state = web::Data::new(shared_state(config, db, options.metrics.clone()).await?);
        let app = state.app.clone();
        let (stop_feed, feed_stop) = watch::channel(false);
        tokio::spawn(crate::routes::analytics::keep_index(
            state.reports.clone(),
            state.app.db.clone(),
            feed_stop.clone(),
        ));
        tokio::spawn(state.events.clone().run(state.app.db.clone(), feed_stop));
        let (port, server) = serve(&state, &options)?;
        let poller = options.with_poller.then(|| {
            let (stop, shutdown) = watch::channel(false);
            let task = tokio::spawn(run_poller(app, shutdown, Arc::new(Health::default())));
            (stop, task)
        });
        Ok(Self {
            port,
            server,
            poller,
            stop_feed,
            state,
        })
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The state handlers share (tests reach the database through it).
    #[must_use]
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM/SIGINT (actix handles the signals), then stops the poller loop.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let _ = self.stop_feed.send(true);
        if let Some((stop, task)) = self.poller {
            let _ = stop.send(true);
            if tokio::time::timeout(Duration::from_secs(8), task)
                .await
                .is_err()
            {
                tracing::warn!("the poller loop did not stop within 8 s");
            }
        }
        result
    }
}

/// On a new install (no staff at all) creates the first admin: from `FRONTDESK_ADMIN_EMAIL` and
/// `FRONTDESK_ADMIN_PASSWORD` when set, otherwise `admin@<support domain>` with a random
/// password printed once on stderr.
async fn ensure_admin(db: &Database, domain: &str) -> Result<(), StartupError> {
    let fail = |e: &dyn std::fmt::Display| StartupError::Admin(e.to_string());
    if db.staff_count().await.map_err(|e| fail(&e))? > 0 {
        return Ok(());
    }
    let email = std::env::var("FRONTDESK_ADMIN_EMAIL").ok();
    let given = std::env::var("FRONTDESK_ADMIN_PASSWORD").ok();
    let email = email.unwrap_or_else(|| format!("admin@{domain}"));
    let email =
        EmailAddress::parse(&email).map_err(|e| fail(&format!("FRONTDESK_ADMIN_EMAIL: {e}")))?;
    let (pass, printed) = match given {
        Some(p) => (p, false),
        None => (random_token("").map_err(|e| fail(&e))?, true),
    };
    let hash = password::hash(&pass, Some(&email))
        .map_err(|e| fail(&format!("FRONTDESK_ADMIN_PASSWORD: {e}")))?;
    let admin = Staff {
        id: StaffId::from_uuid(uuid::Uuid::now_v7()),
        email: email.clone(),
        name: "Administrator".to_owned(),
        role: Role::Admin,
        availability: Availability::Offline,
        shift: None,
        active: true,
    };
    db.create_staff(&admin, Some(&hash), Utc::now())
        .await
        .map_err(|e| fail(&e))?;
    if printed {
        // Printed once, to the terminal of whoever started the first run; never logged.
        eprintln!(
            "frontdesk-http: created the first admin {email} with the one-time password {pass}\n\
             frontdesk-http: sign in and change it; it is not shown again"
        );
    } else {
        tracing::info!(%email, "created the first admin from FRONTDESK_ADMIN_EMAIL");
    }
    Ok(())
}

/// What every handler shares: the wired helpdesk, the token keys, the limiters and pools.
async fn shared_state(
    config: Config,
    db: frontdesk_adapters_db::Database,
    metrics: Option<PrometheusHandle>,
) -> Result<AppState, StartupError> {
    let keys = token_keys(&config, &db).await?;
    let limiter = LoginLimiter::new(
        config.http.login_failures_per_account,
        config.http.login_failures_per_ip,
    );
    let hashing = config
        .http
        .password_hash_slots
        .map_or_else(HashPool::for_this_machine, |n| {
            HashPool::new(n, HashPool::DEFAULT_WAIT)
        });
    let webhooks = webhooks(&config)?;
    let app = Arc::new(
        Frontdesk::build(config, db)
            .await
            .map_err(|e| StartupError::Wiring(e.to_string()))?,
    );
    Ok(AppState {
        app,
        keys,
        limiter,
        registrations: RateLimiter::default(),
        hashing,
        callers: CallerCache::default(),
        metrics,
        webhooks,
        events: EventHub::default(),
        presence: crate::presence::Presence::default(),
        reports: Arc::default(),
        kb: crate::kb::KbCache::default(),
    })
}

/// Binds `options.bind` and starts serving the routes with their middleware.
fn serve(
    state: &web::Data<AppState>,
    options: &Options,
) -> Result<(u16, actix_web::dev::Server), StartupError> {
    let listener = TcpListener::bind(&options.bind).map_err(|source| StartupError::Bind {
        bind: options.bind.clone(),
        source,
    })?;
    let port = listener
        .local_addr()
        .map_err(|source| StartupError::Bind {
            bind: options.bind.clone(),
            source,
        })?
        .port();
    let data = state.clone();
    let json = routes::json_config(state);
    let body_deadline = crate::deadline::BodyDeadline {
        grace: Duration::from_secs(u64::from(state.http().body_grace_secs)),
        min_bytes_per_sec: state.http().body_min_bytes_per_sec,
    };
    let mut server = HttpServer::new(move || {
        App::new()
            // Pages, assets and JSON gzipped for clients that ask; the event stream opts out
            // (`Content-Encoding: identity`), as do responses that are compressed already.
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn(
                crate::deadline::body_deadline,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::headers::security_headers,
            ))
            .app_data(body_deadline)
            .app_data(data.clone())
            .app_data(json.clone())
            .configure(routes::configure)
    })
    .shutdown_timeout(8);
    if let Some(n) = options.workers {
        server = server.workers(n.max(1));
    }
    let server = server
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            bind: options.bind.clone(),
            source,
        })?
        .run();
    Ok((port, server))
}

/// The JWT key: from `http.jwt_secret_env`/`_file`, or generated once and kept in the database.
async fn token_keys(config: &Config, db: &Database) -> Result<TokenKeys, StartupError> {
    let fail = |e: &dyn std::fmt::Display| StartupError::Wiring(e.to_string());
    let http = &config.http;
    let configured = secret(
        "http.jwt_secret",
        http.jwt_secret_env.as_deref(),
        http.jwt_secret_file.as_deref(),
    )
    .map_err(|e| fail(&e))?;
    let key = match configured {
        Some(k) if k.len() >= 32 => k,
        Some(_) => {
            return Err(StartupError::Wiring(
                "http.jwt_secret: the key must be at least 32 bytes".to_owned(),
            ));
        }
        None => db
            .secret(
                "jwt_signing_key",
                || random_token("").unwrap_or_default(),
                Utc::now(),
            )
            .await
            .map_err(|e| fail(&e))?,
    };
    if key.len() < 32 {
        return Err(StartupError::Wiring(
            "the stored JWT key is too short".to_owned(),
        ));
    }
    Ok(TokenKeys::new(
        key.as_bytes(),
        TimeDelta::minutes(i64::from(http.access_token_minutes)),
    ))
}

/// The inbound webhooks' shared secrets, from the environment or files.
fn webhooks(config: &Config) -> Result<Webhooks, StartupError> {
    let http = &config.http;
    let text =
        |key: &str, env: Option<&str>, file: Option<&std::path::Path>| match secret(key, env, file)
            .map_err(|e| StartupError::Wiring(e.to_string()))?
        {
            Some(s) if s.len() < 16 => Err(StartupError::Wiring(format!(
                "{key}: use at least 16 characters"
            ))),
            other => Ok(other),
        };
    let load = |key: &str, env: Option<&str>, file: Option<&std::path::Path>| match text(
        key, env, file,
    )? {
        Some(s) => SharedSecret::new(&s)
            .map(Some)
            .ok_or_else(|| StartupError::Wiring("no randomness available".to_owned())),
        None => Ok(None),
    };
    Ok(Webhooks {
        inbound: load(
            "http.inbound_secret",
            http.inbound_secret_env.as_deref(),
            http.inbound_secret_file.as_deref(),
        )?,
        gmail: load(
            "http.gmail_push_token",
            http.gmail_push_token_env.as_deref(),
            http.gmail_push_token_file.as_deref(),
        )?,
        zendesk: text(
            "http.zendesk_secret",
            http.zendesk_secret_env.as_deref(),
            http.zendesk_secret_file.as_deref(),
        )?
        .map(|s| Signer::sha256(&s)),
        intercom: text(
            "http.intercom_secret",
            http.intercom_secret_env.as_deref(),
            http.intercom_secret_file.as_deref(),
        )?
        .map(|s| Signer::sha1(&s)),
    })
}
