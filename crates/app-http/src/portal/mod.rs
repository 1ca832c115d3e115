//! Pages for customers: the portal (`/portal`: sign-in by mailed link or password, my requests,
//! a request's public conversation, reply, "solved", a new request) and the address
//! confirmation registration mails a link to. Same ground as the staff pages: askama templates,
//! no inline script or style, a CSRF token on every form, the API's rules and storage.

pub mod confirm;
pub mod help;
pub mod new_request;
pub mod rate;
pub mod sign_in;
pub mod tickets;

use actix_web::web;

/// Registers the customer pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/verify-email")
            .route(web::get().to(confirm::show))
            .route(web::post().to(confirm::submit)),
    )
    .route("/rate/{token}", web::get().to(rate::show))
    .route("/rate/{token}", web::post().to(rate::submit))
    .route("/help", web::get().to(help::index))
    .route("/help/{slug}", web::get().to(help::article))
    .route("/help/{slug}/feedback", web::post().to(help::feedback))
    .route("/portal", web::get().to(tickets::list))
    .route("/portal/sign-in", web::get().to(sign_in::show))
    .route("/portal/sign-in/link", web::post().to(sign_in::send_link))
    .route(
        "/portal/sign-in/password",
        web::post().to(sign_in::with_password),
    )
    .route("/portal/link", web::get().to(sign_in::link))
    .route("/portal/link", web::post().to(sign_in::use_mailed_link))
    .route("/portal/sign-out", web::post().to(sign_in::sign_out))
    .route(
        "/portal/events",
        web::get().to(crate::pages::live::portal_events),
    )
    .route("/portal/new", web::get().to(new_request::new))
    .route("/portal/new", web::post().to(new_request::create))
    .route("/portal/new/look", web::post().to(new_request::look))
    .route(
        "/portal/suggested/{slug}",
        web::get().to(tickets::suggested),
    )
    .route("/portal/tickets/{number}", web::get().to(tickets::show))
    .route(
        "/portal/tickets/{number}/reply",
        web::post().to(tickets::reply),
    )
    .route(
        "/portal/tickets/{number}/resolve",
        web::post().to(tickets::resolve),
    )
    .route(
        "/portal/tickets/{number}/attachments/{att}",
        web::get().to(tickets::attachment),
    );
}
