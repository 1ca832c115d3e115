//! The staff workspace: server-rendered pages (askama templates, htmx for partial updates, a
//! little JavaScript of our own, no inline script or style). Pages authenticate with a session
//! cookie ([`session`]), read through [`crate::reads`] and change tickets through the same
//! domain use cases and rights as the API's handlers, so a page can never do what the API
//! refuses.

pub mod actions;
pub mod analytics;
pub mod audit;
pub mod bulk;
pub mod canned;
pub mod charts;
pub mod journeys;
pub mod kb;
pub mod list;
pub mod live;
pub mod login;
pub mod mail;
pub mod me;
pub mod multipart;
pub mod session;
pub mod set_password;
pub mod sla;
pub mod staff;
pub mod ticket;
pub mod tokens;
pub mod views;
pub mod webhooks;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

use crate::problem::ApiError;

/// The workspace's policy: our own scripts, styles and images only; no inline script or style,
/// no `eval`; requests (htmx, the event stream) and forms to this server alone.
pub const WORKSPACE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Registers the workspace's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .service(
            web::resource("/login")
                .route(web::get().to(login::show))
                .route(web::post().to(login::submit)),
        )
        .route("/logout", web::post().to(login::logout))
        .service(
            web::resource("/set-password")
                .route(web::get().to(set_password::show))
                .route(web::post().to(set_password::submit)),
        )
        .route("/me", web::get().to(me::show))
        .route("/me/availability", web::post().to(me::availability))
        .route("/me/password", web::post().to(me::password))
        .route("/poll", web::post().to(me::poll))
        .route("/events", web::get().to(live::events))
        .route("/analytics", web::get().to(analytics::show))
        .route("/analytics/historical.csv", web::get().to(analytics::csv))
        .route("/tickets", web::get().to(list::show))
        .service(
            web::resource("/admin/tokens")
                .route(web::get().to(tokens::show))
                .route(web::post().to(tokens::create)),
        )
        .route("/admin/tokens/{id}/revoke", web::post().to(tokens::revoke))
        .route("/admin/canned", web::get().to(canned::list))
        .route("/admin/canned", web::post().to(canned::create))
        .route("/admin/canned/new", web::get().to(canned::new))
        .route(
            "/admin/canned/preview",
            web::post().to(canned::show_preview),
        )
        .route("/admin/canned/{id}", web::get().to(canned::edit))
        .route("/admin/canned/{id}", web::post().to(canned::update))
        .route(
            "/admin/canned/{id}/preview",
            web::post().to(canned::show_preview),
        )
        .route("/admin/canned/{id}/delete", web::post().to(canned::remove))
        .route("/admin/audit", web::get().to(audit::show))
        .route("/admin/journeys", web::get().to(journeys::list))
        .route("/admin/journeys/new", web::post().to(journeys::create))
        .route("/admin/journeys/{id}", web::get().to(journeys::show))
        .route("/admin/journeys/{id}", web::post().to(journeys::save))
        .route("/admin/journeys/{id}/copy", web::post().to(journeys::copy))
        .route(
            "/admin/journeys/{id}/archive",
            web::post().to(journeys::archive),
        )
        .route("/admin/kb", web::get().to(kb::list))
        .route("/admin/kb/new", web::get().to(kb::new))
        .route("/admin/kb/new", web::post().to(kb::create))
        .route("/admin/kb/categories", web::post().to(kb::add_category))
        .route(
            "/admin/kb/categories/{id}/delete",
            web::post().to(kb::delete_category),
        )
        .route("/admin/kb/{id}", web::get().to(kb::edit))
        .route("/admin/kb/{id}", web::post().to(kb::update))
        .route("/admin/kb/{id}/delete", web::post().to(kb::remove))
        .route("/admin/webhooks", web::get().to(webhooks::list))
        .route("/admin/webhooks", web::post().to(webhooks::create))
        .route("/admin/webhooks/{id}", web::get().to(webhooks::log))
        .route(
            "/admin/webhooks/{id}/pause",
            web::post().to(webhooks::pause),
        )
        .route(
            "/admin/webhooks/{id}/resume",
            web::post().to(webhooks::resume),
        )
        .route(
            "/admin/webhooks/{id}/delete",
            web::post().to(webhooks::remove),
        )
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/redeliver",
            web::post().to(webhooks::redeliver),
        )
        .route("/admin/staff", web::get().to(staff::list))
        .route("/admin/staff", web::post().to(staff::add))
        .route("/admin/staff/{id}", web::get().to(staff::show))
        .route("/admin/staff/{id}", web::post().to(staff::update))
        .route(
            "/admin/staff/{id}/invitation",
            web::post().to(staff::invite),
        )
        .route("/admin/staff/{id}/reset", web::post().to(staff::reset))
        .route(
            "/admin/staff/{id}/deactivate",
            web::post().to(staff::deactivate),
        )
        .route(
            "/admin/staff/{id}/activate",
            web::post().to(staff::activate),
        )
        .route("/admin/mail", web::get().to(mail::show))
        .route("/admin/mail/quarantine/{id}.eml", web::get().to(mail::raw))
        .route(
            "/admin/mail/quarantine/{id}/reprocess",
            web::post().to(mail::reprocess),
        )
        .route(
            "/admin/mail/quarantine/{id}/dismiss",
            web::post().to(mail::dismiss),
        )
        .route("/admin/sla", web::get().to(sla::show))
        .route("/admin/sla/targets", web::post().to(sla::targets))
        .route("/admin/sla/targets/{id}/reset", web::post().to(sla::reset))
        .route("/admin/sla/calendar", web::post().to(sla::calendar))
        .route("/admin/sla/calendar/forget", web::post().to(sla::forget))
        .route("/views", web::post().to(views::save))
        .route("/views/{id}/delete", web::post().to(views::delete))
        .route("/tickets/bulk", web::post().to(bulk::submit))
        .route("/tickets/{number}", web::get().to(ticket::show))
        .route("/tickets/{number}/fields", web::post().to(ticket::fields))
        .route("/tickets/{number}/reply", web::post().to(ticket::reply))
        .route("/tickets/{number}/take", web::post().to(ticket::take))
        .route(
            "/tickets/{number}/order",
            web::get().to(ticket::order_panel),
        )
        .route(
            "/tickets/{number}/presence",
            web::post().to(ticket::presence),
        )
        .route("/tickets/{number}/assign", web::post().to(actions::assign))
        .route(
            "/tickets/{number}/escalate",
            web::post().to(actions::escalate),
        )
        .route("/tickets/{number}/merge", web::post().to(actions::merge))
        .route(
            "/tickets/{number}/attachments/{att}",
            web::get().to(ticket::attachment),
        );
}

/// `/` is the ticket list.
async fn home() -> HttpResponse {
    see_other("/tickets")
}

/// A `303 See Other` to `location` (after a form, or to another page).
#[must_use]
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// A rendered page (or fragment) with the workspace's policy; never cached, since every page
/// shows one person's view of live data.
#[must_use]
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header((header::CONTENT_SECURITY_POLICY, WORKSPACE_CSP))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("The page could not be shown. Try again in a moment.")
        }
    }
}

/// The page shown for an error: what happened in a person's words, and a way on.
#[derive(Template)]
#[template(path = "workspace/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    detail: &'a str,
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in, or the session ended: to the sign-in page, and back to `next` after.
    SignIn { next: String },
    /// A customer's session on a staff page.
    StaffOnly,
    /// Anything else, as the API would answer it.
    Api(ApiError),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { .. } => f.write_str("sign in first"),
            Self::StaffOnly => f.write_str("staff only"),
            Self::Api(e) => e.fmt(f),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<frontdesk_domain::ports::StoreError> for PageError {
    fn from(e: frontdesk_domain::ports::StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::StaffOnly => StatusCode::FORBIDDEN,
            Self::Api(e) => e.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, detail): (&str, &str) = match self {
            Self::SignIn { next } => {
                // The portal's pages have their own sign-in.
                let page = if next.starts_with("/portal") {
                    "/portal/sign-in"
                } else {
                    "/login"
                };
                let to = format!("{page}?next={}", encode(next));
                // htmx follows `HX-Redirect` with a full page load; a plain request the 303.
                let mut response = see_other(&to);
                if let Ok(value) = HeaderValue::from_str(&to) {
                    response
                        .headers_mut()
                        .insert(header::HeaderName::from_static("hx-redirect"), value);
                }
                return response;
            }
            Self::StaffOnly => (
                "For staff only",
                "This page is for the support team. Customers find their requests in the \
                 customer portal.",
            ),
            Self::Api(e) => (headline(e.status()), e.detail()),
        };
        let status = self.status_code();
        let mut response = html(
            status,
            &ErrorPage {
                status: status.as_u16(),
                title,
                detail,
            },
        );
        // An htmx request shows the message in the page's alert region instead of replacing
        // what the person was working on.
        let headers = response.headers_mut();
        for (name, value) in [
            ("hx-retarget", "#flash"),
            ("hx-reswap", "innerHTML"),
            ("hx-reselect", "#error-message"),
        ] {
            headers.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        response
    }
}

/// The heading of an error page.
fn headline(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "That did not work",
        401 => "Sign in first",
        403 => "Not allowed",
        404 => "Not found",
        409 => "That clashes with what is there",
        412 => "Someone changed this meanwhile",
        429 => "Too many attempts",
        503 | 500 => "Try again in a moment",
        _ => "Something went wrong",
    }
}

/// `text` percent-encoded for a query parameter's value.
#[must_use]
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What every workspace page shows around its content: who is signed in, their availability,
/// and the CSRF token the page's forms and htmx requests carry.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub name: String,
    pub role: &'static str,
    pub availability: &'static str,
    pub csrf: String,
    /// The JSON of the body's `hx-headers`: the CSRF token for every htmx request.
    pub hx_headers: String,
    /// May read the mailboxes now (managers, admins).
    pub may_poll: bool,
    /// May manage API tokens (admins).
    pub may_manage_tokens: bool,
    /// May read the reports (managers, admins).
    pub may_read_reports: bool,
    /// May change the helpdesk's settings: SLA, canned responses (managers, admins).
    pub may_configure: bool,
}

impl Chrome {
    /// The chrome for a staff member's session.
    ///
    /// # Errors
    /// [`PageError::StaffOnly`] for a customer's session.
    pub fn of(session: &session::Session) -> Result<Self, PageError> {
        let staff = session.staff()?;
        Ok(Self {
            name: staff.name.clone(),
            role: staff.role.as_str(),
            availability: staff.availability.as_str(),
            csrf: session.csrf.clone(),
            hx_headers: serde_json::json!({ "X-CSRF-Token": session.csrf }).to_string(),
            may_poll: frontdesk_domain::access::Permission::OperateMail.allows(staff.role),
            may_manage_tokens: frontdesk_domain::access::Permission::ManageApiTokens
                .allows(staff.role),
            may_read_reports: frontdesk_domain::access::Permission::ReadReports.allows(staff.role),
            may_configure: frontdesk_domain::access::Permission::Configure.allows(staff.role),
        })
    }
}

/// How long ago `then` was, in a glance: "4 min", "3 h", "2 d".
#[must_use]
pub fn age(then: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    span(now - then)
}

/// A duration in a glance: "45 s", "4 min", "3 h 10 min", "2 d 4 h".
#[must_use]
pub fn span(d: chrono::TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// The templates' own filters.
pub mod filters {
    /// Text from mail made inert for display: the characters that change how the text around
    /// them reads (direction overrides and isolates, zero-width and other format controls —
    /// `invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`) are dropped; askama then escapes
    /// the rest as usual.
    ///
    /// # Errors
    /// Never; askama's filter signature.
    #[askama::filter_fn]
    #[allow(clippy::unnecessary_wraps)]
    pub fn inert<T: std::fmt::Display>(text: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(text
            .to_string()
            .chars()
            .filter(|c| !crate::routes::tickets::attachments::is_format_control(*c))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError as _;
    use actix_web::body::MessageBody as _;
    use frontdesk_domain::ports::StoreError;

    use super::PageError;

    fn body(e: &PageError) -> (u16, String, Vec<(String, String)>) {
        let response = e.error_response();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        (
            status,
            String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        )
    }

    #[test]
    fn a_failing_database_is_a_try_again_page_never_a_trace() {
        let e = PageError::from(StoreError::unavailable("connection refused at 10.0.0.5"));
        let (status, html, headers) = body(&e);
        assert_eq!(status, 503);
        assert!(html.contains("<h1>Try again in a moment</h1>"), "{html}");
        assert!(
            !html.contains("10.0.0.5"),
            "no internals on the page: {html}"
        );
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "hx-retarget" && v == "#flash"),
            "htmx shows it in the page's live region"
        );
    }

    #[test]
    fn signing_in_comes_back_to_the_page_and_staff_pages_refuse_customers() {
        let (status, _, headers) = body(&PageError::SignIn {
            next: "/tickets?status=open".to_owned(),
        });
        assert_eq!(status, 303);
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "location" && v == "/login?next=%2Ftickets%3Fstatus%3Dopen")
        );
        let (status, html, _) = body(&PageError::StaffOnly);
        assert_eq!(status, 403);
        assert!(html.contains("customer portal"), "{html}");
    }
}
