//! The files pages load (`crates/app-http/assets/`), embedded at build so the server needs no
//! directory at run time and a page's CSP can allow them with `'self'`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// Every asset, by the path pages link to.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/assets/portal.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../assets/portal.css"),
    },
    Asset {
        path: "/assets/workspace.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../assets/workspace.css"),
    },
    Asset {
        path: "/assets/workspace.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/workspace.js"),
    },
    Asset {
        path: "/assets/portal.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/portal.js"),
    },
    Asset {
        path: "/assets/favicon.svg",
        content_type: "image/svg+xml",
        body: include_str!("../assets/favicon.svg"),
    },
    // htmx 2.0.11, unchanged (Zero-Clause BSD; `assets/vendor/htmx/LICENSE`).
    Asset {
        path: "/assets/htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/vendor/htmx/htmx.min.js"),
    },
];

/// Registers a `GET` route for each asset.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for asset in ASSETS {
        cfg.route(
            asset.path,
            web::get().to(move || async move {
                HttpResponse::Ok()
                    .insert_header((header::CONTENT_TYPE, asset.content_type))
                    // Not versioned by name: an hour is how long a change may take to show.
                    .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
                    .body(asset.body)
            }),
        );
    }
}
