//! Reading a chat-completions response: the documented envelope, then the model's JSON checked
//! against the schema it was given. Anything else is [`AiError::Malformed`], never a panic.

use frontdesk_domain::ai::AiUsage;
use frontdesk_domain::ports::{AiError, Analysis, Draft, Sentiment};
use frontdesk_domain::ticket::{Category, Priority};
use serde::Deserialize;

/// The parts of the response envelope Frontdesk reads.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// The model's JSON content of a response, and what the call cost.
#[derive(Debug)]
pub(crate) struct Answer {
    pub content: String,
    pub usage: AiUsage,
}

/// Opens the envelope of a successful (HTTP 2xx) response.
pub(crate) fn envelope(body: &str, requested_model: &str) -> Result<Answer, AiError> {
    let envelope: Envelope = serde_json::from_str(body).map_err(|e| {
        AiError::Malformed(format!("the response is not chat-completions JSON: {e}"))
    })?;
    let usage = AiUsage {
        model: envelope
            .model
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| requested_model.to_owned()),
        prompt_tokens: envelope.usage.as_ref().map_or(0, |u| u.prompt_tokens),
        completion_tokens: envelope.usage.as_ref().map_or(0, |u| u.completion_tokens),
    };
    let choice = envelope
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| AiError::Malformed("the response has no choices".into()))?;
    let message = choice
        .message
        .ok_or_else(|| AiError::Malformed("the response's choice has no message".into()))?;
    if let Some(refusal) = message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(AiError::Rejected(format!(
            "the model refused: {}",
            super::short(&refusal)
        )));
    }
    match choice.finish_reason.as_deref() {
        Some("length") => {
            return Err(AiError::Malformed(
                "the answer was cut off at the token limit (raise max_tokens)".into(),
            ));
        }
        Some("content_filter") => {
            return Err(AiError::Rejected(
                "the answer was withheld by the service's content filter".into(),
            ));
        }
        _ => {}
    }
    let content = message
        .content
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AiError::Malformed("the answer is empty".into()))?;
    Ok(Answer { content, usage })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalysisJson {
    summary: String,
    priority: String,
    category: String,
    sentiment: String,
    language: String,
    mentions_order: bool,
    mentions_account: bool,
    confidence: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftJson {
    body: String,
    confidence: f64,
    sources: Vec<String>,
}

/// The model's analysis, checked: priority and category from Frontdesk's sets, a known
/// sentiment, a two-letter language, a confidence percentage in 0..100 (given as 0..1); the
/// summary is cut to three sentences.
pub(crate) fn analysis(answer: Answer) -> Result<Analysis, AiError> {
    let a: AnalysisJson = parse_json(&answer.content)?;
    let priority = a
        .priority
        .trim()
        .to_lowercase()
        .parse::<Priority>()
        .map_err(|_| violation("priority", &a.priority))?;
    let category = a
        .category
        .trim()
        .to_lowercase()
        .parse::<Category>()
        .map_err(|_| violation("category", &a.category))?;
    let sentiment = Sentiment::parse(&a.sentiment.trim().to_lowercase())
        .ok_or_else(|| violation("sentiment", &a.sentiment))?;
    let language = a.language.trim().to_lowercase();
    if language.len() != 2 || !language.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(violation("language", &a.language));
    }
    let summary = three_sentences(a.summary.trim());
    if summary.is_empty() {
        return Err(AiError::Malformed(
            "the analysis has an empty summary".into(),
        ));
    }
    Ok(Analysis {
        summary,
        priority,
        category,
        sentiment,
        language,
        mentions_order: a.mentions_order,
        mentions_account: a.mentions_account,
        confidence: confidence(a.confidence)?,
        usage: answer.usage,
    })
}

/// The model's draft, checked: a non-empty body and a confidence in 0..1.
pub(crate) fn draft(answer: Answer) -> Result<Draft, AiError> {
    let d: DraftJson = parse_json(&answer.content)?;
    let body = d.body.trim().to_owned();
    if body.is_empty() {
        return Err(AiError::Malformed("the draft's body is empty".into()));
    }
    Ok(Draft {
        body,
        confidence: confidence(d.confidence)?,
        sources: d
            .sources
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        usage: answer.usage,
    })
}

/// Parses the model's JSON; a Markdown code fence around it, which some local models add even
/// in JSON mode, is tolerated.
fn parse_json<T: for<'de> Deserialize<'de>>(content: &str) -> Result<T, AiError> {
    let text = content.trim();
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.trim_end().strip_suffix("```"))
        .unwrap_or(text);
    serde_json::from_str(text)
        .map_err(|e| AiError::Malformed(format!("the answer does not match the schema: {e}")))
}

fn violation(field: &str, value: &str) -> AiError {
    AiError::Malformed(format!(
        "the answer's {field} {:?} is not allowed",
        super::short(value)
    ))
}

/// The answer's confidence, a whole percentage 0..=100 as the schema asks, as a share 0..1.
fn confidence(v: f64) -> Result<f32, AiError> {
    if v.is_finite() && (0.0..=100.0).contains(&v) && v.fract() == 0.0 {
        // A whole number in 0..=100: the narrowing keeps it exactly.
        #[allow(clippy::cast_possible_truncation)]
        Ok((v / 100.0) as f32)
    } else {
        Err(AiError::Malformed(format!(
            "the answer's confidence {v} is not a whole number from 0 to 100"
        )))
    }
}

/// The first three sentences of `text` (a sentence ends at `.`, `!` or `?` followed by white
/// space or the end).
fn three_sentences(text: &str) -> String {
    let mut ends = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|(_, n)| n.is_whitespace()) {
            ends += 1;
            if ends == 3 {
                return text[..i + c.len_utf8()].to_owned();
            }
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_keep_three_sentences() {
        assert_eq!(
            three_sentences("One. Two! Three? Four. Five."),
            "One. Two! Three?"
        );
        assert_eq!(
            three_sentences("Version 1.2 is out. Two."),
            "Version 1.2 is out. Two."
        );
    }

    #[test]
    fn fenced_json_is_read() {
        let d: DraftJson =
            parse_json("```json\n{\"body\":\"Hi\",\"confidence\":0.5,\"sources\":[]}\n```")
                .unwrap();
        assert_eq!(d.body, "Hi");
    }
}
