//! Turning an HTTP answer into success or a typed error (reference §4, §4.6, §7 #4).

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde_json::Value;

use crate::error::{ApiError, SdpError};
use crate::status::{ResponseStatus, parse_response_status};

/// A raw answer.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What the transport loop should do with an answer.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Hand it to the caller.
    Accept,
    /// SDP said the credentials are invalid (4022): refresh once and retry.
    CredentialsRejected(SdpError),
    /// Retryable for idempotent calls (5xx, 429/4015), with `Retry-After`.
    Retryable(SdpError, Option<Duration>),
    /// Final failure.
    Fail(SdpError),
}

pub(crate) fn looks_like_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let html_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    html_type && first != Some(&b'{') && first != Some(&b'[') || first == Some(&b'<')
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Classifies an answer. `binary` answers (downloads) are accepted on any 2xx.
pub(crate) fn classify(raw: &RawResponse, binary: bool) -> Verdict {
    let status = raw.status;
    let success = (200..300).contains(&status);
    if success && binary {
        return Verdict::Accept;
    }
    let empty = raw.body.iter().all(u8::is_ascii_whitespace);
    if success && empty {
        return Verdict::Accept;
    }
    let html = !empty && looks_like_html(&raw.headers, &raw.body);
    let json: Option<Value> = if html || empty {
        None
    } else {
        // Only `response_status` matters here; the body proper is read once,
        // by the caller.
        super::direct::status_only(&raw.body).or_else(|| serde_json::from_slice(&raw.body).ok())
    };
    let wait = retry_after(&raw.headers);
    let api = json.as_ref().map(|body| ApiError {
        http_status: status,
        statuses: parse_response_status(body),
        retry_after: wait,
    });
    if status == 401 {
        if let Some(api) = api.as_ref().filter(|a| a.has_code(4022)) {
            return Verdict::CredentialsRejected(SdpError::Api(api.clone()));
        }
        return Verdict::Fail(SdpError::Unauthorized {
            http_status: status,
            html,
            api,
        });
    }
    if html {
        let error = SdpError::HtmlPage {
            http_status: status,
        };
        return if status >= 500 {
            Verdict::Retryable(error, wait)
        } else {
            Verdict::Fail(error)
        };
    }
    if success {
        let Some(api) = api else {
            return Verdict::Fail(SdpError::UnexpectedResponse {
                http_status: status,
                detail: "the body is not JSON".to_owned(),
            });
        };
        let all_failed =
            !api.statuses.is_empty() && api.statuses.iter().all(ResponseStatus::is_failure);
        if !all_failed {
            return Verdict::Accept;
        }
        if api.has_code(4015) {
            return Verdict::Retryable(SdpError::Api(api), wait);
        }
        return Verdict::Fail(SdpError::Api(api));
    }
    let api = api.unwrap_or(ApiError {
        http_status: status,
        statuses: Vec::new(),
        retry_after: wait,
    });
    let rate_limited = status == 429 || api.has_code(4015);
    if rate_limited || status >= 500 {
        return Verdict::Retryable(SdpError::Api(api), wait);
    }
    Verdict::Fail(SdpError::Api(api))
}
