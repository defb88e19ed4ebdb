//! From assignments to credentials: aliases, required variables, validation.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};

use super::lexer::Assignment;
use super::{EnvCredentials, EnvFileError, EnvFileWarning};
use crate::model::{SdpAuth, SdpCredentials};

/// Accepted `SDP_DATA_CENTER` values (case-insensitive).
pub const DATA_CENTER_CODES: [&str; 10] =
    ["US", "EU", "IN", "AU", "CN", "JP", "CA", "UK", "SA", "AE"];

/// `(primary, alias)` pairs; a primary without alias repeats itself.
const VARIABLES: [(&str, &str); 12] = [
    ("SDP_CLIENT_ID", "SDP_OAUTH_CLIENT_ID"),
    ("SDP_CLIENT_SECRET", "SDP_OAUTH_CLIENT_SECRET"),
    ("SDP_REFRESH_TOKEN", "SDP_OAUTH_REFRESH_TOKEN"),
    ("SDP_INSTANCE_NAME", "SDP_PORTAL_NAME"),
    ("SDP_BASE_URL", "SDP_BASE_URL"),
    ("SDP_DATA_CENTER", "SDP_DATA_CENTER"),
    ("SDP_ACCOUNTS_URL", "SDP_ACCOUNTS_URL"),
    ("SDP_AUTHTOKEN", "SDP_AUTHTOKEN"),
    ("SDP_SCOPES", "SDP_SCOPES"),
    ("SDP_HTTP_PORT", "SDP_HTTP_PORT"),
    ("SDP_HTTP_HOST", "SDP_HTTP_HOST"),
    ("SDP_MCP_API_KEY", "SDP_MCP_API_KEY"),
];

const EXAMPLE_CLIENT_ID: &str = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
const EXAMPLE_CLIENT_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789";
const EXAMPLE_REFRESH_TOKEN: &str =
    "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef";
const EXAMPLE_INSTANCE: &str = "itdesk";
const EXAMPLE_ONPREM_URL: &str = "https://servicedesk.example.com:8080";

/// A value with the line it came from.
struct Value {
    line: usize,
    name: String,
    secret: SecretString,
}

impl Value {
    fn text(&self) -> &str {
        self.secret.expose_secret()
    }

    fn error(&self, message: impl Into<String>) -> EnvFileError {
        EnvFileError::at_line(self.line, Some(&self.name), message)
    }
}

/// Known variables by primary name, after alias resolution.
struct Variables {
    values: BTreeMap<&'static str, Value>,
}

impl Variables {
    fn get(&self, primary: &str) -> Option<&Value> {
        self.values.get(primary)
    }

    fn text(&self, primary: &str) -> Option<String> {
        self.get(primary).map(|v| v.text().to_owned())
    }

    fn secret(&self, primary: &str) -> Option<SecretString> {
        self.get(primary).map(|v| v.secret.clone())
    }
}

pub(super) fn interpret(assignments: Vec<Assignment>) -> Result<EnvCredentials, EnvFileError> {
    let mut warnings = Vec::new();
    let variables = resolve(assignments, &mut warnings)?;

    let data_center = variables
        .get("SDP_DATA_CENTER")
        .map(data_center)
        .transpose()?;
    let base_url = variables.get("SDP_BASE_URL").map(url).transpose()?;
    let accounts_url = variables.get("SDP_ACCOUNTS_URL").map(url).transpose()?;
    let http_port = variables.get("SDP_HTTP_PORT").map(port).transpose()?;
    let http_host = variables.get("SDP_HTTP_HOST").map(host).transpose()?;
    let mut instance = variables.text("SDP_INSTANCE_NAME");

    // A base URL copied from the browser may carry `/app/<portal>`.
    let base_url = base_url.map(|url| match url.split_once("/app/") {
        Some((root, portal)) if !portal.is_empty() && !portal.contains('/') => {
            instance.get_or_insert_with(|| portal.to_owned());
            root.to_owned()
        }
        _ => url,
    });

    let auth = auth(&variables, base_url.is_some(), instance.is_some())?;
    Ok(EnvCredentials {
        credentials: SdpCredentials {
            auth,
            instance,
            base_url,
            accounts_url,
            data_center,
        },
        http_host,
        http_port,
        api_key: variables.secret("SDP_MCP_API_KEY"),
        warnings,
    })
}

/// Maps names to primaries, refuses conflicting aliases, warns on repeats
/// and on unknown `SDP_*` names. Blank values count as unset.
fn resolve(
    assignments: Vec<Assignment>,
    warnings: &mut Vec<EnvFileWarning>,
) -> Result<Variables, EnvFileError> {
    let mut values: BTreeMap<&'static str, Value> = BTreeMap::new();
    for assignment in assignments {
        let Some(&(primary, _)) = VARIABLES
            .iter()
            .find(|(primary, alias)| assignment.name == *primary || assignment.name == *alias)
        else {
            if assignment.name.starts_with("SDP_") {
                warnings.push(EnvFileWarning {
                    line: assignment.line,
                    message: unknown_message(&assignment.name),
                    variable: assignment.name,
                });
            }
            continue;
        };
        if assignment.value.expose_secret().trim().is_empty() {
            continue;
        }
        let value = Value {
            line: assignment.line,
            name: assignment.name,
            secret: SecretString::from(assignment.value.expose_secret().trim().to_owned()),
        };
        if let Some(previous) = values.get(primary) {
            if previous.name != value.name && previous.text() != value.text() {
                return Err(value.error(format!(
                    "conflicts with {} on line {}: they are aliases with different values; keep one",
                    previous.name, previous.line
                )));
            }
            if previous.name == value.name {
                warnings.push(EnvFileWarning {
                    line: value.line,
                    variable: value.name.clone(),
                    message: format!(
                        "also set on line {}; this later value is used",
                        previous.line
                    ),
                });
            }
        }
        values.insert(primary, value);
    }
    Ok(Variables { values })
}

fn unknown_message(name: &str) -> String {
    let suggestion = VARIABLES
        .iter()
        .flat_map(|(primary, alias)| [*primary, *alias])
        .map(|known| {
            // `SDP_INSTANCE` for `SDP_INSTANCE_NAME`: a cut-off name is a near miss too.
            let cut_off = known.starts_with(name) || name.starts_with(known);
            let distance = if cut_off {
                1
            } else {
                edit_distance(name, known)
            };
            (distance, known)
        })
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance);
    match suggestion {
        Some((_, known)) => format!("unknown variable, ignored; did you mean {known}?"),
        None => "unknown variable, ignored".to_owned(),
    }
}

fn auth(vars: &Variables, has_base_url: bool, has_instance: bool) -> Result<SdpAuth, EnvFileError> {
    if let Some(authtoken) = vars.get("SDP_AUTHTOKEN") {
        if let Some(refresh) = vars.get("SDP_REFRESH_TOKEN") {
            return Err(authtoken.error(format!(
                "and {} (line {}) are both set: use SDP_AUTHTOKEN for on-premises SDP or SDP_REFRESH_TOKEN for SDP Cloud, not both",
                refresh.name, refresh.line
            )));
        }
        if !has_base_url {
            return Err(EnvFileError::missing(
                "SDP_BASE_URL",
                format!(
                    "is missing; on-premises SDP (SDP_AUTHTOKEN) needs the server's address, e.g. SDP_BASE_URL={EXAMPLE_ONPREM_URL}"
                ),
            ));
        }
        return Ok(SdpAuth::OnPremAuthtoken {
            authtoken: authtoken.secret.clone(),
        });
    }
    let required = [
        (
            "SDP_CLIENT_ID",
            "the client id of your Zoho Self Client",
            EXAMPLE_CLIENT_ID,
        ),
        (
            "SDP_CLIENT_SECRET",
            "the secret of that Zoho client",
            EXAMPLE_CLIENT_SECRET,
        ),
        (
            "SDP_REFRESH_TOKEN",
            "the Zoho refresh token (or SDP_AUTHTOKEN for on-premises SDP)",
            EXAMPLE_REFRESH_TOKEN,
        ),
        (
            "SDP_INSTANCE_NAME",
            "the portal name that follows /app/ in your SDP address",
            EXAMPLE_INSTANCE,
        ),
    ];
    let missing: Vec<_> = required
        .iter()
        .filter(|(name, _, _)| {
            if *name == "SDP_INSTANCE_NAME" {
                !has_instance
            } else {
                vars.get(name).is_none()
            }
        })
        .collect();
    if let Some((name, what, example)) = missing.first() {
        let others: Vec<&str> = missing.iter().skip(1).map(|(name, ..)| *name).collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(" (also missing: {})", others.join(", "))
        };
        return Err(EnvFileError::missing(
            name,
            format!("is missing; set {what}, e.g. {name}={example}{also}"),
        ));
    }
    Ok(SdpAuth::CloudOAuth {
        client_id: vars.text("SDP_CLIENT_ID"),
        client_secret: vars.secret("SDP_CLIENT_SECRET"),
        refresh_token: vars
            .secret("SDP_REFRESH_TOKEN")
            .unwrap_or_else(|| SecretString::from(String::new())),
        scopes: vars
            .text("SDP_SCOPES")
            .map(|scopes| {
                scopes
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn data_center(value: &Value) -> Result<String, EnvFileError> {
    let code = value.text().to_ascii_uppercase();
    if DATA_CENTER_CODES.contains(&code.as_str()) {
        return Ok(code);
    }
    Err(value.error(format!(
        "unknown data center `{}`; use one of {}",
        value.text().chars().take(40).collect::<String>(),
        DATA_CENTER_CODES.join(", ")
    )))
}

fn url(value: &Value) -> Result<String, EnvFileError> {
    let text = value.text().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !text.contains(char::is_whitespace) => {
            Ok(text.to_owned())
        }
        _ => Err(value.error("is not an http(s) URL, e.g. https://sdpondemand.manageengine.com")),
    }
}

fn port(value: &Value) -> Result<u16, EnvFileError> {
    value
        .text()
        .parse()
        .map_err(|_| value.error("is not a port number (0 to 65535), e.g. 3456"))
}

fn host(value: &Value) -> Result<String, EnvFileError> {
    let text = value.text();
    if text.contains(char::is_whitespace) || text.contains('/') {
        return Err(value.error("is not a host name or IP address, e.g. 127.0.0.1"));
    }
    Ok(text
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned())
}

/// Levenshtein distance, for "did you mean" hints on short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
