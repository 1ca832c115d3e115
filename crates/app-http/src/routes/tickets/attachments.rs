//! `GET /api/tickets/{id}/attachments/{att}`: an attachment's bytes, as a download.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use frontdesk_domain::ports::TicketRepository as _;

use super::visible;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// Invisible characters that change how a name reads: bidirectional overrides and isolates
/// (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`), zero-width and other format controls.
pub(crate) fn is_format_control(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// The file name to offer: the last path segment, without control or format characters, never
/// empty. Names like `../../etc/passwd` become `passwd`.
pub(crate) fn safe_filename(name: Option<&str>) -> String {
    let base = name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !is_format_control(*c) && *c != '"')
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_owned();
    if base.is_empty() {
        "attachment".to_owned()
    } else {
        base
    }
}

/// `attachment` with an ASCII `filename=` every client understands (other characters as `_`)
/// and, when the name is not plain ASCII, the exact name as RFC 5987 `filename*=UTF-8''…`.
fn disposition(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii.clone())];
    if ascii != name {
        parameters.push(DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".to_owned()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// Download an attachment of the ticket (by the id in the ticket's `attachments`), always as
/// `Content-Disposition: attachment` with its declared type, never rendered inline.
#[utoipa::path(get, path = "/api/tickets/{id}/attachments/{att}", tag = "tickets",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "UUID or TKT number"),
           ("att" = String, Path, description = "the attachment id")),
    responses((status = 200, content_type = "application/octet-stream"),
              (status = 404, body = crate::problem::Problem)))]
pub async fn attachment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, att) = path.into_inner();
    download(&state, &caller, &id, &att).await
}

/// Attachment `att` of ticket `id` as `caller` may download it (the API's and the pages' one
/// road).
///
/// # Errors
/// 404 for a ticket the caller may not see or an attachment it does not have.
pub(crate) async fn download(
    state: &AppState,
    caller: &Caller,
    id: &str,
    att: &str,
) -> Result<HttpResponse, ApiError> {
    let ticket = visible(state, caller, id).await?;
    let customer = caller.customer().is_some();
    let missing = || ApiError::not_found("no such attachment on this ticket");
    if att.len() != 64 || !att.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(missing());
    }
    let messages = state.db().messages(ticket.id).await?;
    let meta = messages
        .iter()
        .filter(|m| !customer || m.kind.is_public())
        .flat_map(|m| m.attachments.iter())
        .find(|a| a.sha256.eq_ignore_ascii_case(att))
        .cloned()
        .ok_or_else(missing)?;
    let bytes = state
        .db()
        .attachment_content(&meta.sha256)
        .await?
        .ok_or_else(missing)?;
    let content_type = meta
        .content_type
        .parse::<mime_type::Mime>()
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "application/octet-stream".to_owned());
    let disposition = disposition(&safe_filename(meta.filename.as_deref()));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ))
        .body(bytes))
}

mod mime_type {
    //! A content type is accepted only if it reads as `type/subtype` with token characters,
    //! so a stored value can never inject another header.
    #[derive(Debug)]
    pub struct Mime(String);

    impl std::fmt::Display for Mime {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::str::FromStr for Mime {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let essence = s
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let token = |p: &str| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            match essence.split_once('/') {
                Some((t, sub)) if token(t) && token(sub) => Ok(Self(essence)),
                _ => Err(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_filename;

    #[test]
    fn traversal_and_control_characters_leave_the_file_name() {
        assert_eq!(safe_filename(Some("../../etc/passwd")), "passwd");
        assert_eq!(safe_filename(Some("..\\..\\boot.ini")), "boot.ini");
        assert_eq!(safe_filename(Some("a\r\nSet-Cookie: x")), "aSet-Cookie: x");
        assert_eq!(safe_filename(Some("..")), "attachment");
        assert_eq!(safe_filename(None), "attachment");
        assert_eq!(safe_filename(Some("invoice.pdf")), "invoice.pdf");
        assert_eq!(
            safe_filename(Some("invoice\u{202E}fdp.exe")),
            "invoicefdp.exe"
        );
        assert_eq!(
            safe_filename(Some("a\u{200B}b\u{2066}c\u{FEFF}.txt")),
            "abc.txt"
        );
    }

    #[test]
    fn the_header_has_an_ascii_name_and_the_exact_one_in_rfc_5987_form() {
        let plain = super::disposition("invoice.pdf").to_string();
        assert_eq!(plain, "attachment; filename=\"invoice.pdf\"");
        let accented = super::disposition("Rechnung März.pdf").to_string();
        assert!(
            accented.contains("filename=\"Rechnung M_rz.pdf\""),
            "{accented}"
        );
        assert!(
            accented.contains("filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf"),
            "{accented}"
        );
    }
}
