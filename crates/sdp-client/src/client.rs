//! [`SdpClient`]: the entry point. Cheap to clone; one per user credential,
//! sharing one `reqwest::Client` per process.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};

use crate::api::{CmdbApi, Collection, LookupsApi, ModuleApi};
use crate::auth::TokenSource;
use crate::breaker::CircuitBreaker;
use crate::config::{SdpClientConfig, Timeouts};
use crate::endpoint::Endpoint;
use crate::entity::{Entity, Module};
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::http::classify::RawResponse;
use crate::http::direct::DirectBody;
use crate::http::transport::Transport;
use crate::models::{
    Asset, Change, Contract, Download, Portal, Problem, Project, PurchaseOrder, Release, Request,
    Requester, Solution, Task, Technician, Topic, User,
};
use crate::query::list_info::ListInfo;

/// A typed SDP v3 client bound to one endpoint and one credential.
///
/// ```no_run
/// # async fn demo() -> Result<(), sdp_client::SdpError> {
/// use std::sync::Arc;
/// use sdp_client::{DataCenter, Endpoint, ListInfo, SdpClient, SdpClientConfig, ZohoCredentials, ZohoTokenSource};
///
/// let http = SdpClient::build_http_client(&Default::default())?;
/// let tokens = ZohoTokenSource::new(
///     ZohoCredentials {
///         client_id: "1000.XXXX".into(),
///         client_secret: "secret".to_owned().into(),
///         refresh_token: "1000.aaaa.bbbb".to_owned().into(),
///         accounts_url: DataCenter::Eu.accounts_url(),
///     },
///     http.clone(),
/// );
/// let endpoint = Endpoint::for_data_center(DataCenter::Eu, Some("itdesk"))
///     .map_err(|e| sdp_client::SdpError::InvalidArgument { detail: e.to_string() })?;
/// let client = SdpClient::new(SdpClientConfig::new(endpoint), Arc::new(tokens), http);
/// let page = client.requests().list(&ListInfo::new().row_count(25)).await?;
/// for request in page.items {
///     println!("{:?} {:?}", request.id, request.subject);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SdpClient {
    inner: Arc<Transport>,
}

impl SdpClient {
    /// A client for `config`, authenticating with `tokens`, sending through `http`.
    pub fn new(
        config: SdpClientConfig,
        tokens: Arc<dyn TokenSource>,
        http: reqwest::Client,
    ) -> Self {
        SdpClient {
            inner: Arc::new(Transport {
                config,
                tokens,
                http,
                breaker: None,
            }),
        }
    }

    /// This client with `breaker` guarding its calls (usually the portal's
    /// breaker from a [`BreakerRegistry`](crate::BreakerRegistry) shared by
    /// every client of the portal): while it is open, calls fail at once with
    /// [`SdpError::CircuitOpen`].
    #[must_use]
    pub fn with_breaker(self, breaker: Arc<CircuitBreaker>) -> Self {
        SdpClient {
            inner: Arc::new(Transport {
                config: self.inner.config.clone(),
                tokens: self.inner.tokens.clone(),
                http: self.inner.http.clone(),
                breaker: Some(breaker),
            }),
        }
    }

    /// The circuit breaker guarding this client's calls, if any.
    pub fn breaker(&self) -> Option<&Arc<CircuitBreaker>> {
        self.inner.breaker.as_ref()
    }

    /// A `reqwest::Client` with the connect and request time-outs of `timeouts`
    /// (rustls, connection pooling). Build one per process and share it.
    ///
    /// # Errors
    /// [`SdpError::InvalidArgument`] if the TLS backend cannot initialise.
    pub fn build_http_client(timeouts: &Timeouts) -> Result<reqwest::Client, SdpError> {
        reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("sdp-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SdpError::InvalidArgument {
                detail: format!("cannot build the HTTP client: {e}"),
            })
    }

    /// The configuration.
    pub fn config(&self) -> &SdpClientConfig {
        &self.inner.config
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.config.endpoint
    }

    /// The token source.
    pub fn token_source(&self) -> &Arc<dyn TokenSource> {
        &self.inner.tokens
    }

    /// Sends a generic call and returns its JSON answer (escape hatch for
    /// endpoints without a typed wrapper).
    ///
    /// # Errors
    /// [`SdpError`] for transport failures, SDP errors, HTML pages and
    /// credential problems.
    pub async fn execute(&self, call: &ApiCall) -> Result<ApiResponse, SdpError> {
        let raw = self.inner.send(call, false).await?;
        Self::parse_response(&raw)
    }

    /// Sends `call` and reads the member under the first of `keys` straight
    /// into `T` (see [`crate::http::direct`]); an answer of another shape comes
    /// back as the [`ApiResponse`] of [`SdpClient::execute`].
    pub(crate) async fn execute_direct<T: serde::de::DeserializeOwned>(
        &self,
        call: &ApiCall,
        keys: &[&str],
    ) -> Result<Result<DirectBody<T>, ApiResponse>, SdpError> {
        let raw = self.inner.send(call, false).await?;
        if let Some(read) = crate::http::direct::read::<T>(&raw.body, keys)
            && read.found.is_some()
        {
            return Ok(Ok(read));
        }
        Self::parse_response(&raw).map(Err)
    }

    fn parse_response(raw: &RawResponse) -> Result<ApiResponse, SdpError> {
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiResponse::from_body(raw.status, serde_json::Value::Null));
        }
        let body = serde_json::from_slice(&raw.body).map_err(|e| SdpError::UnexpectedResponse {
            http_status: raw.status,
            detail: format!("the body is not JSON: {e}"),
        })?;
        Ok(ApiResponse::from_body(raw.status, body))
    }

    /// Sends a GET and returns the raw bytes (attachment downloads).
    ///
    /// # Errors
    /// As [`SdpClient::execute`].
    pub async fn download(&self, call: &ApiCall) -> Result<Download, SdpError> {
        let raw = self.inner.send(call, true).await?;
        let header = |name| {
            raw.headers
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let file_name = header(CONTENT_DISPOSITION).and_then(|d| {
            d.split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("filename="))
                .map(|f| f.trim_matches('"').to_owned())
        });
        Ok(Download {
            content_type: header(CONTENT_TYPE),
            file_name,
            content: raw.body,
        })
    }

    /// A collection of `E` under arbitrary parent segments, e.g.
    /// `client.collection::<Note>(["problems", id])` for `/problems/{id}/notes`.
    pub fn collection<E: Entity>(
        &self,
        parent: impl IntoIterator<Item = impl Into<String>>,
    ) -> Collection<'_, E> {
        let mut segments: Vec<String> = parent.into_iter().map(Into::into).collect();
        segments.push(E::SEGMENT.to_owned());
        Collection::new(self, segments)
    }

    /// The operations of a root module (`client.module::<Problem>()`).
    pub fn module<E: Module>(&self) -> ModuleApi<'_, E> {
        ModuleApi::new(self)
    }

    /// One page of a module's list.
    ///
    /// # Errors
    /// As [`SdpClient::execute`].
    pub async fn list<E: Module>(
        &self,
        list_info: &ListInfo,
    ) -> Result<crate::api::Page<E>, SdpError> {
        self.module::<E>().list(list_info).await
    }

    /// One entity by id.
    ///
    /// # Errors
    /// As [`SdpClient::execute`]; not found is 4007 ([`SdpError::is_not_found`]).
    pub async fn get<E: Module>(&self, id: &str) -> Result<E, SdpError> {
        self.module::<E>().get(id).await
    }

    /// Creates an entity.
    ///
    /// # Errors
    /// As [`SdpClient::execute`]; missing mandatory fields are 4012.
    pub async fn create<E: Module>(&self, body: &E::New) -> Result<E, SdpError> {
        self.module::<E>().create(body).await
    }

    /// Updates an entity (partial).
    ///
    /// # Errors
    /// As [`SdpClient::execute`].
    pub async fn update<E: Module>(&self, id: &str, body: &E::Update) -> Result<E, SdpError> {
        self.module::<E>().update(id, body).await
    }

    /// Deletes an entity.
    ///
    /// # Errors
    /// As [`SdpClient::execute`].
    pub async fn delete<E: Module>(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.module::<E>().delete(id).await
    }

    /// Requests (`/requests`).
    pub fn requests(&self) -> ModuleApi<'_, Request> {
        self.module()
    }
    /// Problems (`/problems`).
    pub fn problems(&self) -> ModuleApi<'_, Problem> {
        self.module()
    }
    /// Changes (`/changes`).
    pub fn changes(&self) -> ModuleApi<'_, Change> {
        self.module()
    }
    /// Releases (`/releases`).
    pub fn releases(&self) -> ModuleApi<'_, Release> {
        self.module()
    }
    /// Projects (`/projects`).
    pub fn projects(&self) -> ModuleApi<'_, Project> {
        self.module()
    }
    /// Standalone tasks (`/tasks`).
    pub fn tasks(&self) -> ModuleApi<'_, Task> {
        self.module()
    }
    /// Assets (`/assets`).
    pub fn assets(&self) -> ModuleApi<'_, Asset> {
        self.module()
    }
    /// CMDB configuration items (`/cmdb`).
    pub fn cmdb(&self) -> CmdbApi<'_> {
        CmdbApi::new(self)
    }
    /// Solutions (`/solutions`).
    pub fn solutions(&self) -> ModuleApi<'_, Solution> {
        self.module()
    }
    /// Solution topics (`/topics`).
    pub fn topics(&self) -> ModuleApi<'_, Topic> {
        self.module()
    }
    /// Contracts (`/contracts`).
    pub fn contracts(&self) -> ModuleApi<'_, Contract> {
        self.module()
    }
    /// Purchase orders (`/purchase_orders`).
    pub fn purchase_orders(&self) -> ModuleApi<'_, PurchaseOrder> {
        self.module()
    }
    /// Users (`/users`).
    pub fn users(&self) -> ModuleApi<'_, User> {
        self.module()
    }
    /// Technicians (`/technicians`).
    pub fn technicians(&self) -> ModuleApi<'_, Technician> {
        self.module()
    }
    /// Requesters (`/requesters`).
    pub fn requesters(&self) -> ModuleApi<'_, Requester> {
        self.module()
    }
    /// Setup lookup lists.
    pub fn lookups(&self) -> LookupsApi<'_> {
        LookupsApi::new(self)
    }

    /// The org's portals (`GET {base}/api/v3/portals`, without `/app/`).
    ///
    /// # Errors
    /// As [`SdpClient::execute`].
    pub async fn portals(&self) -> Result<Vec<Portal>, SdpError> {
        let response = self
            .execute(&ApiCall::get(["portals"]).without_portal())
            .await?;
        Ok(response.list(&[Portal::PLURAL]))
    }
}

impl fmt::Debug for SdpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdpClient")
            .field("config", &self.inner.config)
            .field("tokens", &self.inner.tokens)
            .finish_non_exhaustive()
    }
}
