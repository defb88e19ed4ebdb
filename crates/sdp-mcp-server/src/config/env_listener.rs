//! The listener settings read from the environment: HTTP limits
//! (`SDP_MCP_MAX_BODY_BYTES` and friends) and TLS files.

use super::super::TlsFiles;
use super::Reader;

/// A whole-number variable of at least `minimum`; anything else a problem.
fn limit_number(
    reader: &mut Reader<'_>,
    variable: &'static str,
    minimum: u64,
    example: &'static str,
) -> Option<u64> {
    let parsed = reader.env.get(variable)?.trim().parse::<u64>();
    match parsed {
        Ok(n) if n >= minimum => Some(n),
        _ => {
            let problem = if minimum == 0 {
                "is not a whole number"
            } else {
                "is not a positive whole number (or below its minimum)"
            };
            reader.problem(variable, problem, example);
            None
        }
    }
}

/// The `limits` settings (`SDP_MCP_MAX_BODY_BYTES` and friends).
pub(super) fn limits_config(reader: &mut Reader<'_>, limits: &mut crate::limits::HttpLimits) {
    let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_BODY_BYTES", 1024, "4194304") {
        limits.max_body_bytes = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_JSON_DEPTH", 8, "64") {
        limits.max_json_depth = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_HEADER_BYTES", 8192, "65536") {
        limits.max_header_bytes = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_HEADER_READ_TIMEOUT_SECS", 1, "10") {
        limits.header_read_timeout = std::time::Duration::from_secs(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_CONNECTIONS", 1, "10000") {
        limits.max_connections = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_SESSIONS", 1, "10000") {
        limits.max_sessions = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_MAX_SESSIONS_PER_USER", 1, "100") {
        limits.max_sessions_per_user = as_usize(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_SESSION_IDLE_SECS", 1, "300") {
        limits.session_idle = std::time::Duration::from_secs(n);
    }
    if let Some(n) = limit_number(reader, "SDP_MCP_AUTH_FAILURES_PER_MINUTE", 0, "20") {
        limits.auth_failures_per_minute = u32::try_from(n).unwrap_or(u32::MAX);
    }
}

/// `SDP_MCP_TLS_CERT` + `SDP_MCP_TLS_KEY`: both or neither.
pub(super) fn tls_files(reader: &mut Reader<'_>) -> Option<TlsFiles> {
    let cert = reader
        .env
        .get("SDP_MCP_TLS_CERT")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let key = reader
        .env
        .get("SDP_MCP_TLS_KEY")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match (cert, key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert: cert.into(),
            key: key.into(),
        }),
        (Some(_), None) => {
            reader.problem(
                "SDP_MCP_TLS_KEY",
                "is missing: SDP_MCP_TLS_CERT (--tls-cert) is set, and HTTPS needs the private key too",
                "/etc/sdp-mcp/key.pem",
            );
            None
        }
        (None, Some(_)) => {
            reader.problem(
                "SDP_MCP_TLS_CERT",
                "is missing: SDP_MCP_TLS_KEY (--tls-key) is set, and HTTPS needs the certificate too",
                "/etc/sdp-mcp/cert.pem",
            );
            None
        }
        (None, None) => None,
    }
}
