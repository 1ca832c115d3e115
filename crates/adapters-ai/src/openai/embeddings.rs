//! Embeddings from the same OpenAI-compatible server (`POST {base_url}/embeddings`), for
//! retrieval by meaning ([`Embedder`]): the same client, key, timeouts and retries as the
//! assistant's calls.

use async_trait::async_trait;
use frontdesk_domain::ports::{AiError, Embedder};
use serde::Deserialize;
use serde_json::json;

use super::{OpenAiAssistant, OpenAiConfig, short};

/// [`Embedder`] on an OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiEmbedder {
    client: OpenAiAssistant,
    url: String,
    model: String,
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: Vec<Item>,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    index: usize,
    embedding: Vec<f32>,
}

impl OpenAiEmbedder {
    /// Embeddings by `model` on the server `config` describes.
    ///
    /// # Errors
    /// As [`OpenAiAssistant::new`]; an empty model name.
    pub fn new(config: OpenAiConfig, model: &str) -> Result<Self, super::ConfigError> {
        if model.trim().is_empty() {
            return Err(super::ConfigError::Model);
        }
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        Ok(Self {
            client: OpenAiAssistant::new(config)?,
            url: format!("{base}/embeddings"),
            model: model.trim().to_owned(),
        })
    }
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn model(&self) -> String {
        self.model.clone()
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AiError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let body = json!({"model": self.model, "input": texts, "encoding_format": "float"});
        let text = self.client.send(&self.url, &body).await?;
        let answer: Answer = serde_json::from_str(&text).map_err(|e| {
            AiError::Malformed(format!("not an embeddings answer: {e}: {}", short(&text)))
        })?;
        if answer.data.len() != texts.len() {
            return Err(AiError::Malformed(format!(
                "{} embeddings for {} texts",
                answer.data.len(),
                texts.len()
            )));
        }
        let mut items = answer.data;
        items.sort_by_key(|i| i.index);
        let dims = items.first().map_or(0, |i| i.embedding.len());
        if dims == 0 || items.iter().any(|i| i.embedding.len() != dims) {
            return Err(AiError::Malformed(
                "embeddings of different or no length".into(),
            ));
        }
        Ok(items.into_iter().map(|i| i.embedding).collect())
    }
}
