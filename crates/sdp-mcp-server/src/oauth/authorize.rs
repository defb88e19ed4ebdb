//! `GET /authorize` (validates the request, shows the consent page and sets
//! the browser-binding cookie) and `POST /authorize` (the consent decision:
//! on approval the browser goes to Zoho with our own single-use `state`).
//!
//! An unknown client or unregistered redirect URI gets an HTML error page,
//! never a redirect; other errors go back to the client's redirect URI.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sdp_client::auth::AuthorizeRequest;

use super::page::{Consent, consent_page, error_page, harden, redirect_to, redirect_with};
use super::pending::{self, PENDING_TTL, Pending};
use super::{MCP_SCOPE, OAuthState, random_token};

/// Name of the cookie binding an authorization to the browser that started it.
pub(super) fn cookie_name(state: &OAuthState) -> &'static str {
    if state.config().secure_cookies() {
        "__Host-sdp_mcp_oauth"
    } else {
        "sdp_mcp_oauth"
    }
}

/// The browser-binding cookie's value, if sent.
pub(super) fn browser_cookie(state: &OAuthState, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Redirects an error to the client (with `state` and `iss`).
pub(super) fn client_error(
    state: &OAuthState,
    redirect_uri: &str,
    client_state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(s) = client_state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", state.config().issuer()));
    redirect_with(redirect_uri, &pairs)
}

/// `GET /authorize`.
pub(super) async fn authorize_get(
    State(state): State<OAuthState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let client_id = param("client_id");
    let client = match state.store().get_oauth_client(client_id).await {
        Ok(Some(record)) => record.client,
        Ok(None) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Unknown application",
                "The client_id is not registered with this server. Let the application register again.",
            );
        }
        Err(error) => {
            tracing::error!(%error, "cannot read an OAuth client");
            return unavailable();
        }
    };
    let redirect_uri = param("redirect_uri");
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            "The redirect_uri is not registered for this application.",
        );
    }
    let redirect_uri = redirect_uri.to_owned();
    let client_state = params.get("state").cloned();
    let fail = |error: &str, description: &str| {
        client_error(
            &state,
            &redirect_uri,
            client_state.as_deref(),
            error,
            description,
        )
    };
    if param("response_type") != "code" {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let challenge = param("code_challenge");
    if param("code_challenge_method") != "S256" || !is_s256_challenge(challenge) {
        return fail(
            "invalid_request",
            "PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256",
        );
    }
    if let Some(resource) = params.get("resource")
        && *resource != state.config().resource()
    {
        return fail("invalid_target", "resource must be this server's /mcp URL");
    }
    let Some(scopes) = parse_scopes(params.get("scope").map(String::as_str)) else {
        return fail("invalid_scope", "the only scope is sdp");
    };
    let pending = Pending {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        state: client_state.clone(),
        code_challenge: challenge.to_owned(),
        scopes: scopes.clone(),
    };
    let started = match pending::start(state.store(), &pending).await {
        Ok(Some(started)) => started,
        Ok(None) => return fail("temporarily_unavailable", "too many sign-ins in progress"),
        Err(error) => {
            tracing::error!(%error, "cannot store a pending sign-in");
            return unavailable();
        }
    };
    let action = format!("{}/authorize", state.config().issuer());
    let html = consent_page(&Consent {
        action: &action,
        client_name: client.client_name.as_deref(),
        client_id: &client.client_id,
        redirect_uri: &redirect_uri,
        scopes: &scopes,
        pending_id: &started.pending_id,
        csrf: &started.csrf,
    });
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        cookie_name(&state),
        started.browser_secret,
        PENDING_TTL.as_secs(),
        if state.config().secure_cookies() {
            "; Secure"
        } else {
            ""
        },
    );
    let mut response = harden(Html(html).into_response());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The page of a store failure.
pub(super) fn unavailable() -> Response {
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        "The server cannot reach its database. Try again in a moment; if it persists, tell the administrator.",
    )
}

fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The requested scopes: absent or empty means [`MCP_SCOPE`]; anything else is refused.
pub(super) fn parse_scopes(scope: Option<&str>) -> Option<Vec<String>> {
    let requested: Vec<&str> = scope
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if requested.iter().any(|s| *s != MCP_SCOPE) {
        return None;
    }
    Some(vec![MCP_SCOPE.to_owned()])
}

/// The consent form.
#[derive(serde::Deserialize)]
pub(super) struct ConsentForm {
    pending: String,
    csrf: String,
    decision: String,
}

/// `POST /authorize`: the consent decision.
pub(super) async fn consent_post(
    State(state): State<OAuthState>,
    headers: HeaderMap,
    Form(form): Form<ConsentForm>,
) -> Response {
    let cookie = browser_cookie(&state, &headers).unwrap_or_default();
    let taken = match pending::take_consent(state.store(), &form.pending, &form.csrf, &cookie).await
    {
        Ok(taken) => taken,
        Err(error) => {
            tracing::error!(%error, "cannot read a pending sign-in");
            return unavailable();
        }
    };
    let Some(consented) = taken else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "This sign-in page has expired, was already used or was opened in another browser. \
             Start the sign-in again from your application.",
        );
    };
    let pending = &consented.pending;
    if form.decision != "approve" {
        return client_error(
            &state,
            &pending.redirect_uri,
            pending.state.as_deref(),
            "access_denied",
            "the user denied access",
        );
    }
    let config = state.config();
    let zoho_state = random_token("");
    let request = AuthorizeRequest {
        client_id: config.zoho_client_id.clone(),
        redirect_uri: config.zoho_redirect_uri(),
        scopes: config.scopes.clone(),
        state: Some(zoho_state.clone()),
        offline: true,
        force_consent: true,
    };
    let url = match request.url(&config.zoho_accounts_url) {
        Ok(url) => url,
        Err(error) => {
            tracing::error!(%error, "cannot build the Zoho authorize URL");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Misconfigured server",
                "The Zoho accounts URL of this server is unusable; tell the administrator.",
            );
        }
    };
    match pending::await_zoho(state.store(), &zoho_state, &consented).await {
        Ok(true) => {}
        Ok(false) => {
            return client_error(
                &state,
                &pending.redirect_uri,
                pending.state.as_deref(),
                "temporarily_unavailable",
                "too many sign-ins in progress",
            );
        }
        Err(error) => {
            tracing::error!(%error, "cannot store a pending sign-in");
            return unavailable();
        }
    }
    let mut response = redirect_to(url.as_str());
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}
