//! `GET /api/events`: server-sent events for dashboards and integrations.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use tokio::sync::{broadcast, mpsc};

use crate::auth::Caller;
use crate::events::frame;
use crate::problem::ApiError;
use crate::state::AppState;

/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// At most this many missed events are replayed after `Last-Event-ID`.
const REPLAY: u64 = 1_000;

/// Live events (`text/event-stream`): `ticket.created`, `ticket.updated`, `message.added`,
/// `sla.warning`, `sla.breached`, each `data` a JSON `{id, ticket: {id, number}, kind, data, at}`.
/// Filtered by the caller's role: customers get their own tickets' public conversation. Send
/// `Last-Event-ID` to replay what was missed (up to 1,000 events).
#[utoipa::path(get, path = "/api/events", tag = "tickets", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header, description = "resume after this event")),
    responses((status = 200, content_type = "text/event-stream", description = "the stream"),
        (status = 401, body = crate::problem::Problem)))]
pub async fn events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let resume = match req.headers().get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID is not an event id"))?,
        ),
    };
    // Subscribe before reading the backlog, so nothing falls between the two.
    let mut live = state.events.subscribe();
    let backlog = match resume {
        Some(after) => state.db().events_after(after, REPLAY).await?,
        None => Vec::new(),
    };
    let see_all = state.http().agents_see_all;
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        let mut sent = resume.unwrap_or(0);
        if tx
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        for e in &backlog {
            sent = e.id;
            if let Some(f) = frame(&caller, e, see_all)
                && tx.send(Bytes::from(f)).await.is_err()
            {
                return;
            }
        }
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        keep_alive.tick().await;
        loop {
            let out = tokio::select! {
                received = live.recv() => match received {
                    Ok(e) if e.id > sent => {
                        sent = e.id;
                        frame(&caller, &e, see_all)
                    }
                    Ok(_) => None,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        Some(format!(": {n} events skipped; reconnect with Last-Event-ID {sent}\n\n"))
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = keep_alive.tick() => Some(": keep-alive\n\n".to_owned()),
                () = tx.closed() => return,
            };
            if let Some(out) = out
                && tx.send(Bytes::from(out)).await.is_err()
            {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
