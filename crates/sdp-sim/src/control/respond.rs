//! The answers of a fired [`FaultRule`].

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt as _;
use serde_json::json;

use super::FaultRule;

/// Largest real body read back for `drop_connection` / `malformed_json`.
const BODY_LIMIT: usize = 64 * 1024 * 1024;
/// Body sent when the real one is too short to cut.
const FALLBACK_FRAGMENT: &[u8] = br#"{"response_status":{"status_code":2000,"sta"#;

/// Applies a fired rule to the call.
pub(super) async fn apply(rule: &FaultRule, request: Request, next: Next) -> Response {
    if let Some(ms) = rule.latency_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mut response = if rule.drop_connection {
        dropped(next.run(request).await).await
    } else if rule.malformed_json {
        truncated(next.run(request).await).await
    } else if rule.empty_body {
        emptied(next.run(request).await)
    } else if rule.html_200 {
        login_page()
    } else if let Some(code) = rule.sdp_status_code {
        sdp_error(code, rule.http_status)
    } else if let Some(status) = rule.http_status {
        plain_status(status)
    } else if rule.error_rate.is_some() {
        sdp_error(4004, None)
    } else {
        next.run(request).await
    };
    if let Some(secs) = rule.retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// HTTP status SDP uses for a `messages[].status_code`.
pub(crate) fn http_status_of(code: u32) -> StatusCode {
    match code {
        4015 => StatusCode::TOO_MANY_REQUESTS,
        4022 => StatusCode::UNAUTHORIZED,
        4004 => StatusCode::INTERNAL_SERVER_ERROR,
        4007 => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn message_of(code: u32) -> &'static str {
    match code {
        4001 => "Invalid value given",
        4002 => "Operation not permitted",
        4004 => "Internal Error",
        4005 => "Reference exists",
        4007 => "Invalid URL",
        4008 => "Not unique",
        4009 => "Non editable field",
        4012 => "Mandatory fields missing",
        4014 => "Read only field",
        4015 => "API Rate Limit reached",
        4016 => "Time mismatch",
        4021 => "Data type mismatch",
        4022 => "Invalid API Key",
        7001 => "Not allowed by the current license",
        _ => "Failed",
    }
}

fn sdp_error(code: u32, http_status: Option<u16>) -> Response {
    let status = http_status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or_else(|| http_status_of(code));
    let body = json!({
        "response_status": {
            "status_code": 4000,
            "status": "failed",
            "messages": [{
                "status_code": code,
                "type": "failed",
                "message": message_of(code),
            }],
        }
    });
    (status, axum::Json(body)).into_response()
}

fn plain_status(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = format!("simulated fault: HTTP {}\n", status.as_u16());
    (status, body).into_response()
}

fn login_page() -> Response {
    Html(
        "<!DOCTYPE html>\n<html><head><title>ManageEngine ServiceDesk Plus</title></head>\
         <body><form method=\"post\" action=\"/j_security_check\"><h2>Sign in</h2>\
         <input name=\"j_username\"><input name=\"j_password\" type=\"password\">\
         <button>Login</button></form></body></html>\n",
    )
    .into_response()
}

/// The real response's parts and its body, read to the end.
async fn read_back(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

fn first_half(bytes: &Bytes) -> Bytes {
    if bytes.len() < 4 {
        Bytes::from_static(FALLBACK_FRAGMENT)
    } else {
        bytes.slice(..bytes.len() / 2)
    }
}

async fn dropped(response: Response) -> Response {
    let (mut parts, bytes) = read_back(response).await;
    parts.status = StatusCode::OK;
    let head = futures::stream::once(async move { Ok(first_half(&bytes)) });
    // Pausing lets hyper flush the status line, headers and the first chunk
    // before the error aborts the connection.
    let abort = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated dropped connection",
        ))
    });
    Response::from_parts(parts, Body::from_stream(head.chain(abort)))
}

async fn truncated(response: Response) -> Response {
    let (mut parts, bytes) = read_back(response).await;
    parts.status = StatusCode::OK;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    Response::from_parts(parts, Body::from(first_half(&bytes)))
}

fn emptied(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    Response::from_parts(parts, Body::empty())
}
