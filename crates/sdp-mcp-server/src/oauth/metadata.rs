//! Discovery documents: protected-resource metadata (RFC 9728) and
//! authorization-server metadata (RFC 8414). Built from the configured public
//! URL only, never from request headers.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{MCP_SCOPE, OAuthState};

fn json_document(value: serde_json::Value) -> Response {
    let mut response = axum::Json(value).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// `GET /.well-known/oauth-protected-resource[/mcp]`.
pub(super) async fn protected_resource(State(state): State<OAuthState>) -> Response {
    let config = state.config();
    json_document(json!({
        "resource": config.resource(),
        "authorization_servers": [config.issuer()],
        "scopes_supported": [MCP_SCOPE],
        "bearer_methods_supported": ["header"],
        "resource_name": "ServiceDesk Plus MCP",
    }))
}

/// `GET /.well-known/oauth-authorization-server`.
pub(super) async fn authorization_server(State(state): State<OAuthState>) -> Response {
    let issuer = state.config().issuer();
    json_document(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "registration_endpoint": format!("{issuer}/register"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "scopes_supported": [MCP_SCOPE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
    }))
}
