//! Assembly: [`Server`] built from a [`Config`] (and, for tests and the
//! coming multi-user mode, extra principals or another [`UserContexts`]),
//! then run over HTTP or stdio.

use std::future::Future;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use secrecy::SecretString;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::auth::{AuthMethod, HttpAuthenticator, Principal, UserId};
use crate::config::Config;
use crate::context::{SingleUserContexts, UserContext, UserContexts};
use crate::error::ServerError;
use crate::handler::{SdpMcp, Shared};
use crate::origin::OriginPolicy;
use crate::tools;
use crate::transport::http::{self, HttpParts};
use crate::upstream::Upstream;

/// A configured server, ready to run on a listener or over stdio.
#[derive(Debug)]
pub struct Server {
    config: Config,
    shared: Arc<Shared>,
    extra_api_keys: Vec<(UserId, SecretString)>,
}

/// Builder of a [`Server`].
#[derive(Debug)]
pub struct ServerBuilder {
    config: Config,
    contexts: Option<Arc<dyn UserContexts>>,
    extra_api_keys: Vec<(UserId, SecretString)>,
}

impl Server {
    /// Starts building a server from `config`.
    pub fn builder(config: Config) -> ServerBuilder {
        ServerBuilder {
            config,
            contexts: None,
            extra_api_keys: Vec::new(),
        }
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
        let authenticator = if keys.is_empty() {
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
        let origin_policy = OriginPolicy::new(
            self.config.http.allowed_hosts.as_deref(),
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
            "serving MCP at /mcp (Streamable HTTP), /sse + /messages (legacy SSE), /health"
        );
        let parts = HttpParts {
            shared: self.shared,
            authenticator,
            origin_policy,
            shutdown_grace: self.config.http.shutdown_grace,
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

    /// Builds the server: the tool router and the user contexts.
    ///
    /// # Errors
    /// [`ServerError::UnknownToolset`], or [`ServerError::Upstream`] when the
    /// SDP client cannot be built from the configuration.
    pub fn build(self) -> Result<Server, ServerError> {
        let router = tools::build_router(&self.config.tools)?;
        let contexts = if let Some(contexts) = self.contexts {
            contexts
        } else {
            let upstream = Upstream::from_config(&self.config.upstream)?;
            Arc::new(SingleUserContexts::new(UserContext::new(
                UserId::new(UserId::SINGLE_USER),
                upstream,
            )))
        };
        let shared = Arc::new(Shared {
            router,
            contexts,
            in_flight: TaskTracker::new(),
        });
        Ok(Server {
            config: self.config,
            shared,
            extra_api_keys: self.extra_api_keys,
        })
    }
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
