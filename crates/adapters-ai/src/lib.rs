//! AI adapters (OpenAI-compatible, offline, mock) behind the domain's `AiAssistant` port.
//! Implemented in the AI-adapter issue; this crate only reserves its place in the workspace so
//! the dependency rule can be checked.
