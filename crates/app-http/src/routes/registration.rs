//! Customer registration with a proven address (`/api/auth/register`, `/api/auth/verify`).
//!
//! Registering writes an unconfirmed account and mails a single-use link; the answer is the
//! same whether the address was new, unconfirmed, confirmed or a staff member's (those get a
//! notice by mail instead), so nobody learns who has an account. Confirming takes the link's
//! token and the password chosen at registration; only then does the account sign in and see
//! its address's tickets. The rules are the domain's (`access`).

use actix_web::{HttpRequest, HttpResponse, web};
use frontdesk_domain::access::{
    AddressAccounts, CONFIRMATION_LIFETIME, RegistrationPath, may_register, registration_path,
};
use frontdesk_domain::email::EmailAddress;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{client_ip, tokens_for};
use crate::auth::Principal;
use crate::auth::tokens::{CONFIRMATION_TOKEN_PREFIX, digest, random_token};
use crate::problem::ApiError;
use crate::state::AppState;

/// Registrations of one address allowed in 15 minutes, whoever asks: each one mails it.
const REGISTRATIONS_PER_ADDRESS: u32 = 3;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
}

/// What registration answers, whatever became of the address.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAccepted {
    /// Always `confirmation_sent`.
    pub status: &'static str,
    pub detail: &'static str,
}

const ACCEPTED: RegistrationAccepted = RegistrationAccepted {
    status: "confirmation_sent",
    detail: "if this address can be registered, a link to confirm it is on its way; open it \
             within 24 hours and enter the same password",
};

/// Open a customer portal account (when `http.customer_signup` allows it). A link to confirm
/// the address is mailed to it; until it is used with the same password, the account cannot
/// sign in and sees nothing. The answer is the same for every address.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 202, body = RegistrationAccepted),
              (status = 403, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem),
              (status = 429, body = crate::problem::Problem)))]
// Longer than ~80 lines on purpose: registration answers alike for every address, so
// its steps (limits, hashing, the path, the mail) must run in this order whatever happens.
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    if !state.http().customer_signup {
        return Err(ApiError::forbidden("customer sign-up is switched off"));
    }
    let now = state.now();
    let limited = |wait: i64| {
        ApiError::too_many_requests(format!("too many registrations; try again in {wait} s"))
            .retry_after(wait.unsigned_abs())
    };
    let ip = client_ip(&req);
    state
        .registrations
        .reserve(
            &[(format!("register:{ip}"), state.http().registrations_per_ip)],
            now,
        )
        .map_err(limited)?;
    let email = EmailAddress::parse(body.email.trim())
        .map_err(|e| ApiError::invalid_field("email", e.to_string()))?;
    may_register(&email, &state.app.config.own_addresses())
        .map_err(|e| ApiError::invalid_field("email", e.to_string()))?;
    state
        .registrations
        .reserve(
            &[(
                format!("register-address:{}", email.normalized()),
                REGISTRATIONS_PER_ADDRESS,
            )],
            now,
        )
        .map_err(limited)?;
    // Hashed whatever the path, so the answer takes as long for a taken address as a new one.
    let hash = state
        .hashing
        .hash(body.password.clone(), Some(email.clone()))
        .await??;
    // Only an active staff member holds an address (the domain's identity rule).
    let staff = AddressAccounts {
        staff: state
            .db()
            .staff_by_email(&email)
            .await?
            .map(|(s, _)| s.active),
        customer: None,
    }
    .held_by_staff();
    let confirmed = state
        .db()
        .customer_account(&email)
        .await?
        .is_some_and(|a| a.confirmed_at.is_some());
    let sent = match registration_path(staff, confirmed) {
        RegistrationPath::SendConfirmation => {
            let token =
                random_token(CONFIRMATION_TOKEN_PREFIX).map_err(|e| ApiError::internal(&e))?;
            let link = format!(
                "{}/verify-email?token={token}",
                state.app.config.public_url()
            );
            let mail = state.desk().confirmation_mail(&email, &link);
            state
                .db()
                .begin_registration(
                    &email,
                    &hash,
                    &digest(&token),
                    now + CONFIRMATION_LIFETIME,
                    mail,
                    now,
                )
                .await?
        }
        RegistrationPath::NotifyExisting => false,
    };
    if !sent {
        let sign_in = format!("{}/login", state.app.config.public_url());
        let notice = state.desk().already_registered_mail(&email, &sign_in);
        state.db().queue_mail(notice, now).await?;
    }
    Ok(HttpResponse::Accepted().json(ACCEPTED))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The `token` of the mailed link.
    pub token: String,
    /// The password chosen at registration.
    pub password: String,
}

/// Confirm a customer's address with the mailed link's token and the password chosen at
/// registration; answers with tokens, as a sign-in does. The link works once, for 24 hours.
#[utoipa::path(post, path = "/api/auth/verify", tag = "auth", request_body = VerifyRequest,
    responses((status = 200, body = crate::routes::auth::TokenResponse),
              (status = 400, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem),
              (status = 429, body = crate::problem::Problem)))]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<VerifyRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = confirm(&state, &req, &body.token, &body.password).await?;
    let response = tokens_for(&state, &Principal::Customer(email), state.new_id()).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Why a confirmation failed, for the API and the confirmation page alike.
pub(crate) fn invalid_link() -> ApiError {
    ApiError::bad_request("this link is not valid, was used already or has expired; register again")
}

/// Checks the token and the password, then confirms the account. Wrong passwords count
/// against the address like failed sign-ins.
///
/// # Errors
/// [`invalid_link`] for an unknown, spent or expired token; a 422 on `password`; 429.
pub(crate) async fn confirm(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
    password: &str,
) -> Result<EmailAddress, ApiError> {
    let now = state.now();
    if !token.starts_with(CONFIRMATION_TOKEN_PREFIX) {
        return Err(invalid_link());
    }
    let token_hash = digest(token);
    let email = state
        .db()
        .pending_confirmation(&token_hash, now)
        .await?
        .ok_or_else(invalid_link)?;
    let attempt = state
        .limiter
        .reserve(email.as_str(), &client_ip(req), now)
        .map_err(|wait| {
            ApiError::too_many_requests(format!("too many wrong passwords; try again in {wait} s"))
                .retry_after(wait.unsigned_abs())
        })?;
    let stored = state
        .db()
        .customer_account(&email)
        .await?
        .map(|a| a.password_hash);
    if !state.hashing.verify(stored, password.to_owned()).await? {
        return Err(ApiError::invalid_field(
            "password",
            "this is not the password chosen when registering",
        ));
    }
    state.limiter.succeeded(attempt);
    state
        .db()
        .confirm_customer(&token_hash, now)
        .await?
        .ok_or_else(invalid_link)
}
