//! One authenticated SDP call, as the synchronous engine sees it: who calls,
//! on which portal, with which `input_data`, files and time.

use axum::http::Method;
use bytes::Bytes;

use super::knobs::SdpKnobs;
use super::wire::{ApiError, Record};

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Email of the technician (Zoho account or technician-key owner).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Granted scopes; `None` = all (on-prem technician key).
    pub scopes: Option<Vec<String>>,
}

impl Caller {
    /// Whether the caller may perform `op` (`READ`…) on scope module `module`.
    pub fn allows(&self, module: &str, op: &str) -> bool {
        let Some(scopes) = &self.scopes else {
            return true;
        };
        scopes.iter().any(|scope| {
            let mut parts = scope.split('.');
            let (Some(product), Some(m), Some(o), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return false;
            };
            product.eq_ignore_ascii_case("SDPOnDemand")
                && m.eq_ignore_ascii_case(module)
                && (o.eq_ignore_ascii_case("ALL") || o.eq_ignore_ascii_case(op))
        })
    }
}

/// A file of a multipart upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Form field name (`input_file`).
    pub field: String,
    /// File name.
    pub name: String,
    /// Content type.
    pub content_type: String,
    /// Content.
    pub bytes: Bytes,
}

/// An authenticated call.
#[derive(Debug)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// The caller.
    pub caller: Caller,
    /// Parsed top-level `input_data` (empty when absent).
    pub input: Record,
    /// Other query/form parameters (`ids`, `description`, …).
    pub params: Vec<(String, String)>,
    /// Uploaded files.
    pub files: Vec<Upload>,
    /// Simulated time.
    pub now_ms: i64,
    /// Knobs.
    pub knobs: SdpKnobs,
}

impl Call {
    /// The entity object under the first of `keys` present. Any other
    /// top-level key → "Extra key found in JSON".
    pub fn entity(&self, keys: &[&str]) -> Result<Option<&Record>, ApiError> {
        if let Some(extra) = self.input.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(ApiError::extra_key(extra));
        }
        for key in keys {
            match self.input.get(*key) {
                Some(serde_json::Value::Object(map)) => return Ok(Some(map)),
                Some(serde_json::Value::Null) | None => {}
                Some(_) => return Err(ApiError::type_mismatch(key, "object")),
            }
        }
        Ok(None)
    }

    /// A query/form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
