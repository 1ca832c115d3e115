//! Gmail push notifications: the Pub/Sub envelope Google POSTs when the mailbox changes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde_json::Value;

/// What a push says: which mailbox changed, and up to which history id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushNotification {
    pub email_address: String,
    pub history_id: String,
}

/// Why a push body was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("push body is not the Pub/Sub JSON envelope: {0}")]
    Envelope(String),
    #[error("push data is not base64 JSON with emailAddress and historyId: {0}")]
    Data(String),
}

/// Decodes `{"message": {"data": base64(JSON {"emailAddress", "historyId"}), …}, …}`.
///
/// # Errors
/// [`PushError`] naming what was wrong.
pub fn decode_push(body: &[u8]) -> Result<PushNotification, PushError> {
    let envelope: Value =
        serde_json::from_slice(body).map_err(|e| PushError::Envelope(e.to_string()))?;
    let data = envelope
        .pointer("/message/data")
        .and_then(Value::as_str)
        .ok_or_else(|| PushError::Envelope("no message.data".into()))?;
    let bytes = STANDARD
        .decode(data)
        .or_else(|_| URL_SAFE.decode(data))
        .map_err(|e| PushError::Data(e.to_string()))?;
    let inner: Value =
        serde_json::from_slice(&bytes).map_err(|e| PushError::Data(e.to_string()))?;
    let email_address = inner
        .get("emailAddress")
        .and_then(Value::as_str)
        .ok_or_else(|| PushError::Data("no emailAddress".into()))?
        .to_owned();
    let history_id = match inner.get("historyId") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(PushError::Data("no historyId".into())),
    };
    Ok(PushNotification {
        email_address,
        history_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_push_decodes() {
        // The shape in Google's "Push notifications" guide.
        let data =
            STANDARD.encode(br#"{"emailAddress": "user@example.com", "historyId": "9876543210"}"#);
        let body = format!(
            r#"{{"message": {{"data": "{data}", "messageId": "2070443601311540", "publishTime": "2021-02-26T19:13:55.749Z"}}, "subscription": "projects/myproject/subscriptions/mysubscription"}}"#
        );
        assert_eq!(
            decode_push(body.as_bytes()).unwrap(),
            PushNotification {
                email_address: "user@example.com".into(),
                history_id: "9876543210".into()
            }
        );
    }

    #[test]
    fn numeric_history_ids_are_accepted() {
        let data = STANDARD.encode(br#"{"emailAddress": "u@x.com", "historyId": 42}"#);
        let body = format!(r#"{{"message": {{"data": "{data}"}}}}"#);
        assert_eq!(decode_push(body.as_bytes()).unwrap().history_id, "42");
    }

    #[test]
    fn broken_pushes_are_typed_errors() {
        assert!(matches!(
            decode_push(b"not json"),
            Err(PushError::Envelope(_))
        ));
        assert!(matches!(
            decode_push(br#"{"message": {}}"#),
            Err(PushError::Envelope(_))
        ));
        assert!(matches!(
            decode_push(br#"{"message": {"data": "!!!"}}"#),
            Err(PushError::Data(_))
        ));
        let data = STANDARD.encode(br#"{"emailAddress": "u@x.com"}"#);
        assert!(matches!(
            decode_push(format!(r#"{{"message": {{"data": "{data}"}}}}"#).as_bytes()),
            Err(PushError::Data(_))
        ));
    }
}
