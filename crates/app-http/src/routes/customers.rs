//! `/api/customers`: customer portal accounts, kept by admins: list, deactivate, delete.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_adapters_db::CustomerAccount;
use frontdesk_domain::access::Permission;
use frontdesk_domain::email::EmailAddress;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, customer_subject};
use crate::problem::ApiError;
use crate::state::AppState;

/// Most accounts one list answers.
pub(crate) const LIST_LIMIT: u64 = 1000;

/// A customer account as admins see it (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerAccountView {
    pub email: String,
    pub active: bool,
    /// Whether the address was proven with the mailed link.
    pub confirmed: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<CustomerAccount> for CustomerAccountView {
    fn from(a: CustomerAccount) -> Self {
        Self {
            email: a.email.to_string(),
            active: a.active,
            confirmed: a.confirmed_at.is_some(),
            confirmed_at: a.confirmed_at,
            created_at: a.created_at,
        }
    }
}

fn address(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw).map_err(|_| ApiError::not_found("no such customer account"))
}

/// Customer accounts, newest first (admins; at most 1,000).
#[utoipa::path(get, path = "/api/customers", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [CustomerAccountView]), (status = 403, body = crate::problem::Problem)))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(crate::reads::customer_accounts(&state, &caller).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchCustomer {
    /// `false` deactivates: no sign-in, every sign-in ended; tickets stay.
    pub active: bool,
}

/// Activate or deactivate a customer account (admins).
#[utoipa::path(patch, path = "/api/customers/{email}", tag = "auth", request_body = PatchCustomer,
    security(("bearer" = [])), params(("email" = String, Path)),
    responses((status = 200, body = CustomerAccountView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    caller: Caller,
    email: web::Path<String>,
    body: web::Json<PatchCustomer>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::ManageCustomers)?;
    let email = address(&email)?;
    if !state
        .db()
        .set_customer_active(&email, body.active, state.now())
        .await?
    {
        return Err(ApiError::not_found("no such customer account"));
    }
    if !body.active {
        state
            .db()
            .revoke_sign_ins(&customer_subject(&email))
            .await?;
    }
    state.callers.clear();
    let account = state
        .db()
        .customer_account(&email)
        .await?
        .ok_or_else(|| ApiError::not_found("no such customer account"))?;
    Ok(HttpResponse::Ok().json(CustomerAccountView::from(account)))
}

/// Delete a customer account (admins). Its sign-ins end; the address's tickets stay.
#[utoipa::path(delete, path = "/api/customers/{email}", tag = "auth", security(("bearer" = [])),
    params(("email" = String, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    email: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::ManageCustomers)?;
    let email = address(&email)?;
    if !state.db().delete_customer_account(&email).await? {
        return Err(ApiError::not_found("no such customer account"));
    }
    state.callers.clear();
    Ok(HttpResponse::NoContent().finish())
}
