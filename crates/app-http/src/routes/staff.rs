//! `/api/staff`: the support team — listing, adding, changing, availability.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveTime, Weekday};
use frontdesk_adapters_db::AccountError;
use frontdesk_domain::access::{
    AddressAccounts, Permission, StaffChange, StaffLink, StaffLinkPurpose, change_ends_sign_ins,
    check_staff_change, may_choose_notifications, may_send_link, may_set_availability,
};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::NotificationKind;
use frontdesk_domain::staff::{Availability, Role, ShiftWindow, Staff, StaffId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::tokens::{STAFF_LINK_PREFIX, digest, random_token};
use crate::auth::{Caller, Principal, staff_subject};
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;
use crate::views::StaffView;

/// Working hours.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftInput {
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// e.g. `["mon", "tue", "wed", "thu", "fri"]`.
    pub days: Vec<String>,
    /// `HH:MM`; an end before the start runs past midnight.
    pub start: String,
    pub end: String,
}

fn shift_of(input: &ShiftInput) -> Result<ShiftWindow, ApiError> {
    let days = input
        .days
        .iter()
        .map(|d| {
            d.parse::<Weekday>().map_err(|_| {
                ApiError::invalid_field("shift.days", format!("`{d}` is not a weekday"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let time = |field: &str, t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M")
            .map_err(|_| ApiError::invalid_field(field, "a time as HH:MM"))
    };
    ShiftWindow::new(
        &input.time_zone,
        days,
        time("shift.start", &input.start)?,
        time("shift.end", &input.end)?,
    )
    .map_err(|e| ApiError::invalid_field("shift", e.to_string()))
}

async fn hash(
    state: &AppState,
    password: String,
    email: &EmailAddress,
) -> Result<String, ApiError> {
    Ok(state.hashing.hash(password, Some(email.clone())).await??)
}

/// The team (staff only).
#[utoipa::path(get, path = "/api/staff", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = [StaffView]), (status = 403, body = crate::problem::Problem)))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(crate::reads::staff_list(&state, &caller).await?))
}

/// A new staff member.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    /// `admin`, `manager` or `agent`.
    pub role: String,
    /// Without one, the member cannot sign in until they choose one through the invitation.
    #[serde(default)]
    pub password: Option<String>,
    /// Mail the member an invitation link to choose a password (single use, 7 days). Defaults
    /// to `true` when no `password` is given.
    #[serde(default)]
    pub invite: Option<bool>,
    #[serde(default)]
    pub availability: Option<String>,
    #[serde(default)]
    pub shift: Option<ShiftInput>,
}

/// Add a staff member (admins).
#[utoipa::path(post, path = "/api/staff", tag = "staff", request_body = NewStaff,
    security(("bearer" = [])),
    responses((status = 201, body = StaffView), (status = 409, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewStaff>,
) -> Result<HttpResponse, ApiError> {
    let (member, _) = add_member(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/staff/{}", member.id),
        ))
        .json(StaffView::from(&member)))
}

/// Adds a staff member for `caller` and mails the invitation when asked (the API's `POST` and
/// the staff page take this road): the member, and the invitation sent.
///
/// # Errors
/// As `POST /api/staff` answers.
pub(crate) async fn add_member(
    state: &AppState,
    caller: &Caller,
    body: NewStaff,
) -> Result<(Staff, Option<LinkSent>), ApiError> {
    caller.may(Permission::ManageStaff)?;
    // A new member comes with a role (and maybe a password): managed only when signed in.
    caller.signed_in()?;
    let email = EmailAddress::parse(body.email.trim())
        .map_err(|e| ApiError::invalid_field("email", e.to_string()))?;
    let member = Staff {
        id: StaffId::from_uuid(state.new_id()),
        email,
        name: input::name("name", &body.name)?,
        role: input::field("role", &body.role)?,
        availability: match &body.availability {
            Some(a) => input::field("availability", a)?,
            None => Availability::Offline,
        },
        shift: body.shift.as_ref().map(shift_of).transpose()?,
        active: true,
    };
    may_become_staff(state, &member.email).await?;
    let invite = body.invite.unwrap_or(body.password.is_none());
    let hash = match body.password {
        Some(p) => Some(hash(state, p, &member.email).await?),
        None => None,
    };
    state
        .db()
        .create_staff(&member, hash.as_deref(), state.now())
        .await
        .map_err(|e| match e {
            AccountError::Exists => ApiError::conflict("a staff member with this address exists"),
            AccountError::Store(s) => s.into(),
        })?;
    let sent = if invite {
        Some(
            send_link(
                state,
                caller,
                member.id.as_uuid(),
                StaffLinkPurpose::Invitation,
            )
            .await?,
        )
    } else {
        None
    };
    Ok((member, sent))
}

/// The identity rule: an address a customer account has never becomes a staff member's
/// (409), so the customer is never locked out of the portal by it.
async fn may_become_staff(state: &AppState, email: &EmailAddress) -> Result<(), ApiError> {
    let accounts = AddressAccounts {
        staff: None,
        customer: state.db().customer_account(email).await?.map(|a| a.active),
    };
    accounts
        .may_become_staff()
        .map_err(|e| ApiError::conflict(e.to_string()))
}

/// Checks `current` against the member's password, counted by the sign-in limiter like a sign-in
/// (a stolen access token must not become a way to guess the password).
async fn confirm_current_password(
    state: &AppState,
    req: &HttpRequest,
    member: &Staff,
    current: Option<String>,
) -> Result<(), ApiError> {
    let current = current.ok_or_else(|| {
        ApiError::invalid_field("current_password", "your current password is required")
    })?;
    let ip = crate::routes::auth::client_ip(req);
    let attempt = state
        .limiter
        .reserve(member.email.as_str(), &ip, state.now())
        .map_err(|wait| {
            ApiError::too_many_requests(format!("too many wrong passwords; try again in {wait} s"))
                .retry_after(wait.unsigned_abs())
        })?;
    let stored = state
        .db()
        .staff_by_email(&member.email)
        .await?
        .and_then(|(_, hash)| hash);
    if state.hashing.verify(stored, current).await? {
        state.limiter.succeeded(attempt);
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "current_password",
            "the current password is wrong",
        ))
    }
}

/// Changes to a staff member; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchStaff {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `false` deactivates: no new work, no sign-in, history kept.
    pub active: Option<bool>,
    /// A new password. Signs the member out everywhere (every refresh token is revoked).
    pub password: Option<String>,
    /// Your current password: required to change your own password.
    pub current_password: Option<String>,
    pub availability: Option<String>,
    /// Working hours, or `null` for none.
    #[serde(default, deserialize_with = "crate::routes::input::present")]
    #[schema(value_type = Option<ShiftInput>)]
    pub shift: Option<Option<ShiftInput>>,
}

async fn member(state: &AppState, id: Uuid) -> Result<Staff, ApiError> {
    state
        .db()
        .staff(StaffId::from_uuid(id))
        .await?
        .ok_or_else(|| ApiError::not_found("no such staff member"))
}

/// Change a staff member (admins; others may change only their own name and password).
#[utoipa::path(patch, path = "/api/staff/{id}", tag = "staff", request_body = PatchStaff,
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffView), (status = 404, body = crate::problem::Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<PatchStaff>,
) -> Result<HttpResponse, ApiError> {
    let m = change_member(&state, &req, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(StaffView::from(&m)))
}

/// Applies `body` to staff member `id` for `caller`: the API's `PATCH` and the workspace's own
/// page (the password change) take this one road, with its rights and checks.
///
/// # Errors
/// As `PATCH /api/staff/{id}` answers.
pub(crate) async fn change_member(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    id: Uuid,
    body: PatchStaff,
) -> Result<Staff, ApiError> {
    let me = caller.staff()?;
    let target = StaffId::from_uuid(id);
    let role: Option<Role> = body
        .role
        .as_deref()
        .map(|r| input::field("role", r))
        .transpose()?;
    let change = StaffChange {
        name: body.name.is_some(),
        password: body.password.is_some(),
        role,
        active: body.active,
        availability: body.availability.is_some(),
        shift: body.shift.is_some(),
    };
    if change.needs_sign_in() {
        caller.signed_in()?;
    }
    let terms = check_staff_change(me, target, &change).map_err(|refused| {
        if refused.is_forbidden() {
            ApiError::forbidden(refused.to_string())
        } else {
            ApiError::conflict(refused.to_string())
        }
    })?;
    let mut m = member(state, id).await?;
    let before = m.clone();
    if terms.confirm_current_password {
        confirm_current_password(state, req, &m, body.current_password.clone()).await?;
    }
    if let Some(name) = &body.name {
        m.name = input::name("name", name)?;
    }
    if let Some(role) = role {
        m.role = role;
    }
    if let Some(active) = body.active {
        if active && !m.active {
            may_become_staff(state, &m.email).await?;
        }
        m.active = active;
    }
    if let Some(a) = &body.availability {
        m.availability = input::field("availability", a)?;
    }
    if let Some(shift) = &body.shift {
        m.shift = shift.as_ref().map(shift_of).transpose()?;
    }
    let now = state.now();
    let new_password = match body.password {
        Some(p) => Some(hash(state, p, &m.email).await?),
        None => None,
    };
    if let Some(hash) = &new_password {
        state.db().set_staff_password(m.id, hash, now).await?;
    }
    state.db().save_staff(&m, now).await?;
    if change_ends_sign_ins(&before, &m, new_password.is_some()) {
        // Every sign-in of the member ends: a stolen refresh token must not outlive the change.
        state.db().revoke_sign_ins(&staff_subject(m.id)).await?;
    }
    state.callers.clear();
    Ok(m)
}

/// Availability.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `available`, `busy`, `away` or `offline`.
    pub availability: String,
}

/// Set availability (your own; managers and admins anyone's). Only available staff get
/// tickets by automatic assignment.
#[utoipa::path(put, path = "/api/staff/{id}/status", tag = "staff", request_body = StatusRequest,
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffView), (status = 403, body = crate::problem::Problem)))]
pub async fn status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let m = set_availability(&state, &caller, *id, &body.availability).await?;
    Ok(HttpResponse::Ok().json(StaffView::from(&m)))
}

/// Sets staff member `id`'s availability to `raw` (the API's and the workspace header's one
/// road).
///
/// # Errors
/// 403 for someone else's without the right, 404 for nobody on staff, 422 for an unknown
/// availability; storage failures.
pub(crate) async fn set_availability(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    raw: &str,
) -> Result<frontdesk_domain::staff::Staff, ApiError> {
    let me = caller.staff()?;
    if !may_set_availability(me, StaffId::from_uuid(id)) {
        return Err(ApiError::forbidden(
            "agents set only their own availability",
        ));
    }
    let mut m = member(state, id).await?;
    m.availability = input::field("availability", raw)?;
    state.db().save_staff(&m, state.now()).await?;
    state.callers.clear();
    Ok(m)
}

/// Which staff notifications a person receives: every kind, `true` when it is mailed to them.
/// Notifications go out as one digest per person per pass of the poller.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsView {
    /// "Ticket … was assigned to you".
    pub assigned: bool,
    /// An SLA target is due soon (on your ticket, or on an unassigned one for managers).
    pub sla_warning: bool,
    /// An SLA target was breached.
    pub sla_breach: bool,
    /// A ticket was escalated by hand.
    pub escalated: bool,
}

impl NotificationsView {
    pub(crate) fn of(muted: &[NotificationKind]) -> Self {
        let on = |k| !muted.contains(&k);
        Self {
            assigned: on(NotificationKind::Assigned),
            sla_warning: on(NotificationKind::SlaWarning),
            sla_breach: on(NotificationKind::SlaBreach),
            escalated: on(NotificationKind::Escalated),
        }
    }
}

/// The kinds to switch on (`true`) or off (`false`); absent kinds stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsChange {
    pub assigned: Option<bool>,
    pub sla_warning: Option<bool>,
    pub sla_breach: Option<bool>,
    pub escalated: Option<bool>,
}

pub(crate) async fn notifications_of(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Staff, ApiError> {
    let me = caller.staff()?;
    if !may_choose_notifications(me, StaffId::from_uuid(id)) {
        return Err(ApiError::forbidden(
            "you choose only your own notifications",
        ));
    }
    member(state, id).await
}

/// The notifications a staff member receives (your own; admins anyone's).
#[utoipa::path(get, path = "/api/staff/{id}/notifications", tag = "staff",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationsView), (status = 403, body = crate::problem::Problem),
              (status = 404, body = crate::problem::Problem)))]
pub async fn notifications(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(crate::reads::notification_choices(&state, &caller, *id).await?))
}

/// Choose which notifications a staff member receives (your own; admins anyone's).
#[utoipa::path(put, path = "/api/staff/{id}/notifications", tag = "staff",
    request_body = NotificationsChange, security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationsView), (status = 403, body = crate::problem::Problem),
              (status = 404, body = crate::problem::Problem)))]
pub async fn set_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<NotificationsChange>,
) -> Result<HttpResponse, ApiError> {
    let m = notifications_of(&state, &caller, *id).await?;
    let mut muted = state.db().muted_of(m.id).await?;
    for (kind, on) in [
        (NotificationKind::Assigned, body.assigned),
        (NotificationKind::SlaWarning, body.sla_warning),
        (NotificationKind::SlaBreach, body.sla_breach),
        (NotificationKind::Escalated, body.escalated),
    ] {
        match on {
            Some(true) => muted.retain(|k| *k != kind),
            Some(false) if !muted.contains(&kind) => muted.push(kind),
            _ => {}
        }
    }
    state.db().set_muted(m.id, &muted, state.now()).await?;
    Ok(HttpResponse::Ok().json(NotificationsView::of(&muted)))
}

/// A link mailed to a staff member.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSent {
    /// `invitation_sent` or `reset_sent`.
    pub status: &'static str,
    /// When the link stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Mails staff member `id` a link to choose a password, replacing any unused one (admins,
/// signed in; active members only). The API's two endpoints and the staff page take this road.
///
/// # Errors
/// 403 without the right, 404 for nobody on staff, 409 for a deactivated member; storage.
pub(crate) async fn send_link(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    purpose: StaffLinkPurpose,
) -> Result<LinkSent, ApiError> {
    caller.may(Permission::ManageStaff)?;
    caller.signed_in()?;
    let by = caller.staff()?;
    let m = member(state, id).await?;
    may_send_link(&m).map_err(|e| ApiError::conflict(e.to_string()))?;
    let now = state.now();
    let link = StaffLink::new(purpose, now);
    let token = random_token(STAFF_LINK_PREFIX).map_err(|e| ApiError::internal(&e))?;
    let url = format!(
        "{}/set-password?token={token}",
        state.app.config.public_url()
    );
    let mail = match purpose {
        StaffLinkPurpose::Invitation => state
            .desk()
            .invitation_mail(&m.email, &m.name, &by.name, &url),
        StaffLinkPurpose::Reset => state
            .desk()
            .password_reset_mail(&m.email, &m.name, &by.name, &url),
    };
    state
        .db()
        .issue_staff_link(m.id, &link, &digest(&token), Some(by.id), mail, now)
        .await?;
    // Someone waits for this mail: this process's sender sends it now.
    state.app.send_now.notify_one();
    Ok(LinkSent {
        status: match purpose {
            StaffLinkPurpose::Invitation => "invitation_sent",
            StaffLinkPurpose::Reset => "reset_sent",
        },
        expires_at: link.expires_at,
    })
}

/// Mail a staff member an invitation link to choose a password: single use, for 7 days; a
/// new link replaces the unused one (admins).
#[utoipa::path(post, path = "/api/staff/{id}/invitation", tag = "staff",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = LinkSent), (status = 403, body = crate::problem::Problem),
              (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem)))]
pub async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sent = send_link(&state, &caller, *id, StaffLinkPurpose::Invitation).await?;
    Ok(HttpResponse::Accepted().json(sent))
}

/// Mail a staff member a link to choose a new password: single use, for 2 hours. The current
/// password works until the link is used; using it signs the member out everywhere (admins).
#[utoipa::path(post, path = "/api/staff/{id}/password-reset", tag = "staff",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = LinkSent), (status = 403, body = crate::problem::Problem),
              (status = 404, body = crate::problem::Problem),
              (status = 409, body = crate::problem::Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sent = send_link(&state, &caller, *id, StaffLinkPurpose::Reset).await?;
    Ok(HttpResponse::Accepted().json(sent))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// The `token` of the mailed link.
    pub token: String,
    /// The new password (the same rules as everywhere).
    pub password: String,
}

/// Why a staff link cannot be used, for the API and the page alike.
pub(crate) fn invalid_staff_link() -> ApiError {
    ApiError::bad_request(
        "this link is not valid, was used already or has expired; ask an admin for a new one",
    )
}

/// The member a link is for, while it can still be used.
///
/// # Errors
/// [`invalid_staff_link`]; storage.
pub(crate) async fn link_holder(state: &AppState, token: &str) -> Result<Staff, ApiError> {
    if !token.starts_with(STAFF_LINK_PREFIX) {
        return Err(invalid_staff_link());
    }
    let (m, link) = state
        .db()
        .staff_link(&digest(token))
        .await?
        .ok_or_else(invalid_staff_link)?;
    if link.usable(&m, state.now()) {
        Ok(m)
    } else {
        Err(invalid_staff_link())
    }
}

/// Sets the password of the member a link is for, spends the link and ends the member's
/// sign-ins. The API and `/set-password` take this road.
///
/// # Errors
/// [`invalid_staff_link`]; a 422 on `password`; storage.
pub(crate) async fn set_password_with_link(
    state: &AppState,
    token: &str,
    password: String,
) -> Result<Staff, ApiError> {
    let m = link_holder(state, token).await?;
    let hash = hash(state, password, &m.email).await?;
    state
        .db()
        .use_staff_link(&digest(token), &hash, state.now())
        .await?
        .ok_or_else(invalid_staff_link)?;
    state.db().revoke_sign_ins(&staff_subject(m.id)).await?;
    state.callers.clear();
    Ok(m)
}

/// Choose a password with a mailed invitation or reset link; answers with tokens, as a sign-in
/// does. The link works once; every other sign-in of the member ends.
#[utoipa::path(post, path = "/api/auth/set-password", tag = "auth", request_body = SetPasswordRequest,
    responses((status = 200, body = crate::routes::auth::TokenResponse),
              (status = 400, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn set_password(
    state: web::Data<AppState>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let m = set_password_with_link(&state, &body.token, body.password).await?;
    let response =
        crate::routes::auth::tokens_for(&state, &Principal::Staff(m), state.new_id()).await?;
    Ok(HttpResponse::Ok().json(response))
}
