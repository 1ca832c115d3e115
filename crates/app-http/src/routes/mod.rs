//! The route table: every endpoint once, with its method and path. The server registers routes
//! from it, and the tests check it against the OpenAPI document and the authorisation matrix,
//! so a route cannot be added without both.

pub mod admin;
pub mod analytics;
pub mod auth;
pub mod canned;
pub mod customers;
pub mod events;
pub mod input;
pub mod journeys;
pub mod kb;
pub mod ops;
pub mod outbound;
pub mod portal_auth;
pub mod registration;
pub mod sla;
pub mod staff;
pub mod tickets;
pub mod webhooks;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::problem::{ApiError, json_error, path_error, query_error};
use crate::state::AppState;

/// One endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    /// In the OpenAPI (and actix) form: `/api/tickets/{id}`.
    pub path: &'static str,
    route: fn() -> actix_web::Route,
}

macro_rules! endpoint {
    ($method:ident $path:literal => $handler:path) => {
        Endpoint {
            method: stringify!($method),
            path: $path,
            route: || web::$method().to($handler),
        }
    };
}

/// Every endpoint. Fixed paths come before parameterised ones of the same shape
/// (`/api/tickets/queue` before `/api/tickets/{id}`).
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint!(get "/healthz" => ops::healthz),
    endpoint!(get "/metrics" => ops::metrics),
    endpoint!(post "/api/auth/login" => auth::login),
    endpoint!(post "/api/auth/refresh" => auth::refresh),
    endpoint!(post "/api/auth/logout" => auth::logout),
    endpoint!(post "/api/auth/register" => registration::register),
    endpoint!(post "/api/auth/verify" => registration::verify),
    endpoint!(post "/api/auth/set-password" => staff::set_password),
    endpoint!(post "/api/auth/portal-link" => portal_auth::request),
    endpoint!(post "/api/auth/portal-link/use" => portal_auth::sign_in),
    endpoint!(get "/api/auth/me" => auth::me),
    endpoint!(get "/api/auth/tokens" => auth::list_tokens),
    endpoint!(post "/api/auth/tokens" => auth::create_token),
    endpoint!(delete "/api/auth/tokens/{id}" => auth::revoke_token),
    endpoint!(get "/api/tickets" => tickets::list),
    endpoint!(post "/api/tickets" => tickets::create),
    endpoint!(get "/api/tickets/queue" => tickets::queue),
    endpoint!(post "/api/tickets/bulk" => tickets::bulk),
    endpoint!(get "/api/tickets/export.csv" => tickets::export),
    endpoint!(get "/api/tickets/{id}" => tickets::detail),
    endpoint!(patch "/api/tickets/{id}" => tickets::patch),
    endpoint!(post "/api/tickets/{id}/reply" => tickets::reply),
    endpoint!(post "/api/tickets/{id}/notes" => tickets::note),
    endpoint!(post "/api/tickets/{id}/assign" => tickets::assign),
    endpoint!(post "/api/tickets/{id}/take" => tickets::take),
    endpoint!(post "/api/tickets/{id}/escalate" => tickets::escalate),
    endpoint!(post "/api/tickets/{id}/merge" => tickets::merge),
    endpoint!(get "/api/tickets/{id}/attachments/{att}" => tickets::attachment),
    endpoint!(get "/api/tickets/{id}/order" => tickets::order),
    endpoint!(get "/api/customers" => customers::list),
    endpoint!(patch "/api/customers/{email}" => customers::patch),
    endpoint!(delete "/api/customers/{email}" => customers::delete),
    endpoint!(get "/api/staff" => staff::list),
    endpoint!(post "/api/staff" => staff::create),
    endpoint!(patch "/api/staff/{id}" => staff::patch),
    endpoint!(put "/api/staff/{id}/status" => staff::status),
    endpoint!(post "/api/staff/{id}/invitation" => staff::invite),
    endpoint!(post "/api/staff/{id}/password-reset" => staff::reset_password),
    endpoint!(get "/api/staff/{id}/performance" => analytics::performance),
    endpoint!(get "/api/staff/{id}/notifications" => staff::notifications),
    endpoint!(put "/api/staff/{id}/notifications" => staff::set_notifications),
    endpoint!(get "/api/events" => events::events),
    endpoint!(get "/api/canned-responses" => canned::list),
    endpoint!(post "/api/canned-responses" => canned::create),
    endpoint!(get "/api/canned-responses/{id}" => canned::get),
    endpoint!(patch "/api/canned-responses/{id}" => canned::patch),
    endpoint!(delete "/api/canned-responses/{id}" => canned::delete),
    endpoint!(get "/api/journeys" => journeys::list),
    endpoint!(post "/api/journeys" => journeys::create),
    endpoint!(get "/api/journeys/{id}" => journeys::get),
    endpoint!(put "/api/journeys/{id}" => journeys::put),
    endpoint!(post "/api/journeys/{id}/publish" => journeys::publish),
    endpoint!(post "/api/journeys/{id}/archive" => journeys::archive),
    endpoint!(get "/api/kb/articles" => kb::list),
    endpoint!(post "/api/kb/articles" => kb::create),
    endpoint!(get "/api/kb/articles/{id}" => kb::get),
    endpoint!(patch "/api/kb/articles/{id}" => kb::patch),
    endpoint!(delete "/api/kb/articles/{id}" => kb::delete),
    endpoint!(post "/api/kb/articles/{id}/feedback" => kb::feedback),
    endpoint!(get "/api/kb/search" => kb::search),
    endpoint!(get "/api/kb/categories" => kb::categories),
    endpoint!(post "/api/kb/categories" => kb::create_category),
    endpoint!(patch "/api/kb/categories/{id}" => kb::patch_category),
    endpoint!(delete "/api/kb/categories/{id}" => kb::delete_category),
    endpoint!(get "/api/sla/policies" => sla::list),
    endpoint!(post "/api/sla/policies" => sla::create),
    endpoint!(patch "/api/sla/policies/{id}" => sla::patch),
    endpoint!(delete "/api/sla/policies/{id}" => sla::delete),
    endpoint!(get "/api/sla/calendar" => sla::calendar),
    endpoint!(put "/api/sla/calendar" => sla::set_calendar),
    endpoint!(delete "/api/sla/calendar" => sla::delete_calendar),
    endpoint!(get "/api/outbound-webhooks" => outbound::list),
    endpoint!(post "/api/outbound-webhooks" => outbound::create),
    endpoint!(patch "/api/outbound-webhooks/{id}" => outbound::patch),
    endpoint!(delete "/api/outbound-webhooks/{id}" => outbound::delete),
    endpoint!(get "/api/outbound-webhooks/{id}/deliveries" => outbound::deliveries),
    endpoint!(post "/api/outbound-webhooks/{id}/deliveries/{delivery}/redeliver" => outbound::redeliver),
    endpoint!(get "/api/analytics/realtime" => analytics::realtime),
    endpoint!(get "/api/analytics/historical" => analytics::historical),
    endpoint!(get "/api/analytics/historical.csv" => analytics::historical_csv),
    endpoint!(get "/api/analytics/deflection" => analytics::deflection),
    endpoint!(get "/api/analytics/assistant" => analytics::assistant),
    endpoint!(get "/api/analytics/satisfaction" => analytics::satisfaction),
    endpoint!(get "/api/admin/quarantine" => admin::quarantine),
    endpoint!(get "/api/admin/quarantine/{id}/raw" => admin::raw),
    endpoint!(post "/api/admin/quarantine/{id}/reprocess" => admin::reprocess),
    endpoint!(post "/api/admin/quarantine/{id}/dismiss" => admin::dismiss),
    endpoint!(get "/api/admin/mailboxes" => admin::mailboxes),
    endpoint!(post "/api/admin/poll" => admin::poll),
    endpoint!(get "/api/admin/sender-filters" => admin::sender_filters),
    endpoint!(put "/api/admin/sender-filters" => admin::set_sender_filters),
    endpoint!(get "/api/machine-mail" => admin::machine_mail),
    endpoint!(post "/api/machine-mail/{id}/promote" => admin::promote),
    endpoint!(post "/api/webhooks/inbound-email" => webhooks::inbound_email),
    endpoint!(post "/api/webhooks/gmail" => webhooks::gmail_push),
    endpoint!(post "/api/webhooks/zendesk" => webhooks::zendesk),
    endpoint!(post "/api/webhooks/intercom" => webhooks::intercom),
];

/// Paths the product's source documents use, answering exactly as ours do (same handler, same
/// rights, same answers). They are not in the OpenAPI document: it names each route once.
#[derive(Debug, Clone, Copy)]
pub struct Alias {
    pub method: &'static str,
    pub path: &'static str,
    /// The endpoint it answers as: its method and path in [`ENDPOINTS`].
    pub of: (&'static str, &'static str),
    route: fn() -> actix_web::Route,
}

macro_rules! alias {
    ($method:ident $path:literal => $handler:path, as $of_method:ident $of:literal) => {
        Alias {
            method: stringify!($method),
            path: $path,
            of: (stringify!($of_method), $of),
            route: || web::$method().to($handler),
        }
    };
}

/// Every alias. Registered before [`ENDPOINTS`], so `/api/tickets/create` is never read as a
/// ticket id.
pub const ALIASES: &[Alias] = &[
    alias!(post "/api/tickets/create" => tickets::create, as post "/api/tickets"),
    alias!(put "/api/tickets/{id}/status" => tickets::put_status, as patch "/api/tickets/{id}"),
    alias!(get "/api/agents" => staff::list, as get "/api/staff"),
    alias!(post "/api/tickets/webhook/zendesk" => webhooks::zendesk, as post "/api/webhooks/zendesk"),
    alias!(post "/api/tickets/webhook/intercom" => webhooks::intercom, as post "/api/webhooks/intercom"),
];

impl Endpoint {
    #[must_use]
    pub fn method(&self) -> Method {
        Method::from_bytes(self.method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::GET)
    }
}

/// Registers the endpoints, one resource per path (so a wrong method is a 405), the body and
/// parameter error handlers, the OpenAPI document and Swagger UI, and problem+json 404s.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error));
    for alias in ALIASES {
        cfg.service(
            web::resource(alias.path)
                .route((alias.route)())
                .default_service(web::to(method_not_allowed)),
        );
    }
    let mut paths: Vec<&'static str> = Vec::new();
    for e in ENDPOINTS {
        if !paths.contains(&e.path) {
            paths.push(e.path);
        }
    }
    for path in paths {
        let mut resource = web::resource(path);
        for e in ENDPOINTS.iter().filter(|e| e.path == path) {
            resource = resource.route((e.route)());
        }
        cfg.service(resource.default_service(web::to(method_not_allowed)));
    }
    crate::openapi::configure(cfg);
    crate::portal::configure(cfg);
    crate::pages::configure(cfg);
    crate::assets::configure(cfg);
    cfg.default_service(web::to(not_found));
}

/// The JSON body limit and error handler, sized from the configuration.
pub fn json_config(state: &AppState) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(state.http().max_json_kib.saturating_mul(1024))
        .error_handler(json_error)
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed())
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!("no route {}", req.path())))
}
