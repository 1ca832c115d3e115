//! `GET /api/tickets/{id}/order`: the order a ticket is about, from the shop (`[orders]`): the
//! numbers the ticket gives, the order found and whether the shop has it under the ticket's
//! customer. Staff only — a customer could otherwise read another's order by typing its number.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use frontdesk_domain::order::{Order, OrderContext, OrderError, ticket_order};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// A line of an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderItemView {
    pub title: String,
    pub quantity: u32,
    pub sku: Option<String>,
}

/// A parcel of an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShipmentView {
    pub status: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<DateTime<Utc>>,
}

/// An order as the shop records it: no prices, payment or addresses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    /// `#1001`.
    pub name: String,
    /// `open`, `cancelled` or `closed`.
    pub state: String,
    /// As the shop words it: `fulfilled`, `unfulfilled`, `partially fulfilled`, …
    pub fulfilment: String,
    pub created_at: DateTime<Utc>,
    pub items: Vec<OrderItemView>,
    pub shipments: Vec<ShipmentView>,
    /// The order in the shop's admin.
    pub admin_url: Option<String>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        Self {
            name: o.name.clone(),
            state: o.state().to_owned(),
            fulfilment: o.fulfilment.clone(),
            created_at: o.created_at,
            items: o
                .items
                .iter()
                .map(|i| OrderItemView {
                    title: i.title.clone(),
                    quantity: i.quantity,
                    sku: i.sku.clone(),
                })
                .collect(),
            shipments: o
                .shipments
                .iter()
                .map(|s| ShipmentView {
                    status: s.status.clone(),
                    carrier: s.carrier.clone(),
                    tracking_number: s.tracking_number.clone(),
                    tracking_url: s.tracking_url.clone(),
                    estimated_delivery: s.estimated_delivery,
                })
                .collect(),
            admin_url: o.admin_url.clone(),
        }
    }
}

/// A ticket's order context.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketOrder {
    /// The order numbers the ticket gives (form answer first, then subject and messages).
    pub numbers: Vec<String>,
    /// The first number's order, or without a number the customer's newest when the ticket
    /// speaks of an order; `null` when the shop has none (or no shop is configured).
    pub order: Option<OrderView>,
    /// Whether the shop has the order under the ticket's customer address; only then does the
    /// assistant see it.
    pub belongs_to_customer: bool,
}

impl From<&OrderContext> for TicketOrder {
    fn from(c: &OrderContext) -> Self {
        Self {
            numbers: c.numbers.clone(),
            order: c.order.as_ref().map(OrderView::from),
            belongs_to_customer: c.belongs_to_customer,
        }
    }
}

/// The order context of ticket `raw` for `caller` (staff who may see the ticket).
///
/// # Errors
/// 403 for customers, 404 for a ticket the caller may not see, 503 when the shop cannot be
/// asked, 502 when it refuses (a wrong token).
pub(crate) async fn order_of(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<OrderContext, ApiError> {
    if caller.customer().is_some() {
        return Err(ApiError::forbidden("orders are for staff"));
    }
    let whole = crate::reads::visible_whole(state, caller, raw).await?;
    ticket_order(state.app.orders.as_ref(), &whole.ticket, &whole.messages)
        .await
        .map_err(|e| match e {
            OrderError::Unavailable(m) => ApiError::unavailable(format!("the shop: {m}")),
            OrderError::Rejected(m) => ApiError::bad_gateway(format!("the shop refused: {m}")),
        })
}

/// The order a ticket is about, as the shop has it (staff).
#[utoipa::path(get, path = "/api/tickets/{id}/order", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketOrder), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 502, body = crate::problem::Problem),
        (status = 503, body = crate::problem::Problem)))]
pub async fn order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let context = order_of(&state, &caller, &id).await?;
    Ok(HttpResponse::Ok().json(TicketOrder::from(&context)))
}
