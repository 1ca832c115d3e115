//! Pages for customers. Today the address confirmation that registration mails a link to; the
//! portal proper follows (issue 19) on the same ground: askama templates, no inline script or
//! style, a CSRF token on every form, the API's rules and storage.

pub mod confirm;

use actix_web::web;

/// Registers the customer pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/verify-email")
            .route(web::get().to(confirm::show))
            .route(web::post().to(confirm::submit)),
    );
}
