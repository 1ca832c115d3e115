//! A `multipart/form-data` form as posted by a page: its text fields, and its files within a
//! count and a size. A file over the size is read to its end and dropped (never held whole), and
//! named in `refused` with the field it came in, so the page can come back with everything typed
//! and that field marked; only a form that cannot be read at all is an error.

use actix_multipart::Multipart;
use frontdesk_domain::ports::OutboundAttachment;
use futures_util::StreamExt as _;

use crate::problem::ApiError;
use crate::routes::tickets::attachments::safe_filename;

/// How much a form may carry.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files kept at most; later ones are refused.
    pub max_files: usize,
    /// The largest file, in bytes.
    pub max_file_bytes: usize,
    /// All text fields together, in bytes.
    pub max_text_bytes: usize,
}

/// A file posted in the field `field`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file: OutboundAttachment,
}

/// What was posted.
#[derive(Debug, Default)]
pub struct Posted {
    /// Text fields in their order (a field may repeat: checkboxes).
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
    /// Files not kept: the field and why.
    pub refused: Vec<(String, String)>,
}

impl Posted {
    /// The first value of `name`, or "".
    #[must_use]
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Reads the form.
///
/// # Errors
/// 400 for a form that cannot be read (broken multipart, text that is not UTF-8); 413 when the
/// text fields are too long.
pub async fn read(mut payload: Multipart, limits: Limits) -> Result<Posted, ApiError> {
    let mut posted = Posted::default();
    let mut text_bytes = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| ApiError::bad_request(format!("the form: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let content_type = field.content_type().map_or_else(
            || "application/octet-stream".to_owned(),
            ToString::to_string,
        );
        if let Some(filename) = filename {
            let mut bytes = Vec::new();
            let mut over = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request(format!("the form: {e}")))?;
                if over || bytes.len() + chunk.len() > limits.max_file_bytes {
                    over = true;
                    bytes = Vec::new();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            // A file input left empty posts one nameless, empty part.
            if filename.trim().is_empty() && bytes.is_empty() && !over {
                continue;
            }
            let shown = safe_filename(Some(&filename));
            if over {
                posted.refused.push((
                    name,
                    format!(
                        "{shown}: a file may be at most {} MB",
                        limits.max_file_bytes / (1024 * 1024)
                    ),
                ));
            } else if posted.files.len() == limits.max_files {
                posted.refused.push((
                    name,
                    format!("{shown}: at most {} files at once", limits.max_files),
                ));
            } else {
                posted.files.push(Upload {
                    field: name,
                    file: OutboundAttachment {
                        filename: shown,
                        content_type,
                        content: bytes,
                    },
                });
            }
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request(format!("the form: {e}")))?;
            text_bytes += chunk.len();
            if text_bytes > limits.max_text_bytes {
                return Err(ApiError::too_large("the form's text is too long"));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ApiError::bad_request(format!("{name}: not UTF-8 text")))?;
        posted.fields.push((name, text));
    }
    Ok(posted)
}
