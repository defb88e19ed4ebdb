//! `response_status` parsing: SDP sends it as an object on single-entity
//! answers and errors, and as an array on lists and bulk writes (reference
//! §4.1, §4.2). Both shapes become a `Vec<ResponseStatus>`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::lenient;

/// One `response_status` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseStatus {
    /// `2000` on success; usually the generic `4000` on failure, with the
    /// specific code in [`ResponseStatus::messages`].
    #[serde(default, deserialize_with = "lenient::option")]
    pub status_code: Option<u32>,
    /// `"success"` or `"failed"`.
    #[serde(default, deserialize_with = "lenient::option")]
    pub status: Option<String>,
    /// Detail messages.
    #[serde(default, deserialize_with = "lenient::vec")]
    pub messages: Vec<ApiMessage>,
    /// Members not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ResponseStatus {
    /// `true` when this entry reports a failure (`status: failed` or a code ≥ 4000,
    /// or a failed message).
    pub fn is_failure(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("failed") || s.eq_ignore_ascii_case("failure"))
            || self.status_code.is_some_and(|c| c >= 4000)
            || self.messages.iter().any(ApiMessage::is_failure)
    }
}

/// One entry of `response_status.messages[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiMessage {
    /// Specific status code (4001, 4012, …).
    #[serde(default, deserialize_with = "lenient::option")]
    pub status_code: Option<u32>,
    /// `"failed"` on errors.
    #[serde(default, rename = "type", deserialize_with = "lenient::option")]
    pub kind: Option<String>,
    /// Prose, when SDP sends any.
    #[serde(default, deserialize_with = "lenient::option")]
    pub message: Option<String>,
    /// The single offending field (4001, 4002, 4008, 4009, …).
    #[serde(default, deserialize_with = "lenient::option")]
    pub field: Option<String>,
    /// All offending fields (4012 lists every missing mandatory field).
    #[serde(default, deserialize_with = "lenient::vec")]
    pub fields: Vec<String>,
    /// Members not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ApiMessage {
    /// `true` when the message reports a failure.
    pub fn is_failure(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("failed"))
            || self.status_code.is_some_and(|c| c >= 4000)
    }
}

/// Reads `response_status` from a response body, accepting object or array.
/// Returns an empty vector when the member is absent or unusable.
pub fn parse_response_status(body: &Value) -> Vec<ResponseStatus> {
    match body.get("response_status") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| ResponseStatus::deserialize(item).ok())
            .collect(),
        Some(item @ Value::Object(_)) => {
            ResponseStatus::deserialize(item).ok().into_iter().collect()
        }
        _ => Vec::new(),
    }
}
