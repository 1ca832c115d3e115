//! Frontdesk's AI assistants behind the domain's `AiAssistant` port: [`offline::OfflineAssistant`]
//! (the embedded default: deterministic, no network) and, as the AI issue proceeds, an
//! OpenAI-compatible adapter.

pub mod offline;
