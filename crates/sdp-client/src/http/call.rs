//! A generic API call and its parsed answer.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::SdpError;
use crate::models::FileUpload;
use crate::models::lenient;
use crate::query::list_info::ListInfoResponse;
use crate::status::{ApiMessage, ResponseStatus, parse_response_status};

/// One SDP call: method, path segments under the API root, optional
/// `input_data` (query parameter on GET/DELETE, form field on POST/PUT) and
/// optional multipart upload.
#[derive(Clone, Debug)]
pub struct ApiCall {
    pub(crate) method: Method,
    pub(crate) segments: Vec<String>,
    pub(crate) input_data: Option<Value>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) upload: Option<FileUpload>,
    pub(crate) portal_scoped: bool,
}

impl ApiCall {
    /// A call of `method` on `segments` (e.g. `["requests", "42", "notes"]`).
    pub fn new<S: Into<String>>(method: Method, segments: impl IntoIterator<Item = S>) -> Self {
        ApiCall {
            method,
            segments: segments.into_iter().map(Into::into).collect(),
            input_data: None,
            query: Vec::new(),
            upload: None,
            portal_scoped: true,
        }
    }

    /// GET.
    pub fn get<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        ApiCall::new(Method::GET, segments)
    }

    /// POST.
    pub fn post<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        ApiCall::new(Method::POST, segments)
    }

    /// PUT.
    pub fn put<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        ApiCall::new(Method::PUT, segments)
    }

    /// DELETE.
    pub fn delete<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        ApiCall::new(Method::DELETE, segments)
    }

    /// Sets `input_data` (the whole JSON document, e.g. `{"request": {...}}`).
    pub fn input_data(mut self, input: Value) -> Self {
        self.input_data = Some(input);
        self
    }

    /// Adds a plain query parameter (e.g. `ids` of `send_notification`).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Attaches a file as multipart field `input_file`.
    pub fn upload(mut self, file: FileUpload) -> Self {
        self.upload = Some(file);
        self
    }

    /// Addresses `{base}/api/v3/…` without the portal (portal discovery).
    pub fn without_portal(mut self) -> Self {
        self.portal_scoped = false;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path segments.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

/// A successful (2xx, not all-failed) JSON answer. Writes may have an empty
/// body, which reads as `Value::Null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiResponse {
    /// HTTP status.
    pub http_status: u16,
    /// The body (`Null` when empty).
    pub body: Value,
    /// `response_status` entries (object or array form).
    pub statuses: Vec<ResponseStatus>,
}

impl ApiResponse {
    pub(crate) fn from_body(http_status: u16, body: Value) -> Self {
        let statuses = parse_response_status(&body);
        ApiResponse {
            http_status,
            body,
            statuses,
        }
    }

    /// Per-item failure messages of a 200 answer (bulk writes).
    pub fn failures(&self) -> Vec<&ApiMessage> {
        self.statuses
            .iter()
            .filter(|s| s.is_failure())
            .flat_map(|s| s.messages.iter())
            .collect()
    }

    /// `true` when some items failed and some succeeded.
    pub fn is_partial(&self) -> bool {
        self.statuses.iter().any(ResponseStatus::is_failure)
    }

    /// Prose messages of all entries (e.g. the text of a link/unlink).
    pub fn messages(&self) -> Vec<&str> {
        self.statuses
            .iter()
            .flat_map(|s| s.messages.iter())
            .filter_map(|m| m.message.as_deref())
            .collect()
    }

    /// The `list_info` echo of a list answer.
    pub fn list_info(&self) -> ListInfoResponse {
        self.body
            .get("list_info")
            .and_then(|v| lenient::coerce(v.clone()))
            .unwrap_or_default()
    }

    /// The object under the first of `keys` present, or else the only object
    /// member of the body other than `response_status` / `list_info`.
    pub fn entity_value(&self, keys: &[&str]) -> Option<&Value> {
        let object = self.body.as_object()?;
        if let Some(found) = keys
            .iter()
            .find_map(|k| object.get(*k).filter(|v| v.is_object()))
        {
            return Some(found);
        }
        let mut candidates = object
            .iter()
            .filter(|(k, v)| v.is_object() && !is_envelope_key(k));
        let only = candidates.next()?;
        candidates.next().is_none().then_some(only.1)
    }

    /// The array under the first of `keys` present, or else the only array
    /// member other than `response_status`.
    pub fn list_value(&self, keys: &[&str]) -> Option<&Vec<Value>> {
        let object = self.body.as_object()?;
        if let Some(found) = keys
            .iter()
            .find_map(|k| object.get(*k).and_then(Value::as_array))
        {
            return Some(found);
        }
        let mut candidates = object
            .iter()
            .filter(|(k, v)| v.is_array() && !is_envelope_key(k));
        let only = candidates.next()?;
        if candidates.next().is_some() {
            return None;
        }
        only.1.as_array()
    }

    /// Reads the entity under `keys` as `T`.
    ///
    /// # Errors
    /// [`SdpError::UnexpectedResponse`] when it is missing or unreadable.
    pub fn entity<T: DeserializeOwned>(&self, keys: &[&str]) -> Result<T, SdpError> {
        let value = self
            .entity_value(keys)
            .ok_or_else(|| SdpError::UnexpectedResponse {
                http_status: self.http_status,
                detail: format!(
                    "no `{}` object in the answer",
                    keys.first().unwrap_or(&"entity")
                ),
            })?;
        T::deserialize(value).map_err(|e| SdpError::UnexpectedResponse {
            http_status: self.http_status,
            detail: format!("`{}` does not read: {e}", keys.first().unwrap_or(&"entity")),
        })
    }

    /// Reads the list under `keys` as `Vec<T>`; items that do not read are
    /// skipped (models are tolerant, so this only drops non-objects). A
    /// missing list reads as empty.
    pub fn list<T: DeserializeOwned>(&self, keys: &[&str]) -> Vec<T> {
        self.list_value(keys)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| T::deserialize(v).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn is_envelope_key(key: &str) -> bool {
    key == "response_status" || key == "list_info"
}
