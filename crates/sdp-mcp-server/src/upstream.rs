//! One user's connection to ServiceDesk Plus: the typed client and what it
//! points at, built from configuration.

use std::sync::Arc;

use sdp_client::{
    OnPremApiKey, SdpClient, SdpClientConfig, Timeouts, TokenSource, ZohoCredentials,
    ZohoTokenSource,
};

use crate::config::{Credentials, UpstreamConfig};
use crate::error::ServerError;

/// One user's connection to ServiceDesk Plus.
#[derive(Clone)]
pub struct Upstream {
    client: SdpClient,
    credentials_kind: &'static str,
    client_id: Option<String>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("endpoint", self.client.endpoint())
            .field("credentials", &self.credentials_kind)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Builds the connection from configuration. No network call is made:
    /// bad credentials surface on the first tool call.
    ///
    /// # Errors
    /// [`ServerError::Upstream`] when the HTTP client cannot be built.
    pub fn from_config(config: &UpstreamConfig) -> Result<Self, ServerError> {
        let timeouts = Timeouts::default();
        let http = SdpClient::build_http_client(&timeouts)
            .map_err(|error| ServerError::Upstream(error.human_message()))?;
        let (tokens, client_id): (Arc<dyn TokenSource>, Option<String>) = match &config.credentials
        {
            Credentials::Zoho {
                client_id,
                client_secret,
                refresh_token,
                ..
            } => {
                let accounts_url = config.accounts_url.clone().unwrap_or_default();
                let source = ZohoTokenSource::new(
                    ZohoCredentials {
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                        refresh_token: refresh_token.clone(),
                        accounts_url,
                    },
                    http.clone(),
                );
                (Arc::new(source), Some(client_id.clone()))
            }
            Credentials::OnPrem { authtoken } => {
                (Arc::new(OnPremApiKey::new(authtoken.clone())), None)
            }
        };
        let mut client_config = SdpClientConfig::new(config.endpoint.clone());
        client_config.timeouts = timeouts;
        Ok(Self {
            client: SdpClient::new(client_config, tokens, http),
            credentials_kind: config.credentials.kind(),
            client_id,
        })
    }

    /// The typed SDP client.
    pub fn client(&self) -> &SdpClient {
        &self.client
    }

    /// `zoho_oauth` or `on_prem_api_key`.
    pub fn credentials_kind(&self) -> &'static str {
        self.credentials_kind
    }

    /// The Zoho client id, for cloud credentials.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }
}
