//! Frontdesk's AI assistants behind the domain's `AiAssistant` port:
//! [`offline::OfflineAssistant`] (the embedded default: deterministic, no network) and
//! [`openai::OpenAiAssistant`] (any OpenAI-compatible chat-completions server). Tests mock the
//! port itself with `frontdesk_domain::ports::MockAiAssistant` (the domain's `mocks` feature).
//!
//! Neither assistant decides whether a reply is sent: that is the domain's auto-send policy
//! (`frontdesk_domain::ai::AutoSendPolicy`), applied to whatever an assistant returns.

pub mod offline;
pub mod offline_text;
pub mod openai;

/// Which assistant answers, as configured: `offline` (the default) or `openai` (any
/// OpenAI-compatible server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    #[default]
    Offline,
    #[serde(rename = "openai")]
    OpenAi,
}

impl Provider {
    /// The configured name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::OpenAi => "openai",
        }
    }
}
