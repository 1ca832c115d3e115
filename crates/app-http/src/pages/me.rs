//! What a staff member sets for themselves from the header: their availability, which drives
//! automatic assignment as the API's `PUT /api/staff/{id}/status` does (the same function).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{CsrfForm, Posted};
use super::{PageError, html, see_other};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AvailabilityForm {
    csrf: String,
    availability: String,
}

impl CsrfForm for AvailabilityForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The line an htmx request swaps in: announced to screen readers.
#[derive(Template)]
#[template(
    source = r#"<span id="availability-form-state" class="visually-hidden" role="status">You are {{ availability }} now.</span>"#,
    ext = "html"
)]
struct Done<'a> {
    availability: &'a str,
}

/// Sets the signed-in person's availability.
pub async fn availability(
    state: web::Data<AppState>,
    req: HttpRequest,
    posted: Posted<AvailabilityForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?.id.as_uuid();
    let m = crate::routes::staff::set_availability(&state, &session.caller, me, &form.availability)
        .await?;
    if req.headers().contains_key("hx-request") {
        return Ok(html(
            StatusCode::OK,
            &Done {
                availability: m.availability.as_str(),
            },
        ));
    }
    Ok(see_other("/tickets"))
}
