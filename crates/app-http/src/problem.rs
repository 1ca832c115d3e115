//! Every error the API answers, as RFC 9457 problem details (`application/problem+json`) with a
//! stable `type` per kind of problem. Domain and storage errors are mapped here, in one place;
//! handlers return [`ApiError`] and never build error responses themselves.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use frontdesk_domain::ports::{SearchError, StoreError};
use frontdesk_domain::service::{NoteError, OpenError, ReplyError, UpdateError};
use frontdesk_domain::ticket::MergeRefusal;
use serde::Serialize;
use utoipa::ToSchema;

/// The `type` URIs are URNs: stable names that do not pretend to be web pages.
const TYPE_PREFIX: &str = "urn:frontdesk:problem:";

/// A problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:frontdesk:problem:<kind>`, stable across releases.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level details for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub errors: Option<serde_json::Value>,
}

/// An error answered to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    errors: Option<serde_json::Value>,
    /// For 401: ask for a bearer token.
    challenge: bool,
    /// For 429 and 503: seconds before a retry is worth it (`Retry-After`).
    retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: String) -> Self {
        Self {
            status,
            kind,
            title,
            detail,
            errors: None,
            challenge: false,
            retry_after: None,
        }
    }

    /// The same error, telling the client when to retry (`Retry-After`, in seconds, at least 1).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// What went wrong, in words a person can act on.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The field a 422 is about, when it names one.
    #[must_use]
    pub fn field(&self) -> Option<String> {
        self.errors
            .as_ref()
            .and_then(|e| e.as_object())
            .and_then(|o| o.keys().next().cloned())
    }

    /// Every field a 422 names, with what is wrong with it.
    #[must_use]
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.errors
            .as_ref()
            .and_then(|e| e.as_object())
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The problem in a sentence for a page: the detail without the field's name before it.
    #[must_use]
    pub fn sentence(&self) -> String {
        let detail = self.detail();
        let bare = self
            .field()
            .and_then(|f| detail.strip_prefix(&format!("{f}: ")).map(str::to_owned))
            .unwrap_or_else(|| detail.to_owned());
        let mut chars = bare.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default();
        let mut out = format!("{first}{}", chars.as_str());
        if !out.ends_with('.') {
            out.push('.');
        }
        out
    }

    /// 400: the request cannot be read (syntax, bad query parameters, bad headers).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail.into(),
        )
    }

    /// 422: well-formed but invalid data.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid data",
            detail.into(),
        )
    }

    /// 422 with the field that is wrong.
    pub fn invalid_field(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut e = Self::invalid(format!("{field}: {detail}"));
        e.errors = Some(serde_json::json!({ field: detail }));
        e
    }

    /// 422 naming every field that is wrong (`errors`: field → what is wrong, the first
    /// problem for each); the detail names the first.
    pub fn invalid_fields(problems: &[(String, String)]) -> Self {
        let Some((field, detail)) = problems.first() else {
            return Self::invalid("invalid data");
        };
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let mut e = Self::invalid(format!("{field}: {detail}{more}"));
        let mut errors = serde_json::Map::new();
        for (f, d) in problems {
            errors
                .entry(f.clone())
                .or_insert_with(|| serde_json::Value::String(d.clone()));
        }
        e.errors = Some(serde_json::Value::Object(errors));
        e
    }

    /// 401: no credentials, or credentials that are not valid.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail.into(),
        );
        e.challenge = true;
        e
    }

    /// 403: signed in, but this role may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            detail.into(),
        )
    }

    /// 404. Also what a caller gets for something that exists but is not theirs to see.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            detail.into(),
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail.into())
    }

    /// 412: the `If-Match` version is stale.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "The resource changed",
            detail.into(),
        )
    }

    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            detail.into(),
        )
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail.into(),
        )
    }

    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            detail.into(),
        )
    }

    /// 408: the body did not arrive in time.
    pub fn request_timeout(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            detail.into(),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this resource does not answer that method".to_owned(),
        )
    }

    /// 502: a service we depend on (the shop) refused our request.
    pub fn bad_gateway(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "bad-gateway",
            "Bad gateway",
            detail.into(),
        )
    }

    /// 503: storage is unreachable right now; worth a retry.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail.into(),
        )
    }

    /// 500, logged with its cause; the client sees no internals.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server could not complete the request; it has been logged".to_owned(),
        )
    }

    /// The problem document.
    #[must_use]
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("{TYPE_PREFIX}{}", self.kind),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl From<crate::auth::password::Busy> for ApiError {
    fn from(busy: crate::auth::password::Busy) -> Self {
        Self::unavailable(busy.to_string()).retry_after(1)
    }
}

impl From<crate::auth::password::PasswordError> for ApiError {
    fn from(e: crate::auth::password::PasswordError) -> Self {
        match e {
            crate::auth::password::PasswordError::Rejected(r) => {
                Self::invalid_field("password", r.to_string())
            }
            crate::auth::password::PasswordError::Hash(cause) => Self::internal(&cause),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if self.challenge {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"frontdesk\""),
            ));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds));
        }
        response.json(self.problem())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "storage unavailable");
                Self::unavailable("storage is unavailable; try again shortly")
            }
            StoreError::Other(_) => Self::internal(&e),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::BadCursor => Self::bad_request(
                "the `after` cursor does not belong to this listing; start from the first page",
            ),
            SearchError::Store(s) => s.into(),
        }
    }
}

impl From<UpdateError> for ApiError {
    fn from(e: UpdateError) -> Self {
        match e {
            UpdateError::NotFound(_) => Self::not_found("no such ticket"),
            UpdateError::Transition(t) => Self::conflict(t.to_string()),
            UpdateError::Conflict(_) => Self::precondition_failed(e.to_string()),
            UpdateError::Invalid(detail) => Self::invalid(detail),
            UpdateError::Taken(_) => {
                Self::conflict("someone else has this ticket; reassign it with /assign")
            }
            UpdateError::Merge(m @ MergeRefusal::ForceNeedsManager) => {
                Self::forbidden(m.to_string())
            }
            UpdateError::Merge(m) => Self::conflict(m.to_string()),
            UpdateError::Store(s) => s.into(),
        }
    }
}

impl From<ReplyError> for ApiError {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::EmptyBody | ReplyError::TooLong => {
                Self::invalid_field("content", e.to_string())
            }
            ReplyError::NoAiDraft => Self::invalid_field("use_ai_draft", e.to_string()),
            ReplyError::CustomersSendAsWritten => Self::invalid(e.to_string()),
            ReplyError::NewActivity(_) => Self::new(
                StatusCode::CONFLICT,
                "new-activity",
                "New activity since you started",
                e.to_string(),
            ),
            ReplyError::Ticket(t) => t.into(),
        }
    }
}

impl From<NoteError> for ApiError {
    fn from(e: NoteError) -> Self {
        match e {
            NoteError::EmptyBody | NoteError::TooLong => {
                Self::invalid_field("content", e.to_string())
            }
            NoteError::Ticket(t) => t.into(),
        }
    }
}

impl From<OpenError> for ApiError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::EmptySubject | OpenError::BadSubject => {
                Self::invalid_field("subject", e.to_string())
            }
            OpenError::EmptyBody | OpenError::TooLong => {
                Self::invalid_field("description", e.to_string())
            }
            OpenError::Store(s) => s.into(),
        }
    }
}

impl From<frontdesk_domain::journey::FileRefused> for ApiError {
    fn from(e: frontdesk_domain::journey::FileRefused) -> Self {
        Self::invalid_field("files", e.to_string())
    }
}

impl From<frontdesk_domain::service::FormError> for ApiError {
    fn from(e: frontdesk_domain::service::FormError) -> Self {
        use frontdesk_domain::service::FormError;
        match e {
            FormError::NotActive => Self::conflict(e.to_string()),
            FormError::Answers(problems) => Self::invalid_fields(
                &problems
                    .into_iter()
                    .map(|p| (format!("answers.{}", p.question), p.message))
                    .collect::<Vec<_>>(),
            ),
            FormError::Open(o) => o.into(),
        }
    }
}

/// JSON bodies that cannot be read: wrong content type 415, too large 413, broken syntax or
/// invalid UTF-8 400, wrong shape (unknown fields, wrong types, missing fields) 422.
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::ContentType => ApiError::unsupported_media_type("send the body as application/json"),
        J::Overflow { limit } | J::OverflowKnownLength { limit, .. } => {
            ApiError::too_large(format!("the body may be at most {limit} bytes"))
        }
        J::Deserialize(e) if e.is_data() => ApiError::invalid(e.to_string()),
        J::Deserialize(e) => ApiError::bad_request(format!("the body is not valid JSON: {e}")),
        J::Payload(actix_web::error::PayloadError::Io(e))
            if e.kind() == std::io::ErrorKind::TimedOut =>
        {
            ApiError::request_timeout(e.to_string())
        }
        other => ApiError::bad_request(other.to_string()),
    };
    api.into()
}

/// Query strings that cannot be read.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("invalid query parameters: {err}")).into()
}

/// Path segments that cannot be read (an id that is not one): nothing is there.
pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::not_found(format!("no such resource: {err}")).into()
}
