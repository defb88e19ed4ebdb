//! Assembly: [`Server`] built from a [`Config`] (and, for tests, extra
//! principals or another [`UserContexts`]; for multi-user mode, a store),
//! then run over HTTP or stdio.

use std::future::Future;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use sdp_mcp_store::Store;
use secrecy::SecretString;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::auth::{AuthMethod, HttpAuthenticator, Principal, UserId};
use crate::config::Config;
use crate::context::{SingleUserContexts, UserContext, UserContexts};
use crate::error::ServerError;
use crate::handler::{SdpMcp, Shared};
use crate::oauth::{OAuthConfig, OAuthState};
use crate::origin::OriginPolicy;
use crate::registry::StoreUserContexts;
use crate::store_auth::StoreAuthenticator;
use crate::tools;
use crate::transport::http::{self, HttpParts};
use crate::upstream::{Upstream, shared_http_client};

/// A configured server, ready to run on a listener or over stdio.
#[derive(Debug)]
pub struct Server {
    config: Config,
    shared: Arc<Shared>,
    extra_api_keys: Vec<(UserId, SecretString)>,
    store_auth: Option<Arc<StoreAuthenticator>>,
    oauth: Option<OAuthState>,
}

/// Builder of a [`Server`].
#[derive(Debug)]
pub struct ServerBuilder {
    config: Config,
    contexts: Option<Arc<dyn UserContexts>>,
    extra_api_keys: Vec<(UserId, SecretString)>,
    store: Option<Arc<dyn Store>>,
    oauth: Option<OAuthConfig>,
}

impl Server {
    /// Starts building a server from `config`.
    pub fn builder(config: Config) -> ServerBuilder {
        ServerBuilder {
            config,
            contexts: None,
            extra_api_keys: Vec::new(),
            store: None,
            oauth: None,
        }
    }

    /// Whether the server runs in multi-user mode (users from a store, or
    /// header credentials only).
    pub fn is_multi_user(&self) -> bool {
        self.store_auth.is_some()
    }

    /// Serves MCP over HTTP on `listener` until `shutdown` completes.
    ///
    /// On shutdown it stops accepting connections, waits up to
    /// `config.http.shutdown_grace` for in-flight requests, closes the
    /// remaining streams and returns `Ok(())`.
    ///
    /// # Errors
    /// [`ServerError::InsecureListener`] when no API key is configured and
    /// the listener is not loopback; I/O errors of the listener.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServerError> {
        let address = listener.local_addr()?;
        // HTTPS: the certificate and key are checked before anything is served.
        let tls = match &self.config.http.tls {
            Some(files) => Some(crate::transport::tls::load(files)?),
            None => None,
        };
        let authenticator = match &self.store_auth {
            Some(store_auth) => {
                if self.config.http.api_key.is_some() {
                    tracing::warn!(
                        "multi-user mode: SDP_MCP_API_KEY is ignored; each user sends their own \
                         key (sdp-mcp users add / import)"
                    );
                }
                Some(HttpAuthenticator::Store(store_auth.clone()))
            }
            None => None,
        };
        let mut keys: Vec<(&SecretString, Principal)> = Vec::new();
        if let Some(key) = &self.config.http.api_key {
            keys.push((key, Principal::single_user(AuthMethod::ApiKey)));
        }
        for (user_id, key) in &self.extra_api_keys {
            keys.push((
                key,
                Principal {
                    user_id: user_id.clone(),
                    method: AuthMethod::ApiKey,
                },
            ));
        }
        let authenticator = if let Some(authenticator) = authenticator {
            authenticator
        } else if keys.is_empty() {
            if !address.ip().is_loopback() {
                return Err(ServerError::InsecureListener { address });
            }
            tracing::warn!(
                %address,
                "SDP_MCP_API_KEY is not set: HTTP authentication is off; accepting it only \
                 because the listener is loopback-only"
            );
            HttpAuthenticator::Open(Principal::single_user(AuthMethod::LoopbackWithoutKey))
        } else {
            HttpAuthenticator::api_keys(keys)
        };
        let mut allowed_hosts = self.config.http.allowed_hosts.clone();
        if let Some(oauth) = &self.oauth {
            let public = oauth.config().public_base_url.clone();
            if let Some(host) = public_host(&public) {
                let hosts = allowed_hosts
                    .get_or_insert_with(|| crate::origin::default_hosts(address.port()));
                if !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
                    hosts.push(host);
                }
            }
            tracing::info!(
                public_url = %public,
                "OAuth sign-in on: MCP clients without a key are sent to sign in with Zoho \
                 (discovery at /.well-known/oauth-protected-resource/mcp)"
            );
        }
        let origin_policy = OriginPolicy::new(
            allowed_hosts.as_deref(),
            self.config.http.allowed_origins.as_deref(),
            address.port(),
        );
        if !address.ip().is_loopback() && self.config.http.allowed_hosts.is_none() {
            tracing::warn!(
                %address,
                "listening beyond loopback but SDP_MCP_ALLOWED_HOSTS is not set: only \
                 localhost Host headers are accepted; set it to the server's public host name"
            );
        }
        tracing::info!(
            %address,
            tools = self.shared.router.list_all().len(),
            https = tls.is_some(),
            "serving MCP at /mcp (Streamable HTTP), /sse + /messages (legacy SSE), /health"
        );
        let parts = HttpParts {
            shared: self.shared,
            authenticator,
            origin_policy,
            shutdown_grace: self.config.http.shutdown_grace,
            oauth: self.oauth,
            metrics_token: self.config.http.metrics_token.clone(),
            stateless: self.config.http.stateless,
            limits: self.config.http.limits.clone(),
            tls,
        };
        http::serve(listener, parts, shutdown).await
    }

    /// Serves one MCP session over a byte stream (stdin/stdout) as the
    /// single user. Returns `Ok(())` when the input closes.
    ///
    /// # Errors
    /// [`ServerError::Stdio`] when the transport fails.
    pub async fn serve_stdio<R, W>(self, reader: R, writer: W) -> Result<(), ServerError>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let handler =
            SdpMcp::with_principal(self.shared, Principal::single_user(AuthMethod::Stdio));
        let running = match handler.serve((reader, writer)).await {
            Ok(running) => running,
            // The client went away before its first request.
            Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(error) => return Err(ServerError::Stdio(error.to_string())),
        };
        running
            .waiting()
            .await
            .map(|_| ())
            .map_err(|error| ServerError::Stdio(error.to_string()))
    }
}

impl ServerBuilder {
    /// Replaces the resolver of user contexts (default: one context built
    /// from `config.upstream`).
    pub fn user_contexts(mut self, contexts: Arc<dyn UserContexts>) -> Self {
        self.contexts = Some(contexts);
        self
    }

    /// Accepts `key` as a bearer key of another principal `user_id`, besides
    /// `SDP_MCP_API_KEY`. In single-user mode every principal shares the one
    /// SDP connection; this exists to exercise per-principal isolation
    /// (session binding) before multi-user mode.
    pub fn extra_api_key(mut self, user_id: impl Into<String>, key: SecretString) -> Self {
        self.extra_api_keys.push((UserId::new(user_id.into()), key));
        self
    }

    /// Multi-user mode: users, their API keys and SDP credentials come from
    /// `store`. Requests authenticate with a personal key
    /// (`Authorization: Bearer sdpmcp_…`), or with `X-SDP-*` header
    /// credentials when `config.multi_user.allow_header_credentials` is set;
    /// each user gets their own context (SDP client, token source, rate
    /// limiter) and write tool calls are audited in the store.
    ///
    /// Without a store and without `config.upstream`, setting
    /// `config.multi_user.allow_header_credentials` serves header
    /// credentials only, persisting nothing.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// OAuth sign-in (multi-user mode with a store only): serves the
    /// discovery documents, `/register`, `/authorize`, `/token`, `/revoke`
    /// and the Zoho callback, and accepts the issued access tokens on the MCP
    /// routes as the signed-in user. Unauthenticated MCP requests get a
    /// `WWW-Authenticate` challenge pointing at the protected-resource metadata.
    pub fn oauth(mut self, config: OAuthConfig) -> Self {
        self.oauth = Some(config);
        self
    }

    /// Builds the server: the tool router and the user contexts.
    ///
    /// # Errors
    /// [`ServerError::UnknownToolset`], [`ServerError::OAuthWithoutStore`], or
    /// [`ServerError::Upstream`] when the SDP client cannot be built from the
    /// configuration.
    pub fn build(self) -> Result<Server, ServerError> {
        let router = tools::build_router(&self.config.tools)?;
        let ops_store = self.store.clone();
        let mut store_auth = None;
        let mut audit = None;
        let mut oauth = None;
        if self.oauth.is_some() && self.store.is_none() {
            return Err(ServerError::OAuthWithoutStore);
        }
        let contexts = if let Some(store) = self.store {
            let http = shared_http_client()?;
            let registry = Arc::new(StoreUserContexts::new(
                store.clone(),
                http.clone(),
                &self.config.multi_user,
            ));
            let mut authenticator =
                StoreAuthenticator::new(registry.clone(), &self.config.multi_user);
            if let Some(config) = self.oauth {
                let state = OAuthState::new(config, store.clone(), http);
                authenticator = authenticator.with_oauth(state.verifier());
                oauth = Some(state);
            }
            store_auth = Some(Arc::new(authenticator));
            audit = Some(crate::audit::AuditLog::new(store));
            let contexts: Arc<dyn UserContexts> = self.contexts.unwrap_or(registry);
            contexts
        } else if let Some(contexts) = self.contexts {
            contexts
        } else if self.config.upstream.is_none() && self.config.multi_user.allow_header_credentials
        {
            // Header-credentials-only: nothing persisted, no personal keys.
            let registry = Arc::new(StoreUserContexts::without_store(
                shared_http_client()?,
                &self.config.multi_user,
            ));
            store_auth = Some(Arc::new(StoreAuthenticator::new(
                registry.clone(),
                &self.config.multi_user,
            )));
            let contexts: Arc<dyn UserContexts> = registry;
            contexts
        } else {
            let Some(upstream_config) = &self.config.upstream else {
                return Err(ServerError::Upstream(
                    "no ServiceDesk Plus credentials: set SDP_REFRESH_TOKEN (with \
                     SDP_CLIENT_ID, SDP_CLIENT_SECRET, SDP_INSTANCE_NAME) or SDP_AUTHTOKEN, or \
                     run in multi-user mode with a store (sdp-mcp serve --data-dir DIR)"
                        .to_owned(),
                ));
            };
            let upstream = Upstream::from_config(upstream_config)?;
            Arc::new(SingleUserContexts::new(
                UserContext::new(UserId::new(UserId::SINGLE_USER), upstream).with_rate_limit(0),
            ))
        };
        let shared = Arc::new(Shared {
            router,
            contexts,
            in_flight: TaskTracker::new(),
            audit,
            store: ops_store,
        });
        Ok(Server {
            config: self.config,
            shared,
            extra_api_keys: self.extra_api_keys,
            store_auth,
            oauth,
        })
    }
}

/// `host[:port]` of a public base URL, as a `Host` header carries it.
fn public_host(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Serves MCP over HTTP on an already-bound `listener` until `shutdown`
/// completes, in single-user mode from `config`.
///
/// # Errors
/// See [`ServerBuilder::build`] and [`Server::run`].
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServerError> {
    Server::builder(config)
        .build()?
        .run(listener, shutdown)
        .await
}

/// Serves MCP over `reader`/`writer` (the binary passes stdin/stdout) in
/// single-user mode from `config`. Returns `Ok(())` when `reader` closes.
///
/// # Errors
/// See [`ServerBuilder::build`] and [`Server::serve_stdio`].
pub async fn serve_stdio<R, W>(config: Config, reader: R, writer: W) -> Result<(), ServerError>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    Server::builder(config)
        .build()?
        .serve_stdio(reader, writer)
        .await
}
