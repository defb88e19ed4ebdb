//! `POST /register`: dynamic client registration (RFC 7591).
//!
//! Redirect URIs must be absolute https URLs, or http on a loopback host
//! (`localhost`, `127.0.0.0/8`, `[::1]`), without fragment or control
//! characters. Public clients (`token_endpoint_auth_method=none`, the default)
//! get no secret; `client_secret_post` clients get one, shown once and stored
//! as a SHA-256 hash.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sdp_mcp_store::NewOAuthClient;
use serde::Deserialize;
use serde_json::{Value, json};

use super::config::is_loopback_host;
use super::page::oauth_error;
use super::{OAuthState, hash_token, random_token};

/// Registration requests larger than this are refused.
const MAX_REDIRECT_URIS: usize = 10;

#[derive(Deserialize)]
struct Registration {
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
}

fn invalid(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

/// Why `uri` cannot be a redirect URI, if it cannot.
pub(super) fn redirect_uri_problem(uri: &str) -> Option<&'static str> {
    if uri.chars().any(char::is_control) {
        return Some("contains control characters");
    }
    let Ok(url) = url::Url::parse(uri) else {
        return Some("is not an absolute URL");
    };
    if url.fragment().is_some() {
        return Some("has a fragment");
    }
    let loopback = url.host_str().is_some_and(is_loopback_host);
    match url.scheme() {
        "https" if url.host_str().is_some() => None,
        "http" if loopback => None,
        "http" => Some("uses http on a host that is not loopback; use https"),
        _ => Some("must use https (or http on a loopback host)"),
    }
}

/// `POST /register`.
pub(super) async fn register(State(state): State<OAuthState>, body: Bytes) -> Response {
    let Ok(raw) = serde_json::from_slice::<Value>(&body) else {
        return invalid("invalid_client_metadata", "the body must be a JSON object");
    };
    let Ok(request) = serde_json::from_value::<Registration>(raw.clone()) else {
        return invalid(
            "invalid_client_metadata",
            "the client metadata has fields of the wrong type",
        );
    };
    if request.redirect_uris.is_empty() || request.redirect_uris.len() > MAX_REDIRECT_URIS {
        return invalid("invalid_redirect_uri", "give 1 to 10 redirect_uris");
    }
    for uri in &request.redirect_uris {
        if let Some(problem) = redirect_uri_problem(uri) {
            return invalid(
                "invalid_redirect_uri",
                &format!("the redirect URI {uri} {problem}"),
            );
        }
    }
    let method = request
        .token_endpoint_auth_method
        .unwrap_or_else(|| "none".to_owned());
    if method != "none" && method != "client_secret_post" {
        return invalid(
            "invalid_client_metadata",
            "token_endpoint_auth_method must be none or client_secret_post",
        );
    }
    let grant_types = request
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".to_owned(), "refresh_token".to_owned()]);
    if grant_types
        .iter()
        .any(|g| g != "authorization_code" && g != "refresh_token")
    {
        return invalid(
            "invalid_client_metadata",
            "grant_types may only hold authorization_code and refresh_token",
        );
    }
    let response_types = request
        .response_types
        .unwrap_or_else(|| vec!["code".to_owned()]);
    if response_types.iter().any(|r| r != "code") {
        return invalid(
            "invalid_client_metadata",
            "response_types must be [\"code\"]",
        );
    }
    let client_name = request.client_name.map(|n| {
        n.chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>()
    });
    let client_id = random_token("mcp_client_");
    let secret = (method == "client_secret_post").then(|| random_token("sdpocs_"));
    let client = NewOAuthClient {
        client_id: client_id.clone(),
        client_secret_hash: secret.as_deref().map(hash_token),
        client_name: client_name.clone(),
        redirect_uris: request.redirect_uris.clone(),
        grant_types: grant_types.clone(),
        token_endpoint_auth_method: method.clone(),
        metadata: Some(raw.to_string()).filter(|m| m.len() <= 8192),
    };
    if let Err(error) = state.store().register_oauth_client(&client).await {
        tracing::error!(%error, "cannot store an OAuth client registration");
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the registration could not be stored",
        );
    }
    tracing::info!(client_id = %client_id, "registered OAuth client");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut answer = json!({
        "client_id": client_id,
        "client_id_issued_at": now,
        "redirect_uris": request.redirect_uris,
        "grant_types": grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": method,
    });
    if let Some(name) = client_name {
        answer["client_name"] = json!(name);
    }
    if let Some(secret) = secret {
        answer["client_secret"] = json!(secret);
        answer["client_secret_expires_at"] = json!(0);
    }
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}
