//! `/oauth/v2/token`, `/oauth/v2/token/revoke` and `/oauth/user/info`.
//!
//! Token-endpoint errors are answered with HTTP 200 and an `error` member, as
//! Zoho does; only the throttle can use HTTP 400 (`SimConfig::throttle_status`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::model::{Minted, TokenError};
use super::{param, parse_params};
use crate::config::ThrottleStatus;
use crate::state::SimState;

/// `api_domain` of every token response (Zoho's API domain, not the SDP host).
pub const API_DOMAIN: &str = "https://www.zohoapis.com";
/// `error_description` of the mint throttle.
pub const THROTTLE_DESCRIPTION: &str =
    "You have made too many requests continuously. Please try again after some time.";

/// `POST /oauth/v2/token`: parameters from the query string and the form body
/// (the body wins on conflicts).
pub(crate) async fn token(
    State(state): State<Arc<SimState>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = parse_params(query.as_deref(), &body);
    let client_id = param(&params, "client_id");
    let secret = param(&params, "client_secret");
    let now = state.clock.now_ms();
    let result = {
        let mut zoho = state.zoho.lock();
        match param(&params, "grant_type") {
            "authorization_code" => zoho.exchange_code(
                client_id,
                secret,
                param(&params, "code"),
                params.get("redirect_uri").map(String::as_str),
                now,
            ),
            "refresh_token" => {
                zoho.refresh_grant(client_id, secret, param(&params, "refresh_token"), now)
            }
            "client_credentials" => {
                zoho.client_credentials(client_id, secret, param(&params, "scope"), now)
            }
            _ => Err(TokenError::UnsupportedGrantType),
        }
    };
    match result {
        Ok(minted) => {
            state.counters.record_grant(&minted.grant_key);
            success(&state, minted)
        }
        Err(TokenError::Throttled) => {
            let status = match state.config.throttle_status {
                ThrottleStatus::Ok200 => StatusCode::OK,
                ThrottleStatus::BadRequest400 => StatusCode::BAD_REQUEST,
            };
            let body = json!({
                "error": TokenError::Throttled.code(),
                "error_description": THROTTLE_DESCRIPTION,
                "status": "failure",
            });
            (status, Json(body)).into_response()
        }
        Err(error) => Json(json!({ "error": error.code() })).into_response(),
    }
}

fn success(state: &SimState, minted: Minted) -> Response {
    let mut body = Map::new();
    body.insert("access_token".into(), Value::String(minted.access_token));
    if let Some(refresh) = minted.refresh_token {
        body.insert("refresh_token".into(), Value::String(refresh));
    }
    if state.config.include_scope_in_token_response {
        body.insert("scope".into(), Value::String(minted.scopes.join(" ")));
    }
    body.insert("api_domain".into(), Value::String(API_DOMAIN.into()));
    body.insert("token_type".into(), Value::String("Bearer".into()));
    body.insert(
        "expires_in".into(),
        Value::from(state.config.token_ttl_secs),
    );
    Json(Value::Object(body)).into_response()
}

/// `POST /oauth/v2/token/revoke?token=…`: a refresh token (with its access
/// tokens) or an access token. Unknown → HTTP 400.
pub(crate) async fn revoke(
    State(state): State<Arc<SimState>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = parse_params(query.as_deref(), &body);
    if state.zoho.lock().revoke(param(&params, "token")) {
        Json(json!({ "status": "success" })).into_response()
    } else {
        let body = json!({ "status": "failure", "error": "invalid_token" });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

/// The token of an `Authorization: Zoho-oauthtoken <t>` or `Bearer <t>` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let known =
        scheme.eq_ignore_ascii_case("Zoho-oauthtoken") || scheme.eq_ignore_ascii_case("Bearer");
    known.then(|| token.trim())
}

/// `GET /oauth/user/info`: the token owner's profile.
pub(crate) async fn user_info(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    let now = state.clock.now_ms();
    let zoho = state.zoho.lock();
    let account = bearer(&headers)
        .and_then(|token| zoho.check_access_token(token, now).ok())
        .and_then(|grant| zoho.account(&grant.email));
    match account {
        Some(a) => Json(json!({
            "First_Name": a.first_name,
            "Last_Name": a.last_name,
            "Email": a.email,
            "Display_Name": a.display_name,
            "ZUID": a.zuid,
        }))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_oauthtoken" })),
        )
            .into_response(),
    }
}
