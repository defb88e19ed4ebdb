//! DNS-rebinding protection: `Host` and `Origin` allow-lists for every MCP
//! route (`/mcp`, `/sse`, `/messages`). rmcp checks `/mcp` itself with the
//! same lists; `/sse` and `/messages` are ours, so this layer covers all three.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The accepted `Host` and `Origin` values.
#[derive(Debug, Clone)]
pub(crate) struct OriginPolicy {
    hosts: Arc<[HostRule]>,
    origins: Arc<[String]>,
    /// As configured, for rmcp's `StreamableHttpServerConfig`.
    pub(crate) raw_hosts: Vec<String>,
    /// As configured, for rmcp's `StreamableHttpServerConfig`.
    pub(crate) raw_origins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostRule {
    host: String,
    port: Option<u16>,
}

impl OriginPolicy {
    /// The policy from the configured lists, defaulting to loopback names
    /// with the bound `port`.
    pub(crate) fn new(
        allowed_hosts: Option<&[String]>,
        allowed_origins: Option<&[String]>,
        port: u16,
    ) -> Self {
        let raw_hosts: Vec<String> =
            allowed_hosts.map_or_else(|| default_hosts(port), <[String]>::to_vec);
        let raw_origins: Vec<String> = allowed_origins.map_or_else(
            || {
                ["localhost", "127.0.0.1", "[::1]"]
                    .iter()
                    .map(|host| format!("http://{host}:{port}"))
                    .collect()
            },
            <[String]>::to_vec,
        );
        let hosts = raw_hosts
            .iter()
            .filter_map(|h| parse_host_rule(h))
            .collect();
        let origins = raw_origins
            .iter()
            .filter_map(|o| normalize_origin(o))
            .collect();
        Self {
            hosts,
            origins,
            raw_hosts,
            raw_origins,
        }
    }

    /// Checks one request; `Err` is the 403 explanation.
    fn check(&self, uri: &Uri, headers: &HeaderMap) -> Result<(), String> {
        self.check_host(uri, headers)?;
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let origin = origin.to_str().unwrap_or("");
        match normalize_origin(origin) {
            Some(normalized) if self.origins.contains(&normalized) => Ok(()),
            _ => Err(format!(
                "Origin `{origin}` is not allowed; add it to SDP_MCP_ALLOWED_ORIGINS"
            )),
        }
    }

    /// Checks only the `Host` header (routes that any origin may call).
    fn check_host(&self, uri: &Uri, headers: &HeaderMap) -> Result<(), String> {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| uri.authority().map(http::uri::Authority::as_str));
        let Some(host) = host.and_then(parse_host_rule) else {
            return Err("the request has no valid Host header".to_owned());
        };
        let host_allowed = self
            .hosts
            .iter()
            .any(|rule| rule.host == host.host && (rule.port.is_none() || rule.port == host.port));
        if !host_allowed {
            return Err(format!(
                "Host `{}` is not allowed; add it to SDP_MCP_ALLOWED_HOSTS",
                render_host(&host)
            ));
        }
        Ok(())
    }
}

/// The `Host` values accepted when `SDP_MCP_ALLOWED_HOSTS` is unset: loopback
/// names with the bound `port`.
pub(crate) fn default_hosts(port: u16) -> Vec<String> {
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .map(|host| format!("{host}:{port}"))
        .collect()
}

fn render_host(rule: &HostRule) -> String {
    match rule.port {
        Some(port) => format!("{}:{port}", rule.host),
        None => rule.host.clone(),
    }
}

fn parse_host_rule(value: &str) -> Option<HostRule> {
    let authority: http::uri::Authority = value.trim().parse().ok()?;
    Some(HostRule {
        host: authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
        port: authority.port_u16(),
    })
}

/// `scheme://host:port` in lowercase with the default port made explicit, or
/// `null`.
fn normalize_origin(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches('/');
    if value == "null" {
        return Some("null".to_owned());
    }
    let (scheme, rest) = value.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let rule = parse_host_rule(rest)?;
    let port = rule.port.unwrap_or(default_port);
    Some(format!("{scheme}://{}:{port}", rule.host))
}

/// axum middleware rejecting disallowed `Host` / `Origin` with 403.
pub(crate) async fn enforce(
    State(policy): State<OriginPolicy>,
    request: Request,
    next: Next,
) -> Response {
    let checked = policy.check(request.uri(), request.headers());
    respond(checked, request, next).await
}

/// axum middleware rejecting a disallowed `Host` with 403 (DNS rebinding),
/// for routes that browsers may call from any origin (the OAuth endpoints).
pub(crate) async fn enforce_host(
    State(policy): State<OriginPolicy>,
    request: Request,
    next: Next,
) -> Response {
    let checked = policy.check_host(request.uri(), request.headers());
    respond(checked, request, next).await
}

async fn respond(checked: Result<(), String>, request: Request, next: Next) -> Response {
    match checked {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(
                path = request.uri().path(),
                %reason,
                "rejected request (possible DNS rebinding or cross-origin call)"
            );
            (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({
                    "error": "forbidden",
                    "error_description": reason,
                })),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn check(policy: &OriginPolicy, host: &str, origin: Option<&str>) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        policy.check(&Uri::from_static("/mcp"), &headers).is_ok()
    }

    #[test]
    fn defaults_accept_loopback_names_on_the_bound_port() {
        let policy = OriginPolicy::new(None, None, 4000);
        assert!(check(&policy, "127.0.0.1:4000", None));
        assert!(check(
            &policy,
            "localhost:4000",
            Some("http://localhost:4000")
        ));
        assert!(check(&policy, "[::1]:4000", Some("http://[::1]:4000/")));
        assert!(!check(&policy, "127.0.0.1:4001", None));
        assert!(!check(&policy, "evil.example:4000", None));
        assert!(!check(
            &policy,
            "127.0.0.1:4000",
            Some("http://evil.example")
        ));
        assert!(!check(&policy, "127.0.0.1:4000", Some("null")));
    }

    #[test]
    fn configured_lists_replace_the_defaults() {
        let hosts = vec!["mcp.example.com".to_owned()];
        let origins = vec!["https://app.example.com".to_owned()];
        let policy = OriginPolicy::new(Some(&hosts), Some(&origins), 4000);
        assert!(check(&policy, "MCP.example.com:8443", None));
        assert!(check(
            &policy,
            "mcp.example.com",
            Some("https://app.example.com:443")
        ));
        assert!(!check(&policy, "localhost:4000", None));
        assert!(!check(
            &policy,
            "mcp.example.com",
            Some("https://app.example.com:8443")
        ));
    }
}
