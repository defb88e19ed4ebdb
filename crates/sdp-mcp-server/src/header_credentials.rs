//! Header-credential mode (opt-in, `SDP_MCP_ALLOW_HEADER_CREDENTIALS=true`):
//! a client passes its SDP credentials in `X-SDP-*` headers on every request.
//!
//! Nothing is persisted. The user context (and so the access token) is kept in
//! memory under a keyed hash of the credentials (HMAC-SHA256 with a random key
//! of this process), which is also the principal's id: two requests share a
//! context, session and token exactly when they carry the same credentials.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sdp_mcp_store::{SdpAuth, SdpCredentials};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::auth::{AuthError, UserId};
use crate::context::UserContext;
use crate::registry::StoreUserContexts;
use crate::upstream::{Upstream, upstream_config_from_store};

const CLIENT_ID: &str = "x-sdp-client-id";
const CLIENT_SECRET: &str = "x-sdp-client-secret";
const REFRESH_TOKEN: &str = "x-sdp-refresh-token";
const INSTANCE: &str = "x-sdp-instance";
const BASE_URL: &str = "x-sdp-base-url";
const DATA_CENTER: &str = "x-sdp-data-center";
const ACCOUNTS_URL: &str = "x-sdp-accounts-url";

/// The per-process key of the credential hash.
pub(crate) struct HeaderCredentials {
    key: [u8; 32],
}

impl HeaderCredentials {
    /// A fresh random hash key.
    pub(crate) fn new() -> Self {
        let mut key = [0_u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self { key }
    }

    /// Whether the request carries header credentials at all.
    pub(crate) fn present(headers: &HeaderMap) -> bool {
        headers.contains_key(REFRESH_TOKEN)
    }

    /// The principal of these credentials, with their context ready in `contexts`.
    pub(crate) fn principal_for(
        &self,
        headers: &HeaderMap,
        contexts: &StoreUserContexts,
    ) -> Result<UserId, AuthError> {
        let text = |name: &'static str| -> Result<Option<String>, AuthError> {
            match headers.get(name) {
                None => Ok(None),
                Some(value) => value
                    .to_str()
                    .map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
                    .map_err(|_| AuthError::BadHeaderCredentials(name)),
            }
        };
        let required = |name: &'static str| -> Result<String, AuthError> {
            text(name)?.ok_or(AuthError::BadHeaderCredentials(name))
        };
        let client_id = required(CLIENT_ID)?;
        let client_secret = SecretString::from(required(CLIENT_SECRET)?);
        let refresh_token = SecretString::from(required(REFRESH_TOKEN)?);
        let instance = text(INSTANCE)?;
        let base_url = text(BASE_URL)?;
        let data_center = text(DATA_CENTER)?;
        let accounts_url = text(ACCOUNTS_URL)?;
        if base_url.is_none() && data_center.is_none() {
            return Err(AuthError::BadHeaderCredentials(
                "x-sdp-base-url or x-sdp-data-center",
            ));
        }
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).map_err(|_| AuthError::Unavailable)?;
        for field in [
            Some(client_id.as_str()),
            Some(client_secret.expose_secret()),
            Some(refresh_token.expose_secret()),
            instance.as_deref(),
            base_url.as_deref(),
            data_center.as_deref(),
            accounts_url.as_deref(),
        ] {
            let field = field.unwrap_or("");
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        let digest = mac.finalize().into_bytes();
        let hex = digest[..16]
            .iter()
            .fold(String::with_capacity(32), |mut hex, byte| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{byte:02x}");
                hex
            });
        let user_id = UserId::new(format!("hdr_{hex}"));
        let credentials = SdpCredentials {
            auth: SdpAuth::CloudOAuth {
                client_id: Some(client_id),
                client_secret: Some(client_secret),
                refresh_token,
                scopes: Vec::new(),
            },
            instance,
            base_url,
            accounts_url,
            data_center,
        };
        contexts
            .ensure_prebuilt(&user_id, || {
                let config = upstream_config_from_store(&credentials)?;
                let upstream = Upstream::with_http(&config, contexts.http().clone());
                Ok(UserContext::new(user_id.clone(), upstream))
            })
            .map_err(|problem| {
                tracing::info!(%problem, "rejected unusable X-SDP-* header credentials");
                AuthError::BadHeaderCredentials(
                    "the SDP address (instance, base URL or data center) is invalid",
                )
            })?;
        Ok(user_id)
    }
}
