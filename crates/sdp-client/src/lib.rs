//! Typed ServiceDesk Plus REST API v3 client with Zoho OAuth token management.
//!
//! - [`SdpClient`]: one per credential, cheap to clone, sharing one
//!   `reqwest::Client`. Typed modules hang off it: [`SdpClient::requests`],
//!   [`SdpClient::problems`], [`SdpClient::lookups`], …; generic access via
//!   [`SdpClient::list`] / [`SdpClient::get`] / [`SdpClient::module`] /
//!   [`SdpClient::collection`], and [`SdpClient::execute`] for anything else.
//! - [`Endpoint`] / [`CloudTarget`] / [`DataCenter`]: where SDP and Zoho
//!   accounts live (cloud per data centre or custom URL, or on-premises).
//! - [`TokenSource`]: [`ZohoTokenSource`] (refresh token, cached,
//!   single-flight, throttle-aware), [`StaticToken`], [`OnPremApiKey`].
//! - [`ListInfo`] + [`SearchCriteria`]: paging, sorting and filtering.
//! - [`SdpError`] with [`SdpError::human_message`]: what went wrong and the fix.
//!
//! Every call sends `Accept: application/vnd.manageengine.sdp.v3+json`.
//! Secrets are `secrecy::SecretString`, redacted in `Debug` and never logged.
#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod breaker;
mod client;
pub mod config;
pub mod datacenter;
pub mod endpoint;
pub mod entity;
pub mod error;
pub mod http;
pub mod models;
pub mod query;
pub mod status;

pub use api::{Collection, ModuleApi, Page};
pub use auth::{
    AuthError, AuthorizeRequest, CodeExchange, OnPremApiKey, RefreshPolicy, StaticToken,
    TokenGrant, TokenSource, ZohoCredentials, ZohoTokenSource, exchange_code, revoke_token,
};
pub use breaker::{BreakerConfig, BreakerRegistry, BreakerState, CircuitBreaker};
pub use client::SdpClient;
pub use config::{RetryPolicy, SdpClientConfig, Timeouts};
pub use datacenter::{DataCenter, UnknownDataCenter};
pub use endpoint::{CloudTarget, ConfigError, Endpoint, OnPremKeyHeader};
pub use entity::{Entity, Module};
pub use error::{ApiError, SdpError, TransportKind};
pub use http::{ApiCall, ApiResponse, REQUEST_ID_HEADER, SDP_V3_ACCEPT, with_request_id};
pub use models::*;
pub use query::criteria::{Condition, Criterion, CriterionValue, LogicalOperator, SearchCriteria};
pub use query::list_info::{ListInfo, ListInfoResponse, MAX_ROW_COUNT, SortOrder};
pub use secrecy::{ExposeSecret, SecretString};
pub use status::{ApiMessage, ResponseStatus};
