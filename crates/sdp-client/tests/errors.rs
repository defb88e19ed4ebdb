#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Error mapping: SDP error bodies (object and array `response_status`) to
//! typed errors and human messages that name the field and the fix.

use std::time::Duration;

use sdp_client::status::parse_response_status;
use sdp_client::{ApiError, AuthError, SdpError};
use serde_json::{Value, json};

fn api_error(http_status: u16, body: &Value) -> ApiError {
    ApiError {
        http_status,
        statuses: parse_response_status(body),
        retry_after: None,
    }
}

fn failed(messages: &Value) -> Value {
    json!({"response_status": {"status_code": 4000, "status": "failed", "messages": messages}})
}

#[test]
fn mandatory_fields_4012_names_every_missing_field() {
    let error = api_error(
        400,
        &failed(
            &json!([{"status_code": 4012, "type": "failed", "fields": ["category", "subcategory"]}]),
        ),
    );
    assert_eq!(error.primary_code(), Some(4012));
    assert_eq!(error.missing_fields(), vec!["category", "subcategory"]);
    assert_eq!(
        error.human_message(),
        "ServiceDesk Plus needs these fields for this template: category, subcategory. Add them (see get_request_fields) and retry."
    );
    let error = SdpError::Api(error);
    assert_eq!(error.status_code(), Some(4012));
    assert_eq!(error.http_status(), Some(400));
    assert!(error.to_string().contains("category, subcategory"));
}

#[test]
fn invalid_value_4001_names_the_field_and_value() {
    let error = api_error(
        400,
        &failed(
            &json!([{"status_code": 4001, "type": "failed", "field": "requester", "message": "Value given for requester is not valid"}]),
        ),
    );
    let text = error.human_message();
    assert!(text.contains("`requester`"), "{text}");
    assert!(
        text.contains("Value given for requester is not valid"),
        "{text}"
    );
    assert!(text.contains("get_metadata"), "{text}");
}

#[test]
fn not_found_4007() {
    let error = SdpError::Api(api_error(
        404,
        &failed(&json!([{"status_code": 4007, "type": "failed", "message": "Invalid URL"}])),
    ));
    assert!(error.is_not_found());
    assert!(error.human_message().starts_with("Not found"));
}

#[test]
fn array_response_status_and_generic_errors_parse() {
    let body = json!({"response_status": [{"status_code": 4000, "status": "failed", "messages": [{"message": "Internal Error"}]}]});
    let error = api_error(500, &body);
    assert_eq!(error.status_codes(), vec![4000]);
    assert!(error.human_message().contains("Internal Error"));
    let per_item = json!({"response_status": [
        {"status_code": 2000, "status": "success"},
        {"status_code": 4000, "status": "failed", "messages": [{"status_code": 4008, "field": "name", "type": "failed"}]}
    ]});
    let statuses = parse_response_status(&per_item);
    assert_eq!(statuses.len(), 2);
    assert!(!statuses[0].is_failure());
    assert!(statuses[1].is_failure());
    assert!(api_error(400, &per_item).human_message().contains("`name`"));
}

#[test]
fn each_code_has_a_sentence() {
    for (code, needle) in [
        (4002, "does not allow"),
        (4004, "internal error"),
        (4005, "still in use"),
        (4008, "unique"),
        (4009, "cannot be edited"),
        (4014, "read-only"),
        (4015, "rate limit"),
        (4016, "inconsistent"),
        (4021, "wrong type"),
        (4022, "rejected the credentials"),
        (7001, "license"),
        (4999, "status 4999"),
    ] {
        let error = api_error(
            400,
            &failed(&json!([{"status_code": code, "field": "priority"}])),
        );
        let text = error.human_message();
        assert!(text.contains(needle), "{code}: {text}");
    }
}

#[test]
fn rate_limit_mentions_retry_after() {
    let mut error = api_error(
        429,
        &failed(
            &json!([{"status_code": 4015, "type": "failed", "message": "API Rate Limit reached"}]),
        ),
    );
    error.retry_after = Some(Duration::from_secs(7));
    let error = SdpError::Api(error);
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(
        error.human_message().contains("Wait 7 s"),
        "{}",
        error.human_message()
    );
}

#[test]
fn unauthorized_without_4022_is_not_called_expiry() {
    let html = SdpError::Unauthorized {
        http_status: 401,
        html: true,
        api: None,
    };
    let text = html.human_message();
    assert!(text.contains("scope"), "{text}");
    assert!(text.contains("not expired"), "{text}");
    let json = SdpError::Unauthorized {
        http_status: 401,
        html: false,
        api: None,
    };
    assert!(json.human_message().contains("scope"));
    let page = SdpError::HtmlPage { http_status: 200 };
    let text = page.human_message();
    assert!(
        text.contains("application/vnd.manageengine.sdp.v3+json"),
        "{text}"
    );
    assert!(text.contains("portal"), "{text}");
}

#[test]
fn auth_errors_explain_the_fix() {
    let throttled = SdpError::Auth(AuthError::Throttled {
        retry_after: Duration::from_secs(60),
    });
    let text = throttled.human_message();
    assert!(text.contains("too many token requests"), "{text}");
    assert!(text.contains("60 s"), "{text}");
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(60)));
    assert!(
        AuthError::InvalidRefreshToken
            .human_message()
            .starts_with("Refresh token invalid or revoked: re-authorize")
    );
    assert!(AuthError::InvalidClient.to_string().contains("data centre"));
}
