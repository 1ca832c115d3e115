//! The Gmail REST API: OAuth 2 refresh-token flow with a cached access token, and the calls the
//! helpdesk makes, with the retry rules of Google's documentation: a 401 refreshes the token and
//! retries once; 429 and 5xx back off (honouring `Retry-After`) and retry a few times; anything
//! that does not parse is a typed error, never a panic.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontdesk_domain::ports::MailError;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::Secret;

/// Where the API lives and which account it works on.
#[derive(Debug, Clone)]
pub struct GmailSettings {
    /// `https://gmail.googleapis.com` (tests point it at a mock server).
    pub api_base: String,
    /// `https://oauth2.googleapis.com/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    /// The mailbox, `me` for the authorised account.
    pub user: String,
    /// Gmail search for the initial backlog, e.g. `to:support@example.com -in:chats`.
    pub query: Option<String>,
    /// Label added to processed messages (a label id), besides removing `UNREAD`.
    pub processed_label: Option<String>,
    pub timeout: Duration,
}

/// Why a Gmail call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GmailError {
    #[error("Gmail refused the credentials: {0}")]
    Unauthorized(String),
    #[error("Gmail is rate limiting; retry after {0:?}")]
    RateLimited(Duration),
    #[error("Gmail failed: HTTP {status}")]
    Server { status: u16 },
    #[error("Gmail rejected the request: HTTP {status}: {message}")]
    Rejected { status: u16, message: String },
    #[error("Gmail answered something unexpected: {0}")]
    Malformed(String),
    #[error("cannot reach Gmail: {0}")]
    Network(String),
}

impl From<GmailError> for MailError {
    fn from(e: GmailError) -> Self {
        match e {
            GmailError::Unauthorized(_) | GmailError::Rejected { .. } => {
                Self::Permanent(e.to_string())
            }
            _ => Self::Transient(e.to_string()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

/// A raw message as Gmail returns it with `format=raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    pub id: String,
    pub thread_id: Option<String>,
    pub history_id: Option<String>,
    pub raw: Vec<u8>,
}

const ATTEMPTS: u32 = 4;

/// A Gmail API client for one account.
pub struct GmailClient {
    http: reqwest::Client,
    settings: GmailSettings,
    token: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for GmailClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailClient")
            .field("user", &self.settings.user)
            .finish_non_exhaustive()
    }
}

fn malformed(e: impl std::fmt::Display) -> GmailError {
    GmailError::Malformed(e.to_string())
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl GmailClient {
    /// # Errors
    /// [`GmailError::Network`] if the HTTP client cannot be built.
    pub fn new(settings: GmailSettings) -> Result<Self, GmailError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| GmailError::Network(e.to_string()))?;
        Ok(Self {
            http,
            settings,
            token: Mutex::new(None),
        })
    }

    /// A valid access token: the cached one, or a fresh one from the refresh token.
    async fn access_token(&self, force: bool) -> Result<String, GmailError> {
        let mut cached = self.token.lock().await;
        if !force
            && let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let s = &self.settings;
        let response = self
            .http
            .post(&s.token_url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", s.client_id.as_str()),
                ("client_secret", s.client_secret.expose()),
                ("refresh_token", s.refresh_token.expose()),
            ])
            .send()
            .await
            .map_err(|e| GmailError::Network(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let reason: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let reason = text(&reason, "error").unwrap_or("refused").to_owned();
            return Err(if status.is_server_error() {
                GmailError::Server {
                    status: status.as_u16(),
                }
            } else {
                GmailError::Unauthorized(format!("token refresh: {reason}"))
            });
        }
        let token: TokenResponse = response.json().await.map_err(malformed)?;
        // Renew a minute early so a token never expires between check and use.
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600).saturating_sub(60));
        *cached = Some((token.access_token.clone(), Instant::now() + lifetime));
        Ok(token.access_token)
    }

    /// One API call with the retry rules; returns the JSON body (or `Null` for empty bodies).
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, GmailError> {
        let url = format!(
            "{}/gmail/v1/users/{}/{path}",
            self.settings.api_base.trim_end_matches('/'),
            self.settings.user
        );
        let mut refreshed = false;
        let mut delay = Duration::from_millis(250);
        for attempt in 1..=ATTEMPTS {
            let token = self.access_token(false).await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token)
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(_) if attempt < ATTEMPTS => {
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    continue;
                }
                Err(e) => return Err(GmailError::Network(e.without_url().to_string())),
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.access_token(true).await?;
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                let wait = retry_after(&response).unwrap_or(delay);
                if attempt == ATTEMPTS {
                    return Err(if status == StatusCode::TOO_MANY_REQUESTS {
                        GmailError::RateLimited(wait)
                    } else {
                        GmailError::Server {
                            status: status.as_u16(),
                        }
                    });
                }
                tokio::time::sleep(wait.min(Duration::from_secs(30))).await;
                delay *= 2;
                continue;
            }
            return final_answer(status, response).await;
        }
        Err(GmailError::Network("gave up after retries".into()))
    }

    /// One page of message ids matching `query`, and the next page's token.
    ///
    /// # Errors
    /// [`GmailError`] as described on the module.
    pub async fn list_messages(
        &self,
        query: Option<&str>,
        page: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), GmailError> {
        let mut params = vec![("maxResults", "100".to_owned())];
        if let Some(q) = query {
            params.push(("q", q.to_owned()));
        }
        if let Some(p) = page {
            params.push(("pageToken", p.to_owned()));
        }
        let v = self.call(Method::GET, "messages", &params, None).await?;
        let ids = match v.get("messages") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|m| {
                    text(m, "id")
                        .map(str::to_owned)
                        .ok_or_else(|| malformed("message without id"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(malformed("`messages` is not a list")),
        };
        Ok((ids, text(&v, "nextPageToken").map(str::to_owned)))
    }

    /// A message's exact bytes (`format=raw`).
    ///
    /// # Errors
    /// [`GmailError`]; [`GmailError::Malformed`] when `raw` is missing or not base64url.
    pub async fn get_raw(&self, id: &str) -> Result<RawMessage, GmailError> {
        let v = self
            .call(
                Method::GET,
                &format!("messages/{id}"),
                &[("format", "raw".to_owned())],
                None,
            )
            .await?;
        let raw = text(&v, "raw").ok_or_else(|| malformed("message without `raw`"))?;
        let raw = URL_SAFE_NO_PAD
            .decode(raw.trim_end_matches('='))
            .map_err(malformed)?;
        Ok(RawMessage {
            id: text(&v, "id").unwrap_or(id).to_owned(),
            thread_id: text(&v, "threadId").map(str::to_owned),
            history_id: text(&v, "historyId").map(str::to_owned),
            raw,
        })
    }

    /// Ids of messages added since `start_history_id` (one page), the next page's token, and the
    /// mailbox's current history id.
    ///
    /// # Errors
    /// [`GmailError`]; a 404 means the history id is too old (then list instead).
    pub async fn history(
        &self,
        start_history_id: &str,
        page: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>, Option<String>), GmailError> {
        let mut params = vec![
            ("startHistoryId", start_history_id.to_owned()),
            ("historyTypes", "messageAdded".to_owned()),
        ];
        if let Some(p) = page {
            params.push(("pageToken", p.to_owned()));
        }
        let v = self.call(Method::GET, "history", &params, None).await?;
        let mut ids = Vec::new();
        for record in v
            .get("history")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
        {
            for added in record
                .get("messagesAdded")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice)
            {
                let id = added
                    .pointer("/message/id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| malformed("history entry without message id"))?;
                if !ids.iter().any(|i: &String| i == id) {
                    ids.push(id.to_owned());
                }
            }
        }
        Ok((
            ids,
            text(&v, "nextPageToken").map(str::to_owned),
            text(&v, "historyId").map(str::to_owned),
        ))
    }

    /// Adds and removes labels on a message.
    ///
    /// # Errors
    /// [`GmailError`].
    pub async fn modify(&self, id: &str, add: &[&str], remove: &[&str]) -> Result<(), GmailError> {
        let body = json!({ "addLabelIds": add, "removeLabelIds": remove });
        self.call(
            Method::POST,
            &format!("messages/{id}/modify"),
            &[],
            Some(&body),
        )
        .await
        .map(|_| ())
    }

    /// Sends a raw RFC 5322 message in a thread; returns the new message's id.
    ///
    /// # Errors
    /// [`GmailError`].
    pub async fn send(&self, raw: &[u8], thread_id: Option<&str>) -> Result<String, GmailError> {
        let mut body = json!({ "raw": URL_SAFE_NO_PAD.encode(raw) });
        if let Some(t) = thread_id {
            body["threadId"] = json!(t);
        }
        let v = self
            .call(Method::POST, "messages/send", &[], Some(&body))
            .await?;
        text(&v, "id")
            .map(str::to_owned)
            .ok_or_else(|| malformed("sent message without id"))
    }

    /// Saves a raw message as a draft in a thread; returns the draft's id.
    ///
    /// # Errors
    /// [`GmailError`].
    pub async fn create_draft(
        &self,
        raw: &[u8],
        thread_id: Option<&str>,
    ) -> Result<String, GmailError> {
        let mut message = json!({ "raw": URL_SAFE_NO_PAD.encode(raw) });
        if let Some(t) = thread_id {
            message["threadId"] = json!(t);
        }
        let v = self
            .call(
                Method::POST,
                "drafts",
                &[],
                Some(&json!({ "message": message })),
            )
            .await?;
        text(&v, "id")
            .map(str::to_owned)
            .ok_or_else(|| malformed("draft without id"))
    }

    /// The mailbox's current history id (where incremental sync starts).
    ///
    /// # Errors
    /// [`GmailError`].
    pub async fn current_history_id(&self) -> Result<String, GmailError> {
        let v = self.call(Method::GET, "profile", &[], None).await?;
        match v.get("historyId") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(malformed("profile without historyId")),
        }
    }
}

/// The JSON body of an answer that is not retried (or `Null` for an empty body), or the error
/// Google's `{"error": {"message"}}` describes.
async fn final_answer(
    status: StatusCode,
    response: reqwest::Response,
) -> Result<Value, GmailError> {
    let text_body = response
        .text()
        .await
        .map_err(|e| GmailError::Network(e.without_url().to_string()))?;
    if !status.is_success() {
        let message = serde_json::from_str::<Value>(&text_body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        return Err(
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                GmailError::Unauthorized(message)
            } else {
                GmailError::Rejected {
                    status: status.as_u16(),
                    message,
                }
            },
        );
    }
    if text_body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text_body).map_err(malformed)
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
