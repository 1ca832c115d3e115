//! `/events`: the workspace's live feed — the API's event stream (same filter, same stream
//! limits, the session checked again at every keep-alive), authenticated by the session cookie,
//! since a browser's `EventSource` cannot send an `Authorization` header.

use actix_web::{HttpRequest, HttpResponse, web};

use super::PageError;
use super::session::Session;
use crate::routes::events::{Credential, last_event_id, open};
use crate::state::AppState;

/// The signed-in person's live events.
pub async fn events(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    session.staff()?;
    let resume = last_event_id(&req)?;
    let credential = Credential::Session(session.token_hash.clone());
    Ok(open(state, session.caller, credential, resume).await?)
}

/// The signed-in customer's live events (their own tickets', as the API filters them), for the
/// portal's pages.
pub async fn portal_events(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    session.customer()?;
    let resume = last_event_id(&req)?;
    let credential = Credential::Session(session.token_hash.clone());
    Ok(open(state, session.caller, credential, resume).await?)
}
