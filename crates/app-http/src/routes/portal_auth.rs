//! Password-free sign-in for customers (`/api/auth/portal-link`): a single-use link, valid 15
//! minutes, mailed to the address typed; the answer is the same whatever the address is (no
//! account enumeration), and requests are limited per address and per client address. Using the
//! link proves the address: its customer is signed in and sees every ticket of it. The portal's
//! sign-in page takes the same road ([`request_link`], [`use_link`]).

use actix_web::{HttpRequest, HttpResponse, web};
use frontdesk_domain::access::{
    AddressAccounts, PORTAL_LINK_LIFETIME, PORTAL_LINKS_PER_ADDRESS, Principal,
    portal_link_goes_out,
};
use frontdesk_domain::email::EmailAddress;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{client_ip, tokens_for};
use crate::auth::tokens::{PORTAL_LINK_PREFIX, digest, random_token};
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLinkRequest {
    pub email: String,
}

/// What a link request answers, whatever became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalLinkAccepted {
    /// Always `link_sent`.
    pub status: &'static str,
    pub detail: &'static str,
}

const ACCEPTED: PortalLinkAccepted = PortalLinkAccepted {
    status: "link_sent",
    detail: "if this address can sign in to the portal, a link is on its way; it works once, \
             for 15 minutes",
};

/// Mails a sign-in link to `raw` (an address) when it may have one; the same outcome for every
/// address that parses. `ip` is the client's, for the limit.
///
/// # Errors
/// A 422 on `email` for something that is not an address, 429 past the limits, storage.
pub(crate) async fn request_link(state: &AppState, ip: &str, raw: &str) -> Result<(), ApiError> {
    let now = state.now();
    let limited = |wait: i64| {
        ApiError::too_many_requests(format!(
            "too many sign-in links were asked for; try again in {wait} s"
        ))
        .retry_after(wait.unsigned_abs())
    };
    state
        .registrations
        .reserve(
            &[(
                format!("portal-link:{ip}"),
                state.http().registrations_per_ip,
            )],
            now,
        )
        .map_err(limited)?;
    let email = EmailAddress::parse(raw.trim())
        .map_err(|e| ApiError::invalid_field("email", e.to_string()))?;
    state
        .registrations
        .reserve(
            &[(
                format!("portal-link-address:{}", email.normalized()),
                PORTAL_LINKS_PER_ADDRESS,
            )],
            now,
        )
        .map_err(limited)?;
    let staff = AddressAccounts {
        staff: state
            .db()
            .staff_by_email(&email)
            .await?
            .map(|(s, _)| s.active),
        customer: None,
    }
    .held_by_staff();
    if !portal_link_goes_out(&email, &state.app.config.own_addresses(), staff) {
        return Ok(());
    }
    let token = random_token(PORTAL_LINK_PREFIX).map_err(|e| ApiError::internal(&e))?;
    let link = format!(
        "{}/portal/link?token={token}",
        state.app.config.public_url()
    );
    let mail = state.desk().portal_link_mail(&email, &link);
    state
        .db()
        .issue_portal_link(
            &email,
            &digest(&token),
            now + PORTAL_LINK_LIFETIME,
            mail,
            now,
        )
        .await?;
    // Someone waits for this mail: this process's sender sends it now.
    state.app.send_now.notify_one();
    Ok(())
}

/// Why a sign-in link cannot be used, for the API and the page alike.
pub(crate) fn invalid_portal_link() -> ApiError {
    ApiError::bad_request(
        "this sign-in link is not valid, was used already or has expired; ask for a new one",
    )
}

/// Spends a sign-in link: the customer it signs in.
///
/// # Errors
/// [`invalid_portal_link`]; storage.
pub(crate) async fn use_link(state: &AppState, token: &str) -> Result<EmailAddress, ApiError> {
    if !token.starts_with(PORTAL_LINK_PREFIX) {
        return Err(invalid_portal_link());
    }
    let email = state
        .db()
        .use_portal_link(&digest(token), state.now())
        .await?
        .ok_or_else(invalid_portal_link)?;
    state.callers.clear();
    Ok(email)
}

/// Mail a customer a portal sign-in link (single use, 15 minutes). The answer is the same for
/// every address; links are limited per address and per client.
#[utoipa::path(post, path = "/api/auth/portal-link", tag = "auth", request_body = PortalLinkRequest,
    responses((status = 202, body = PortalLinkAccepted),
              (status = 422, body = crate::problem::Problem),
              (status = 429, body = crate::problem::Problem)))]
pub async fn request(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PortalLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    request_link(&state, &client_ip(&req), &body.email).await?;
    Ok(HttpResponse::Accepted().json(ACCEPTED))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsePortalLink {
    /// The `token` of the mailed link.
    pub token: String,
}

/// Sign in with a mailed portal link's token: tokens, as a sign-in. The link works once.
#[utoipa::path(post, path = "/api/auth/portal-link/use", tag = "auth", request_body = UsePortalLink,
    responses((status = 200, body = crate::routes::auth::TokenResponse),
              (status = 400, body = crate::problem::Problem)))]
pub async fn sign_in(
    state: web::Data<AppState>,
    body: web::Json<UsePortalLink>,
) -> Result<HttpResponse, ApiError> {
    let email = use_link(&state, &body.token).await?;
    let response = tokens_for(&state, &Principal::Customer(email), state.new_id()).await?;
    Ok(HttpResponse::Ok().json(response))
}
