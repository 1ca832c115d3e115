//! Operations for admins and managers: the quarantine (list, reprocess) and "poll now"; and for
//! all staff, the machine mail kept out of the queue (list, promote to a ticket).

use crate::wiring::{Outcome, RawMail, process_batch_as};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use frontdesk_domain::access::Permission;
use frontdesk_domain::email::SenderPattern;
use frontdesk_domain::ports::{Quarantine as _, QuarantineKind};
use frontdesk_domain::service::Admission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuarantineParams {
    /// Also list entries already reprocessed or dismissed.
    #[serde(default)]
    pub include_resolved: bool,
    /// 1–500, default 100.
    pub limit: Option<u32>,
}

/// A quarantined mail, without its bytes.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantineEntry {
    pub id: Uuid,
    pub source: String,
    pub error: String,
    /// `failed` (could not be ingested) or `machine` (machine mail kept out of the queue).
    pub kind: String,
    pub attempts: u32,
    /// Size of the raw message in bytes.
    pub size: usize,
    /// The first 200 characters of the raw header, to recognise the mail.
    pub preview: String,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
    pub resolved_at: Option<chrono::DateTime<Utc>>,
}

impl QuarantineEntry {
    /// The entry of quarantined mail `q`, its bytes only as a size and a preview.
    #[must_use]
    pub fn of(q: &frontdesk_domain::ports::QuarantinedMail) -> Self {
        Self {
            id: q.id,
            source: q.source.clone(),
            error: q.error.clone(),
            kind: q.kind.as_str().to_owned(),
            attempts: q.attempts,
            size: q.raw.len(),
            preview: String::from_utf8_lossy(&q.raw[..q.raw.len().min(800)])
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .take(200)
                .collect(),
            created_at: q.created_at,
            updated_at: q.updated_at,
            resolved_at: q.resolved_at,
        }
    }
}

/// Mail that could not be ingested, open entries first, newest first.
#[utoipa::path(get, path = "/api/admin/quarantine", tag = "ops", params(QuarantineParams),
    security(("bearer" = [])),
    responses((status = 200, body = [QuarantineEntry]), (status = 403, body = crate::problem::Problem)))]
pub async fn quarantine(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<QuarantineParams>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::OperateMail)?;
    let entries = crate::reads::quarantine_entries(&state, &params, None).await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Machine mail kept out of the queue (auto-replies, bounces of nothing we sent, list and bulk
/// mail, spam, loops), newest first (all staff).
#[utoipa::path(get, path = "/api/machine-mail", tag = "tickets", params(QuarantineParams),
    security(("bearer" = [])),
    responses((status = 200, body = [QuarantineEntry]), (status = 403, body = crate::problem::Problem)))]
pub async fn machine_mail(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<QuarantineParams>,
) -> Result<HttpResponse, ApiError> {
    caller.staff()?;
    Ok(HttpResponse::Ok().json(
        crate::reads::quarantine_entries(&state, &params, Some(QuarantineKind::Machine)).await?,
    ))
}

/// Promote a machine mail to a ticket (all staff): it is ingested as a person's mail, with
/// clocks, assignment and the assistant; the answer is the outcome.
#[utoipa::path(post, path = "/api/machine-mail/{id}/promote", tag = "tickets",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = crate::views::IntakeView),
              (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn promote(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.staff()?;
    Ok(HttpResponse::Ok().json(release(&state, *id, Some(QuarantineKind::Machine)).await?))
}

/// Try a quarantined mail again (after a fix or a configuration change). Ingested, the entry is
/// resolved and the outcome returned; failing again, the entry counts another attempt and the
/// answer is 422 with the error.
#[utoipa::path(post, path = "/api/admin/quarantine/{id}/reprocess", tag = "ops",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = crate::views::IntakeView),
              (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reprocess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::OperateMail)?;
    Ok(HttpResponse::Ok().json(release(&state, *id, None).await?))
}

/// Ingests quarantined mail `id` again (managers, admins): the API's reprocess and the mail
/// page's.
///
/// # Errors
/// 403 without the right, 404 for no open entry, 422 when it still cannot be ingested.
pub(crate) async fn reprocess_entry(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<crate::views::IntakeView, ApiError> {
    caller.may(Permission::OperateMail)?;
    release(state, id, None).await
}

/// Ingests an open entry again, released by staff (of `kind` only, when given).
async fn release(
    state: &AppState,
    id: Uuid,
    kind: Option<QuarantineKind>,
) -> Result<crate::views::IntakeView, ApiError> {
    let entry = state
        .db()
        .quarantined_mail(id)
        .await?
        .filter(|q| q.resolved_at.is_none() && kind.is_none_or(|k| q.kind == k))
        .ok_or_else(|| ApiError::not_found("no open entry with this id"))?;
    let mail = RawMail::new(entry.source.clone(), entry.channel, entry.raw);
    // Staff looked at it: a mail held for its sender's hourly cap, or machine mail, opens its
    // ticket now.
    let outcomes = process_batch_as(
        state.desk(),
        state.db(),
        std::slice::from_ref(&mail),
        false,
        Admission::Released,
    )
    .await?;
    let outcome = outcomes
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal(&"no outcome for the reprocessed mail"))?;
    match &outcome {
        Outcome::Ingested(_) => {
            state.db().resolve(id, state.now()).await?;
            Ok(crate::views::IntakeView::of(&mail.source, &outcome))
        }
        Outcome::Quarantined { error, .. } => Err(ApiError::invalid(format!(
            "the mail still cannot be ingested: {error}"
        ))),
    }
}

/// What one mailbox pass did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxPass {
    pub mailbox: String,
    pub messages: usize,
    pub created: usize,
    pub appended: usize,
    pub followups: usize,
    pub duplicates: usize,
    pub quarantined: usize,
    /// Why the mailbox could not be read; the others were read anyway.
    pub error: Option<String>,
}

/// Read every mailbox now instead of waiting for the next tick.
#[utoipa::path(post, path = "/api/admin/poll", tag = "ops", security(("bearer" = [])),
    responses((status = 200, body = [MailboxPass]), (status = 403, body = crate::problem::Problem)))]
pub async fn poll(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(poll_now(&state, &caller).await?))
}

/// Reads every mailbox now (managers, admins): the API's and the workspace's "poll now".
///
/// # Errors
/// 403 without [`Permission::OperateMail`].
pub(crate) async fn poll_now(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<MailboxPass>, ApiError> {
    caller.may(Permission::OperateMail)?;
    Ok(crate::wiring::ingest_pass(&state.app)
        .await
        .into_iter()
        .map(|(mailbox, result)| {
            let (m, error) = match result {
                Ok(r) => (r.mails, None),
                Err(e) => (crate::wiring::Tally::default(), Some(e)),
            };
            MailboxPass {
                mailbox,
                messages: m.messages,
                created: m.created,
                appended: m.appended,
                followups: m.followups,
                duplicates: m.duplicates,
                quarantined: m.quarantined,
                error,
            }
        })
        .collect())
}

/// The sender allow and deny lists: those set here, and those of the configuration file (which
/// apply too and are changed there).
#[derive(Debug, Serialize, ToSchema)]
pub struct SenderFiltersView {
    /// Senders always treated as people: their automatic mail opens tickets.
    pub allow: Vec<String>,
    /// Senders kept out of the queue, as machine mail staff may promote.
    pub deny: Vec<String>,
    pub configured_allow: Vec<String>,
    pub configured_deny: Vec<String>,
}

/// The lists to set (each replaces the one set here): addresses, domains (with their
/// subdomains), or addresses with `*` wildcards.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderFiltersChange {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
}

/// The sender allow and deny lists (managers, admins).
#[utoipa::path(get, path = "/api/admin/sender-filters", tag = "ops", security(("bearer" = [])),
    responses((status = 200, body = SenderFiltersView), (status = 403, body = crate::problem::Problem)))]
pub async fn sender_filters(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::OperateMail)?;
    Ok(HttpResponse::Ok().json(crate::reads::sender_filters(&state).await?))
}

/// Set the sender allow and deny lists (managers, admins); in force at once here and within a
/// pass in every other process.
#[utoipa::path(put, path = "/api/admin/sender-filters", tag = "ops", security(("bearer" = [])),
    request_body = SenderFiltersChange,
    responses((status = 200, body = SenderFiltersView), (status = 403, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn set_sender_filters(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<SenderFiltersChange>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::OperateMail)?;
    let checked = |field: &str, list: &[String]| {
        if list.len() > 1_000 {
            return Err(ApiError::invalid_field(field, "at most 1,000 patterns"));
        }
        list.iter()
            .map(|p| {
                SenderPattern::parse(p)
                    .map(|p| p.as_str().to_owned())
                    .map_err(|e| ApiError::invalid_field(field, e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let allow = checked("allow", &body.allow)?;
    let deny = checked("deny", &body.deny)?;
    state
        .db()
        .set_sender_filters(&allow, &deny, state.now())
        .await?;
    state
        .app
        .reload_sender_filters()
        .await
        .map_err(ApiError::invalid)?;
    Ok(HttpResponse::Ok().json(crate::reads::sender_filters(&state).await?))
}

/// A mailbox's state: its kind, how its last pass went, its cursor and who reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxView {
    pub mailbox: String,
    /// `imap`, `gmail` or `maildir`.
    pub kind: String,
    pub last_pass_at: Option<chrono::DateTime<Utc>>,
    pub last_success_at: Option<chrono::DateTime<Utc>>,
    /// Messages the last successful pass read.
    pub last_read: u64,
    /// Messages read since the first pass recorded.
    pub total_read: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<chrono::DateTime<Utc>>,
    /// The mail source's position (opaque: an IMAP UID, a Gmail history id, …).
    pub cursor: Option<String>,
    pub cursor_updated_at: Option<chrono::DateTime<Utc>>,
    /// The process reading it now, and until when its lease runs.
    pub lease_holder: Option<String>,
    pub lease_until: Option<chrono::DateTime<Utc>>,
}

/// Every configured mailbox: kind, last pass (successful or not), messages read, cursor, last
/// error and lease holder (managers, admins).
#[utoipa::path(get, path = "/api/admin/mailboxes", tag = "ops", security(("bearer" = [])),
    responses((status = 200, body = [MailboxView]), (status = 403, body = crate::problem::Problem)))]
pub async fn mailboxes(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(mailbox_views(&state, &caller).await?))
}

/// The configured mailboxes' states (managers, admins).
///
/// # Errors
/// 403 without the right; storage failures.
pub(crate) async fn mailbox_views(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<MailboxView>, ApiError> {
    caller.may(Permission::OperateMail)?;
    let names: Vec<String> = state.app.mailboxes.iter().map(|m| m.name.clone()).collect();
    let kinds: std::collections::HashMap<&str, &str> = state
        .app
        .mailboxes
        .iter()
        .map(|m| (m.name.as_str(), m.kind))
        .collect();
    Ok(state
        .db()
        .mailbox_states(&names)
        .await?
        .into_iter()
        .map(|m| MailboxView {
            kind: kinds
                .get(m.mailbox.as_str())
                .map_or(m.kind.clone(), |k| (*k).to_owned()),
            mailbox: m.mailbox,
            last_pass_at: m.last_pass_at,
            last_success_at: m.last_success_at,
            last_read: m.last_read,
            total_read: m.total_read,
            last_error: m.last_error,
            last_error_at: m.last_error_at,
            cursor: m.cursor,
            cursor_updated_at: m.cursor_at,
            lease_holder: m.lease.as_ref().map(|(h, _)| h.clone()),
            lease_until: m.lease.map(|(_, u)| u),
        })
        .collect())
}

/// The raw bytes of quarantined mail `id`, as a `.eml` file to open elsewhere (managers,
/// admins). Served as a download, never shown inline.
#[utoipa::path(get, path = "/api/admin/quarantine/{id}/raw", tag = "ops",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "message/rfc822", description = "the mail as received"),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn raw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    raw_download(&state, &caller, *id).await
}

/// The download of quarantined mail `id` (the API's and the mail page's).
///
/// # Errors
/// 403 without the right, 404 for no such entry.
pub(crate) async fn raw_download(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<HttpResponse, ApiError> {
    caller.may(Permission::OperateMail)?;
    let entry = state
        .db()
        .quarantined_mail(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no quarantined mail with this id"))?;
    Ok(HttpResponse::Ok()
        .content_type("message/rfc822")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"quarantine-{id}.eml\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(entry.raw))
}

/// Why a quarantined mail is dismissed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    /// Kept with the entry: spam, a test, handled elsewhere, …
    pub reason: String,
}

/// Dismiss an open quarantine entry with a reason (managers, admins): it leaves the open list,
/// its bytes stay for the record.
#[utoipa::path(post, path = "/api/admin/quarantine/{id}/dismiss", tag = "ops",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = Dismissal,
    responses((status = 204), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn dismiss(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<Dismissal>,
) -> Result<HttpResponse, ApiError> {
    dismiss_entry(&state, &caller, *id, &body.reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Dismisses quarantined mail `id` with `reason` (the API's and the mail page's).
///
/// # Errors
/// 403 without the right, 422 without a reason, 404 for no open entry.
pub(crate) async fn dismiss_entry(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    reason: &str,
) -> Result<(), ApiError> {
    caller.may(Permission::OperateMail)?;
    let me = caller.staff()?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid_field(
            "reason",
            "say why, in 1 to 500 characters",
        ));
    }
    if !state
        .db()
        .dismiss_quarantined(id, reason, &me.id.to_string(), state.now())
        .await?
    {
        return Err(ApiError::not_found("no open quarantine entry with this id"));
    }
    Ok(())
}
