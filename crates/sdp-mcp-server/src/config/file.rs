//! The TOML configuration file (`sdp-mcp --config FILE`).
//!
//! Every key corresponds to one environment variable (the table in
//! [`KEYS`]); the file is the lowest layer: the process environment (and
//! `./.env`) override it, command-line flags override both. Unknown keys
//! are rejected with their name (`deny_unknown_fields`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

/// Variables from the configuration file given to the binary, if any.
static FILE_VARS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// `(section, key, environment variable, secret)` for every file key.
pub const KEYS: &[(&str, &str, &str, bool)] = &[
    ("server", "host", "SDP_HTTP_HOST", false),
    ("server", "port", "SDP_HTTP_PORT", false),
    ("server", "api_key", "SDP_MCP_API_KEY", true),
    ("server", "allowed_hosts", "SDP_MCP_ALLOWED_HOSTS", false),
    (
        "server",
        "allowed_origins",
        "SDP_MCP_ALLOWED_ORIGINS",
        false,
    ),
    ("server", "metrics_token", "SDP_MCP_METRICS_TOKEN", true),
    ("server", "stateless", "SDP_MCP_STATELESS", false),
    ("server", "tls_cert", "SDP_MCP_TLS_CERT", false),
    ("server", "tls_key", "SDP_MCP_TLS_KEY", false),
    ("store", "data_dir", "SDP_MCP_DATA_DIR", false),
    ("store", "database_url", "SDP_MCP_DATABASE_URL", true),
    ("store", "master_key", "SDP_MCP_MASTER_KEY", true),
    (
        "multi_user",
        "allow_header_credentials",
        "SDP_MCP_ALLOW_HEADER_CREDENTIALS",
        false,
    ),
    (
        "multi_user",
        "rate_limit_per_minute",
        "SDP_MCP_RATE_LIMIT_PER_MINUTE",
        false,
    ),
    ("oauth", "public_url", "SDP_MCP_PUBLIC_URL", false),
    ("oauth", "zoho_client_id", "SDP_MCP_ZOHO_CLIENT_ID", false),
    (
        "oauth",
        "zoho_client_secret",
        "SDP_MCP_ZOHO_CLIENT_SECRET",
        true,
    ),
    (
        "oauth",
        "zoho_accounts_url",
        "SDP_MCP_ZOHO_ACCOUNTS_URL",
        false,
    ),
    ("oauth", "zoho_scopes", "SDP_MCP_ZOHO_SCOPES", false),
    (
        "oauth",
        "allowed_domains",
        "SDP_MCP_OAUTH_ALLOWED_DOMAINS",
        false,
    ),
    (
        "oauth",
        "allowed_emails",
        "SDP_MCP_OAUTH_ALLOWED_EMAILS",
        false,
    ),
    ("upstream", "data_center", "SDP_DATA_CENTER", false),
    ("upstream", "instance_name", "SDP_INSTANCE_NAME", false),
    ("upstream", "base_url", "SDP_BASE_URL", false),
    ("upstream", "accounts_url", "SDP_ACCOUNTS_URL", false),
    ("upstream", "client_id", "SDP_CLIENT_ID", false),
    ("upstream", "client_secret", "SDP_CLIENT_SECRET", true),
    ("upstream", "refresh_token", "SDP_REFRESH_TOKEN", true),
    ("upstream", "scopes", "SDP_SCOPES", false),
    ("upstream", "authtoken", "SDP_AUTHTOKEN", true),
    ("tools", "toolsets", "SDP_MCP_TOOLSETS", false),
    ("tools", "read_only", "SDP_MCP_READ_ONLY", false),
    ("tools", "enable_api_call", "SDP_MCP_ENABLE_API_CALL", false),
    ("tools", "api_call_writes", "SDP_MCP_API_CALL_WRITES", false),
    ("logging", "format", "SDP_MCP_LOG_FORMAT", false),
    ("limits", "max_body_bytes", "SDP_MCP_MAX_BODY_BYTES", false),
    ("limits", "max_json_depth", "SDP_MCP_MAX_JSON_DEPTH", false),
    (
        "limits",
        "max_header_bytes",
        "SDP_MCP_MAX_HEADER_BYTES",
        false,
    ),
    (
        "limits",
        "header_read_timeout_secs",
        "SDP_MCP_HEADER_READ_TIMEOUT_SECS",
        false,
    ),
    (
        "limits",
        "max_connections",
        "SDP_MCP_MAX_CONNECTIONS",
        false,
    ),
    ("limits", "max_sessions", "SDP_MCP_MAX_SESSIONS", false),
    (
        "limits",
        "max_sessions_per_user",
        "SDP_MCP_MAX_SESSIONS_PER_USER",
        false,
    ),
    (
        "limits",
        "session_idle_secs",
        "SDP_MCP_SESSION_IDLE_SECS",
        false,
    ),
    (
        "limits",
        "auth_failures_per_minute",
        "SDP_MCP_AUTH_FAILURES_PER_MINUTE",
        false,
    ),
];

/// A problem with the configuration file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file cannot be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML, has an unknown key or a value of the wrong type.
    #[error("configuration file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message (names the key and line; never echoes a value).
        message: String,
    },
    /// `--config` was applied twice in one process.
    #[error("a configuration file is already loaded")]
    AlreadyLoaded,
}

/// A value of the file: text, number, boolean or a list of text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Value {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<String>),
}

impl Value {
    fn into_env(self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
            Self::Text(t) => t,
            Self::List(items) => items.join(","),
        }
    }
}

macro_rules! section {
    ($name:ident { $($key:ident),* $(,)? }) => {
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($key: Option<Value>,)*
        }

        impl $name {
            fn entries(self) -> Vec<(&'static str, Option<Value>)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

section!(ServerSection {
    host,
    port,
    api_key,
    allowed_hosts,
    allowed_origins,
    metrics_token,
    stateless,
    tls_cert,
    tls_key
});
section!(StoreSection {
    data_dir,
    database_url,
    master_key
});
section!(MultiUserSection {
    allow_header_credentials,
    rate_limit_per_minute
});
section!(OAuthSection {
    public_url,
    zoho_client_id,
    zoho_client_secret,
    zoho_accounts_url,
    zoho_scopes,
    allowed_domains,
    allowed_emails
});
section!(UpstreamSection {
    data_center,
    instance_name,
    base_url,
    accounts_url,
    client_id,
    client_secret,
    refresh_token,
    scopes,
    authtoken
});
section!(ToolsSection {
    toolsets,
    read_only,
    enable_api_call,
    api_call_writes
});
section!(LoggingSection { format });
section!(LimitsSection {
    max_body_bytes,
    max_json_depth,
    max_header_bytes,
    header_read_timeout_secs,
    max_connections,
    max_sessions,
    max_sessions_per_user,
    session_idle_secs,
    auth_failures_per_minute
});

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    store: StoreSection,
    #[serde(default)]
    multi_user: MultiUserSection,
    #[serde(default)]
    oauth: OAuthSection,
    #[serde(default)]
    upstream: UpstreamSection,
    #[serde(default)]
    tools: ToolsSection,
    #[serde(default)]
    logging: LoggingSection,
    #[serde(default)]
    limits: LimitsSection,
}

/// Parses configuration text into `(environment variable, value)` pairs.
///
/// # Errors
/// [`FileError::Parse`] naming an unknown key, a wrong type or bad TOML.
pub fn parse(text: &str, origin: &str) -> Result<BTreeMap<String, String>, FileError> {
    let file: FileConfig = toml::from_str(text).map_err(|error| FileError::Parse {
        path: origin.to_owned(),
        // The message names the key and line; the snippet it also shows could
        // hold a secret, so only the first line is kept.
        message: error.message().to_owned(),
    })?;
    let mut vars = BTreeMap::new();
    let sections = [
        ("server", file.server.entries()),
        ("store", file.store.entries()),
        ("multi_user", file.multi_user.entries()),
        ("oauth", file.oauth.entries()),
        ("upstream", file.upstream.entries()),
        ("tools", file.tools.entries()),
        ("logging", file.logging.entries()),
        ("limits", file.limits.entries()),
    ];
    for (section, entries) in sections {
        for (key, value) in entries {
            let Some(value) = value else { continue };
            if let Some((_, _, variable, _)) =
                KEYS.iter().find(|(s, k, _, _)| *s == section && *k == key)
            {
                vars.insert((*variable).to_owned(), value.into_env());
            }
        }
    }
    Ok(vars)
}

/// Reads `path` and makes its values the lowest configuration layer of this
/// process (see [`file_vars`]).
///
/// # Errors
/// The file cannot be read or parsed, or one was loaded already.
pub fn load(path: &Path) -> Result<(), FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let vars = parse(&text, &path.display().to_string())?;
    FILE_VARS.set(vars).map_err(|_| FileError::AlreadyLoaded)
}

/// The variables of the loaded configuration file (empty without one).
pub fn file_vars() -> BTreeMap<String, String> {
    FILE_VARS.get().cloned().unwrap_or_default()
}

/// Whether `variable` holds a secret (redacted by `sdp-mcp config check`).
pub fn is_secret(variable: &str) -> bool {
    KEYS.iter()
        .any(|(_, _, v, secret)| *v == variable && *secret)
        || variable.contains("SECRET")
        || variable.contains("TOKEN")
        || variable.ends_with("_KEY")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn maps_keys_to_variables() {
        let vars = parse(
            "[server]\nport = 8080\nallowed_hosts = [\"a.example\", \"b.example\"]\n\
             stateless = true\n[store]\ndata_dir = \"/var/lib/sdp-mcp\"\n",
            "test.toml",
        )
        .unwrap();
        assert_eq!(vars["SDP_HTTP_PORT"], "8080");
        assert_eq!(vars["SDP_MCP_ALLOWED_HOSTS"], "a.example,b.example");
        assert_eq!(vars["SDP_MCP_STATELESS"], "true");
        assert_eq!(vars["SDP_MCP_DATA_DIR"], "/var/lib/sdp-mcp");
    }

    #[test]
    fn maps_tool_and_logging_keys() {
        let vars = parse(
            "[tools]\ntoolsets = [\"requests\", \"problems\"]\nread_only = true\n\
             [logging]\nformat = \"json\"\n",
            "test.toml",
        )
        .unwrap();
        assert_eq!(vars["SDP_MCP_TOOLSETS"], "requests,problems");
        assert_eq!(vars["SDP_MCP_READ_ONLY"], "true");
        assert_eq!(vars["SDP_MCP_LOG_FORMAT"], "json");
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = parse("[server]\nhots = \"x\"\n", "test.toml").unwrap_err();
        assert!(error.to_string().contains("hots"), "{error}");
        let error = parse("[servr]\nhost = \"x\"\n", "test.toml").unwrap_err();
        assert!(error.to_string().contains("servr"), "{error}");
    }

    #[test]
    fn parse_errors_do_not_echo_values() {
        let error = parse(
            "[upstream]\nrefresh_token = [1, \"1000.secret\"]\n",
            "test.toml",
        )
        .unwrap_err();
        assert!(!error.to_string().contains("1000.secret"), "{error}");
    }

    #[test]
    fn the_example_documents_every_key() {
        let example = include_str!("../../../../sdp-mcp.example.toml");
        // Every key appears (commented out) in the example; uncommented it parses.
        let uncommented = example
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|l| l.contains(" = "))
                    .unwrap_or(line)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let vars = parse(&uncommented, "sdp-mcp.example.toml").unwrap();
        for (section, key, variable, _) in KEYS {
            assert!(
                vars.contains_key(*variable),
                "[{section}] {key} is not in sdp-mcp.example.toml"
            );
        }
    }
}
