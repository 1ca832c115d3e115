//! `POST /api/tickets`: tickets opened by staff, customers in the portal, or integrations.

use actix_web::{HttpResponse, web};
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::service::NewTicket;
use frontdesk_domain::staff::Customer;
use frontdesk_domain::ticket::{Actor, Category, Channel, Priority};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Caller, Principal};
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;
use crate::views::TicketView;

/// A ticket to open.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    pub subject: String,
    /// The customer's description of the problem: the first message.
    #[serde(default)]
    pub description: String,
    /// The customer's address (staff and integrations; customers open tickets for themselves).
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Override the classifier (staff only).
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The order the ticket is about, as the source documents' form sends it: kept as the tag
    /// `order:<id>` (at most 64 characters, no spaces).
    #[serde(default)]
    pub order_id: Option<String>,
    /// Where the ticket came from (`web`, `api`, `email`, `zendesk`, `intercom`); staff and
    /// integrations may say, customers' tickets are always `web`.
    #[serde(default)]
    pub source: Option<String>,
    /// Answers to the active intake form (`GET /api/journeys`), by question key: a string, or
    /// an array of strings for a multiple choice. The form's rules then set the category,
    /// priority and tags, and the answers are kept with the ticket. Files for upload questions
    /// come through the portal's form.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub answers: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

/// The posted answers as the domain reads them.
///
/// # Errors
/// 422 for a value that is neither a string nor an array of strings.
fn raw_answers(
    answers: std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<frontdesk_domain::journey::RawAnswers, ApiError> {
    answers
        .into_iter()
        .map(|(key, value)| {
            let values = match value {
                serde_json::Value::String(s) => vec![s],
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(|i| match i {
                        serde_json::Value::String(s) => Ok(s),
                        _ => Err(()),
                    })
                    .collect::<Result<_, ()>>()
                    .map_err(|()| {
                        ApiError::invalid_field(
                            &format!("answers.{key}"),
                            "a string or an array of strings",
                        )
                    })?,
                serde_json::Value::Null => Vec::new(),
                _ => {
                    return Err(ApiError::invalid_field(
                        &format!("answers.{key}"),
                        "a string or an array of strings",
                    ));
                }
            };
            Ok((key, values))
        })
        .collect()
}

/// The files a customer may attach in the portal.
#[must_use]
pub(crate) fn portal_limits(state: &AppState) -> frontdesk_domain::journey::FileLimits {
    let http = state.http();
    frontdesk_domain::journey::FileLimits {
        max_files: http.portal_max_files,
        max_bytes: http.portal_max_file_mib.saturating_mul(1024 * 1024),
    }
}

/// Open a ticket, classified and put on SLA clocks like mail. Staff open tickets on a
/// customer's behalf (`customer_email` required); customers open their own (channel `web`).
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body = CreateTicket,
    security(("bearer" = [])),
    responses((status = 201, body = TicketView), (status = 422, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    let view = open_ticket(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/tickets/{}", view.id),
        ))
        .json(view))
}

/// Opens a ticket for `caller` (the API's `POST` and the portal's new request take this road).
///
/// # Errors
/// As `POST /api/tickets` answers.
pub(crate) async fn open_ticket(
    state: &AppState,
    caller: &Caller,
    body: CreateTicket,
) -> Result<TicketView, ApiError> {
    open_ticket_with_files(state, caller, body, None, Vec::new()).await
}

/// [`open_ticket`] with files: with `answers`, each file belongs to an upload question of the
/// form (`form`: the version the page showed, else the active one); without, the files go on
/// the first message as they are (any type, within the portal's count and size).
///
/// # Errors
/// As `POST /api/tickets`; 409 when `form` is no longer the active version; 422 naming each
/// file refused.
pub(crate) async fn open_ticket_with_files(
    state: &AppState,
    caller: &Caller,
    body: CreateTicket,
    form: Option<uuid::Uuid>,
    files: Vec<frontdesk_domain::service::FormFile>,
) -> Result<TicketView, ApiError> {
    let (customer, channel, actor) = opener(caller, &body)?;
    let mut tags = body.tags;
    if let Some(order) = body.order_id.as_deref().map(str::trim) {
        if order.is_empty()
            || order.chars().count() > 64
            || order.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ApiError::invalid_field(
                "order_id",
                "1 to 64 characters, no spaces",
            ));
        }
        let tag = format!("order:{order}");
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    input::tags("tags", &tags)?;
    let answers = body.answers;
    let new = NewTicket {
        customer,
        subject: body.subject,
        body: body.description,
        channel,
        priority: input::optional::<Priority>("priority", body.priority.as_deref())?,
        category: input::optional::<Category>("category", body.category.as_deref())?,
        tags,
        actor,
    };
    let limits = portal_limits(state);
    let committed = match answers {
        None => {
            let files = files.into_iter().map(|f| f.file).collect();
            let kept = frontdesk_domain::journey::check_files(limits, files)?;
            state.desk().open_with_files(new, &kept).await?
        }
        Some(answers) => {
            let raw = raw_answers(answers)?;
            let journey = match form {
                Some(id) => state.db().journey(id).await?,
                None => state.db().active_journey().await?,
            }
            .ok_or_else(|| ApiError::invalid_field("answers", "no intake form is active"))?;
            state
                .desk()
                .open_with_form(new, &journey, &raw, files, limits)
                .await?
        }
    };
    Ok(TicketView::for_caller(
        caller.customer().is_some(),
        &committed.ticket,
        &state.desk().settings().sla.current(),
        state.now(),
    ))
}

/// Who opens the ticket, for whom, on which channel: customers for themselves on the web;
/// staff for the customer they name, on the channel they say (the API by default).
fn opener(caller: &Caller, body: &CreateTicket) -> Result<(Customer, Channel, Actor), ApiError> {
    Ok(match &caller.principal {
        Principal::Customer(email) => {
            if body.source.as_deref().is_some_and(|s| s.trim() != "web") {
                return Err(ApiError::invalid_field(
                    "source",
                    "customers' tickets come from the web",
                ));
            }
            if body.customer_email.is_some() || body.priority.is_some() || body.category.is_some() {
                return Err(ApiError::invalid(
                    "customers open tickets for themselves; customer_email, priority and \
                     category are for staff",
                ));
            }
            (
                Customer::new(email.clone(), body.customer_name.clone()),
                Channel::Web,
                Actor::Customer(email.clone()),
            )
        }
        Principal::Staff(staff) => {
            let raw = body
                .customer_email
                .as_deref()
                .ok_or_else(|| ApiError::invalid_field("customer_email", "required for staff"))?;
            let email = EmailAddress::parse(raw.trim())
                .map_err(|e| ApiError::invalid_field("customer_email", e.to_string()))?;
            // A blank name is no name (`Customer::new`); any other must be a proper one.
            if let Some(name) = body
                .customer_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
            {
                input::name("customer_name", name)?;
            }
            (
                Customer::new(email, body.customer_name.clone()),
                input::optional::<Channel>("source", body.source.as_deref())?
                    .unwrap_or(Channel::Api),
                Actor::Staff(staff.id),
            )
        }
    })
}
