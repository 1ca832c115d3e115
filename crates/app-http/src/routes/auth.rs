//! `/api/auth`: sign-in, token refresh (rotating, with replay detection), who am I, sign-out,
//! and API tokens for integrations. Customer registration is in [`super::registration`].

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{TimeDelta, Utc};
use frontdesk_domain::access::{AccountKind, AddressAccounts, Permission};
use frontdesk_domain::access::{MAX_TOKEN_LIFETIME, TokenScope};
use frontdesk_domain::email::EmailAddress;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::tokens::{API_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, digest, random_token};
use crate::auth::{Caller, Principal, customer_subject, principal, staff_subject};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::StaffView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Tokens handed out at sign-in and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchange it at `/api/auth/refresh` for new tokens; each refresh token works once.
    pub refresh_token: String,
    pub user: Me,
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `admin`, `manager`, `agent` or `customer`.
    pub role: String,
    pub email: String,
    /// Set for staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffView>,
}

impl Me {
    fn of(p: &Principal) -> Self {
        match p {
            Principal::Staff(s) => Self {
                role: s.role.as_str().to_owned(),
                email: s.email.as_str().to_owned(),
                staff: Some(StaffView::from(s)),
            },
            Principal::Customer(email) => Self {
                role: "customer".to_owned(),
                email: email.as_str().to_owned(),
                staff: None,
            },
        }
    }
}

/// The client's address, as the limiters key it.
pub(crate) fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

pub(crate) async fn tokens_for(
    state: &AppState,
    p: &Principal,
    family: Uuid,
) -> Result<TokenResponse, ApiError> {
    let now = state.now();
    let (subject, role) = match p {
        Principal::Staff(s) => (staff_subject(s.id), s.role.as_str()),
        Principal::Customer(email) => (customer_subject(email), "customer"),
    };
    let access = state
        .keys
        .issue(&subject, role, now)
        .map_err(|e| ApiError::internal(&e))?;
    let refresh = random_token(REFRESH_TOKEN_PREFIX).map_err(|e| ApiError::internal(&e))?;
    let lifetime = TimeDelta::days(i64::from(state.http().refresh_token_days));
    state
        .db()
        .save_refresh_token(&digest(&refresh), &subject, family, now + lifetime, now)
        .await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.keys.access_lifetime().num_seconds(),
        refresh_token: refresh,
        user: Me::of(p),
    })
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::problem::Problem),
              (status = 429, body = crate::problem::Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = check_password(&state, &client_ip(&req), &body.email, &body.password).await?;
    let response = tokens_for(&state, &who, state.new_id()).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// The account an address and password sign in, within the sign-in limits: the one road for
/// the API's sign-in and the workspace's `/login`, so both count against the same limits.
///
/// # Errors
/// 429 past the limits (the attempt is counted before the password is checked), 401 for a
/// wrong address or password, 403 for an unconfirmed customer (told only to someone who knows
/// the password), 503 when every hashing slot stays busy.
pub(crate) async fn check_password(
    state: &AppState,
    ip: &str,
    email: &str,
    password: &str,
) -> Result<Principal, ApiError> {
    let now = state.now();
    // Counted before the password is checked, so simultaneous guesses cannot race the limit.
    let attempt = state.limiter.reserve(email, ip, now).map_err(|wait| {
        ApiError::too_many_requests(format!("too many failed sign-ins; try again in {wait} s"))
            .retry_after(wait.unsigned_abs())
    })?;
    let refused = || ApiError::unauthorized("the e-mail address or the password is wrong");
    let found = match EmailAddress::parse(email.trim()) {
        Ok(email) => find_account(state, &email).await?,
        Err(_) => None,
    };
    let (who, hash, confirmed) = match found {
        Some(found) => (Some(found.principal), found.hash, found.confirmed),
        None => (None, None, false),
    };
    let ok = match state.hashing.verify(hash, password.to_owned()).await {
        Ok(ok) => ok,
        Err(busy) => {
            state.limiter.cancel(attempt);
            return Err(busy.into());
        }
    };
    let Some(who) = who.filter(|_| ok) else {
        tracing::info!(%ip, "failed sign-in");
        return Err(refused());
    };
    state.limiter.succeeded(attempt);
    if !confirmed {
        // Only someone who knows the password learns this.
        return Err(ApiError::forbidden(
            "confirm your address first: open the link we mailed you when you registered",
        ));
    }
    Ok(who)
}

/// An active account found by its address.
struct Found {
    principal: Principal,
    /// The password hash; none for staff without a password yet.
    hash: Option<String>,
    /// Staff always; customers once their address is proven.
    confirmed: bool,
}

/// The account a sign-in with this address reaches, if any, by the domain's identity rule
/// ([`AddressAccounts::signs_in_as`]: an active staff member, else an active customer account).
async fn find_account(state: &AppState, email: &EmailAddress) -> Result<Option<Found>, ApiError> {
    let staff = state.db().staff_by_email(email).await?;
    let customer = state.db().customer_account(email).await?;
    let accounts = AddressAccounts {
        staff: staff.as_ref().map(|(s, _)| s.active),
        customer: customer.as_ref().map(|a| a.active),
    };
    Ok(match (accounts.signs_in_as(), staff, customer) {
        (Some(AccountKind::Staff), Some((staff, hash)), _) => Some(Found {
            principal: Principal::Staff(staff),
            hash,
            confirmed: true,
        }),
        (Some(AccountKind::Customer), _, Some(a)) => Some(Found {
            confirmed: a.confirmed_at.is_some(),
            // A portal account made by a sign-in link has no password: checked against the
            // dummy hash, so the time taken does not tell it apart.
            hash: Some(a.password_hash).filter(|h| !h.is_empty()),
            principal: Principal::Customer(a.email),
        }),
        _ => None,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// A refresh token works once. Presenting a spent one again means it was copied: every token of
/// that sign-in is revoked and the caller must sign in again.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::problem::Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let invalid = || ApiError::unauthorized("the refresh token is not valid; sign in again");
    if !body.refresh_token.starts_with(REFRESH_TOKEN_PREFIX) {
        return Err(invalid());
    }
    let record = state
        .db()
        .spend_refresh_token(&digest(&body.refresh_token), now)
        .await?
        .ok_or_else(invalid)?;
    if record.used_at.is_some() {
        tracing::warn!(family = %record.family, "a spent refresh token was presented again; revoking the sign-in");
        state.db().revoke_refresh_family(record.family).await?;
        return Err(invalid());
    }
    if record.expires_at <= now {
        return Err(invalid());
    }
    let who = principal(&state, &record.subject)
        .await?
        .ok_or_else(invalid)?;
    let response = tokens_for(&state, &who, record.family).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Sign out: revokes the refresh token's sign-in. Access tokens run out by themselves.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Some(record) = state
        .db()
        .spend_refresh_token(&digest(&body.refresh_token), state.now())
        .await?
    {
        state.db().revoke_refresh_family(record.family).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::problem::Problem)))]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Me::of(&caller.principal)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for ("CRM sync").
    pub name: String,
    /// The staff member the token acts as; default the caller.
    #[serde(default)]
    pub staff_id: Option<Uuid>,
    /// `full` (default: what the member's role allows) or `read` (`GET` and `HEAD` only).
    #[serde(default)]
    pub scope: Option<String>,
    /// When the token stops working (RFC 3339); default never. At most ten years ahead.
    #[serde(default)]
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// An API token as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    pub staff_id: Uuid,
    pub created_at: chrono::DateTime<Utc>,
    pub last_used_at: Option<chrono::DateTime<Utc>>,
    pub revoked_at: Option<chrono::DateTime<Utc>>,
    /// `full` or `read`.
    pub scope: &'static str,
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// A new API token: the only time the token itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub view: ApiTokenView,
    /// Send as `Authorization: Bearer <token>`. Not stored; not shown again.
    pub token: String,
}

/// Create an API token for an integration (admins).
#[utoipa::path(post, path = "/api/auth/tokens", tag = "auth", request_body = NewApiToken,
    security(("bearer" = [])),
    responses((status = 201, body = CreatedApiToken), (status = 403, body = crate::problem::Problem)))]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewApiToken>,
) -> Result<HttpResponse, ApiError> {
    let created = new_api_token(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Creates an API token for `caller` (admins, signed in): the API's and the console's one road.
///
/// # Errors
/// 403 for anyone else or an API token; 422 for a bad name, scope, expiry or owner.
pub(crate) async fn new_api_token(
    state: &AppState,
    caller: &Caller,
    body: NewApiToken,
) -> Result<CreatedApiToken, ApiError> {
    let admin = caller.may(Permission::ManageApiTokens)?;
    caller.signed_in()?;
    let name = crate::routes::input::name("name", &body.name)?;
    let scope = match body.scope.as_deref() {
        None => TokenScope::Full,
        Some(s) => TokenScope::parse(s)
            .ok_or_else(|| ApiError::invalid_field("scope", "`full` or `read`"))?,
    };
    let now = state.now();
    if let Some(at) = body.expires_at
        && (at <= now || at > now + MAX_TOKEN_LIFETIME)
    {
        return Err(ApiError::invalid_field(
            "expires_at",
            "a time in the future, at most ten years ahead",
        ));
    }
    let name = name.as_str();
    let staff_id = match body.staff_id {
        Some(id) => {
            let id = frontdesk_domain::staff::StaffId::from_uuid(id);
            state
                .db()
                .staff(id)
                .await?
                .filter(|s| s.active)
                .ok_or_else(|| ApiError::invalid_field("staff_id", "no such active staff member"))?
                .id
        }
        None => admin.id,
    };
    let token = random_token(API_TOKEN_PREFIX).map_err(|e| ApiError::internal(&e))?;
    let id = state.new_id();
    state
        .db()
        .create_api_token(
            id,
            name,
            &digest(&token),
            staff_id,
            (scope, body.expires_at),
            now,
        )
        .await?;
    Ok(CreatedApiToken {
        view: ApiTokenView {
            id,
            name: name.to_owned(),
            staff_id: staff_id.as_uuid(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
            scope: scope.as_str(),
            expires_at: body.expires_at,
        },
        token,
    })
}

/// Every API token (admins); never the tokens themselves.
#[utoipa::path(get, path = "/api/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [ApiTokenView])))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(crate::reads::api_tokens(&state, &caller).await?))
}

/// Revoke an API token (admins).
#[utoipa::path(delete, path = "/api/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    revoke_api_token(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes API token `id` (admins, signed in): the API's and the console's one road.
///
/// # Errors
/// 403 for anyone else, 404 for no such active token.
pub(crate) async fn revoke_api_token(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    caller.may(Permission::ManageApiTokens)?;
    caller.signed_in()?;
    if state.db().revoke_api_token(id, state.now()).await? {
        state.callers.clear();
        Ok(())
    } else {
        Err(ApiError::not_found("no such active API token"))
    }
}
