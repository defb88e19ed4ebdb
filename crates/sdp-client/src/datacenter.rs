//! The SDP Cloud data-centre table (reference `sdp-api.md` §1.1).
//!
//! Each data centre has its own SDP host and its own Zoho accounts host; the
//! SDP host cannot be derived from the accounts host (the apex differs by
//! region), so both columns are spelled out.

use std::fmt;
use std::str::FromStr;

use url::Url;

/// An SDP Cloud data centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataCenter {
    /// United States (`sdpondemand.manageengine.com`, `accounts.zoho.com`).
    Us,
    /// Europe (`sdpondemand.manageengine.eu`, `accounts.zoho.eu`).
    Eu,
    /// India (`sdpondemand.manageengine.in`, `accounts.zoho.in`).
    In,
    /// Australia (`servicedeskplus.net.au`, `accounts.zoho.com.au`).
    Au,
    /// China (`servicedeskplus.cn`, `accounts.zoho.com.cn`).
    Cn,
    /// Japan (`servicedeskplus.jp`, `accounts.zoho.jp`).
    Jp,
    /// Canada (`servicedeskplus.ca`, `accounts.zohocloud.ca`).
    Ca,
    /// United Kingdom (`servicedeskplus.uk`, `accounts.zoho.uk`).
    Uk,
    /// Saudi Arabia (`servicedeskplus.sa`, `accounts.zoho.sa`).
    Sa,
    /// United Arab Emirates (`servicedeskplus.ae`, `accounts.zoho.ae`; the
    /// accounts host is inferred from Zoho's naming pattern).
    Ae,
}

impl DataCenter {
    /// Every data centre, in the order of the reference table.
    pub const ALL: [DataCenter; 10] = [
        DataCenter::Us,
        DataCenter::Eu,
        DataCenter::In,
        DataCenter::Au,
        DataCenter::Cn,
        DataCenter::Jp,
        DataCenter::Ca,
        DataCenter::Uk,
        DataCenter::Sa,
        DataCenter::Ae,
    ];

    /// Short upper-case code (`US`, `EU`, …), the canonical `SDP_DATA_CENTER` value.
    pub fn code(self) -> &'static str {
        match self {
            DataCenter::Us => "US",
            DataCenter::Eu => "EU",
            DataCenter::In => "IN",
            DataCenter::Au => "AU",
            DataCenter::Cn => "CN",
            DataCenter::Jp => "JP",
            DataCenter::Ca => "CA",
            DataCenter::Uk => "UK",
            DataCenter::Sa => "SA",
            DataCenter::Ae => "AE",
        }
    }

    /// SDP API host, e.g. `sdpondemand.manageengine.com`.
    pub fn sdp_host(self) -> &'static str {
        match self {
            DataCenter::Us => "sdpondemand.manageengine.com",
            DataCenter::Eu => "sdpondemand.manageengine.eu",
            DataCenter::In => "sdpondemand.manageengine.in",
            DataCenter::Au => "servicedeskplus.net.au",
            DataCenter::Cn => "servicedeskplus.cn",
            DataCenter::Jp => "servicedeskplus.jp",
            DataCenter::Ca => "servicedeskplus.ca",
            DataCenter::Uk => "servicedeskplus.uk",
            DataCenter::Sa => "servicedeskplus.sa",
            DataCenter::Ae => "servicedeskplus.ae",
        }
    }

    /// Zoho accounts host, e.g. `accounts.zoho.com`.
    pub fn accounts_host(self) -> &'static str {
        match self {
            DataCenter::Us => "accounts.zoho.com",
            DataCenter::Eu => "accounts.zoho.eu",
            DataCenter::In => "accounts.zoho.in",
            DataCenter::Au => "accounts.zoho.com.au",
            DataCenter::Cn => "accounts.zoho.com.cn",
            DataCenter::Jp => "accounts.zoho.jp",
            DataCenter::Ca => "accounts.zohocloud.ca",
            DataCenter::Uk => "accounts.zoho.uk",
            DataCenter::Sa => "accounts.zoho.sa",
            DataCenter::Ae => "accounts.zoho.ae",
        }
    }

    /// Zoho API console host, where Self Clients and web clients are registered.
    pub fn api_console_host(self) -> &'static str {
        match self {
            DataCenter::Us => "api-console.zoho.com",
            DataCenter::Eu => "api-console.zoho.eu",
            DataCenter::In => "api-console.zoho.in",
            DataCenter::Au => "api-console.zoho.com.au",
            DataCenter::Cn => "api-console.zoho.com.cn",
            DataCenter::Jp => "api-console.zoho.jp",
            DataCenter::Ca => "api-console.zohocloud.ca",
            DataCenter::Uk => "api-console.zoho.uk",
            DataCenter::Sa => "api-console.zoho.sa",
            DataCenter::Ae => "api-console.zoho.ae",
        }
    }

    /// `https://{sdp_host}`, the SDP base URL of this data centre (no portal).
    pub fn sdp_base_url(self) -> String {
        format!("https://{}", self.sdp_host())
    }

    /// `https://{accounts_host}`, the Zoho accounts base URL of this data centre.
    pub fn accounts_url(self) -> String {
        format!("https://{}", self.accounts_host())
    }

    /// The data centre whose SDP host is `host` (legacy aliases included,
    /// e.g. `sdpondemand.manageengine.com.au`).
    pub fn from_sdp_host(host: &str) -> Option<DataCenter> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if let Some(dc) = DataCenter::ALL.into_iter().find(|dc| dc.sdp_host() == host) {
            return Some(dc);
        }
        match host.as_str() {
            "sdpondemand.manageengine.com.au" => Some(DataCenter::Au),
            "sdpondemand.manageengine.com.cn" => Some(DataCenter::Cn),
            "sdpondemand.manageengine.jp" => Some(DataCenter::Jp),
            "sdpondemand.manageengine.uk" => Some(DataCenter::Uk),
            "sdpondemand.manageenginecloud.ca" => Some(DataCenter::Ca),
            _ => None,
        }
    }

    /// The data centre whose Zoho accounts host is `host` (aliases
    /// `accounts.zoho.ca` and `accounts.zoho.cn` included).
    pub fn from_accounts_host(host: &str) -> Option<DataCenter> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if let Some(dc) = DataCenter::ALL
            .into_iter()
            .find(|dc| dc.accounts_host() == host)
        {
            return Some(dc);
        }
        match host.as_str() {
            "accounts.zoho.ca" => Some(DataCenter::Ca),
            "accounts.zoho.cn" => Some(DataCenter::Cn),
            _ => None,
        }
    }

    /// The data centre named by Zoho's `accounts-server` redirect parameter
    /// (a URL such as `https://accounts.zoho.eu`).
    pub fn from_accounts_server(accounts_server: &str) -> Option<DataCenter> {
        let url = Url::parse(accounts_server).ok()?;
        DataCenter::from_accounts_host(url.host_str()?)
    }
}

impl fmt::Display for DataCenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text given for a data centre is not one we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown data centre `{0}`: use one of US, EU, IN, AU, CN, JP, CA, UK, SA, AE (or a domain suffix such as com, eu, com.au)"
)]
pub struct UnknownDataCenter(pub String);

impl FromStr for DataCenter {
    type Err = UnknownDataCenter;

    /// Parses an `SDP_DATA_CENTER`-style value, case-insensitively: a code
    /// (`us`, `EU`), a Zoho domain suffix (`com`, `eu`, `com.au`, `com.cn`,
    /// `zohocloud.ca`), Zoho's `location` value, or a full SDP or accounts host.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim().trim_start_matches('.').to_ascii_lowercase();
        let dc = match text.as_str() {
            "us" | "com" | "usa" | "zoho.com" => DataCenter::Us,
            "eu" | "zoho.eu" => DataCenter::Eu,
            "in" | "zoho.in" => DataCenter::In,
            "au" | "com.au" | "net.au" | "zoho.com.au" => DataCenter::Au,
            "cn" | "com.cn" | "zoho.com.cn" => DataCenter::Cn,
            "jp" | "zoho.jp" => DataCenter::Jp,
            "ca" | "zohocloud.ca" | "zoho.ca" => DataCenter::Ca,
            "uk" | "gb" | "zoho.uk" => DataCenter::Uk,
            "sa" | "zoho.sa" => DataCenter::Sa,
            "ae" | "zoho.ae" => DataCenter::Ae,
            other => {
                return DataCenter::from_sdp_host(other)
                    .or_else(|| DataCenter::from_accounts_host(other))
                    .ok_or_else(|| UnknownDataCenter(input.to_owned()));
            }
        };
        Ok(dc)
    }
}
