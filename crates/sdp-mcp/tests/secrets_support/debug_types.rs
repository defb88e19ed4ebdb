//! `{:?}` of every configuration and credential type, built with known
//! secrets. Types were found by grepping `SecretString`/`SecretBox` fields
//! across the crates; crate-private ones (the header-credential hash key,
//! pending OAuth authorizations, the shared token wrapper) are covered by
//! the log scans of the sessions instead.

use std::sync::Arc;
use std::time::Duration;

use sdp_client::{
    CodeExchange, Endpoint, OnPremApiKey, SdpClient, SdpClientConfig, StaticToken, TokenGrant,
    ZohoCredentials, ZohoTokenSource,
};
use sdp_mcp_server::oauth::OAuthConfig;
use sdp_mcp_server::{Config, EnvSource, Server};
use sdp_mcp_store::{
    AuthMethod, DatabaseLocation, MasterKey, MasterKeySource, NewUser, SdpAuth, SdpCredentials,
    SecretString, StoreOptions, parse_env_file,
};

use super::{MASTER_KEY_BYTES, Secrets, master_key_b64};

const CLIENT_SECRET: &str = "DEBUG-client-secret-5c1e";
const REFRESH_TOKEN: &str = "DEBUG-refresh-token-88a0";
const ACCESS_TOKEN: &str = "DEBUG-access-token-0b7d";
const AUTHTOKEN: &str = "DEBUG-onprem-authtoken-3f2c";
const API_KEY: &str = "DEBUG-api-key-9e41";
const METRICS_TOKEN: &str = "DEBUG-metrics-token-71aa";
const DB_PASSWORD: &str = "DEBUG-db-password-d00d";
const WEB_SECRET: &str = "DEBUG-zoho-web-secret-4b4b";
const CODE: &str = "DEBUG-authorization-code-6161";

fn secrets() -> Secrets {
    let mut secrets = Secrets::default();
    for (label, value) in [
        ("client secret", CLIENT_SECRET),
        ("refresh token", REFRESH_TOKEN),
        ("access token", ACCESS_TOKEN),
        ("authtoken", AUTHTOKEN),
        ("API key", API_KEY),
        ("metrics token", METRICS_TOKEN),
        ("database password", DB_PASSWORD),
        ("Zoho web client secret", WEB_SECRET),
        ("authorization code", CODE),
    ] {
        secrets.add(label, value);
    }
    secrets.add_key_b64("master key", &master_key_b64(), MASTER_KEY_BYTES);
    secrets
}

fn secret(value: &str) -> SecretString {
    SecretString::from(value.to_owned())
}

fn postgres_url() -> String {
    format!("postgres://sdp:{DB_PASSWORD}@127.0.0.1:9/sdp")
}

/// `(type name, its Debug text)` for every type with a secret.
pub fn debug_texts() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();

    // sdp-mcp-server: configuration from the environment, both modes.
    let single = EnvSource::from_vars([
        ("SDP_CLIENT_ID", "1000.DEBUGCLIENT".to_owned()),
        ("SDP_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("SDP_REFRESH_TOKEN", REFRESH_TOKEN.to_owned()),
        ("SDP_INSTANCE_NAME", "itdesk".to_owned()),
        ("SDP_DATA_CENTER", "EU".to_owned()),
        ("SDP_MCP_API_KEY", API_KEY.to_owned()),
        ("SDP_MCP_METRICS_TOKEN", METRICS_TOKEN.to_owned()),
        ("SDP_MCP_MASTER_KEY", master_key_b64()),
        ("SDP_MCP_DATABASE_URL", postgres_url()),
        ("SDP_MCP_ZOHO_CLIENT_SECRET", WEB_SECRET.to_owned()),
    ]);
    out.push(("EnvSource", format!("{single:?}")));
    let config = Config::from_env(&single).unwrap();
    assert!(config.upstream.is_some(), "{config:?}");
    out.push(("Config (Zoho)", format!("{config:?}")));
    out.push(("HttpConfig", format!("{:?}", config.http)));
    let upstream = config.upstream.clone().unwrap();
    out.push(("Credentials::Zoho", format!("{:?}", upstream.credentials)));
    out.push(("UpstreamConfig", format!("{upstream:?}")));
    let on_prem = EnvSource::from_vars([
        ("SDP_AUTHTOKEN", AUTHTOKEN),
        ("SDP_BASE_URL", "https://sdp.example.com:8080"),
        ("SDP_MCP_API_KEY", API_KEY),
    ]);
    let on_prem = Config::from_env(&on_prem).unwrap();
    out.push(("Config (on-prem)", format!("{on_prem:?}")));
    let multi = EnvSource::from_vars([
        ("SDP_MCP_PUBLIC_URL", "http://127.0.0.1:3456"),
        ("SDP_MCP_ZOHO_CLIENT_ID", "1000.DEBUGWEB"),
        ("SDP_MCP_ZOHO_CLIENT_SECRET", WEB_SECRET),
        ("SDP_MCP_OAUTH_ALLOWED_DOMAINS", "example.com"),
        ("SDP_DATA_CENTER", "EU"),
        ("SDP_MCP_METRICS_TOKEN", METRICS_TOKEN),
    ]);
    let multi = Config::multi_user_from_env(&multi).unwrap();
    assert!(multi.oauth.is_some(), "{multi:?}");
    out.push(("Config (multi-user, OAuth)", format!("{multi:?}")));
    let oauth = OAuthConfig::new(
        "http://127.0.0.1:3456",
        "1000.DEBUGWEB",
        secret(WEB_SECRET),
        "https://accounts.zoho.eu",
    );
    out.push(("OAuthConfig", format!("{oauth:?}")));
    let builder = Server::builder(config.clone()).extra_api_key("alice", secret(API_KEY));
    out.push(("ServerBuilder", format!("{builder:?}")));

    // sdp-mcp-store: credentials, new users, options, the master key, env files.
    let cloud = SdpCredentials {
        auth: SdpAuth::CloudOAuth {
            client_id: Some("1000.DEBUGCLIENT".to_owned()),
            client_secret: Some(secret(CLIENT_SECRET)),
            refresh_token: secret(REFRESH_TOKEN),
            scopes: Vec::new(),
        },
        instance: Some("itdesk".to_owned()),
        base_url: None,
        accounts_url: None,
        data_center: Some("EU".to_owned()),
    };
    out.push(("SdpCredentials (cloud)", format!("{cloud:?}")));
    let on_prem_auth = SdpAuth::OnPremAuthtoken {
        authtoken: secret(AUTHTOKEN),
    };
    out.push(("SdpAuth::OnPremAuthtoken", format!("{on_prem_auth:?}")));
    let new_user = NewUser {
        name: "alice".to_owned(),
        display_name: None,
        email: None,
        auth_method: AuthMethod::ApiKey,
        credentials: Some(cloud),
        issue_api_key: true,
    };
    out.push(("NewUser", format!("{new_user:?}")));
    let dir = std::env::temp_dir();
    let options = StoreOptions::new(
        &dir,
        Some(&postgres_url()),
        Some(SecretString::from(master_key_b64())),
    )
    .unwrap();
    out.push(("StoreOptions", format!("{options:?}")));
    out.push((
        "DatabaseLocation",
        format!("{:?}", DatabaseLocation::parse(&postgres_url()).unwrap()),
    ));
    out.push((
        "DatabaseLocation::display",
        DatabaseLocation::parse(&postgres_url()).unwrap().display(),
    ));
    let source = MasterKeySource::from_env_or_data_dir(Some(secret(&master_key_b64())), &dir);
    out.push(("MasterKeySource", format!("{source:?}")));
    let key = MasterKey::from_base64("SDP_MCP_MASTER_KEY", &secret(&master_key_b64())).unwrap();
    out.push(("MasterKey", format!("{key:?}")));
    out.push(("KeyId", format!("{:?}", key.id())));
    let env = parse_env_file(&format!(
        "SDP_CLIENT_ID=1000.DEBUGCLIENT\nSDP_CLIENT_SECRET={CLIENT_SECRET}\n\
         SDP_REFRESH_TOKEN={REFRESH_TOKEN}\nSDP_INSTANCE_NAME=itdesk\nSDP_DATA_CENTER=EU\n"
    ))
    .unwrap();
    out.push(("EnvCredentials", format!("{env:?}")));
    let broken = parse_env_file(&format!("SDP_CLIENT_SECRET {CLIENT_SECRET}\n")).unwrap_err();
    out.push(("EnvFileError", format!("{broken:?}")));
    out.push(("EnvFileError (Display)", broken.to_string()));

    // sdp-client: token sources, grants, the client.
    let credentials = ZohoCredentials {
        client_id: "1000.DEBUGCLIENT".to_owned(),
        client_secret: secret(CLIENT_SECRET),
        refresh_token: secret(REFRESH_TOKEN),
        accounts_url: "https://accounts.zoho.eu".to_owned(),
    };
    out.push(("ZohoCredentials", format!("{credentials:?}")));
    let zoho = ZohoTokenSource::new(credentials, reqwest::Client::new());
    zoho.seed(secret(ACCESS_TOKEN), Duration::from_secs(3600));
    out.push(("ZohoTokenSource (seeded)", format!("{zoho:?}")));
    out.push((
        "StaticToken",
        format!("{:?}", StaticToken::new(secret(ACCESS_TOKEN))),
    ));
    out.push((
        "OnPremApiKey",
        format!("{:?}", OnPremApiKey::new(secret(AUTHTOKEN))),
    ));
    let grant = TokenGrant {
        access_token: secret(ACCESS_TOKEN),
        refresh_token: Some(secret(REFRESH_TOKEN)),
        expires_in: Duration::from_secs(3600),
        scopes: Vec::new(),
        api_domain: None,
    };
    out.push(("TokenGrant", format!("{grant:?}")));
    let client_secret = secret(CLIENT_SECRET);
    let exchange = CodeExchange {
        accounts_url: "https://accounts.zoho.eu",
        client_id: "1000.DEBUGWEB",
        client_secret: &client_secret,
        code: CODE,
        redirect_uri: None,
    };
    out.push(("CodeExchange", format!("{exchange:?}")));
    let endpoint = Endpoint::cloud("https://sdpondemand.manageengine.eu", Some("itdesk")).unwrap();
    let client = SdpClient::new(
        SdpClientConfig::new(endpoint),
        Arc::new(zoho),
        reqwest::Client::new(),
    );
    out.push(("SdpClient", format!("{client:?}")));
    out
}

/// Asserts none of the Debug texts shows a secret.
pub fn assert_all_redacted() {
    let secrets = secrets();
    let texts = debug_texts();
    assert!(texts.len() >= 25, "{}", texts.len());
    for (name, text) in &texts {
        let found = secrets.found_in(text);
        assert!(found.is_empty(), "Debug of {name} shows {found:?}: {text}");
    }
}

/// The check itself can fail: a derived `Debug` of a plain string shows it.
pub fn assert_check_can_fail() {
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Leaky {
        token: String,
    }
    let leaky = format!(
        "{:?}",
        Leaky {
            token: ACCESS_TOKEN.to_owned()
        }
    );
    assert_eq!(secrets().found_in(&leaky), ["access token"]);
}
