//! Live check of a stored user's ServiceDesk Plus sign-in, for `sdp-mcp doctor`.

use std::sync::Arc;

use sdp_mcp_store::Store;

use crate::auth::{AuthMethod, Principal, UserId};
use crate::config::MultiUserConfig;
use crate::context::UserContexts as _;
use crate::registry::StoreUserContexts;

/// Builds `user_id`'s connection from the store exactly as the server would,
/// and obtains an access token from Zoho (or checks the on-premises key is
/// present). The error is a sentence naming the problem, never a secret.
///
/// # Errors
/// The stored credentials cannot be used, or the upstream refused them.
pub async fn check_stored_user(
    store: Arc<dyn Store>,
    http: reqwest::Client,
    settings: &MultiUserConfig,
    user_id: &str,
) -> Result<(), String> {
    let contexts = StoreUserContexts::new(store, http, settings);
    let principal = Principal {
        user_id: UserId::new(user_id.to_owned()),
        method: AuthMethod::ApiKey,
    };
    let context = contexts
        .context_for(&principal)
        .await
        .map_err(|error| error.to_string())?;
    context
        .upstream()
        .client()
        .token_source()
        .access_token()
        .await
        .map(|_| ())
        .map_err(|error| error.to_string())
}
