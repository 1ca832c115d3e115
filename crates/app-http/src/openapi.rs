//! The OpenAPI 3.1 document, generated from the handlers' annotations, at `/api/openapi.json`,
//! and Swagger UI at `/api/docs` (served from files compiled in: no download at build or run
//! time).

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::{
    admin, analytics, auth, canned, customers, events, journeys, kb, ops, outbound, portal_auth,
    registration, sla, staff, tickets, webhooks,
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or fdk_ API token")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontdesk API",
        description = "The staff and customer REST API of Frontdesk. Errors are RFC 9457 \
                       problem details (`application/problem+json`) with a stable `type`.",
    ),
    paths(
        ops::healthz, ops::metrics,
        auth::login, auth::refresh, auth::logout, registration::register, registration::verify,
        auth::me,
        auth::list_tokens, auth::create_token, auth::revoke_token,
        tickets::list, tickets::create, tickets::queue, tickets::detail, tickets::patch,
        tickets::reply, tickets::note, tickets::assign, tickets::take, tickets::escalate, tickets::merge,
        tickets::attachment, tickets::order, tickets::bulk, tickets::export,
        customers::list, customers::patch, customers::delete,
        staff::list, staff::create, staff::patch, staff::status,
        staff::notifications, staff::set_notifications, staff::invite, staff::reset_password,
        staff::set_password, portal_auth::request, portal_auth::sign_in,
        events::events,
        canned::list, canned::create, canned::get, canned::patch, canned::delete,
        outbound::list, outbound::create, outbound::patch, outbound::delete,
        outbound::deliveries, outbound::redeliver,
        journeys::list, journeys::create, journeys::get, journeys::put, journeys::publish,
        journeys::archive,
        kb::list, kb::create, kb::get, kb::patch, kb::delete, kb::feedback, kb::search,
        kb::categories, kb::create_category, kb::patch_category, kb::delete_category,
        sla::list, sla::create, sla::patch, sla::delete, sla::calendar, sla::set_calendar,
        sla::delete_calendar,
        analytics::performance, analytics::realtime, analytics::historical, analytics::historical_csv, analytics::deflection, analytics::assistant, analytics::satisfaction,
        admin::quarantine, admin::reprocess, admin::raw, admin::dismiss, admin::mailboxes,
        admin::poll, admin::machine_mail, admin::promote,
        admin::sender_filters, admin::set_sender_filters,
        webhooks::inbound_email, webhooks::gmail_push, webhooks::zendesk, webhooks::intercom,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, tokens, customer accounts"),
        (name = "tickets", description = "Tickets and the work on them"),
        (name = "staff", description = "The support team"),
        (name = "analytics", description = "Reports for managers"),
        (name = "configuration", description = "Canned responses and other settings kept by managers"),
        (name = "ops", description = "Health, metrics, quarantine, polling"),
        (name = "webhooks", description = "Mail and notices pushed to Frontdesk"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The document as served.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    // `/api/docs` without its slash is where people type it: the UI lives at `/api/docs/`.
    cfg.service(web::resource("/api/docs").route(web::get().to(|| async {
        actix_web::HttpResponse::PermanentRedirect()
            .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
            .finish()
    })));
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", document()));
}
