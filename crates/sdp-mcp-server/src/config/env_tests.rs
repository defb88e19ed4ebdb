use secrecy::ExposeSecret;

use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvSource {
    EnvSource::from_vars(pairs.iter().copied())
}

const CLOUD: &[(&str, &str)] = &[
    ("SDP_CLIENT_ID", "1000.CLIENT"),
    ("SDP_CLIENT_SECRET", "secret-value"),
    ("SDP_REFRESH_TOKEN", "1000.refresh.token"),
    ("SDP_INSTANCE_NAME", "itdesk"),
];

fn problems(pairs: &[(&str, &str)]) -> Vec<&'static str> {
    match load(&env(pairs)) {
        Err(ConfigError::Invalid(problems)) => problems.iter().map(|p| p.variable).collect(),
        other => panic!("expected invalid config, got {other:?}"),
    }
}

#[test]
fn cloud_defaults_to_us_data_center_and_loopback() {
    let config = load(&env(CLOUD)).unwrap();
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.base_url(),
        "https://sdpondemand.manageengine.com"
    );
    assert_eq!(
        config.upstream.as_ref().unwrap().accounts_url.as_deref(),
        Some("https://accounts.zoho.com")
    );
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.portal(),
        Some("itdesk")
    );
    assert_eq!(config.http.bind_address(), "127.0.0.1:3456");
    assert!(config.http.api_key.is_none());
    let Credentials::Zoho { refresh_token, .. } = &config.upstream.as_ref().unwrap().credentials
    else {
        panic!("expected zoho credentials");
    };
    assert_eq!(refresh_token.expose_secret(), "1000.refresh.token");
}

#[test]
fn aliases_are_honoured() {
    let config = load(&env(&[
        ("SDP_OAUTH_CLIENT_ID", "1000.CLIENT"),
        ("SDP_OAUTH_CLIENT_SECRET", "s"),
        ("SDP_OAUTH_REFRESH_TOKEN", "r"),
        ("SDP_PORTAL_NAME", "hrdesk"),
        ("SDP_DATA_CENTER", "eu"),
    ]))
    .unwrap();
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.portal(),
        Some("hrdesk")
    );
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.base_url(),
        "https://sdpondemand.manageengine.eu"
    );
    assert_eq!(
        config.upstream.as_ref().unwrap().accounts_url.as_deref(),
        Some("https://accounts.zoho.eu")
    );
}

#[test]
fn conflicting_alias_is_an_error() {
    let mut pairs = CLOUD.to_vec();
    pairs.push(("SDP_PORTAL_NAME", "other"));
    assert_eq!(problems(&pairs), vec!["SDP_INSTANCE_NAME"]);
}

#[test]
fn every_missing_variable_is_reported_with_an_example() {
    let error = load(&env(&[("SDP_REFRESH_TOKEN", "r")])).unwrap_err();
    let text = error.to_string();
    for variable in ["SDP_CLIENT_ID", "SDP_CLIENT_SECRET", "SDP_INSTANCE_NAME"] {
        assert!(text.contains(variable), "{text}");
    }
    assert!(text.contains("example: SDP_CLIENT_ID=1000."), "{text}");
}

#[test]
fn missing_credentials_name_the_refresh_token() {
    assert_eq!(
        problems(&[("SDP_INSTANCE_NAME", "itdesk")]),
        vec!["SDP_REFRESH_TOKEN"]
    );
}

#[test]
fn malformed_values_are_named() {
    let mut pairs = CLOUD.to_vec();
    pairs.extend([
        ("SDP_HTTP_PORT", "http"),
        ("SDP_DATA_CENTER", "MARS"),
        ("SDP_BASE_URL", "sdp.example.com"),
    ]);
    assert_eq!(
        problems(&pairs),
        vec!["SDP_DATA_CENTER", "SDP_BASE_URL", "SDP_HTTP_PORT"]
    );
}

#[test]
fn base_url_with_portal_path_supplies_the_portal() {
    let config = load(&env(&[
        ("SDP_CLIENT_ID", "c"),
        ("SDP_CLIENT_SECRET", "s"),
        ("SDP_REFRESH_TOKEN", "r"),
        ("SDP_BASE_URL", "https://helpdesk.example.com/app/itdesk/"),
    ]))
    .unwrap();
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.base_url(),
        "https://helpdesk.example.com"
    );
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.portal(),
        Some("itdesk")
    );
}

#[test]
fn on_prem_needs_base_url_but_no_portal() {
    assert_eq!(problems(&[("SDP_AUTHTOKEN", "KEY")]), vec!["SDP_BASE_URL"]);
    let config = load(&env(&[
        ("SDP_AUTHTOKEN", "KEY"),
        ("SDP_BASE_URL", "http://sdp.local:8080"),
    ]))
    .unwrap();
    assert!(matches!(
        config.upstream.as_ref().unwrap().credentials,
        Credentials::OnPrem { .. }
    ));
}

#[test]
fn dotenv_fills_gaps_but_real_env_wins() {
    let source = env(&[("SDP_INSTANCE_NAME", "from-env")])
        .with_dotenv_text(
            "SDP_INSTANCE_NAME=from-file\nSDP_CLIENT_ID=c\nSDP_CLIENT_SECRET=s\nSDP_REFRESH_TOKEN=r\n",
            ".env",
        )
        .unwrap();
    let config = load(&source).unwrap();
    assert_eq!(
        config.upstream.as_ref().unwrap().endpoint.portal(),
        Some("from-env")
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut pairs = CLOUD.to_vec();
    pairs.push(("SDP_MCP_API_KEY", "api-key-value"));
    let source = env(&pairs);
    let config = load(&source).unwrap();
    let rendered = format!("{config:?} {source:?}");
    for secret in ["secret-value", "1000.refresh.token", "api-key-value"] {
        assert!(!rendered.contains(secret), "{rendered}");
    }
}

#[test]
fn http_settings_and_lists() {
    let mut pairs = CLOUD.to_vec();
    pairs.extend([
        ("SDP_HTTP_HOST", "::1"),
        ("SDP_HTTP_PORT", "8080"),
        ("SDP_MCP_ALLOWED_HOSTS", "mcp.example.com, localhost:8080"),
    ]);
    let config = load(&env(&pairs)).unwrap();
    assert_eq!(config.http.bind_address(), "[::1]:8080");
    assert_eq!(
        config.http.allowed_hosts,
        Some(vec![
            "mcp.example.com".to_owned(),
            "localhost:8080".to_owned()
        ])
    );
}

#[test]
fn multi_user_settings_need_no_sdp_credentials() {
    let config = load_multi_user(&env(&[
        ("SDP_MCP_ALLOW_HEADER_CREDENTIALS", "true"),
        ("SDP_MCP_RATE_LIMIT_PER_MINUTE", "60"),
    ]))
    .unwrap();
    assert!(config.upstream.is_none());
    assert!(config.multi_user.allow_header_credentials);
    assert_eq!(config.multi_user.calls_per_minute, 60);
    let defaults = load_multi_user(&env(&[])).unwrap();
    assert!(!defaults.multi_user.allow_header_credentials);
    assert_eq!(defaults.multi_user.calls_per_minute, 0);
    let Err(ConfigError::Invalid(problems)) = load_multi_user(&env(&[
        ("SDP_MCP_ALLOW_HEADER_CREDENTIALS", "maybe"),
        ("SDP_MCP_RATE_LIMIT_PER_MINUTE", "fast"),
    ])) else {
        panic!("expected invalid config");
    };
    let names: Vec<_> = problems.iter().map(|p| p.variable).collect();
    assert_eq!(
        names,
        [
            "SDP_MCP_ALLOW_HEADER_CREDENTIALS",
            "SDP_MCP_RATE_LIMIT_PER_MINUTE"
        ]
    );
    assert!(Config::has_single_user_credentials(&env(CLOUD)));
    assert!(!Config::has_single_user_credentials(&env(&[])));
}

#[test]
fn oauth_sign_in_is_read_in_both_modes_and_reported_when_incomplete() {
    assert!(load_multi_user(&env(&[])).unwrap().oauth.is_none());
    let oauth = &[
        ("SDP_MCP_PUBLIC_URL", "https://mcp.example.com"),
        ("SDP_MCP_ZOHO_CLIENT_ID", "1000.WEB"),
        ("SDP_MCP_ZOHO_CLIENT_SECRET", "web-secret"),
        ("SDP_MCP_OAUTH_ALLOWED_DOMAINS", "example.com"),
    ];
    let config = load_multi_user(&env(oauth)).unwrap().oauth.unwrap();
    assert_eq!(config.resource(), "https://mcp.example.com/mcp");
    let mut single = CLOUD.to_vec();
    single.extend_from_slice(oauth);
    assert!(load(&env(&single)).unwrap().oauth.is_some());
    match load_multi_user(&env(&oauth[..2])) {
        Err(ConfigError::Invalid(problems)) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].variable, "SDP_MCP_ZOHO_CLIENT_SECRET");
            assert!(!problems[0].to_string().contains("web-secret"));
        }
        other => panic!("expected invalid config, got {other:?}"),
    }
}

#[test]
fn limits_are_read_and_bad_values_named() {
    let defaults = load(&env(CLOUD)).unwrap().http.limits;
    assert_eq!(defaults, crate::limits::HttpLimits::default());
    let mut pairs = CLOUD.to_vec();
    pairs.extend([
        ("SDP_MCP_MAX_BODY_BYTES", "2048"),
        ("SDP_MCP_MAX_SESSIONS_PER_USER", "7"),
        ("SDP_MCP_HEADER_READ_TIMEOUT_SECS", "3"),
        ("SDP_MCP_AUTH_FAILURES_PER_MINUTE", "0"),
    ]);
    let limits = load(&env(&pairs)).unwrap().http.limits;
    assert_eq!(limits.max_body_bytes, 2048);
    assert_eq!(limits.max_sessions_per_user, 7);
    assert_eq!(
        limits.header_read_timeout,
        std::time::Duration::from_secs(3)
    );
    assert_eq!(limits.auth_failures_per_minute, 0);
    let mut pairs = CLOUD.to_vec();
    pairs.extend([
        ("SDP_MCP_MAX_BODY_BYTES", "1MB"),
        ("SDP_MCP_MAX_JSON_DEPTH", "2"),
        ("SDP_MCP_MAX_SESSIONS", "0"),
    ]);
    assert_eq!(
        problems(&pairs),
        [
            "SDP_MCP_MAX_BODY_BYTES",
            "SDP_MCP_MAX_JSON_DEPTH",
            "SDP_MCP_MAX_SESSIONS"
        ]
    );
}
