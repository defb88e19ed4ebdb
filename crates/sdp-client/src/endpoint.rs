//! Where the SDP API lives: cloud (per data centre or custom domain, with an
//! optional portal) or on-premises, and how request URLs are laid out.
//!
//! Cloud: `{base}/app/{portal}/api/v3/{resource}…`, or `{base}/api/v3/…` when
//! no portal is set (the org's default portal). On-premises:
//! `{base}/api/v3/…`, authenticated with a technician key header and an
//! optional `PORTALID` header.

use std::fmt;

use url::Url;

use crate::datacenter::{DataCenter, UnknownDataCenter};
use crate::error::SdpError;

/// A configuration value (URL, portal, data centre) is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL did not parse or is not an absolute `http(s)` URL.
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidUrl {
        /// Which setting (`SDP base URL`, `Zoho accounts URL`).
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The data centre is unknown.
    #[error(transparent)]
    UnknownDataCenter(#[from] UnknownDataCenter),
    /// The portal name is empty or contains characters a URL name cannot have.
    #[error("invalid portal name `{0}`: use the portal's URL name, e.g. `itdesk`")]
    InvalidPortal(String),
    /// The base URL ends in `/app/<portal>` and a different portal was given.
    #[error("the base URL names portal `{in_url}` but the portal setting is `{given}`: keep one")]
    ConflictingPortal {
        /// Portal found in the base URL.
        in_url: String,
        /// Portal given separately.
        given: String,
    },
}

/// Header that carries the on-premises technician API key.
///
/// The current on-premises documentation shows `authtoken`; many older
/// clients send `TECHNICIAN_KEY`. We send exactly one of them (default
/// `authtoken`) so a key never travels twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnPremKeyHeader {
    /// `authtoken: <key>` (default).
    #[default]
    Authtoken,
    /// `TECHNICIAN_KEY: <key>`.
    TechnicianKey,
}

impl OnPremKeyHeader {
    /// The header name.
    pub fn header_name(self) -> &'static str {
        match self {
            OnPremKeyHeader::Authtoken => "authtoken",
            OnPremKeyHeader::TechnicianKey => "TECHNICIAN_KEY",
        }
    }
}

/// Where the SDP API is and how it authenticates. Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port][/prefix]`, no trailing slash, validated.
    base: String,
    mode: Mode,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    Cloud {
        portal: Option<String>,
    },
    OnPrem {
        portal_id: Option<String>,
        key_header: OnPremKeyHeader,
    },
}

impl Endpoint {
    /// SDP Cloud in data centre `dc`, optionally on portal `portal` (URL name).
    ///
    /// # Errors
    /// [`ConfigError::InvalidPortal`] when the portal name is unusable.
    pub fn for_data_center(dc: DataCenter, portal: Option<&str>) -> Result<Self, ConfigError> {
        let portal = portal.map(validate_portal).transpose()?;
        Ok(Endpoint {
            base: dc.sdp_base_url(),
            mode: Mode::Cloud { portal },
        })
    }

    /// SDP Cloud at an explicit base URL (a data-centre host, a custom domain or
    /// a simulator). `https://host/app/itdesk` is accepted and names the
    /// portal; a trailing `/api/v3` is ignored.
    ///
    /// # Errors
    /// [`ConfigError`] for an unusable URL or portal, or when the URL's portal
    /// and `portal` differ.
    pub fn cloud(base_url: &str, portal: Option<&str>) -> Result<Self, ConfigError> {
        let (base, portal_in_url) = normalize_base(base_url, "SDP base URL")?;
        let portal = match (portal_in_url, portal) {
            (Some(in_url), Some(given)) if !in_url.eq_ignore_ascii_case(given.trim()) => {
                return Err(ConfigError::ConflictingPortal {
                    in_url,
                    given: given.to_owned(),
                });
            }
            (Some(in_url), _) => Some(in_url),
            (None, Some(given)) => Some(validate_portal(given)?),
            (None, None) => None,
        };
        Ok(Endpoint {
            base,
            mode: Mode::Cloud { portal },
        })
    }

    /// SDP on-premises at `base_url` (e.g. `https://sdp.example.com:8080`),
    /// authenticated with a technician key in the `authtoken` header.
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] for an unusable URL.
    pub fn on_prem(base_url: &str) -> Result<Self, ConfigError> {
        let (base, _) = normalize_base(base_url, "SDP base URL")?;
        Ok(Endpoint {
            base,
            mode: Mode::OnPrem {
                portal_id: None,
                key_header: OnPremKeyHeader::default(),
            },
        })
    }

    /// On-premises only: sends `PORTALID: <id>` to select an instance. No
    /// effect on cloud endpoints (use the portal name instead).
    pub fn with_portal_id(mut self, id: impl Into<String>) -> Self {
        if let Mode::OnPrem { portal_id, .. } = &mut self.mode {
            *portal_id = Some(id.into());
        }
        self
    }

    /// On-premises only: which header carries the technician key.
    pub fn with_key_header(mut self, header: OnPremKeyHeader) -> Self {
        if let Mode::OnPrem { key_header, .. } = &mut self.mode {
            *key_header = header;
        }
        self
    }

    /// The base URL without portal or API path, e.g. `https://sdpondemand.manageengine.com`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The cloud portal URL name, when one is set.
    pub fn portal(&self) -> Option<&str> {
        match &self.mode {
            Mode::Cloud { portal } => portal.as_deref(),
            Mode::OnPrem { .. } => None,
        }
    }

    /// The on-premises `PORTALID`, when one is set.
    pub fn portal_id(&self) -> Option<&str> {
        match &self.mode {
            Mode::OnPrem { portal_id, .. } => portal_id.as_deref(),
            Mode::Cloud { .. } => None,
        }
    }

    /// `true` for on-premises endpoints (technician key instead of OAuth).
    pub fn is_on_prem(&self) -> bool {
        matches!(self.mode, Mode::OnPrem { .. })
    }

    /// The on-premises key header, `None` for cloud.
    pub fn on_prem_key_header(&self) -> Option<OnPremKeyHeader> {
        match &self.mode {
            Mode::OnPrem { key_header, .. } => Some(*key_header),
            Mode::Cloud { .. } => None,
        }
    }

    /// The API root: `{base}/app/{portal}/api/v3` (cloud with portal) or `{base}/api/v3`.
    pub fn api_root(&self) -> String {
        match &self.mode {
            Mode::Cloud {
                portal: Some(portal),
            } => format!("{}/app/{portal}/api/v3", self.base),
            _ => format!("{}/api/v3", self.base),
        }
    }

    /// Full URL of an API resource from its path segments. Each segment is
    /// percent-encoded; empty, `.` and `..` segments are refused so an id can
    /// never walk out of its resource. `portal_scoped = false` addresses
    /// `{base}/api/v3/…` even when a portal is set (portal discovery).
    ///
    /// # Errors
    /// [`SdpError::InvalidArgument`] for an unusable segment.
    pub fn url_for<S: AsRef<str>>(
        &self,
        segments: &[S],
        portal_scoped: bool,
    ) -> Result<Url, SdpError> {
        let root = if portal_scoped {
            self.api_root()
        } else {
            format!("{}/api/v3", self.base)
        };
        let mut url = Url::parse(&root).map_err(|e| SdpError::InvalidArgument {
            detail: format!("endpoint URL does not parse: {e}"),
        })?;
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| SdpError::InvalidArgument {
                    detail: "endpoint URL cannot have a path".to_owned(),
                })?;
            for segment in segments {
                let segment = segment.as_ref();
                // Control characters too: the URL standard drops tabs and
                // newlines from paths, so ".\t." would become "..".
                if segment.is_empty()
                    || segment == "."
                    || segment == ".."
                    || segment.chars().any(char::is_control)
                {
                    return Err(SdpError::InvalidArgument {
                        detail: format!("`{segment}` is not a valid id or path segment"),
                    });
                }
                path.push(segment);
            }
        }
        Ok(url)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &self.base)
            .field("mode", &self.mode)
            .finish()
    }
}

/// A cloud deployment resolved from `SDP_DATA_CENTER` / `SDP_BASE_URL` /
/// `SDP_ACCOUNTS_URL` / `SDP_PORTAL_NAME`-style settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudTarget {
    /// The SDP endpoint.
    pub endpoint: Endpoint,
    /// Zoho accounts base URL (`https://accounts.zoho.com`), no trailing slash.
    pub accounts_url: String,
    /// The data centre, when given or recognised from the base URL.
    pub data_center: Option<DataCenter>,
}

impl CloudTarget {
    /// Resolves the settings. An explicit `base_url` overrides the data
    /// centre's SDP host, an explicit `accounts_url` overrides its accounts
    /// host. Without a data centre, it is recognised from a known SDP host in
    /// `base_url`; failing that (custom domain or simulator) it defaults to US
    /// for the accounts host, so set `accounts_url` for non-US custom domains.
    ///
    /// # Errors
    /// [`ConfigError`] for an unknown data centre, an unusable URL or portal.
    pub fn resolve(
        data_center: Option<&str>,
        base_url: Option<&str>,
        accounts_url: Option<&str>,
        portal: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let mut dc = non_empty(data_center)
            .map(str::parse::<DataCenter>)
            .transpose()?;
        let endpoint = match non_empty(base_url) {
            Some(base) => {
                let endpoint = Endpoint::cloud(base, non_empty(portal))?;
                if dc.is_none() {
                    dc = Url::parse(endpoint.base_url())
                        .ok()
                        .and_then(|u| u.host_str().and_then(DataCenter::from_sdp_host));
                }
                endpoint
            }
            None => Endpoint::for_data_center(dc.unwrap_or(DataCenter::Us), non_empty(portal))?,
        };
        let accounts_url = match non_empty(accounts_url) {
            Some(url) => normalize_base(url, "Zoho accounts URL")?.0,
            None => dc.unwrap_or(DataCenter::Us).accounts_url(),
        };
        Ok(CloudTarget {
            endpoint,
            accounts_url,
            data_center: dc,
        })
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Validates and normalises a base URL: absolute http(s), no query or
/// fragment, trailing `/`, `/api/v3` and `/app/<portal>` removed (the portal is
/// returned).
pub(crate) fn normalize_base(
    input: &str,
    what: &'static str,
) -> Result<(String, Option<String>), ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        what,
        value: input.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(input.trim()).map_err(|e| invalid(&e.to_string()))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("use an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("remove the query string and fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("do not put credentials in the URL"));
    }
    let mut segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if segments.len() >= 2
        && segments[segments.len() - 2].eq_ignore_ascii_case("api")
        && segments[segments.len() - 1].eq_ignore_ascii_case("v3")
    {
        segments.truncate(segments.len() - 2);
    }
    let mut portal = None;
    if segments.len() >= 2 && segments[segments.len() - 2].eq_ignore_ascii_case("app") {
        portal = segments.pop();
        segments.pop();
    }
    let mut origin = url.origin().ascii_serialization();
    for segment in &segments {
        origin.push('/');
        origin.push_str(segment);
    }
    let portal = portal.map(|p| validate_portal(&p)).transpose()?;
    Ok((origin, portal))
}

fn validate_portal(portal: &str) -> Result<String, ConfigError> {
    let portal = portal.trim();
    let ok = !portal.is_empty()
        && portal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && portal != "."
        && portal != "..";
    if ok {
        Ok(portal.to_owned())
    } else {
        Err(ConfigError::InvalidPortal(portal.to_owned()))
    }
}
