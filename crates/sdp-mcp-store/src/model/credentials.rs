//! A user's SDP credentials: where their SDP lives (plain) and how to
//! authenticate to it (the secrets, encrypted at rest).

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use crate::error::StoreError;

/// A user's SDP credentials. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct SdpCredentials {
    /// How to authenticate (holds the secrets).
    pub auth: SdpAuth,
    /// SDP Cloud portal (`SDP_INSTANCE_NAME` / `SDP_PORTAL_NAME`).
    pub instance: Option<String>,
    /// SDP base URL (`SDP_BASE_URL`); derived from the data center when absent.
    pub base_url: Option<String>,
    /// Zoho accounts base URL (`SDP_ACCOUNTS_URL`); derived from the data center when absent.
    pub accounts_url: Option<String>,
    /// Data center code such as `US` or `EU` (`SDP_DATA_CENTER`).
    pub data_center: Option<String>,
}

/// How a user authenticates to SDP.
#[derive(Clone, Debug)]
pub enum SdpAuth {
    /// SDP Cloud: a Zoho refresh token, with the user's own Zoho client or,
    /// when `client_id` is `None`, the organisation's client (OAuth sign-in).
    CloudOAuth {
        /// Zoho client id (not secret; stored in clear).
        client_id: Option<String>,
        /// Zoho client secret (encrypted).
        client_secret: Option<SecretString>,
        /// Zoho refresh token (encrypted).
        refresh_token: SecretString,
        /// Scopes granted to the refresh token (informational).
        scopes: Vec<String>,
    },
    /// SDP on-premises: a technician's authtoken (encrypted).
    OnPremAuthtoken {
        /// The authtoken.
        authtoken: SecretString,
    },
}

/// The kind of SDP credentials, without the secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// [`SdpAuth::CloudOAuth`].
    CloudOAuth,
    /// [`SdpAuth::OnPremAuthtoken`].
    OnPremAuthtoken,
}

impl SdpCredentials {
    /// The kind of these credentials.
    pub fn kind(&self) -> CredentialKind {
        self.auth.kind()
    }
}

impl SdpAuth {
    /// The kind of this authentication.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::CloudOAuth { .. } => CredentialKind::CloudOAuth,
            Self::OnPremAuthtoken { .. } => CredentialKind::OnPremAuthtoken,
        }
    }
}

impl CredentialKind {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CloudOAuth => "cloud_oauth",
            Self::OnPremAuthtoken => "onprem_authtoken",
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CredentialKind {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "cloud_oauth" => Ok(Self::CloudOAuth),
            "onprem_authtoken" => Ok(Self::OnPremAuthtoken),
            other => Err(StoreError::Corrupt {
                what: "sdp_credentials.kind",
                value: other.to_owned(),
            }),
        }
    }
}

/// Checks that credentials are complete enough to store. SDP-specific rules
/// (which fields a portal needs) belong to the caller; this only refuses what
/// can never work.
pub(crate) fn validate_credentials(
    user_name: &str,
    credentials: &SdpCredentials,
) -> Result<(), StoreError> {
    let invalid = |problem: String| StoreError::InvalidCredentials {
        name: user_name.chars().take(80).collect(),
        problem,
    };
    match &credentials.auth {
        SdpAuth::CloudOAuth {
            client_id,
            client_secret,
            refresh_token,
            ..
        } => {
            if blank(refresh_token) {
                return Err(invalid("the Zoho refresh token is empty".to_owned()));
            }
            let has_id = client_id.as_deref().is_some_and(|id| !id.trim().is_empty());
            let has_secret = client_secret.as_ref().is_some_and(|s| !blank(s));
            if has_id != has_secret {
                return Err(invalid(
                    "give both the Zoho client id and its client secret, or neither (to use the organisation's client)"
                        .to_owned(),
                ));
            }
        }
        SdpAuth::OnPremAuthtoken { authtoken } => {
            if blank(authtoken) {
                return Err(invalid("the on-premises authtoken is empty".to_owned()));
            }
        }
    }
    for (field, value) in [
        ("base URL", &credentials.base_url),
        ("accounts URL", &credentials.accounts_url),
    ] {
        if let Some(url) = value
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(invalid(format!(
                "the {field} `{url}` must start with https:// (or http://)"
            )));
        }
    }
    Ok(())
}

fn blank(secret: &SecretString) -> bool {
    secret.expose_secret().trim().is_empty()
}
