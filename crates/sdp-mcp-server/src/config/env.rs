//! The environment-variable source and the mapping of variable names to
//! [`Config`] fields, in one place.

use std::collections::BTreeMap;
use std::path::Path;

use secrecy::SecretString;

use sdp_client::{CloudTarget, ConfigError as SdpConfigError, DataCenter, Endpoint};

use super::{
    ApiCallMode, Config, ConfigError, ConfigProblem, Credentials, HttpConfig, MultiUserConfig,
    ToolsConfig, UpstreamConfig, dotenv,
};

/// A set of environment variables. Tests build one from a map; the binary
/// uses [`EnvSource::from_process`].
#[derive(Clone, Default)]
pub struct EnvSource {
    vars: BTreeMap<String, String>,
}

impl std::fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets: show names only.
        f.debug_struct("EnvSource")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl EnvSource {
    /// A source holding exactly these variables.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The process environment plus `./.env` (the real environment wins).
    /// Variables whose value is not UTF-8 are skipped.
    ///
    /// This is the only place the library reads the process environment; it
    /// is meant for the binary.
    ///
    /// # Errors
    /// A malformed or unreadable `.env` file.
    pub fn from_process() -> Result<Self, ConfigError> {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        let mut source = Self::from_vars(vars).with_dotenv_file(Path::new(".env"))?;
        // The configuration file (`--config`) is the lowest layer.
        for (key, value) in super::file::file_vars() {
            source.vars.entry(key).or_insert(value);
        }
        Ok(source)
    }

    /// Adds the variables of a `.env` file that are not already set. A missing
    /// file is not an error.
    ///
    /// # Errors
    /// The file exists but cannot be read, or a line is malformed.
    pub fn with_dotenv_file(self, path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(self),
            Err(source) => {
                return Err(ConfigError::DotEnvRead {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        self.with_dotenv_text(&text, &path.display().to_string())
    }

    /// Adds the variables of `.env` text that are not already set.
    ///
    /// # Errors
    /// A malformed line; the message names `origin` and the line number.
    pub fn with_dotenv_text(mut self, text: &str, origin: &str) -> Result<Self, ConfigError> {
        for (key, value) in dotenv::parse(text, origin)? {
            self.vars.entry(key).or_insert(value);
        }
        Ok(self)
    }

    /// The value of `name`, `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Collects problems so that one run reports all of them.
struct Reader<'a> {
    env: &'a EnvSource,
    problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    fn problem(
        &mut self,
        variable: &'static str,
        problem: impl Into<String>,
        example: &'static str,
    ) {
        self.problems.push(ConfigProblem {
            variable,
            problem: problem.into(),
            example,
        });
    }

    fn has_problem(&self, variable: &str) -> bool {
        self.problems.iter().any(|p| p.variable == variable)
    }

    /// A variable with an alias; both set to different values is an error.
    fn aliased(
        &mut self,
        primary: &'static str,
        alias: &'static str,
        example: &'static str,
    ) -> Option<String> {
        match (self.env.get(primary), self.env.get(alias)) {
            (Some(a), Some(b)) if a != b => {
                self.problem(
                    primary,
                    format!("and its alias {alias} are both set, to different values; keep one"),
                    example,
                );
                None
            }
            (Some(value), _) | (None, Some(value)) => Some(value.to_owned()),
            (None, None) => None,
        }
    }

    fn list(&self, variable: &'static str) -> Option<Vec<String>> {
        let value = self.env.get(variable)?;
        Some(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

const EXAMPLE_CLIENT_ID: &str = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
const EXAMPLE_CLIENT_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789";
const EXAMPLE_REFRESH_TOKEN: &str =
    "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef";
const EXAMPLE_PORTAL: &str = "itdesk";
const EXAMPLE_BASE_URL: &str = "https://sdpondemand.manageengine.com";

pub(super) fn load(env: &EnvSource) -> Result<Config, ConfigError> {
    let mut reader = Reader {
        env,
        problems: Vec::new(),
    };
    let data_center = match env.get("SDP_DATA_CENTER") {
        None => None,
        Some(value) => match value.parse::<DataCenter>() {
            Ok(dc) => Some(dc),
            Err(error) => {
                reader.problem("SDP_DATA_CENTER", format!("is invalid: {error}"), "EU");
                None
            }
        },
    };
    let base_url = env.get("SDP_BASE_URL");
    let accounts_url = env.get("SDP_ACCOUNTS_URL");
    let portal = reader.aliased("SDP_INSTANCE_NAME", "SDP_PORTAL_NAME", EXAMPLE_PORTAL);
    let credentials = credentials(&mut reader);
    let on_prem = matches!(credentials, Some(Credentials::OnPrem { .. }));

    let location = if on_prem {
        on_prem_location(&mut reader, base_url)
    } else {
        cloud_location(
            &mut reader,
            data_center,
            base_url,
            accounts_url,
            portal.as_deref(),
        )
    };
    let http = http_config(&mut reader);
    let api_call = api_call_mode(&mut reader);
    let multi_user = multi_user_config(&mut reader);
    let oauth = oauth_config(&mut reader);
    let (Some(credentials), Some((endpoint, accounts_url, data_center))) = (credentials, location)
    else {
        return Err(ConfigError::Invalid(reader.problems));
    };
    if !reader.problems.is_empty() {
        return Err(ConfigError::Invalid(reader.problems));
    }
    Ok(Config {
        upstream: Some(UpstreamConfig {
            endpoint,
            accounts_url,
            data_center,
            credentials,
        }),
        http,
        tools: ToolsConfig {
            api_call,
            ..ToolsConfig::default()
        },
        multi_user,
        oauth,
    })
}

pub(super) fn load_multi_user(env: &EnvSource) -> Result<Config, ConfigError> {
    let mut reader = Reader {
        env,
        problems: Vec::new(),
    };
    let http = http_config(&mut reader);
    let api_call = api_call_mode(&mut reader);
    let multi_user = multi_user_config(&mut reader);
    let oauth = oauth_config(&mut reader);
    if !reader.problems.is_empty() {
        return Err(ConfigError::Invalid(reader.problems));
    }
    Ok(Config {
        upstream: None,
        http,
        tools: ToolsConfig {
            api_call,
            ..ToolsConfig::default()
        },
        multi_user,
        oauth,
    })
}

/// The OAuth sign-in settings; `None` when `SDP_MCP_PUBLIC_URL` is unset or
/// a variable is unusable (then recorded as a problem).
fn oauth_config(reader: &mut Reader<'_>) -> Option<crate::oauth::OAuthConfig> {
    use crate::oauth::OAuthConfigError;
    let env = reader.env;
    match crate::oauth::OAuthConfig::from_lookup(|name| env.get(name).map(str::to_owned)) {
        Ok(config) => config,
        Err(OAuthConfigError::Missing { variable }) => {
            reader.problem(
                variable,
                "is required for OAuth sign-in (SDP_MCP_PUBLIC_URL is set)",
                oauth_example(variable),
            );
            None
        }
        Err(OAuthConfigError::Invalid { variable, problem }) => {
            if reader.has_problem(variable) {
                return None;
            }
            reader.problem(
                variable,
                format!("is invalid: {problem}"),
                oauth_example(variable),
            );
            None
        }
    }
}

fn oauth_example(variable: &str) -> &'static str {
    match variable {
        "SDP_MCP_PUBLIC_URL" => "https://sdp-mcp.example.com",
        "SDP_MCP_ZOHO_CLIENT_ID" => EXAMPLE_CLIENT_ID,
        "SDP_MCP_ZOHO_CLIENT_SECRET" => EXAMPLE_CLIENT_SECRET,
        "SDP_DATA_CENTER" => "EU",
        _ if variable.starts_with("SDP_MCP_OAUTH_ALLOWED_DOMAINS") => "example.com",
        _ => "…",
    }
}

fn multi_user_config(reader: &mut Reader<'_>) -> MultiUserConfig {
    let mut config = MultiUserConfig::default();
    if let Some(value) = reader.env.get("SDP_MCP_ALLOW_HEADER_CREDENTIALS") {
        match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => config.allow_header_credentials = true,
            "0" | "false" | "no" | "off" => config.allow_header_credentials = false,
            _ => reader.problem(
                "SDP_MCP_ALLOW_HEADER_CREDENTIALS",
                "is not a boolean (true or false)",
                "true",
            ),
        }
    }
    if let Some(value) = reader.env.get("SDP_MCP_RATE_LIMIT_PER_MINUTE") {
        match value.parse::<u32>() {
            Ok(limit) => config.calls_per_minute = limit,
            Err(_) => reader.problem(
                "SDP_MCP_RATE_LIMIT_PER_MINUTE",
                "is not a whole number of calls per minute (0 turns the limit off)",
                "120",
            ),
        }
    }
    config
}

type Location = (Endpoint, Option<String>, Option<DataCenter>);

fn on_prem_location(reader: &mut Reader<'_>, base_url: Option<&str>) -> Option<Location> {
    let Some(base_url) = base_url else {
        reader.problem(
            "SDP_BASE_URL",
            "is missing; on-premises servers (SDP_AUTHTOKEN) need their address",
            "https://servicedesk.example.com:8080",
        );
        return None;
    };
    match Endpoint::on_prem(base_url) {
        Ok(endpoint) => Some((endpoint, None, None)),
        Err(error) => {
            reader.problem(
                "SDP_BASE_URL",
                format!("is invalid: {error}"),
                "https://servicedesk.example.com:8080",
            );
            None
        }
    }
}

fn cloud_location(
    reader: &mut Reader<'_>,
    data_center: Option<DataCenter>,
    base_url: Option<&str>,
    accounts_url: Option<&str>,
    portal: Option<&str>,
) -> Option<Location> {
    let target = CloudTarget::resolve(
        data_center.map(DataCenter::code),
        base_url,
        accounts_url,
        portal,
    );
    let target = match target {
        Ok(target) => target,
        Err(error) => {
            let (variable, example) = match &error {
                SdpConfigError::InvalidUrl { what, .. } if what.contains("accounts") => {
                    ("SDP_ACCOUNTS_URL", "https://accounts.zoho.com")
                }
                SdpConfigError::InvalidUrl { .. } => ("SDP_BASE_URL", EXAMPLE_BASE_URL),
                SdpConfigError::UnknownDataCenter(_) => ("SDP_DATA_CENTER", "EU"),
                _ => ("SDP_INSTANCE_NAME", EXAMPLE_PORTAL),
            };
            reader.problem(variable, format!("is invalid: {error}"), example);
            return None;
        }
    };
    if target.endpoint.portal().is_none() {
        if reader.has_problem("SDP_INSTANCE_NAME") {
            return None;
        }
        reader.problem(
            "SDP_INSTANCE_NAME",
            "is missing; set the portal URL name shown in your SDP address after /app/",
            EXAMPLE_PORTAL,
        );
        return None;
    }
    Some((
        target.endpoint,
        Some(target.accounts_url),
        target.data_center,
    ))
}

fn credentials(reader: &mut Reader<'_>) -> Option<Credentials> {
    let client_id = reader.aliased("SDP_CLIENT_ID", "SDP_OAUTH_CLIENT_ID", EXAMPLE_CLIENT_ID);
    let client_secret = reader.aliased(
        "SDP_CLIENT_SECRET",
        "SDP_OAUTH_CLIENT_SECRET",
        EXAMPLE_CLIENT_SECRET,
    );
    let refresh_token = reader.aliased(
        "SDP_REFRESH_TOKEN",
        "SDP_OAUTH_REFRESH_TOKEN",
        EXAMPLE_REFRESH_TOKEN,
    );
    let scopes = reader.list("SDP_SCOPES").unwrap_or_default();

    if let Some(authtoken) = reader.env.get("SDP_AUTHTOKEN") {
        if refresh_token.is_some() {
            reader.problem(
                "SDP_AUTHTOKEN",
                "and SDP_REFRESH_TOKEN are both set; use SDP_AUTHTOKEN for on-premises SDP, \
                 SDP_REFRESH_TOKEN for SDP Cloud, not both",
                "0123ABCD-4567-89EF-0123-456789ABCDEF",
            );
            return None;
        }
        return Some(Credentials::OnPrem {
            authtoken: SecretString::from(authtoken.to_owned()),
        });
    }
    let Some(refresh_token) = refresh_token else {
        reader.problem(
            "SDP_REFRESH_TOKEN",
            "is missing; set the Zoho refresh token of your Self Client (or SDP_AUTHTOKEN for \
             on-premises SDP)",
            EXAMPLE_REFRESH_TOKEN,
        );
        return None;
    };
    if client_id.is_none() {
        reader.problem(
            "SDP_CLIENT_ID",
            "is missing; set the client id of the Zoho client that issued SDP_REFRESH_TOKEN",
            EXAMPLE_CLIENT_ID,
        );
    }
    if client_secret.is_none() {
        reader.problem(
            "SDP_CLIENT_SECRET",
            "is missing; set the secret of the Zoho client that issued SDP_REFRESH_TOKEN",
            EXAMPLE_CLIENT_SECRET,
        );
    }
    Some(Credentials::Zoho {
        client_id: client_id?,
        client_secret: SecretString::from(client_secret?),
        refresh_token: SecretString::from(refresh_token),
        scopes,
    })
}

fn http_config(reader: &mut Reader<'_>) -> HttpConfig {
    let mut http = HttpConfig::default();
    if let Some(host) = reader.env.get("SDP_HTTP_HOST") {
        if host.contains(char::is_whitespace) || host.contains('/') {
            reader.problem(
                "SDP_HTTP_HOST",
                "is not a host name or IP address",
                "127.0.0.1",
            );
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .clone_into(&mut http.host);
        }
    }
    if let Some(port) = reader.env.get("SDP_HTTP_PORT") {
        match port.parse::<u16>() {
            Ok(port) => http.port = port,
            Err(_) => reader.problem("SDP_HTTP_PORT", "is not a port number (0-65535)", "3456"),
        }
    }
    http.api_key = reader
        .env
        .get("SDP_MCP_API_KEY")
        .map(|key| SecretString::from(key.to_owned()));
    http.metrics_token = reader
        .env
        .get("SDP_MCP_METRICS_TOKEN")
        .map(|token| SecretString::from(token.to_owned()));
    if let Some(value) = reader.env.get("SDP_MCP_STATELESS") {
        match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => http.stateless = true,
            "0" | "false" | "no" | "off" => http.stateless = false,
            _ => reader.problem(
                "SDP_MCP_STATELESS",
                "is not a boolean (true or false)",
                "true",
            ),
        }
    }
    listener::limits_config(reader, &mut http.limits);
    http.tls = listener::tls_files(reader);
    http.allowed_hosts = reader.list("SDP_MCP_ALLOWED_HOSTS");
    http.allowed_origins = reader.list("SDP_MCP_ALLOWED_ORIGINS");
    if let Some(origins) = &http.allowed_origins
        && origins
            .iter()
            .any(|o| !(o.starts_with("http://") || o.starts_with("https://")))
    {
        reader.problem(
            "SDP_MCP_ALLOWED_ORIGINS",
            "must list origins with a scheme",
            "https://app.example.com,http://localhost:6274",
        );
    }
    http
}

/// `SDP_MCP_ENABLE_API_CALL` / `SDP_MCP_API_CALL_WRITES`: the `sdp_api_call`
/// escape hatch; writes only together with the hatch itself.
fn api_call_mode(reader: &mut Reader<'_>) -> ApiCallMode {
    let enabled = reader.boolean("SDP_MCP_ENABLE_API_CALL");
    let writes = reader.boolean("SDP_MCP_API_CALL_WRITES");
    match (enabled, writes) {
        (true, true) => ApiCallMode::ReadWrite,
        (true, false) => ApiCallMode::Read,
        (false, true) => {
            reader.problem(
                "SDP_MCP_API_CALL_WRITES",
                "allows writes through sdp_api_call, which is off: also set \
                 SDP_MCP_ENABLE_API_CALL=true, or unset SDP_MCP_API_CALL_WRITES",
                "true",
            );
            ApiCallMode::Off
        }
        (false, false) => ApiCallMode::Off,
    }
}

impl Reader<'_> {
    /// A boolean variable; unset is `false`, anything but a boolean a problem.
    fn boolean(&mut self, variable: &'static str) -> bool {
        let Some(value) = self.env.get(variable) else {
            return false;
        };
        match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                self.problem(variable, "is not a boolean (true or false)", "true");
                false
            }
        }
    }
}

#[path = "env_listener.rs"]
mod listener;

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
