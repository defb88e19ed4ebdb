use secrecy::ExposeSecret;

use super::{EnvCredentials, EnvFileError, parse_env_file};
use crate::model::SdpAuth;

const CLOUD: &str = "\
SDP_CLIENT_ID=1000.ID
SDP_CLIENT_SECRET=secret-1
SDP_REFRESH_TOKEN=1000.refresh
SDP_INSTANCE_NAME=itdesk
";

fn parse(text: &str) -> EnvCredentials {
    match parse_env_file(text) {
        Ok(parsed) => parsed,
        Err(error) => panic!("{error}"),
    }
}

fn error(text: &str) -> EnvFileError {
    match parse_env_file(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(error) => error,
    }
}

fn cloud_parts(parsed: &EnvCredentials) -> (Option<&str>, &str, &str, &[String]) {
    let SdpAuth::CloudOAuth {
        client_id,
        client_secret,
        refresh_token,
        scopes,
    } = &parsed.credentials.auth
    else {
        panic!("not cloud credentials");
    };
    (
        client_id.as_deref(),
        client_secret.as_ref().map_or("", |s| s.expose_secret()),
        refresh_token.expose_secret(),
        scopes,
    )
}

#[test]
fn primary_names() {
    let parsed = parse(CLOUD);
    let (id, secret, refresh, scopes) = cloud_parts(&parsed);
    assert_eq!(
        (id, secret, refresh),
        (Some("1000.ID"), "secret-1", "1000.refresh")
    );
    assert!(scopes.is_empty());
    assert_eq!(parsed.credentials.instance.as_deref(), Some("itdesk"));
    assert!(parsed.warnings.is_empty());
}

#[test]
fn aliases_are_accepted() {
    let parsed = parse(
        "SDP_OAUTH_CLIENT_ID=1000.ID\nSDP_OAUTH_CLIENT_SECRET=s\nSDP_OAUTH_REFRESH_TOKEN=r\nSDP_PORTAL_NAME=helpdesk\n",
    );
    let (id, secret, refresh, _) = cloud_parts(&parsed);
    assert_eq!((id, secret, refresh), (Some("1000.ID"), "s", "r"));
    assert_eq!(parsed.credentials.instance.as_deref(), Some("helpdesk"));
}

#[test]
fn alias_and_primary_with_different_values_conflict() {
    let error = error(&format!("{CLOUD}SDP_OAUTH_CLIENT_ID=other\n"));
    assert_eq!(error.line, Some(5));
    assert_eq!(error.variable.as_deref(), Some("SDP_OAUTH_CLIENT_ID"));
    assert!(error.message.contains("SDP_CLIENT_ID on line 1"), "{error}");
}

#[test]
fn quotes_export_comments_and_blank_lines() {
    let parsed = parse(
        "# user alice\n\nexport SDP_CLIENT_ID=\"1000.ID\"\nexport\tSDP_CLIENT_SECRET='s#1 \"x\"' # note\n\
         SDP_REFRESH_TOKEN=\"a\\\"b\" \nSDP_INSTANCE_NAME=itdesk # the portal\n   # indented comment\n\
         SDP_SCOPES=SDPOnDemand.requests.ALL, SDPOnDemand.setup.READ\n",
    );
    let (id, secret, refresh, scopes) = cloud_parts(&parsed);
    assert_eq!(id, Some("1000.ID"));
    assert_eq!(secret, "s#1 \"x\"");
    assert_eq!(refresh, "a\"b");
    assert_eq!(
        scopes,
        ["SDPOnDemand.requests.ALL", "SDPOnDemand.setup.READ"]
    );
    assert_eq!(parsed.credentials.instance.as_deref(), Some("itdesk"));
}

#[test]
fn optional_settings_are_read() {
    let parsed = parse(&format!(
        "{CLOUD}SDP_DATA_CENTER=eu\nSDP_ACCOUNTS_URL=https://accounts.zoho.eu/\nSDP_HTTP_PORT=3456\n\
         SDP_HTTP_HOST=0.0.0.0\nSDP_MCP_API_KEY=old-key\nSDP_BASE_URL=https://sdpondemand.manageengine.eu\n"
    ));
    assert_eq!(parsed.credentials.data_center.as_deref(), Some("EU"));
    assert_eq!(
        parsed.credentials.accounts_url.as_deref(),
        Some("https://accounts.zoho.eu")
    );
    assert_eq!(
        parsed.credentials.base_url.as_deref(),
        Some("https://sdpondemand.manageengine.eu")
    );
    assert_eq!(parsed.http_port, Some(3456));
    assert_eq!(parsed.http_host.as_deref(), Some("0.0.0.0"));
    assert_eq!(
        parsed.api_key.as_ref().map(ExposeSecret::expose_secret),
        Some("old-key")
    );
}

#[test]
fn base_url_with_app_path_supplies_the_portal() {
    let parsed = parse(
        "SDP_CLIENT_ID=i\nSDP_CLIENT_SECRET=s\nSDP_REFRESH_TOKEN=r\nSDP_BASE_URL=https://sdpondemand.manageengine.com/app/itdesk\n",
    );
    assert_eq!(parsed.credentials.instance.as_deref(), Some("itdesk"));
    assert_eq!(
        parsed.credentials.base_url.as_deref(),
        Some("https://sdpondemand.manageengine.com")
    );
}

#[test]
fn on_premises_authtoken() {
    let parsed = parse("SDP_AUTHTOKEN=ABCD-1234\nSDP_BASE_URL=https://sdp.example.com:8080\n");
    let SdpAuth::OnPremAuthtoken { authtoken } = &parsed.credentials.auth else {
        panic!("not on-premises");
    };
    assert_eq!(authtoken.expose_secret(), "ABCD-1234");
    let error = error("SDP_AUTHTOKEN=ABCD-1234\n");
    assert_eq!(error.variable.as_deref(), Some("SDP_BASE_URL"));
    assert!(
        error.message.contains("e.g. SDP_BASE_URL=https://"),
        "{error}"
    );
    let error = error_of_both();
    assert!(error.message.contains("not both"), "{error}");
}

fn error_of_both() -> EnvFileError {
    error("SDP_AUTHTOKEN=a\nSDP_REFRESH_TOKEN=b\nSDP_BASE_URL=https://x\n")
}

#[test]
fn malformed_line_reports_its_number() {
    let error = error("SDP_CLIENT_ID=1\n\n# ok\nthis line has no equals sign\n");
    assert_eq!(error.line, Some(4));
    assert!(
        error.to_string().starts_with("line 4: expected NAME=value"),
        "{error}"
    );
    assert_eq!(self::error("SDP_X=\"open\n").line, Some(1));
    assert_eq!(self::error("1BAD=x\n").line, Some(1));
    let trailing = self::error("A='x' y\n");
    assert!(
        trailing.message.contains("after the closing quote"),
        "{trailing}"
    );
}

#[test]
fn missing_variable_is_named_with_an_example() {
    let error = error("SDP_CLIENT_ID=1000.ID\nSDP_REFRESH_TOKEN=r\nSDP_INSTANCE_NAME=itdesk\n");
    assert_eq!(error.line, None);
    assert_eq!(error.variable.as_deref(), Some("SDP_CLIENT_SECRET"));
    assert!(error.message.contains("e.g. SDP_CLIENT_SECRET="), "{error}");
    let error = self::error("");
    assert_eq!(error.variable.as_deref(), Some("SDP_CLIENT_ID"));
    assert!(
        error
            .message
            .contains("also missing: SDP_CLIENT_SECRET, SDP_REFRESH_TOKEN, SDP_INSTANCE_NAME"),
        "{error}"
    );
}

#[test]
fn blank_value_counts_as_missing() {
    let error = error(&CLOUD.replace("SDP_CLIENT_SECRET=secret-1", "SDP_CLIENT_SECRET=  "));
    assert_eq!(error.variable.as_deref(), Some("SDP_CLIENT_SECRET"));
}

#[test]
fn unknown_data_center_names_the_value() {
    let error = error(&format!("{CLOUD}SDP_DATA_CENTER=Mars\n"));
    assert_eq!(error.line, Some(5));
    assert_eq!(error.variable.as_deref(), Some("SDP_DATA_CENTER"));
    assert!(error.message.contains("`Mars`"), "{error}");
    assert!(
        error.message.contains("US, EU, IN, AU, CN, JP, CA, UK, SA"),
        "{error}"
    );
}

#[test]
fn every_listed_data_center_is_accepted() {
    for code in ["US", "EU", "IN", "AU", "CN", "JP", "CA", "UK", "SA", "au"] {
        let parsed = parse(&format!("{CLOUD}SDP_DATA_CENTER={code}\n"));
        assert_eq!(
            parsed.credentials.data_center.as_deref(),
            Some(code.to_ascii_uppercase().as_str())
        );
    }
}

#[test]
fn bad_url_and_port_are_errors_on_their_line() {
    let error = error(&format!("{CLOUD}SDP_BASE_URL=sdp.example.com\n"));
    assert_eq!(
        (error.line, error.variable.as_deref()),
        (Some(5), Some("SDP_BASE_URL"))
    );
    let error = self::error(&format!("{CLOUD}SDP_HTTP_PORT=http\n"));
    assert_eq!(
        (error.line, error.variable.as_deref()),
        (Some(5), Some("SDP_HTTP_PORT"))
    );
}

#[test]
fn unknown_sdp_variables_are_warnings_and_others_are_ignored() {
    let parsed = parse(&format!(
        "{CLOUD}SDP_INSTANCE=x\nSDP_FOO=1\nNODE_ENV=production\n"
    ));
    let warnings: Vec<(usize, &str)> = parsed
        .warnings
        .iter()
        .map(|w| (w.line, w.variable.as_str()))
        .collect();
    assert_eq!(warnings, [(5, "SDP_INSTANCE"), (6, "SDP_FOO")]);
    assert!(
        parsed.warnings[0]
            .message
            .contains("did you mean SDP_INSTANCE_NAME?")
    );
}

#[test]
fn repeated_variable_warns_and_the_later_value_wins() {
    let parsed = parse(&format!("{CLOUD}SDP_INSTANCE_NAME=other\n"));
    assert_eq!(parsed.credentials.instance.as_deref(), Some("other"));
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].line, 5);
}

#[test]
fn errors_and_debug_never_show_secret_values() {
    let error = error("SDP_CLIENT_SECRET=\"top-secret-value\nSDP_CLIENT_ID=1\n");
    assert!(!error.to_string().contains("top-secret-value"));
    let parsed = parse(&CLOUD.replace("secret-1", "top-secret-value"));
    assert!(!format!("{parsed:?}").contains("top-secret-value"));
}
