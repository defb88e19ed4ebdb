//! Sending one call: URL, headers, `input_data` placement, credentials,
//! retries of idempotent reads and the single credentials retry on 4022.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Instant;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use super::call::ApiCall;
use super::classify::{RawResponse, Verdict, classify};
use crate::auth::TokenSource;
use crate::breaker::{CircuitBreaker, is_upstream_failure};
use crate::config::SdpClientConfig;
use crate::error::{SdpError, TransportKind};

/// The SDP v3 media type; without it SDP serves its HTML login page.
pub const SDP_V3_ACCEPT: &str = "application/vnd.manageengine.sdp.v3+json";

pub(crate) struct Transport {
    pub config: SdpClientConfig,
    pub tokens: Arc<dyn TokenSource>,
    pub http: reqwest::Client,
    /// The portal's circuit breaker, when the owner registered one.
    pub breaker: Option<Arc<CircuitBreaker>>,
}

impl Transport {
    /// Sends `call` until it succeeds, fails for good, or runs out of attempts.
    pub async fn send(&self, call: &ApiCall, binary: bool) -> Result<RawResponse, SdpError> {
        let url = self
            .config
            .endpoint
            .url_for(&call.segments, call.portal_scoped)?;
        let span = tracing::debug_span!(
            "sdp.call",
            method = %call.method,
            path = %url.path(),
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        self.send_loop(call, &url, binary).instrument(span).await
    }

    async fn send_loop(
        &self,
        call: &ApiCall,
        url: &Url,
        binary: bool,
    ) -> Result<RawResponse, SdpError> {
        let retry = self.config.retry;
        let idempotent = call.method == Method::GET;
        let mut attempt: u32 = 0;
        let mut credentials_retried = false;
        loop {
            attempt += 1;
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            // Fails fast while the portal's breaker is open; the permit is
            // told below whether the portal answered.
            let permit = self
                .breaker
                .as_ref()
                .map(CircuitBreaker::admit)
                .transpose()?;
            let token = self.tokens.access_token().await?;
            let started = Instant::now();
            let outcome = self.send_once(call, url, &token).await;
            if let Some(permit) = permit {
                let failed = match &outcome {
                    Ok(raw) => raw.status >= 500,
                    Err(error) => is_upstream_failure(error),
                };
                if failed {
                    permit.failed();
                } else {
                    permit.succeeded();
                }
            }
            let latency_ms = started.elapsed().as_millis() as u64;
            span.record("latency_ms", latency_ms);
            let raw = match outcome {
                Ok(raw) => raw,
                Err(error) => {
                    let SdpError::Transport { kind, .. } = &error else {
                        return Err(error);
                    };
                    let may_retry = idempotent || *kind == TransportKind::Connect;
                    tracing::debug!(attempt, latency_ms, %error, "sdp call failed in transport");
                    if may_retry && attempt < retry.max_attempts {
                        tokio::time::sleep(retry.delay(attempt, None)).await;
                        continue;
                    }
                    return Err(error);
                }
            };
            span.record("status", raw.status);
            tracing::debug!(attempt, status = raw.status, latency_ms, "sdp answered");
            match classify(&raw, binary) {
                Verdict::Accept => return Ok(raw),
                Verdict::Fail(error) => return Err(error),
                Verdict::CredentialsRejected(error) => {
                    if credentials_retried {
                        return Err(error);
                    }
                    credentials_retried = true;
                    tracing::debug!("sdp rejected the access token (4022), refreshing once");
                    self.tokens.invalidate(&token);
                    let next = self.tokens.access_token().await?;
                    if next.expose_secret() == token.expose_secret() {
                        // The source cannot refresh (fixed token or API key).
                        return Err(error);
                    }
                    // The credentials retry does not use up a retry attempt.
                    attempt -= 1;
                }
                Verdict::Retryable(error, wait) => {
                    if !idempotent || attempt >= retry.max_attempts {
                        return Err(error);
                    }
                    let delay = retry.delay(attempt, wait);
                    tracing::debug!(
                        attempt,
                        status = raw.status,
                        delay_ms = delay.as_millis() as u64,
                        "sdp answer retryable, backing off"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn send_once(
        &self,
        call: &ApiCall,
        url: &Url,
        token: &SecretString,
    ) -> Result<RawResponse, SdpError> {
        let mut url = url.clone();
        let in_query =
            call.method == Method::GET || call.method == Method::DELETE || call.upload.is_some();
        {
            let mut pairs = url.query_pairs_mut();
            if let (true, Some(input)) = (in_query, &call.input_data) {
                pairs.append_pair("input_data", &input.to_string());
            }
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(ACCEPT, SDP_V3_ACCEPT)
            .timeout(self.config.timeouts.request);
        let (name, value) = self.credential_header(token)?;
        request = request.header(name, value);
        if let Some(portal_id) = self.config.endpoint.portal_id() {
            let value =
                HeaderValue::from_str(portal_id).map_err(|_| SdpError::InvalidArgument {
                    detail: "the PORTALID contains characters not allowed in a header".to_owned(),
                })?;
            request = request.header("PORTALID", value);
        }
        // The caller's request id, for correlating SDP's logs with ours.
        if let Some(value) =
            super::request_id::current_request_id().and_then(|id| HeaderValue::from_str(&id).ok())
        {
            request = request.header(super::request_id::REQUEST_ID_HEADER, value);
        }
        if let Some(file) = &call.upload {
            let part = reqwest::multipart::Part::stream(file.content.clone())
                .file_name(file.file_name.clone())
                .mime_str(&file.content_type)
                .map_err(|_| SdpError::InvalidArgument {
                    detail: format!("`{}` is not a valid content type", file.content_type),
                })?;
            request = request.multipart(reqwest::multipart::Form::new().part("input_file", part));
        } else if !in_query && let Some(input) = &call.input_data {
            request = request.form(&[("input_data", input.to_string())]);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    fn credential_header(
        &self,
        token: &SecretString,
    ) -> Result<(HeaderName, HeaderValue), SdpError> {
        let invalid = || SdpError::InvalidArgument {
            detail: "the token contains characters not allowed in a header".to_owned(),
        };
        let (name, text) = match self.config.endpoint.on_prem_key_header() {
            Some(header) => (
                HeaderName::from_static(match header {
                    crate::endpoint::OnPremKeyHeader::Authtoken => "authtoken",
                    crate::endpoint::OnPremKeyHeader::TechnicianKey => "technician_key",
                }),
                token.expose_secret().to_owned(),
            ),
            None => (
                AUTHORIZATION,
                format!("Zoho-oauthtoken {}", token.expose_secret()),
            ),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| invalid())?;
        value.set_sensitive(true);
        Ok((name, value))
    }
}

/// Maps a reqwest error to a transport error without its URL.
pub(crate) fn transport_error(error: reqwest::Error) -> SdpError {
    let kind = if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    SdpError::Transport { kind, detail }
}
