//! `POST /token` (authorization_code with PKCE; refresh_token with rotation
//! and reuse detection) and `POST /revoke` (RFC 7009).

use std::collections::HashMap;
use std::time::SystemTime;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sdp_mcp_store::{
    CodeRedemption, NewOAuthToken, OAuthTokenKind, RefreshRotation, StoreError, UserId, UserStatus,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::page::oauth_error;
use super::{
    ACCESS_TOKEN_PREFIX, OAuthState, REFRESH_TOKEN_PREFIX, ct_eq, hash_token, random_token,
};

type Params = HashMap<String, String>;

fn bad(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

fn invalid_grant(description: &str) -> Response {
    bad("invalid_grant", description)
}

fn unavailable(error: &StoreError) -> Response {
    tracing::error!(%error, "OAuth token endpoint: store failed");
    oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "try again in a moment",
    )
}

/// Authenticates the client of a token or revocation request: it must be
/// registered, and a confidential client must send its secret.
async fn authenticate_client(state: &OAuthState, params: &Params) -> Result<String, Response> {
    let invalid_client = || {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong client secret; register again",
        )
    };
    let client_id = params.get("client_id").ok_or_else(invalid_client)?;
    let client = match state.store().get_oauth_client(client_id).await {
        Ok(Some(record)) => record.client,
        Ok(None) => return Err(invalid_client()),
        Err(error) => return Err(unavailable(&error)),
    };
    if let Some(expected) = &client.client_secret_hash {
        let given = params.get("client_secret").map(|s| hash_token(s));
        if !given.is_some_and(|given| ct_eq(&given, expected)) {
            return Err(invalid_client());
        }
    }
    Ok(client.client_id)
}

/// `POST /token`.
pub(super) async fn token(State(state): State<OAuthState>, Form(params): Form<Params>) -> Response {
    let client_id = match authenticate_client(&state, &params).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&state, &client_id, &params).await,
        Some("refresh_token") => refresh(&state, &client_id, &params).await,
        _ => bad(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let valid = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    valid
        && ct_eq(
            &URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            challenge,
        )
}

async fn authorization_code(state: &OAuthState, client_id: &str, params: &Params) -> Response {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let (code, verifier) = (param("code"), param("code_verifier"));
    if code.is_empty() || verifier.is_empty() {
        return bad("invalid_request", "code and code_verifier are required");
    }
    let record = match state.store().redeem_oauth_code(&hash_token(code)).await {
        Ok(CodeRedemption::Redeemed(record)) => record,
        Ok(CodeRedemption::Reused) => {
            tracing::warn!("authorization code reused; its tokens are revoked");
            state
                .audit(
                    None,
                    "oauth.code_reuse",
                    Some(format!("client {client_id}")),
                    sdp_mcp_store::AuditOutcome::Denied,
                    Some("tokens revoked"),
                )
                .await;
            return invalid_grant("the authorization code was already used");
        }
        Ok(CodeRedemption::Unknown) => return invalid_grant("unknown authorization code"),
        Err(error) => return unavailable(&error),
    };
    if record.client_id != client_id {
        return invalid_grant("the code was issued to another client");
    }
    if record.expires_at <= SystemTime::now() {
        return invalid_grant("the authorization code has expired");
    }
    if param("redirect_uri") != record.redirect_uri {
        return invalid_grant("redirect_uri does not match the authorization request");
    }
    if !pkce_matches(verifier, &record.code_challenge) {
        return invalid_grant("the PKCE code_verifier does not match the code_challenge");
    }
    if let Some(resource) = params.get("resource")
        && Some(resource) != record.resource.as_ref()
    {
        return bad("invalid_target", "resource must be this server's /mcp URL");
    }
    if !user_active(state, &record.user_id).await {
        return invalid_grant("the user is disabled");
    }
    issue(
        state,
        client_id,
        &record.user_id,
        &record.scopes,
        record.resource,
        &record.code_hash,
    )
    .await
}

async fn user_active(state: &OAuthState, user_id: &UserId) -> bool {
    matches!(
        state.store().get_user(user_id).await,
        Ok(Some(user)) if user.status == UserStatus::Active
    )
}

async fn refresh(state: &OAuthState, client_id: &str, params: &Params) -> Response {
    let presented = params
        .get("refresh_token")
        .map(String::as_str)
        .unwrap_or_default();
    if presented.is_empty() {
        return bad("invalid_request", "refresh_token is required");
    }
    let record = match state
        .store()
        .take_oauth_refresh_token(&hash_token(presented))
        .await
    {
        Ok(RefreshRotation::Taken(record)) => record,
        Ok(RefreshRotation::Reused) => {
            tracing::warn!("refresh token reused after rotation; its grant is revoked");
            state
                .audit(
                    None,
                    "oauth.refresh_reuse",
                    Some(format!("client {client_id}")),
                    sdp_mcp_store::AuditOutcome::Denied,
                    Some("grant revoked"),
                )
                .await;
            return invalid_grant("the refresh token was already used; sign in again");
        }
        Ok(RefreshRotation::Unknown) => return invalid_grant("unknown refresh token"),
        Err(error) => return unavailable(&error),
    };
    let user_active = record.user_active;
    let token = record.token;
    if token.client_id != client_id {
        return invalid_grant("the refresh token was issued to another client");
    }
    if token.expires_at <= SystemTime::now() || !user_active {
        return invalid_grant("the refresh token has expired or the user is disabled");
    }
    if let Some(resource) = params.get("resource")
        && Some(resource) != token.resource.as_ref()
    {
        return bad("invalid_target", "resource must be this server's /mcp URL");
    }
    if let Some(scope) = params.get("scope")
        && scope
            .split(' ')
            .any(|s| !s.is_empty() && !token.scopes.iter().any(|t| t == s))
    {
        return bad("invalid_scope", "a refresh cannot widen the granted scopes");
    }
    issue(
        state,
        client_id,
        &token.user_id,
        &token.scopes,
        token.resource,
        &token.family_id,
    )
    .await
}

/// Issues an access and a refresh token in `family`.
async fn issue(
    state: &OAuthState,
    client_id: &str,
    user_id: &UserId,
    scopes: &[String],
    resource: Option<String>,
    family: &str,
) -> Response {
    let config = state.config();
    let now = SystemTime::now();
    let access = random_token(ACCESS_TOKEN_PREFIX);
    let refresh = random_token(REFRESH_TOKEN_PREFIX);
    let record = |kind, token: &str, ttl| NewOAuthToken {
        token_hash: hash_token(token),
        kind,
        client_id: client_id.to_owned(),
        user_id: user_id.clone(),
        scopes: scopes.to_vec(),
        resource: resource.clone(),
        family_id: family.to_owned(),
        expires_at: now + ttl,
    };
    let records = [
        record(OAuthTokenKind::Access, &access, config.access_token_ttl),
        record(OAuthTokenKind::Refresh, &refresh, config.refresh_token_ttl),
    ];
    if let Err(error) = state.store().insert_oauth_tokens(&records).await {
        return unavailable(&error);
    }
    tracing::info!(user = %user_id, client_id, "issued MCP OAuth tokens");
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": config.access_token_ttl.as_secs(),
        "refresh_token": refresh,
        "scope": scopes.join(" "),
    });
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `POST /revoke` (RFC 7009): revokes the token and the rest of its grant.
/// Unknown tokens are not an error.
pub(super) async fn revoke(
    State(state): State<OAuthState>,
    Form(params): Form<Params>,
) -> Response {
    let client_id = match authenticate_client(&state, &params).await {
        Ok(id) => id,
        Err(response) => return response,
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return bad("invalid_request", "token is required");
    };
    let hash = hash_token(token);
    match state.store().find_oauth_token(&hash).await {
        Ok(Some(record)) if record.token.client_id == client_id => {
            if let Err(error) = state.store().revoke_oauth_token(&hash).await {
                return unavailable(&error);
            }
            tracing::info!(client_id, "revoked MCP OAuth grant");
        }
        Ok(_) => {}
        Err(error) => return unavailable(&error),
    }
    StatusCode::OK.into_response()
}
