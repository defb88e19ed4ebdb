//! `GET /oauth/zoho/callback`: Zoho sends the browser back here. The Zoho
//! `state` must name a consented authorization of this same browser; the code
//! is exchanged, the Zoho account identified (`/oauth/user/info`) and checked
//! against the allow-list, the user created or updated in the store with the
//! Zoho refresh token (encrypted by the store), and the browser sent to the
//! MCP client with our own code, its `state` and `iss`.

use std::collections::HashMap;
use std::time::SystemTime;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sdp_client::auth::{CodeExchange, exchange_code, revoke_token};
use sdp_mcp_store::{
    AuditOutcome, AuthMethod, NewOAuthCode, NewUser, SdpAuth, SdpCredentials, SecretString,
    StoreError, UserId, UserStatus,
};
use secrecy::ExposeSecret as _;
use serde_json::Value;

use super::authorize::{browser_cookie, client_error, unavailable};
use super::page::{error_page, redirect_with};
use super::pending::{self, Pending};
use super::{OAuthState, ct_eq, hash_token, random_token};

/// Lifetime of the authorization codes this server issues.
const CODE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The Zoho account that signed in.
#[derive(Debug)]
struct ZohoAccount {
    email: String,
    display_name: Option<String>,
}

/// Why the sign-in failed after consent; sent to the client as `error`.
struct Failure {
    error: &'static str,
    description: &'static str,
}

const fn failure(error: &'static str, description: &'static str) -> Failure {
    Failure { error, description }
}

/// `GET /oauth/zoho/callback`.
pub(super) async fn zoho_callback(
    State(state): State<OAuthState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let zoho_state = params.get("state").map(String::as_str).unwrap_or_default();
    let cookie = browser_cookie(&state, &headers).unwrap_or_default();
    let pending = match pending::take_zoho(state.store(), zoho_state, &cookie).await {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(%error, "cannot read a pending sign-in");
            return unavailable();
        }
    };
    let Some(pending) = pending else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "This sign-in has expired, was already completed or was started in another browser. \
             Start the sign-in again from your application.",
        );
    };
    let fail = |f: Failure| {
        client_error(
            &state,
            &pending.redirect_uri,
            pending.state.as_deref(),
            f.error,
            f.description,
        )
    };
    let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
        return fail(failure(
            "access_denied",
            "the Zoho sign-in was not completed",
        ));
    };
    match complete(&state, &pending, code).await {
        Ok(our_code) => {
            let mut pairs = vec![("code", our_code.as_str())];
            if let Some(s) = pending.state.as_deref() {
                pairs.push(("state", s));
            }
            pairs.push(("iss", state.config().issuer()));
            redirect_with(&pending.redirect_uri, &pairs)
        }
        Err(f) => fail(f),
    }
}

/// Exchanges Zoho's code, stores the user, issues our code.
async fn complete(state: &OAuthState, pending: &Pending, code: &str) -> Result<String, Failure> {
    let config = state.config();
    let redirect_uri = config.zoho_redirect_uri();
    let grant = exchange_code(
        &state.inner.http,
        &CodeExchange {
            accounts_url: &config.zoho_accounts_url,
            client_id: &config.zoho_client_id,
            client_secret: &config.zoho_client_secret,
            code,
            redirect_uri: Some(&redirect_uri),
        },
    )
    .await
    .map_err(|error| {
        tracing::warn!(%error, "Zoho code exchange failed");
        failure("server_error", "the Zoho sign-in could not be completed")
    })?;
    let account = user_info(state, &grant.access_token).await?;
    let Some(refresh_token) = grant.refresh_token else {
        return Err(failure(
            "server_error",
            "Zoho granted no offline access; sign in again",
        ));
    };
    if !config.allows(&account.email) {
        tracing::warn!(email = %account.email, "OAuth sign-in refused: account not allowed");
        state
            .audit(
                None,
                "oauth.sign_in",
                Some(format!("zoho account {}", account.email)),
                AuditOutcome::Denied,
                Some("not on the allow-list"),
            )
            .await;
        if let Err(error) =
            revoke_token(&state.inner.http, &config.zoho_accounts_url, &refresh_token).await
        {
            tracing::warn!(%error, "cannot revoke the refused account's Zoho token");
        }
        return Err(failure(
            "access_denied",
            "this Zoho account is not allowed to use this server",
        ));
    }
    let user_id = upsert_user(state, &account, refresh_token, grant.scopes).await?;
    state
        .audit(
            Some(user_id.clone()),
            "oauth.sign_in",
            Some(format!("client {}", pending.client_id)),
            AuditOutcome::Success,
            None,
        )
        .await;
    let our_code = random_token("sdpoc_");
    let record = NewOAuthCode {
        code_hash: hash_token(&our_code),
        client_id: pending.client_id.clone(),
        user_id,
        redirect_uri: pending.redirect_uri.clone(),
        code_challenge: pending.code_challenge.clone(),
        code_challenge_method: "S256".to_owned(),
        scopes: pending.scopes.clone(),
        resource: Some(config.resource()),
        expires_at: SystemTime::now() + CODE_TTL,
    };
    state
        .store()
        .create_oauth_code(&record)
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot store an authorization code");
            failure("temporarily_unavailable", "the sign-in could not be stored")
        })?;
    Ok(our_code)
}

/// `GET {accounts}/oauth/user/info` with the fresh Zoho access token.
async fn user_info(state: &OAuthState, token: &SecretString) -> Result<ZohoAccount, Failure> {
    let unknown = || failure("server_error", "the Zoho account could not be identified");
    let url = format!("{}/oauth/user/info", state.config().zoho_accounts_url);
    let response = state
        .inner
        .http
        .get(url)
        .header(
            reqwest::header::AUTHORIZATION,
            format!("Zoho-oauthtoken {}", token.expose_secret()),
        )
        .send()
        .await
        .map_err(|error| {
            tracing::warn!(error = %error.without_url(), "Zoho user info failed");
            unknown()
        })?;
    if !response.status().is_success() {
        tracing::warn!(
            status = response.status().as_u16(),
            "Zoho user info refused"
        );
        return Err(unknown());
    }
    let value: Value = response.json().await.map_err(|_| unknown())?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let email = text("Email").ok_or_else(unknown)?.to_ascii_lowercase();
    Ok(ZohoAccount {
        email,
        display_name: text("Display_Name"),
    })
}

/// The store name of a Zoho account: its email, with characters the store
/// refuses replaced by `_`.
fn user_name(email: &str) -> String {
    email
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

async fn upsert_user(
    state: &OAuthState,
    account: &ZohoAccount,
    refresh_token: SecretString,
    scopes: Vec<String>,
) -> Result<UserId, Failure> {
    let config = state.config();
    let store = state.store();
    let unavailable = |error: StoreError| {
        tracing::error!(%error, "cannot store the signed-in user");
        failure("temporarily_unavailable", "the sign-in could not be stored")
    };
    let credentials = SdpCredentials {
        auth: SdpAuth::CloudOAuth {
            // The organisation's client, stored with each user so the
            // per-user upstream needs no other configuration.
            client_id: Some(config.zoho_client_id.clone()),
            client_secret: Some(config.zoho_client_secret.clone()),
            refresh_token,
            scopes: if scopes.is_empty() {
                config.scopes.clone()
            } else {
                scopes
            },
        },
        instance: config.portal.clone(),
        base_url: config.sdp_base_url.clone(),
        accounts_url: Some(config.zoho_accounts_url.clone()),
        data_center: config.data_center.clone(),
    };
    let name = user_name(&account.email);
    for _ in 0..2 {
        if let Some(user) = store.get_user_by_name(&name).await.map_err(unavailable)? {
            if user.status == UserStatus::Disabled {
                tracing::warn!(user = %user.id, "OAuth sign-in refused: user disabled");
                return Err(failure(
                    "access_denied",
                    "this account is disabled on this server",
                ));
            }
            let previous = store.load_credentials(&user.id).await.ok().flatten();
            store
                .update_credentials(&user.id, credentials.clone())
                .await
                .map_err(unavailable)?;
            tracing::info!(user = %user.id, "OAuth sign-in: updated user");
            revoke_replaced(state, previous, &credentials).await;
            return Ok(user.id);
        }
        let new_user = NewUser {
            name: name.clone(),
            display_name: account.display_name.clone(),
            email: Some(account.email.clone()),
            auth_method: AuthMethod::OAuth,
            credentials: Some(credentials.clone()),
            issue_api_key: false,
        };
        match store.create_user(new_user).await {
            Ok((user, _)) => {
                tracing::info!(user = %user.id, "OAuth sign-in: created user");
                return Ok(user.id);
            }
            // Created concurrently: update it on the next pass.
            Err(StoreError::UserExists { .. }) => {}
            Err(error) => return Err(unavailable(error)),
        }
    }
    Err(failure(
        "temporarily_unavailable",
        "the sign-in could not be stored",
    ))
}

/// Revokes (best effort) the Zoho refresh token a new sign-in replaced, so
/// grants do not pile up at Zoho (20 per user and client).
async fn revoke_replaced(
    state: &OAuthState,
    previous: Option<SdpCredentials>,
    new: &SdpCredentials,
) {
    let (
        Some(SdpCredentials {
            auth: SdpAuth::CloudOAuth {
                refresh_token: old, ..
            },
            accounts_url,
            ..
        }),
        SdpAuth::CloudOAuth {
            refresh_token: current,
            ..
        },
    ) = (previous, &new.auth)
    else {
        return;
    };
    if ct_eq(old.expose_secret(), current.expose_secret()) {
        return;
    }
    let accounts_url = accounts_url.unwrap_or_else(|| state.config().zoho_accounts_url.clone());
    if let Err(error) = revoke_token(&state.inner.http, &accounts_url, &old).await {
        tracing::info!(%error, "cannot revoke the replaced Zoho refresh token");
    }
}
