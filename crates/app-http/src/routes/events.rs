//! `GET /api/events`: server-sent events for dashboards and integrations.
//!
//! A stream lasts only as long as its credential: at every keep-alive the caller is loaded
//! again (a deactivated or deleted account, a revoked or expired API token end it), and an
//! access token's stream ends when the token expires. Streams are counted per caller and in all
//! (`http.event_streams_per_caller`, `http.event_streams_total`); beyond, 429.

use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc};

use crate::auth::tokens::{API_TOKEN_PREFIX, digest};
use crate::auth::{Caller, Principal, customer_subject, principal, staff_subject};
use crate::events::frame;
use crate::problem::ApiError;
use crate::state::AppState;
use frontdesk_adapters_db::FeedEvent;

/// At most this many missed events are replayed after `Last-Event-ID`.
const REPLAY: u64 = 1_000;
/// The last line of a stream whose credential no longer holds.
const SIGNED_OUT: &[u8] = b": signed out; reconnect with a fresh token\n\n";
/// What a client turned away for too many streams is asked to wait, in seconds.
const RETRY_AFTER_SECS: &str = "30";

/// What the stream's caller signed in with, checked again at each keep-alive.
pub(crate) enum Credential {
    /// An access token (JWT), valid until `expires` (Unix seconds).
    Access { token: String, expires: i64 },
    /// The digest of an API token.
    ApiToken(String),
    /// The digest of a workspace session's token.
    Session(String),
}

impl Credential {
    /// The credential of a request its `Caller` was already resolved from.
    fn of(state: &AppState, req: &HttpRequest) -> Result<Self, ApiError> {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("send `Authorization: Bearer <token>`"))?;
        if token.starts_with(API_TOKEN_PREFIX) {
            return Ok(Self::ApiToken(digest(token)));
        }
        let claims = state
            .keys
            .verify(token)
            .map_err(|_| ApiError::unauthorized("the access token is not valid"))?;
        Ok(Self::Access {
            token: token.to_owned(),
            expires: claims.exp,
        })
    }

    /// Who the credential names now, or `None` once it no longer signs anyone in.
    async fn recheck(&self, state: &AppState) -> Result<Option<Principal>, ApiError> {
        match self {
            Self::Access { token, .. } => match state.keys.verify(token) {
                Ok(claims) if claims.exp > state.now().timestamp() => {
                    principal(state, &claims.sub).await
                }
                _ => Ok(None),
            },
            Self::ApiToken(digest) => {
                let Some((id, _scope)) = state.db().api_token_staff(digest, state.now()).await?
                else {
                    return Ok(None);
                };
                let staff = state.db().staff(id).await?;
                Ok(staff.filter(|s| s.active).map(Principal::Staff))
            }
            Self::Session(digest) => {
                let now = state.now();
                let idle = chrono::TimeDelta::minutes(i64::from(state.http().session_idle_minutes));
                // An open page does not keep its session alive: an unattended screen is idle.
                match state.db().web_session(digest, now, now - idle).await? {
                    Some(session) => principal(state, &session.subject).await,
                    None => Ok(None),
                }
            }
        }
    }

    /// How long until the credential expires by itself, if it does.
    fn lifetime(&self, now: DateTime<Utc>) -> Option<Duration> {
        match self {
            Self::Access { expires, .. } => Some(Duration::from_secs(
                u64::try_from(expires - now.timestamp()).unwrap_or(0),
            )),
            Self::ApiToken(_) | Self::Session(_) => None,
        }
    }
}

/// The key streams are counted under: the account, whatever token it uses.
fn account(caller: &Caller) -> String {
    match &caller.principal {
        Principal::Staff(s) => staff_subject(s.id),
        Principal::Customer(email) => customer_subject(email),
    }
}

/// Live events (`text/event-stream`): `ticket.created`, `ticket.updated`, `message.added`,
/// `sla.warning`, `sla.breached`, each `data` a JSON `{id, ticket: {id, number}, kind, data, at}`.
/// Filtered by the caller's role: customers get their own tickets' public conversation. Send
/// `Last-Event-ID` to replay what was missed (up to 1,000 events). The stream ends when the
/// access token expires or the account is deactivated; reconnect with a fresh token.
#[utoipa::path(get, path = "/api/events", tag = "tickets", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header, description = "resume after this event")),
    responses((status = 200, content_type = "text/event-stream", description = "the stream"),
        (status = 401, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem,
            description = "too many streams open for this account or in all; see Retry-After")))]
pub async fn events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let resume = last_event_id(&req)?;
    let credential = Credential::of(&state, &req)?;
    open(state, caller, credential, resume).await
}

/// Opens a stream for `caller` signed in with `credential`, resuming after `resume`: the API's
/// and the workspace's `/events` (one stream count, one filter, one re-check).
///
/// # Errors
/// Storage failures reading the backlog.
pub(crate) async fn open(
    state: web::Data<AppState>,
    caller: Caller,
    credential: Credential,
    resume: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let limits = state.http();
    let slot = match state.events.open_stream(
        account(&caller),
        limits.event_streams_per_caller,
        limits.event_streams_total,
    ) {
        Ok(slot) => slot,
        Err(full) => {
            let mut response = ApiError::too_many_requests(full.to_string()).error_response();
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
            return Ok(response);
        }
    };
    // Subscribe before reading the backlog, so nothing falls between the two.
    let live = state.events.subscribe();
    let backlog = match resume {
        Some(after) => state.db().events_after(after, REPLAY).await?,
        None => Vec::new(),
    };
    let stream = Stream {
        caller,
        credential,
        live,
        backlog,
        sent: resume.unwrap_or(0),
        see_all: state.http().agents_see_all,
        keep_alive_every: Duration::from_secs(limits.event_keep_alive_secs.max(1)),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let state = state.into_inner();
    tokio::spawn(async move {
        // Counted until the stream ends, however it ends.
        let _slot = slot;
        stream.run(&state, &tx).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        // Never gzipped: a compressor would hold events back until its buffer fills.
        .insert_header(("content-encoding", "identity"))
        .streaming(stream))
}

/// `Last-Event-ID`, if the client sent one.
pub(crate) fn last_event_id(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    req.headers()
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID is not an event id"))
        })
        .transpose()
}

/// One open stream: whom it serves and what it has sent.
struct Stream {
    caller: Caller,
    credential: Credential,
    live: broadcast::Receiver<std::sync::Arc<FeedEvent>>,
    /// Missed events to replay first.
    backlog: Vec<FeedEvent>,
    /// The id of the last event sent (or skipped as not the caller's).
    sent: i64,
    see_all: bool,
    keep_alive_every: Duration,
}

impl Stream {
    /// Sends the backlog, then live events and keep-alives (re-checking the caller at each),
    /// until the client goes, the credential expires or stops signing anyone in.
    async fn run(mut self, state: &AppState, tx: &mpsc::Sender<Bytes>) {
        let expiry = self
            .credential
            .lifetime(state.now())
            .map(tokio::time::sleep);
        let expiry = async move {
            match expiry {
                Some(sleep) => sleep.await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(expiry);
        if tx
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        for e in std::mem::take(&mut self.backlog) {
            self.sent = e.id;
            if let Some(f) = frame(&self.caller, &e, self.see_all)
                && tx.send(Bytes::from(f)).await.is_err()
            {
                return;
            }
        }
        let mut keep_alive = tokio::time::interval(self.keep_alive_every);
        keep_alive.tick().await;
        loop {
            let out = tokio::select! {
                received = self.live.recv() => match received {
                    Ok(e) if e.id > self.sent => {
                        self.sent = e.id;
                        frame(&self.caller, &e, self.see_all)
                    }
                    Ok(_) => None,
                    Err(broadcast::error::RecvError::Lagged(n)) => Some(format!(
                        ": {n} events skipped; reconnect with Last-Event-ID {}\n\n",
                        self.sent
                    )),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = keep_alive.tick() => match self.credential.recheck(state).await {
                    Ok(Some(now)) => {
                        // A changed role filters from now on.
                        self.caller.principal = now;
                        Some(": keep-alive\n\n".to_owned())
                    }
                    Ok(None) => {
                        let _ = tx.send(Bytes::from_static(SIGNED_OUT)).await;
                        return;
                    }
                    Err(e) => {
                        // Storage trouble: keep the stream, check again next time.
                        tracing::warn!(error = %e, "event stream: cannot check the caller again");
                        Some(": keep-alive\n\n".to_owned())
                    }
                },
                () = &mut expiry => {
                    let _ = tx.send(Bytes::from_static(SIGNED_OUT)).await;
                    return;
                }
                () = tx.closed() => return,
            };
            if let Some(out) = out
                && tx.send(Bytes::from(out)).await.is_err()
            {
                return;
            }
        }
    }
}
