//! An assistant on any OpenAI-compatible chat-completions server: OpenAI itself, or a local
//! Ollama, vLLM or llama.cpp server.
//!
//! Each call is one `POST {base_url}/chat/completions` with a JSON-schema `response_format`
//! (or plain JSON mode for servers without structured outputs). 429, 408 and 5xx answers and
//! network failures are retried with exponential backoff, honouring `Retry-After` (and OpenAI's
//! `retry-after-ms`); each attempt has a timeout and the whole call a deadline. What comes back
//! is checked against the schema: malformed or schema-violating output is
//! [`AiError::Malformed`], never a panic. The API key goes out in one sensitive header and
//! nowhere else: not in logs, not in `Debug`, not in error messages (a server echoing it has it
//! blanked out).

mod answer;
mod embeddings;
mod prompt;

pub use embeddings::OpenAiEmbedder;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use frontdesk_domain::ports::{AiAssistant, AiError, Analysis, Draft, DraftContext};
use frontdesk_domain::ticket::{Message, Ticket};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::{Value, json};

use self::prompt::Task;

/// An API key; shown as `***` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// How the answer's format is requested, as configured: `json_schema` or `json_object`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseFormat {
    /// `{"type": "json_schema", "json_schema": {"strict": true, …}}`: OpenAI, vLLM, Ollama ≥ 0.5,
    /// llama.cpp server.
    #[default]
    JsonSchema,
    /// `{"type": "json_object"}` with the schema in the instructions, for older servers.
    JsonObject,
}

/// Where the server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// The API root, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1` (Ollama).
    pub base_url: String,
    pub model: String,
    /// `None` for local servers that need none.
    pub api_key: Option<ApiKey>,
    pub temperature: f32,
    /// The most tokens an answer may have (`max_tokens`).
    pub max_tokens: u32,
    /// Limit for one HTTP attempt.
    pub timeout: Duration,
    /// Limit for the whole call, retries and waits included.
    pub deadline: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff delay; doubled on each retry.
    pub initial_backoff: Duration,
    /// A `Retry-After` longer than this fails the call at once instead of waiting.
    pub max_retry_wait: Duration,
    pub response_format: ResponseFormat,
    /// The model's context in tokens, which the prompt and the answer (`max_tokens`) share;
    /// `None`: asked of the server (llama.cpp's `/props`), and no budget when it does not say.
    pub context_tokens: Option<u32>,
    /// OpenAI's `frequency_penalty` (−2..2; OpenAI, vLLM, Ollama and llama.cpp take it): a
    /// positive value keeps a model from repeating itself. Not sent when `None`.
    pub frequency_penalty: Option<f32>,
    /// llama.cpp's `repeat_penalty` (1.0 is none; 1.1–1.3 stops a small model looping inside a
    /// string until `max_tokens`). Not sent when `None`: other servers may refuse it.
    pub repeat_penalty: Option<f32>,
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".to_owned(),
            model: "gpt-4o-mini".to_owned(),
            api_key: None,
            temperature: 0.2,
            max_tokens: 1_000,
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
            response_format: ResponseFormat::JsonSchema,
            context_tokens: None,
            frequency_penalty: None,
            repeat_penalty: None,
        }
    }
}

/// `schema` without string length bounds, which OpenAI's strict structured outputs do not take
/// (its models do not loop inside a string; local servers' grammars need the bounds).
fn without_lengths(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.remove("minLength");
            map.remove("maxLength");
            map.values_mut().for_each(without_lengths);
        }
        Value::Array(items) => items.iter_mut().for_each(without_lengths),
        _ => {}
    }
}

/// The assistant on an OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiAssistant {
    config: OpenAiConfig,
    endpoint: String,
    http: reqwest::Client,
    /// The model's context as configured or read once from the server.
    context: Arc<tokio::sync::OnceCell<Option<u32>>>,
}

/// Why the client could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("ai.base_url {0:?} is not an http(s) URL")]
    BaseUrl(String),
    #[error("ai.model is empty")]
    Model,
    #[error("ai.temperature {0} is outside 0..2")]
    Temperature(f32),
    #[error("ai.frequency_penalty {0} is outside -2..2")]
    FrequencyPenalty(f32),
    #[error("ai.repeat_penalty {0} is outside 0.5..2")]
    RepeatPenalty(f32),
    #[error("ai.api_key is not a valid HTTP header value")]
    ApiKey,
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

impl OpenAiAssistant {
    /// # Errors
    /// [`ConfigError`] for a base URL that is not http(s), an empty model, a temperature outside
    /// 0..2 or an API key that cannot be sent in a header.
    pub fn new(config: OpenAiConfig) -> Result<Self, ConfigError> {
        let base = config.base_url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ConfigError::BaseUrl(config.base_url.clone()));
        }
        if config.model.trim().is_empty() {
            return Err(ConfigError::Model);
        }
        if !(0.0..=2.0).contains(&config.temperature) {
            return Err(ConfigError::Temperature(config.temperature));
        }
        if let Some(p) = config
            .frequency_penalty
            .filter(|p| !(-2.0..=2.0).contains(p))
        {
            return Err(ConfigError::FrequencyPenalty(p));
        }
        if let Some(p) = config.repeat_penalty.filter(|p| !(0.5..=2.0).contains(p)) {
            return Err(ConfigError::RepeatPenalty(p));
        }
        let mut headers = HeaderMap::new();
        if let Some(key) = &config.api_key {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                .map_err(|_| ConfigError::ApiKey)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client(e.to_string()))?;
        Ok(Self {
            endpoint: format!("{base}/chat/completions"),
            context: Arc::new(tokio::sync::OnceCell::new()),
            config,
            http,
        })
    }

    /// The model's context in tokens: as configured, else what the server says (read once):
    /// llama.cpp at `/props` (`default_generation_settings.n_ctx`), vLLM at `/v1/models` (the
    /// configured model's `max_model_len`); `None` when neither says (OpenAI, Ollama — whose
    /// `num_ctx` is a request option: configure it).
    async fn context_tokens(&self) -> Option<u32> {
        if let Some(n) = self.config.context_tokens {
            return Some(n);
        }
        *self
            .context
            .get_or_init(|| async {
                let base = self.endpoint.trim_end_matches("/chat/completions");
                let root = base.strip_suffix("/v1").unwrap_or(base);
                let llama = self
                    .read_json(&format!("{root}/props"))
                    .await
                    .and_then(|p| p.pointer("/default_generation_settings/n_ctx")?.as_u64());
                let n = match llama {
                    Some(n) => Some(n),
                    None => self
                        .read_json(&format!("{base}/models"))
                        .await
                        .and_then(|m| {
                            m["data"]
                                .as_array()?
                                .iter()
                                .find(|d| d["id"] == self.config.model.as_str())?["max_model_len"]
                                .as_u64()
                        }),
                };
                n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
            })
            .await
    }

    /// A GET's JSON answer, or `None` for any failure (a probe, not a call).
    async fn read_json(&self, url: &str) -> Option<Value> {
        let answer = self
            .http
            .get(url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        if !answer.status().is_success() {
            return None;
        }
        answer.json().await.ok()
    }

    /// The request body for `task`, within the model's context.
    ///
    /// # Errors
    /// [`AiError::Rejected`] when the context is too small for even the instructions and the
    /// start of the newest message, with what it would take.
    async fn request(
        &self,
        task: Task,
        ticket: &Ticket,
        conversation: &[Message],
        context: Option<&DraftContext>,
    ) -> Result<Value, AiError> {
        let window = self.context_tokens().await;
        let room = window.map(|n| {
            (n.saturating_sub(self.config.max_tokens).saturating_sub(64)) as usize
                * prompt::CHARS_PER_TOKEN
        });
        let mut messages =
            prompt::messages(task, ticket, conversation, context, room).map_err(|t| {
                AiError::Rejected(format!(
                    "the model's context of {} tokens is too small: the prompt needs about {} \
                     tokens besides the answer's {} (ai.max_tokens); give the server a larger \
                     context or lower ai.max_tokens",
                    window.unwrap_or_default(),
                    t.needed_chars / prompt::CHARS_PER_TOKEN,
                    self.config.max_tokens
                ))
            })?;
        let response_format = match self.config.response_format {
            ResponseFormat::JsonSchema => {
                let mut schema = task.schema();
                if self.endpoint.starts_with("https://api.openai.com/") {
                    without_lengths(&mut schema);
                }
                json!({
                    "type": "json_schema",
                    "json_schema": {
                        "name": task.schema_name(),
                        "strict": true,
                        "schema": schema,
                    }
                })
            }
            ResponseFormat::JsonObject => {
                if let Some(Value::String(system)) = messages.pointer_mut("/0/content") {
                    system.push_str("\n\nThe JSON Schema of your answer: ");
                    system.push_str(&task.schema().to_string());
                }
                json!({"type": "json_object"})
            }
        };
        let mut body = json!({
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
            "response_format": response_format,
        });
        if let Value::Object(map) = &mut body {
            if let Some(p) = self.config.frequency_penalty {
                map.insert("frequency_penalty".into(), json!(p));
            }
            if let Some(p) = self.config.repeat_penalty {
                map.insert("repeat_penalty".into(), json!(p));
            }
        }
        Ok(body)
    }

    /// Sends `body` and reads the answer with `read`; an answer that does not fit the schema
    /// is asked for once more, the model told what was wrong with it (small local models often
    /// get it right the second time), then reported.
    async fn checked<T>(
        &self,
        mut body: Value,
        read: impl Fn(&str) -> Result<T, AiError>,
    ) -> Result<T, AiError> {
        let text = self.send(&self.endpoint, &body).await?;
        match read(&text) {
            Err(AiError::Malformed(why)) => {
                if let Some(Value::Array(messages)) = body.get_mut("messages") {
                    messages.push(json!({
                        "role": "user",
                        "content": format!(
                            "Your answer was not valid: {why}. Answer again with JSON that \
                             matches the schema exactly."
                        ),
                    }));
                }
                let again = self.send(&self.endpoint, &body).await?;
                read(&again)
            }
            other => other,
        }
    }

    /// Sends `body`, retrying as the module describes, and returns the successful response's
    /// text.
    async fn send(&self, url: &str, body: &Value) -> Result<String, AiError> {
        let started = Instant::now();
        match tokio::time::timeout(self.config.deadline, self.attempts(url, body)).await {
            Ok(result) => {
                tracing::debug!(
                    model = %self.config.model,
                    elapsed_ms = started.elapsed().as_millis(),
                    ok = result.is_ok(),
                    "AI call"
                );
                result
            }
            Err(_) => Err(AiError::Unavailable(format!(
                "no answer within {:?} (ai.deadline)",
                self.config.deadline
            ))),
        }
    }

    async fn attempts(&self, url: &str, body: &Value) -> Result<String, AiError> {
        let mut backoff = self.config.initial_backoff;
        let mut attempt: u32 = 0;
        loop {
            let (error, asked) = match self.attempt(url, body).await {
                Attempt::Done(text) => return Ok(text),
                Attempt::Fatal(error) => return Err(error),
                Attempt::Retry(error, asked) => (error, asked),
            };
            attempt += 1;
            if attempt > self.config.max_retries {
                return Err(match error {
                    AiError::Unavailable(what) => {
                        AiError::Unavailable(format!("{what} (gave up after {attempt} attempts)"))
                    }
                    other => other,
                });
            }
            let delay = match asked {
                Some(wait) if wait > self.config.max_retry_wait => {
                    return Err(AiError::Unavailable(format!(
                        "{error}; the service asks to wait {} s, longer than ai.max_retry_wait",
                        wait.as_secs()
                    )));
                }
                Some(wait) => wait,
                None => backoff,
            };
            tracing::warn!(
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %error,
                "AI call failed; retrying"
            );
            tokio::time::sleep(delay).await;
            backoff = backoff.saturating_mul(2).min(self.config.max_retry_wait);
        }
    }

    async fn attempt(&self, url: &str, body: &Value) -> Attempt {
        let response = match self.http.post(url).json(body).send().await {
            Ok(response) => response,
            Err(e) => return Attempt::Retry(self.transport(&e), None),
        };
        let status = response.status();
        let asked = retry_after(response.headers());
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => return Attempt::Retry(self.transport(&e), None),
        };
        if status.is_success() {
            Attempt::Done(text)
        } else if retryable(status) {
            Attempt::Retry(self.status_error(status, &text), asked)
        } else {
            Attempt::Fatal(self.status_error(status, &text))
        }
    }

    fn transport(&self, e: &reqwest::Error) -> AiError {
        if e.is_timeout() {
            AiError::Unavailable(format!(
                "no answer within {:?} (ai.timeout)",
                self.config.timeout
            ))
        } else {
            AiError::Unavailable(format!(
                "cannot reach the AI service: {}",
                self.scrub(&error_chain(e))
            ))
        }
    }

    /// The error for an unsuccessful status; the server's own message is included, scrubbed,
    /// except for authentication failures, whose messages tend to quote the key.
    fn status_error(&self, status: StatusCode, body: &str) -> AiError {
        let code = status.as_u16();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return AiError::Rejected(format!(
                "the AI service refused the credentials (HTTP {code}); check ai.api_key"
            ));
        }
        let message = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message")
                    .or_else(|| v.get("error"))
                    .or_else(|| v.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| body.to_owned());
        let message = short(&self.scrub(&message));
        let what = if message.is_empty() {
            format!("HTTP {code}")
        } else {
            format!("HTTP {code}: {message}")
        };
        if retryable(status) {
            AiError::Unavailable(what)
        } else {
            AiError::Rejected(what)
        }
    }

    /// `text` with the API key, and anything shaped like an OpenAI key, blanked out.
    fn scrub(&self, text: &str) -> String {
        let mut text = match &self.config.api_key {
            Some(key) if !key.expose().is_empty() => text.replace(key.expose(), "***"),
            _ => text.to_owned(),
        };
        while let Some(start) = text.find("sk-") {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '.'))
                .map_or(text.len(), |n| start + n);
            text.replace_range(start..end, "***");
        }
        text
    }
}

/// How one HTTP attempt ended.
enum Attempt {
    Done(String),
    Retry(AiError, Option<Duration>),
    Fatal(AiError),
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// The wait a 429 or 503 asks for: `retry-after-ms` (OpenAI), or `Retry-After` as seconds or
/// an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (at.to_utc() - chrono::Utc::now()).num_milliseconds().max(0);
    Some(Duration::from_millis(u64::try_from(secs).unwrap_or(0)))
}

/// A reqwest error with its causes, which carry the useful part ("connection refused").
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// One line of at most 300 characters.
pub(crate) fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// One log line per call with what it cost.
fn log_usage(what: &str, ticket: &Ticket, usage: &frontdesk_domain::ai::AiUsage) {
    tracing::info!(
        ticket = %ticket.number,
        model = %usage.model,
        prompt_tokens = usage.prompt_tokens,
        completion_tokens = usage.completion_tokens,
        "{what}"
    );
}

#[async_trait]
impl AiAssistant for OpenAiAssistant {
    async fn analyze(
        &self,
        ticket: &Ticket,
        conversation: &[Message],
    ) -> Result<Analysis, AiError> {
        let body = self
            .request(Task::Analyze, ticket, conversation, None)
            .await?;
        let analysis = self
            .checked(body, |text| {
                answer::analysis(answer::envelope(text, &self.config.model)?)
            })
            .await?;
        log_usage("AI analysis", ticket, &analysis.usage);
        Ok(analysis)
    }

    async fn draft_reply(
        &self,
        ticket: &Ticket,
        conversation: &[Message],
        context: &DraftContext,
    ) -> Result<Draft, AiError> {
        let body = self
            .request(Task::Draft, ticket, conversation, Some(context))
            .await?;
        let draft = self
            .checked(body, |text| {
                answer::draft(answer::envelope(text, &self.config.model)?)
            })
            .await?;
        log_usage("AI draft", ticket, &draft.usage);
        Ok(draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_itself_gets_the_schema_without_string_lengths() {
        // OpenAI's strict structured outputs refuse minLength/maxLength; local grammars need
        // them (a small model loops inside an unbounded string).
        for task in [Task::Analyze, Task::Draft] {
            let mut schema = task.schema();
            assert!(schema.to_string().contains("maxLength"));
            without_lengths(&mut schema);
            let text = schema.to_string();
            assert!(
                !text.contains("maxLength") && !text.contains("minLength"),
                "{text}"
            );
            // What OpenAI takes stays: enumerations, patterns, integer ranges, item counts.
            assert!(text.contains("\"maximum\":100"), "{text}");
        }
        let mut analysis = Task::Analyze.schema();
        without_lengths(&mut analysis);
        assert_eq!(
            analysis["properties"]["language"]["pattern"],
            "^[a-z][a-z]$"
        );
    }
}
