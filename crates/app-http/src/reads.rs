//! The one road from the API's handlers and the pages to stored data for display: every reader
//! applies the caller's visibility (the domain's access rules) and returns the views both
//! render, so a page never reads around a rule the API obeys.

use chrono::{DateTime, Utc};
use frontdesk_adapters_db::{TicketKey, WholeTicket};
use frontdesk_domain::TicketId;
use frontdesk_domain::access::{Permission, may_read_performance};
use frontdesk_domain::ports::QuarantineKind;
use frontdesk_domain::ports::{
    Quarantine as _, TicketListQuery, TicketRepository as _, TicketSearch as _,
};
use frontdesk_domain::reports::Period;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::{Category, MessageKind, Ticket, TicketNumber};

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::routes::admin::{QuarantineEntry, QuarantineParams, SenderFiltersView};
use crate::routes::analytics::historical::Historical;
use crate::routes::analytics::performance::Performance;
use crate::routes::analytics::realtime::Realtime;
use crate::routes::canned::CannedView;
use crate::routes::customers::{CustomerAccountView, LIST_LIMIT as CUSTOMER_LIST_LIMIT};
use crate::routes::sla::{CalendarView, PoliciesView, PolicyView};
use crate::routes::staff::NotificationsView;
use crate::state::AppState;
use crate::views::{
    AiDraftView, MergeSuggestionView, MessageView, SatisfactionView, StaffView, TicketDetail,
    TicketList, TicketView,
};

/// What `{id}` names: a ticket's UUID or its `TKT-…` number.
fn ticket_key(raw: &str) -> Option<TicketKey> {
    if let Ok(id) = uuid::Uuid::parse_str(raw) {
        Some(TicketKey::Id(TicketId::from_uuid(id)))
    } else {
        TicketNumber::parse(raw).ok().map(TicketKey::Number)
    }
}

/// "Not found" for a ticket that does not exist, or that the caller may not see: its existence
/// is not revealed.
fn missing(raw: &str) -> ApiError {
    ApiError::not_found(format!("no ticket {raw}"))
}

/// The ticket `{id}` names (a UUID or a `TKT-…` number), if the caller may see it.
pub async fn visible(state: &AppState, caller: &Caller, raw: &str) -> Result<Ticket, ApiError> {
    let ticket = match ticket_key(raw) {
        Some(TicketKey::Id(id)) => state.db().get(id).await?,
        Some(TicketKey::Number(number)) => state.db().get_by_number(number).await?,
        None => None,
    };
    match ticket {
        Some(t) if caller.can_see(&t, state.http().agents_see_all) => Ok(t),
        _ => Err(missing(raw)),
    }
}

/// [`visible`] with everything its page shows, read in one query.
pub async fn visible_whole(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<WholeTicket, ApiError> {
    let whole = match ticket_key(raw) {
        Some(key) => state.db().ticket_whole(key).await?,
        None => None,
    };
    match whole {
        Some(w) if caller.can_see(&w.ticket, state.http().agents_see_all) => Ok(w),
        _ => Err(missing(raw)),
    }
}

/// A ticket as the caller may see it, with everything its page shows (messages, notes, mail
/// headers, attachments, the assistant's latest draft and merge suggestions for staff), and its
/// revision (the ETag).
///
/// # Errors
/// 404 when there is no such ticket or the caller may not see it; storage failures.
pub async fn ticket_detail(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<(TicketDetail, u64), ApiError> {
    let (detail, ticket) = ticket_detail_and_ticket(state, caller, raw).await?;
    Ok((detail, ticket.revision))
}

/// [`ticket_detail`] with the ticket itself, for a page that also fills in templates for it
/// (one read of the ticket, not two).
///
/// # Errors
/// As [`ticket_detail`].
pub async fn ticket_detail_and_ticket(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<(TicketDetail, Ticket), ApiError> {
    let WholeTicket {
        ticket,
        latest_draft,
        messages,
    } = visible_whole(state, caller, raw).await?;
    let customer = caller.customer().is_some();
    let ai = if customer {
        None
    } else {
        let public_url = &state.desk().settings().public_url;
        latest_draft
            .as_ref()
            .map(|d| AiDraftView::new(d, public_url))
    };
    let now = state.now();
    let mut detail = TicketDetail {
        ticket: TicketView::for_caller(
            customer,
            &ticket,
            &state.desk().settings().sla.current(),
            now,
        ),
        description: ticket.description.clone(),
        messages: Vec::new(),
        notes: Vec::new(),
        emails: Vec::new(),
        attachments: Vec::new(),
        ai,
        // Links to other customers' tickets: staff only.
        merge_suggestions: if customer {
            None
        } else {
            let links = state.db().merge_suggestions(ticket.id).await?;
            Some(links.iter().map(MergeSuggestionView::from).collect())
        },
        intake: state.db().intake_of(ticket.id).await?.map(Into::into),
    };
    detail.ticket.satisfaction = Some(
        state
            .db()
            .rating_of(ticket.id)
            .await?
            .as_ref()
            .map(SatisfactionView::from),
    );
    for m in &messages {
        if customer && !m.kind.is_public() {
            continue;
        }
        let view = if customer {
            MessageView::from(m).for_customer()
        } else {
            MessageView::from(m)
        };
        if let Some(e) = &view.email {
            detail.emails.push(e.clone());
        }
        detail.attachments.extend(view.attachments.iter().cloned());
        if m.kind == MessageKind::Note {
            detail.notes.push(view);
        } else {
            detail.messages.push(view);
        }
    }
    Ok((detail, ticket))
}

/// One page of tickets as the caller may see them (`query`'s filter already narrowed to the
/// caller's scope).
///
/// # Errors
/// A bad cursor, or storage failures.
pub async fn ticket_page(
    state: &AppState,
    caller: &Caller,
    query: &TicketListQuery,
) -> Result<TicketList, ApiError> {
    let page = state.db().list(query).await?;
    Ok(list_view(state, caller, query, page))
}

/// One page of tickets as the caller may see them, without counting all matches (`total` 0):
/// for walking a whole listing (the CSV export).
///
/// # Errors
/// A bad cursor, or storage failures.
pub async fn ticket_page_uncounted(
    state: &AppState,
    caller: &Caller,
    query: &TicketListQuery,
) -> Result<TicketList, ApiError> {
    let page = state.db().list_uncounted(query).await?;
    Ok(list_view(state, caller, query, page))
}

/// A page of tickets as the caller sees it listed.
fn list_view(
    state: &AppState,
    caller: &Caller,
    query: &TicketListQuery,
    page: frontdesk_domain::ports::TicketPage,
) -> TicketList {
    let sla = &*state.desk().settings().sla.current();
    TicketList {
        items: page
            .tickets
            .iter()
            .map(|t| TicketView::for_caller(caller.customer().is_some(), t, sla, query.now))
            .collect(),
        total: page.total,
        next: page.next.map(|c| c.0),
    }
}

/// The team, for staff.
///
/// # Errors
/// 403 for customers; storage failures.
pub async fn staff_list(state: &AppState, caller: &Caller) -> Result<Vec<StaffView>, ApiError> {
    caller.staff()?;
    Ok(state
        .db()
        .all_staff()
        .await?
        .iter()
        .map(StaffView::from)
        .collect())
}

/// The saved views a staff member sees: their own and those the team shares.
///
/// # Errors
/// 403 for customers; storage failures.
pub async fn saved_views(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<frontdesk_adapters_db::SavedView>, ApiError> {
    let me = caller.staff()?;
    Ok(state.db().views_for(me.id).await?)
}

/// Every API token, never the tokens themselves (admins, signed in).
///
/// # Errors
/// 403 for anyone else or an API token; storage failures.
pub async fn api_tokens(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<crate::routes::auth::ApiTokenView>, ApiError> {
    caller.may(Permission::ManageApiTokens)?;
    caller.signed_in()?;
    Ok(state
        .db()
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| crate::routes::auth::ApiTokenView {
            id: t.id,
            name: t.name,
            staff_id: t.staff_id.as_uuid(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            scope: t.scope.as_str(),
            expires_at: t.expires_at,
        })
        .collect())
}

/// Customer portal accounts, newest first (admins).
///
/// # Errors
/// 403 without [`Permission::ManageCustomers`]; storage failures.
pub async fn customer_accounts(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<CustomerAccountView>, ApiError> {
    caller.may(Permission::ManageCustomers)?;
    Ok(state
        .db()
        .customer_accounts(CUSTOMER_LIST_LIMIT)
        .await?
        .into_iter()
        .map(CustomerAccountView::from)
        .collect())
}

/// Canned responses, of one category or all, for staff.
///
/// # Errors
/// 403 for customers; storage failures.
pub async fn canned_responses(
    state: &AppState,
    caller: &Caller,
    category: Option<Category>,
) -> Result<Vec<CannedView>, ApiError> {
    caller.staff()?;
    Ok(state
        .db()
        .canned_responses(category)
        .await?
        .into_iter()
        .map(CannedView::from)
        .collect())
}

/// Every canned response filled in for `ticket` as `caller` would send it, those of the
/// ticket's category first (staff).
///
/// # Errors
/// 403 for customers; storage failures.
pub async fn canned_for_ticket(
    state: &AppState,
    caller: &Caller,
    ticket: &Ticket,
) -> Result<Vec<CannedView>, ApiError> {
    let me = caller.staff()?;
    let mut all = canned_responses(state, caller, None).await?;
    let own = ticket.category.as_str();
    all.sort_by_key(|c| c.category.as_deref() != Some(own));
    for c in &mut all {
        c.rendered = Some(frontdesk_domain::service::render_for_ticket(
            &c.body,
            ticket,
            Some(&me.name),
        ));
    }
    Ok(all)
}

/// Quarantine entries of `kind` (every kind with `None`), as listed.
pub async fn quarantine_entries(
    state: &AppState,
    params: &QuarantineParams,
    kind: Option<QuarantineKind>,
) -> Result<Vec<QuarantineEntry>, ApiError> {
    Ok(quarantined_mails(state, params, kind)
        .await?
        .iter()
        .map(QuarantineEntry::of)
        .collect())
}

/// Quarantined mail of `kind` (every kind with `None`), with its bytes.
pub async fn quarantined_mails(
    state: &AppState,
    params: &QuarantineParams,
    kind: Option<QuarantineKind>,
) -> Result<Vec<frontdesk_domain::ports::QuarantinedMail>, ApiError> {
    let limit = params.limit.unwrap_or(100);
    if limit == 0 || limit > 500 {
        return Err(ApiError::bad_request("limit: 1 to 500"));
    }
    Ok(state
        .db()
        .quarantined(params.include_resolved, kind, limit)
        .await?)
}

/// The sender allow and deny lists: those set through the API and the configuration's.
pub async fn sender_filters(state: &AppState) -> Result<SenderFiltersView, ApiError> {
    let (allow, deny) = state.db().sender_filters().await?;
    let config = &state.app.config.helpdesk;
    Ok(SenderFiltersView {
        allow,
        deny,
        configured_allow: config.allow_senders.clone(),
        configured_deny: config.deny_senders.clone(),
    })
}

/// The stored SLA policies and the targets in force for every priority × category.
pub async fn sla_policies(state: &AppState) -> Result<PoliciesView, ApiError> {
    Ok(PoliciesView {
        policies: state
            .db()
            .sla_policies()
            .await?
            .iter()
            .map(PolicyView::from)
            .collect(),
        effective: crate::routes::sla::effective(&state.desk().settings().sla.current()),
    })
}

/// The business calendar in force and where it comes from.
///
/// # Errors
/// Storage failures.
pub async fn sla_calendar(state: &AppState) -> Result<CalendarView, ApiError> {
    Ok(match state.db().business_calendar().await? {
        Some(c) => CalendarView {
            source: "api".to_owned(),
            calendar: Some(c),
        },
        None => CalendarView {
            source: "configuration".to_owned(),
            calendar: state.app.config.sla.calendar.clone(),
        },
    })
}

/// The historical report of `period` (managers, admins).
///
/// # Errors
/// 403 without [`Permission::ReadReports`]; storage failures.
pub async fn historical(
    state: &AppState,
    caller: &Caller,
    period: &Period,
    filter: frontdesk_domain::reports::Filter,
    now: DateTime<Utc>,
) -> Result<Historical, ApiError> {
    caller.may(Permission::ReadReports)?;
    crate::routes::analytics::historical::build(state, period, filter, now).await
}

/// Staff member `id`'s performance over `period`: their own, or anyone's for managers and
/// admins ([`may_read_performance`]).
///
/// # Errors
/// 403 for anyone else's, 404 for nobody on staff; storage failures.
pub async fn performance(
    state: &AppState,
    caller: &Caller,
    id: StaffId,
    period: &Period,
    filter: frontdesk_domain::reports::Filter,
    now: DateTime<Utc>,
) -> Result<Performance, ApiError> {
    let me = caller.staff()?;
    if !may_read_performance(me, id) {
        return Err(ApiError::forbidden("agents see only their own performance"));
    }
    crate::routes::analytics::performance::build(state, id, period, filter, now).await
}

/// Which notifications staff member `id` receives: your own, or anyone's for admins.
///
/// # Errors
/// 403 for anyone else's, 404 for nobody on staff; storage failures.
pub async fn notification_choices(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<NotificationsView, ApiError> {
    let m = crate::routes::staff::notifications_of(state, caller, id).await?;
    let muted = state.db().muted_of(m.id).await?;
    Ok(NotificationsView::of(&muted))
}

/// The work the team faces right now (managers, admins).
///
/// # Errors
/// 403 without [`Permission::ReadReports`]; storage failures.
pub async fn realtime(
    state: &AppState,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Realtime, ApiError> {
    caller.may(Permission::ReadReports)?;
    crate::routes::analytics::realtime::build(state, now).await
}
