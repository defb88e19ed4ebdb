//! One user's connection to ServiceDesk Plus: the typed client and what it
//! points at, built from configuration.

use std::sync::Arc;

use sdp_client::{
    OnPremApiKey, SdpClient, SdpClientConfig, Timeouts, TokenSource, ZohoCredentials,
    ZohoTokenSource,
};

use crate::config::{Credentials, UpstreamConfig};
use crate::error::ServerError;

/// The HTTP client (connection pool, default time-outs) for SDP and Zoho.
///
/// # Errors
/// [`ServerError::Upstream`] when the TLS stack cannot be set up.
pub fn shared_http_client() -> Result<reqwest::Client, ServerError> {
    SdpClient::build_http_client(&Timeouts::default())
        .map_err(|error| ServerError::Upstream(error.human_message()))
}

/// Builds a user's upstream configuration from credentials kept in the store
/// (or passed in headers). The message of the error names what is wrong,
/// never a secret.
pub(crate) fn upstream_config_from_store(
    credentials: &sdp_mcp_store::SdpCredentials,
) -> Result<UpstreamConfig, String> {
    use sdp_client::{CloudTarget, Endpoint};
    use sdp_mcp_store::SdpAuth;
    match &credentials.auth {
        SdpAuth::OnPremAuthtoken { authtoken } => {
            let base_url = credentials.base_url.as_deref().ok_or_else(|| {
                "on-premises credentials need the server's base URL (SDP_BASE_URL)".to_owned()
            })?;
            let endpoint = Endpoint::on_prem(base_url)
                .map_err(|error| format!("the base URL is invalid: {error}"))?;
            Ok(UpstreamConfig {
                endpoint,
                accounts_url: None,
                data_center: None,
                credentials: Credentials::OnPrem {
                    authtoken: authtoken.clone(),
                },
            })
        }
        SdpAuth::CloudOAuth {
            client_id,
            client_secret,
            refresh_token,
            scopes,
        } => {
            let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
                return Err("the stored credentials have no Zoho client id and secret; \
                            re-import the user with SDP_CLIENT_ID and SDP_CLIENT_SECRET"
                    .to_owned());
            };
            let target = CloudTarget::resolve(
                credentials.data_center.as_deref(),
                credentials.base_url.as_deref(),
                credentials.accounts_url.as_deref(),
                credentials.instance.as_deref(),
            )
            .map_err(|error| format!("the SDP address is invalid: {error}"))?;
            if target.endpoint.portal().is_none() {
                return Err("the credentials name no portal (SDP_INSTANCE_NAME)".to_owned());
            }
            Ok(UpstreamConfig {
                endpoint: target.endpoint,
                accounts_url: Some(target.accounts_url),
                data_center: target.data_center,
                credentials: Credentials::Zoho {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                    refresh_token: refresh_token.clone(),
                    scopes: scopes.clone(),
                },
            })
        }
    }
}

/// One user's connection to ServiceDesk Plus.
#[derive(Clone)]
pub struct Upstream {
    client: SdpClient,
    credentials_kind: &'static str,
    client_id: Option<String>,
    /// Zoho scopes the credentials were granted; empty when unknown.
    scopes: Vec<String>,
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
        let http = shared_http_client()?;
        Ok(Self::with_http(config, http))
    }

    /// Builds the connection from configuration over an existing HTTP client
    /// (multi-user mode shares one connection pool across every user). No
    /// network call is made.
    pub fn with_http(config: &UpstreamConfig, http: reqwest::Client) -> Self {
        Self::with_zoho_wrapper(config, http, |source| Arc::new(source))
    }

    /// As [`Upstream::with_http`], with the Zoho token source (cloud
    /// credentials) wrapped by `wrap`, e.g. to share its tokens across replicas.
    pub(crate) fn with_zoho_wrapper(
        config: &UpstreamConfig,
        http: reqwest::Client,
        wrap: impl FnOnce(ZohoTokenSource) -> Arc<dyn TokenSource>,
    ) -> Self {
        let timeouts = Timeouts::default();
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
                (wrap(source), Some(client_id.clone()))
            }
            Credentials::OnPrem { authtoken } => {
                (Arc::new(OnPremApiKey::new(authtoken.clone())), None)
            }
        };
        let mut client_config = SdpClientConfig::new(config.endpoint.clone());
        client_config.timeouts = timeouts;
        Self {
            client: SdpClient::new(client_config, tokens, http),
            credentials_kind: config.credentials.kind(),
            client_id,
            scopes: match &config.credentials {
                Credentials::Zoho { scopes, .. } => scopes.clone(),
                Credentials::OnPrem { .. } => Vec::new(),
            },
        }
    }

    /// This connection with its calls guarded by the portal's circuit
    /// breaker from `breakers` (shared by every user of the portal).
    #[must_use]
    pub(crate) fn with_breaker(mut self, breakers: &sdp_client::BreakerRegistry) -> Self {
        let breaker = breakers.breaker_for(self.client.endpoint());
        self.client = self.client.with_breaker(breaker);
        self
    }

    /// The typed SDP client.
    pub fn client(&self) -> &SdpClient {
        &self.client
    }

    /// `zoho_oauth` or `on_prem_api_key`.
    pub fn credentials_kind(&self) -> &'static str {
        self.credentials_kind
    }

    /// The Zoho scopes granted to these credentials; empty when unknown
    /// (on-premises key, or scopes not recorded).
    pub fn granted_scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The Zoho client id, for cloud credentials.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }
}
