//! HTML pages (consent, errors) and the response helpers of the OAuth routes.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;\
padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2rem;word-break:break-all}\
.muted{color:#666}.warn{color:#8a4b00}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// Security headers of every page: not frameable, not cached, no referrer.
pub(super) fn harden(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// An HTML error page (used when redirecting back to the client cannot be trusted).
pub(super) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message));
    harden((status, Html(document(title, &body))).into_response())
}

/// What the consent page shows.
pub(super) struct Consent<'a> {
    pub(super) client_name: Option<&'a str>,
    pub(super) client_id: &'a str,
    pub(super) redirect_uri: &'a str,
    pub(super) scopes: &'a [String],
    pub(super) pending_id: &'a str,
    pub(super) csrf: &'a str,
    /// Absolute URL of `/authorize`.
    pub(super) action: &'a str,
}

/// The consent page: names the client and where it will receive the grant.
pub(super) fn consent_page(consent: &Consent<'_>) -> String {
    let name = consent.client_name.unwrap_or("An unnamed application");
    let host = url::Url::parse(consent.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let scopes = consent.scopes.iter().fold(String::new(), |mut out, s| {
        let _ = write!(out, "<li><code>{}</code></li>", escape(s));
        out
    });
    let body = format!(
        "<h1>Allow access to ServiceDesk Plus?</h1>\
         <p><strong id=\"client-name\">{name}</strong> \
         <span class=\"muted\">(client <code>{client_id}</code>)</span> wants to use \
         ServiceDesk Plus on your behalf through this MCP server.</p>\
         <p>After you sign in with Zoho, it will receive access at \
         <code id=\"redirect-uri\">{redirect}</code> (host <strong>{host}</strong>).</p>\
         <p class=\"warn\">The application named itself; only continue if you just \
         started this sign-in from it.</p>\
         <p>Requested access:</p><ul>{scopes}</ul>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"pending\" value=\"{pending}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">\
         Continue to Zoho sign-in</button>\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\
         </form>",
        name = escape(name),
        client_id = escape(consent.client_id),
        redirect = escape(consent.redirect_uri),
        host = escape(&host),
        pending = escape(consent.pending_id),
        csrf = escape(consent.csrf),
        action = escape(consent.action),
    );
    document("Allow access - sdp-mcp", &body)
}

/// A 302 to `target` with `pairs` appended to its query.
pub(super) fn redirect_with(target: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(target) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI is not a valid URL.",
        );
    };
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    redirect_to(url.as_str())
}

/// A 302 to `location`.
pub(super) fn redirect_to(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => harden((StatusCode::FOUND, [(header::LOCATION, value)]).into_response()),
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI cannot be used.",
        ),
    }
}

/// An OAuth error answer (RFC 6749 §5.2) as JSON, not cached.
pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
