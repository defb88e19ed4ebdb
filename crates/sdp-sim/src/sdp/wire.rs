//! The SDP v3 wire conventions: the `Accept` check and its HTML login page,
//! `input_data` parsing, success envelopes and the `response_status` error
//! body with its HTTP status (`reference/sdp-api.md` §3, §4).

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

/// The vendor media type every SDP v3 call must accept.
pub const SDP_MEDIA_TYPE: &str = "application/vnd.manageengine.sdp.v3+json";
/// The short media type one integrator uses (knob `accept_short_media_type`).
pub const SHORT_MEDIA_TYPE: &str = "application/v3+json";

/// A JSON object, the simulator's storage and wire form of an entity.
pub type Record = Map<String, Value>;

/// An SDP error: one or more `messages[]` under the generic 4000 wrapper.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The entries of `response_status.messages`.
    pub messages: Vec<Value>,
    /// HTTP status; derived from the first message's code unless overridden.
    pub http: StatusCode,
}

impl ApiError {
    /// An error with one message of `code` and prose `message`.
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        Self {
            messages: vec![
                json!({"status_code": code, "type": "failed", "message": message.into()}),
            ],
            http: http_status(code),
        }
    }

    /// An error of `code` about `field` (`messages[0].field`).
    pub fn field(code: u32, field: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(code, message);
        if let Some(Value::Object(m)) = error.messages.first_mut() {
            m.insert("field".into(), Value::String(field.to_owned()));
        }
        error
    }

    /// 4000 "Extra key found in JSON" naming `key`.
    pub fn extra_key(key: &str) -> Self {
        Self::field(4000, key, format!("Extra key found in JSON: {key}"))
    }

    /// 4001: the value given for `field` does not exist or is not allowed.
    pub fn invalid_value(field: &str) -> Self {
        Self::field(4001, field, format!("Value given for {field} is not valid"))
    }

    /// 4012 with every missing field in one message.
    pub fn mandatory(fields: &[String]) -> Self {
        Self {
            messages: vec![json!({
                "status_code": 4012,
                "type": "failed",
                "fields": fields,
                "message": format!("Mandatory fields missing: {}", fields.join(", ")),
            })],
            http: StatusCode::BAD_REQUEST,
        }
    }

    /// 4021: `field` has the wrong JSON type.
    pub fn type_mismatch(field: &str, expected: &str) -> Self {
        Self::field(
            4021,
            field,
            format!("Data type mismatch for {field}: expected {expected}"),
        )
    }

    /// 4007 "Invalid URL".
    pub fn invalid_url() -> Self {
        Self::new(4007, "Invalid URL")
    }

    /// 4007 for an id that names nothing.
    pub fn not_found(entity: &str, id: &str) -> Self {
        Self::new(4007, format!("No {entity} found with id {id}"))
    }

    /// 401 with a 4022 message.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(4022, message)
    }

    /// Overrides the HTTP status.
    pub fn with_http(mut self, http: StatusCode) -> Self {
        self.http = http;
        self
    }

    /// The specific code of the first message.
    pub fn code(&self) -> u64 {
        self.messages
            .first()
            .and_then(|m| m.get("status_code"))
            .and_then(Value::as_u64)
            .unwrap_or(4000)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({"response_status": {
            "status_code": 4000,
            "status": "failed",
            "messages": self.messages,
        }})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.http, &self.body())
    }
}

/// HTTP status of an SDP status code (§4.3).
pub fn http_status(code: u32) -> StatusCode {
    match code {
        4002 => StatusCode::FORBIDDEN,
        4004 => StatusCode::INTERNAL_SERVER_ERROR,
        4007 => StatusCode::NOT_FOUND,
        4015 => StatusCode::TOO_MANY_REQUESTS,
        4022 => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// `{"status_code":2000,"status":"success"}`.
pub fn success_status() -> Value {
    json!({"status_code": 2000, "status": "success"})
}

/// `{<key>: entity, "response_status": {2000}}`.
pub fn single(key: &str, entity: Value) -> Value {
    let mut body = Map::new();
    body.insert(key.to_owned(), entity);
    body.insert("response_status".into(), success_status());
    Value::Object(body)
}

/// `{"response_status": {2000}}` — the DELETE answer.
pub fn deleted() -> Value {
    json!({"response_status": success_status()})
}

/// A list envelope: `response_status` array, `list_info`, plural key.
pub fn list(key: &str, items: Vec<Value>, list_info: Value) -> Value {
    let mut body = Map::new();
    body.insert("response_status".into(), json!([success_status()]));
    body.insert("list_info".into(), list_info);
    body.insert(key.to_owned(), Value::Array(items));
    Value::Object(body)
}

/// A JSON response with the SDP content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// Whether the `Accept` header admits SDP v3 JSON.
pub fn accepts_v3(headers: &HeaderMap, allow_short: bool) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .any(|v| v == SDP_MEDIA_TYPE || (allow_short && v == SHORT_MEDIA_TYPE))
}

/// The portal's HTML login page, served with HTTP 200 to callers that do not
/// accept the vendor media type (§4.6).
pub fn login_page(portal: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html><head><title>ServiceDesk Plus - Login</title></head>\
         <body><form id=\"login\" action=\"/app/{portal}/login\" method=\"post\">\
         <h1>ServiceDesk Plus</h1><p>Sign in to continue to {portal}.</p>\
         <input name=\"username\"/><input name=\"password\" type=\"password\"/>\
         <button type=\"submit\">Sign in</button></form></body></html>"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
        html,
    )
        .into_response()
}

/// Raw bytes (attachment download).
pub fn raw_response(content_type: &str, name: &str, body: Bytes) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// The `input_data` value among form/query pairs, if any.
pub fn find_input_data(pairs: &[(String, String)]) -> Option<&str> {
    pairs
        .iter()
        .find(|(k, _)| k == "input_data")
        .map(|(_, v)| v.as_str())
}

/// Decodes `application/x-www-form-urlencoded` bytes.
pub fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// Parses an `input_data` document into its top-level object. Tolerates
/// Python-repr JSON when `single_quotes` is set.
pub fn parse_input_data(text: &str, single_quotes: bool) -> Result<Record, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Record::new());
    }
    let parsed = serde_json::from_str::<Value>(trimmed).or_else(|e| {
        if single_quotes {
            serde_json::from_str::<Value>(&python_to_json(trimmed)).map_err(|_| e)
        } else {
            Err(e)
        }
    });
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(4000, "input_data must be a JSON object")),
        Err(e) => Err(ApiError::new(
            4000,
            format!("Unable to parse the given input_data: {e}"),
        )),
    }
}

/// Rewrites Python-repr JSON (`'…'` strings, `True/False/None`) as JSON.
fn python_to_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match word.as_str() {
            "True" => out.push_str("true"),
            "False" => out.push_str("false"),
            "None" => out.push_str("null"),
            w => out.push_str(w),
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                flush(&mut word, &mut out);
                out.push('"');
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            if let Some(next) = chars.next() {
                                if next == '\'' {
                                    out.push('\'');
                                } else {
                                    out.push('\\');
                                    out.push(next);
                                }
                            }
                        }
                        q if q == c => break,
                        '"' => out.push_str("\\\""),
                        other => out.push(other),
                    }
                }
                out.push('"');
            }
            c if c.is_ascii_alphabetic() => word.push(c),
            other => {
                flush(&mut word, &mut out);
                out.push(other);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr_is_tolerated() {
        let parsed = parse_input_data(
            "{'request': {'subject': \"it's\", 'x': True, 'y': None}}",
            true,
        );
        let map = parsed.unwrap_or_default();
        assert_eq!(map["request"]["subject"], "it's");
        assert_eq!(map["request"]["x"], true);
        assert!(map["request"]["y"].is_null());
        assert!(parse_input_data("{'a': 1}", false).is_err());
    }
}
