//! `GET /api/tickets/{id}`: a ticket with everything about it.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use frontdesk_adapters_db::WholeTicket;
use frontdesk_domain::ticket::MessageKind;

use super::visible_whole;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::{AiDraftView, MergeSuggestionView, MessageView, TicketDetail, TicketView};

/// A ticket by UUID or number (`TKT-000123`): the ticket, its messages, notes, mail headers,
/// attachments, the latest AI analysis and draft, its SLA clocks and, for staff, its merge
/// suggestions. The `ETag` is the
/// ticket's version, for `If-Match` on `PATCH`.
#[utoipa::path(get, path = "/api/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number")),
    responses((status = 200, body = TicketDetail), (status = 404, body = crate::problem::Problem)))]
pub async fn detail(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let WholeTicket {
        ticket,
        latest_draft,
        messages,
    } = visible_whole(&state, &caller, &id).await?;
    let customer = caller.customer().is_some();
    let ai = if customer {
        None
    } else {
        latest_draft.as_ref().map(AiDraftView::from)
    };
    let now = state.now();
    let mut detail = TicketDetail {
        ticket: TicketView::for_caller(
            customer,
            &ticket,
            &state.desk().settings().sla.current(),
            now,
        ),
        description: ticket.description.clone(),
        messages: Vec::new(),
        notes: Vec::new(),
        emails: Vec::new(),
        attachments: Vec::new(),
        ai,
        // Links to other customers' tickets: staff only.
        merge_suggestions: if customer {
            None
        } else {
            let links = state.db().merge_suggestions(ticket.id).await?;
            Some(links.iter().map(MergeSuggestionView::from).collect())
        },
    };
    for m in &messages {
        if customer && !m.kind.is_public() {
            continue;
        }
        let view = if customer {
            MessageView::from(m).for_customer()
        } else {
            MessageView::from(m)
        };
        if let Some(e) = &view.email {
            detail.emails.push(e.clone());
        }
        detail.attachments.extend(view.attachments.iter().cloned());
        if m.kind == MessageKind::Note {
            detail.notes.push(view);
        } else {
            detail.messages.push(view);
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", ticket.revision)))
        .json(detail))
}
