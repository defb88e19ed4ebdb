//! Per-user env files (`.env.alice`), the format users bring from the
//! one-process-per-user setups, read into [`SdpCredentials`] for `users import`.
//!
//! Names and aliases: `SDP_CLIENT_ID`|`SDP_OAUTH_CLIENT_ID`,
//! `SDP_CLIENT_SECRET`|`SDP_OAUTH_CLIENT_SECRET`,
//! `SDP_REFRESH_TOKEN`|`SDP_OAUTH_REFRESH_TOKEN`,
//! `SDP_INSTANCE_NAME`|`SDP_PORTAL_NAME`, `SDP_BASE_URL`, `SDP_DATA_CENTER`,
//! `SDP_ACCOUNTS_URL`, `SDP_AUTHTOKEN` (on-premises), `SDP_SCOPES`,
//! `SDP_HTTP_PORT`, `SDP_HTTP_HOST`, `SDP_MCP_API_KEY`.

mod lexer;
mod semantics;

use std::fmt;

use secrecy::SecretString;

use crate::model::SdpCredentials;

pub use semantics::DATA_CENTER_CODES;

/// What an env file says about one user.
#[derive(Debug, Clone)]
pub struct EnvCredentials {
    /// The SDP credentials.
    pub credentials: SdpCredentials,
    /// `SDP_HTTP_HOST`, from a one-server-per-user setup (informational).
    pub http_host: Option<String>,
    /// `SDP_HTTP_PORT`, from a one-server-per-user setup (informational).
    pub http_port: Option<u16>,
    /// `SDP_MCP_API_KEY`, the key the user's old server accepted.
    pub api_key: Option<SecretString>,
    /// Things that are not errors but deserve a look (unknown `SDP_*` names, repeats).
    pub warnings: Vec<EnvFileWarning>,
}

/// A problem that does not stop the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileWarning {
    /// 1-based line number.
    pub line: usize,
    /// The variable concerned.
    pub variable: String,
    /// What is odd and what to do.
    pub message: String,
}

/// Why an env file cannot be used. Never contains a value of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileError {
    /// 1-based line number, when the problem is on one line (not for a missing variable).
    pub line: Option<usize>,
    /// The variable concerned, when there is one.
    pub variable: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl EnvFileError {
    fn at_line(line: usize, variable: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            variable: variable.map(str::to_owned),
            message: message.into(),
        }
    }

    fn missing(variable: &str, message: impl Into<String>) -> Self {
        Self {
            line: None,
            variable: Some(variable.to_owned()),
            message: message.into(),
        }
    }
}

impl fmt::Display for EnvFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(variable) = &self.variable {
            write!(f, "{variable}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for EnvFileError {}

impl fmt::Display for EnvFileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.variable, self.message)
    }
}

/// Parses the text of a per-user env file.
///
/// # Errors
/// [`EnvFileError`] for a malformed line (with its number), a missing
/// required variable (named, with an example value), an unknown data center,
/// a bad URL or port, or conflicting variables.
pub fn parse_env_file(text: &str) -> Result<EnvCredentials, EnvFileError> {
    let assignments = lexer::lex(text)?;
    semantics::interpret(assignments)
}

#[cfg(test)]
mod tests;
