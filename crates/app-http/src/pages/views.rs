//! Saved views of the ticket list: the current filters kept under a name, for oneself or shared
//! with the team (`POST /views`), and removed again (`POST /views/{id}/delete`, the domain's
//! [`may_remove_view`] deciding).

use actix_web::{HttpResponse, web};
use frontdesk_adapters_db::{SaveViewError, SavedView};
use frontdesk_domain::access::may_remove_view;
use serde::Deserialize;

use super::session::Posted;
use super::{PageError, see_other};
use crate::problem::ApiError;
use crate::routes::input;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveForm {
    csrf: String,
    name: String,
    /// The list's query string.
    query: String,
    shared: bool,
}

/// The list a view's query opens.
#[must_use]
pub fn url_of(query: &str) -> String {
    if query.is_empty() {
        "/tickets".to_owned()
    } else {
        format!("/tickets?{query}")
    }
}

/// Saves the list's current filters as a view, then shows it.
pub async fn save(
    state: web::Data<AppState>,
    posted: Posted<SaveForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    let me = session.staff()?;
    let query = form.query.trim().trim_start_matches('?').to_owned();
    if query.len() > 2_000 || query.chars().any(char::is_control) {
        return Err(ApiError::invalid_field("query", "not a list's filters").into());
    }
    let name = input::name("name", &form.name)?;
    let view = SavedView {
        id: state.new_id(),
        owner: me.id,
        name,
        query,
        shared: form.shared,
        created_at: state.now(),
    };
    match state.db().save_view(&view).await {
        Ok(()) => Ok(see_other(&url_of(&view.query))),
        Err(SaveViewError::NameTaken) => Err(ApiError::conflict(format!(
            "you have a view called “{}” already; choose another name",
            view.name
        ))
        .into()),
        Err(SaveViewError::Store(e)) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
}

/// Removes a view.
pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<uuid::Uuid>,
    posted: Posted<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    let me = posted.session.staff()?;
    let missing = || PageError::Api(ApiError::not_found("no such view"));
    let view = state.db().view(*id).await?.ok_or_else(missing)?;
    if view.owner != me.id && !view.shared {
        return Err(missing());
    }
    if !may_remove_view(me, view.owner, view.shared) {
        return Err(ApiError::forbidden(
            "only its owner, a manager or an admin removes a shared view",
        )
        .into());
    }
    state.db().delete_view(view.id).await?;
    Ok(see_other("/tickets"))
}

super::session::csrf_form!(SaveForm, DeleteForm);
