//! `POST /tickets/bulk`: the list's selected tickets changed at once, through the API's own
//! bulk function ([`crate::routes::tickets::bulk::apply`]): each ticket through the domain's
//! rules, answered per ticket. htmx shows the outcome above the list (which then updates from
//! the event stream); without script the outcome is a page with a way back.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::filters;
use super::session::Posted;
use super::{Chrome, PageError, html};
use crate::problem::ApiError;
use crate::routes::tickets::bulk::{BulkChange, BulkOutcome, apply};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    csrf: String,
    /// The chosen tickets' numbers.
    tickets: Vec<String>,
    /// `take`, `close`, `status:<s>`, `priority:<p>`, `category:<c>`, `assign:<id>` (empty id:
    /// nobody), `add_tag` or `remove_tag`.
    action: String,
    /// The tag for `add_tag` and `remove_tag`.
    tag: String,
    /// The list to go back to.
    back: String,
}

#[derive(Template)]
#[template(path = "workspace/bulk.html")]
struct BulkPage {
    chrome: Chrome,
    done: usize,
    refused: Vec<BulkOutcome>,
    problem: Option<String>,
    back: String,
}

/// The API's change for the form's action.
fn change(form: &BulkForm) -> Result<BulkChange, ApiError> {
    let mut change = BulkChange {
        tickets: form.tickets.clone(),
        take: false,
        status: None,
        priority: None,
        category: None,
        assignee: None,
        add_tags: Vec::new(),
        remove_tags: Vec::new(),
    };
    let tag = || {
        let tag = form.tag.trim();
        if tag.is_empty() {
            Err(ApiError::invalid_field(
                "tag",
                "name the tag to add or remove",
            ))
        } else {
            Ok(vec![tag.to_owned()])
        }
    };
    match form.action.split_once(':') {
        _ if form.action == "take" => change.take = true,
        _ if form.action == "close" => change.status = Some("closed".to_owned()),
        _ if form.action == "add_tag" => change.add_tags = tag()?,
        _ if form.action == "remove_tag" => change.remove_tags = tag()?,
        Some(("status", s)) => change.status = Some(s.to_owned()),
        Some(("priority", p)) => change.priority = Some(p.to_owned()),
        Some(("category", c)) => change.category = Some(c.to_owned()),
        Some(("assign", "")) => change.assignee = Some(None),
        Some(("assign", id)) => {
            change.assignee = Some(Some(uuid::Uuid::parse_str(id).map_err(|_| {
                ApiError::invalid_field("action", "choose someone from the list")
            })?));
        }
        _ => {
            return Err(ApiError::invalid_field(
                "action",
                "choose what to change in the selected tickets",
            ));
        }
    }
    if change.tickets.is_empty() {
        return Err(ApiError::invalid_field(
            "tickets",
            "select the tickets to change first",
        ));
    }
    Ok(change)
}

/// Changes the selected tickets.
pub async fn submit(
    state: web::Data<AppState>,
    posted: Posted<BulkForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let chrome = Chrome::of(&session)?;
    let back = if form.back.starts_with("/tickets") && !form.back.starts_with("//") {
        form.back.clone()
    } else {
        "/tickets".to_owned()
    };
    let outcome = match change(&form) {
        Ok(change) => apply(&state, &session.caller, change).await,
        Err(e) => Err(e),
    };
    let (status, page) = match outcome {
        Ok(results) => {
            let (done, refused): (Vec<_>, Vec<_>) =
                results.into_iter().partition(|r| r.outcome == "done");
            (
                StatusCode::OK,
                BulkPage {
                    chrome,
                    done: done.len(),
                    refused,
                    problem: None,
                    back,
                },
            )
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => (
            e.status(),
            BulkPage {
                chrome,
                done: 0,
                refused: Vec::new(),
                problem: Some(e.detail().to_owned()),
                back,
            },
        ),
        Err(e) => return Err(e.into()),
    };
    Ok(html(status, &page))
}

super::session::csrf_form!(BulkForm);
