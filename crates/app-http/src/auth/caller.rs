//! Who is calling: the `Caller` extractor reads `Authorization: Bearer …` (an access token or an
//! API token) and loads the staff member or customer behind it, so a deactivated account loses
//! access at once, not when its token expires. A caller loaded within the last second is reused
//! ([`super::cache`]); any account change made here empties that cache.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
pub use frontdesk_domain::access::Principal;
use frontdesk_domain::access::{Permission, TokenScope};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::staff::{Staff, StaffId};
use frontdesk_domain::ticket::Ticket;

use super::cache::Credential;
use super::tokens::{API_TOKEN_PREFIX, TokenError, digest};
use crate::problem::ApiError;
use crate::state::AppState;

/// The caller of a request, authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The scope when the credential is an API token (integrations) rather than a sign-in.
    pub api_token: Option<TokenScope>,
}

impl Caller {
    /// Refuses API tokens: passwords, roles and tokens are managed only by someone signed in.
    ///
    /// # Errors
    /// [`ApiError::forbidden`] for an API token.
    pub fn signed_in(&self) -> Result<&Self, ApiError> {
        if self.api_token.is_some() {
            return Err(ApiError::forbidden(
                "passwords, roles and API tokens are not managed with an API token; sign in",
            ));
        }
        Ok(self)
    }

    /// The staff member calling; customers get 403.
    ///
    /// # Errors
    /// [`ApiError::forbidden`] for a customer.
    pub fn staff(&self) -> Result<&Staff, ApiError> {
        match &self.principal {
            Principal::Staff(s) => Ok(s),
            Principal::Customer(_) => Err(ApiError::forbidden("this is for staff only")),
        }
    }

    /// The staff member calling, if their role has `permission` (the domain's rule).
    ///
    /// # Errors
    /// [`ApiError::forbidden`] for customers and roles without it.
    pub fn may(&self, permission: Permission) -> Result<&Staff, ApiError> {
        let staff = self.staff()?;
        if permission.allows(staff.role) {
            Ok(staff)
        } else {
            Err(ApiError::forbidden(format!(
                "the {} role may not {}",
                staff.role,
                permission.describe()
            )))
        }
    }

    /// The customer calling, if it is one.
    #[must_use]
    pub fn customer(&self) -> Option<&EmailAddress> {
        self.principal.customer()
    }

    #[must_use]
    pub fn role_name(&self) -> &'static str {
        match &self.principal {
            Principal::Staff(s) => s.role.as_str(),
            Principal::Customer(_) => "customer",
        }
    }

    /// Whether the caller may see `ticket` (the domain's [`Principal::may_see_ticket`]). Tickets
    /// a caller may not see are answered as 404, never 403, so their existence is not revealed.
    #[must_use]
    pub fn can_see(&self, ticket: &Ticket, agents_see_all: bool) -> bool {
        self.principal
            .may_see_ticket(&ticket.customer.email, ticket.assignee, agents_see_all)
    }
}

/// The subject an access token names for a staff member.
#[must_use]
pub fn staff_subject(id: StaffId) -> String {
    format!("staff:{id}")
}

/// The subject an access token names for a customer.
#[must_use]
pub fn customer_subject(email: &EmailAddress) -> String {
    format!("customer:{}", email.normalized())
}

/// Loads the principal a token subject names, if it still may sign in.
///
/// # Errors
/// [`ApiError`] for storage failures.
pub async fn principal(state: &AppState, subject: &str) -> Result<Option<Principal>, ApiError> {
    if let Some(id) = subject.strip_prefix("staff:") {
        let Ok(id) = uuid::Uuid::parse_str(id) else {
            return Ok(None);
        };
        let staff = state.db().staff(StaffId::from_uuid(id)).await?;
        return Ok(staff.filter(|s| s.active).map(Principal::Staff));
    }
    if let Some(email) = subject.strip_prefix("customer:") {
        let Ok(email) = EmailAddress::parse(email) else {
            return Ok(None);
        };
        let account = state.db().customer_account(&email).await?;
        return Ok(account
            .filter(frontdesk_adapters_db::CustomerAccount::usable)
            .map(|a| Principal::Customer(a.email)));
    }
    Ok(None)
}

/// The caller a signed-in subject names (a web session's), through the same cache as tokens:
/// `None` once the account no longer may sign in.
///
/// # Errors
/// [`ApiError`] for storage failures.
pub async fn signed_in_caller(state: &AppState, subject: &str) -> Result<Option<Caller>, ApiError> {
    let credential = Credential::Subject(subject.to_owned());
    let now = Instant::now();
    let generation = match state.callers.get(&credential, now) {
        Ok(caller) => return Ok(Some(caller)),
        Err(generation) => generation,
    };
    let Some(principal) = principal(state, subject).await? else {
        return Ok(None);
    };
    let caller = Caller {
        principal,
        api_token: None,
    };
    state
        .callers
        .put(credential, caller.clone(), now, generation);
    Ok(Some(caller))
}

async fn authenticate(
    state: web::Data<AppState>,
    header: Option<String>,
) -> Result<Caller, ApiError> {
    let header = header.ok_or_else(|| {
        ApiError::unauthorized("sign in and send `Authorization: Bearer <token>`")
    })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
    if !token.starts_with(API_TOKEN_PREFIX) {
        let claims = state.keys.verify(token).map_err(|e| match e {
            TokenError::Expired => {
                ApiError::unauthorized("the access token has expired; refresh it")
            }
            TokenError::Invalid => ApiError::unauthorized("the access token is not valid"),
        })?;
        return signed_in_caller(&state, &claims.sub).await?.ok_or_else(|| {
            ApiError::unauthorized("the account no longer exists or is deactivated")
        });
    }
    let credential = Credential::ApiToken(digest(token));
    let now = Instant::now();
    let generation = match state.callers.get(&credential, now) {
        Ok(caller) => return Ok(caller),
        Err(generation) => generation,
    };
    let (staff_id, scope) = state
        .db()
        .api_token_staff(&digest(token), state.now())
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("the API token is not valid, has expired or was revoked")
        })?;
    let staff = state
        .db()
        .staff(staff_id)
        .await?
        .filter(|s| s.active)
        .ok_or_else(|| ApiError::unauthorized("the API token's owner is deactivated"))?;
    let caller = Caller {
        principal: Principal::Staff(staff),
        api_token: Some(scope),
    };
    state
        .callers
        .put(credential, caller.clone(), now, generation);
    Ok(caller)
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let read_only = matches!(*req.method(), Method::GET | Method::HEAD);
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(&"application state missing"))?;
            let caller = authenticate(state, header).await?;
            if let Some(scope) = caller.api_token
                && !scope.permits(read_only)
            {
                return Err(ApiError::forbidden("this API token may only read").into());
            }
            Ok(caller)
        })
    }
}
