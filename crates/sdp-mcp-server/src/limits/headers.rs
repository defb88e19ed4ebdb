//! Security headers on every response: `X-Content-Type-Options: nosniff`
//! everywhere, and on HTML pages a strict CSP (no scripts, not frameable),
//! `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and
//! `Cache-Control: no-store`. A header the route already set is kept (the
//! OAuth pages set their own, identical values).

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The CSP of HTML pages: inline styles only, no scripts, no framing.
pub const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

fn set_default(response: &mut Response, name: HeaderName, value: &'static str) {
    response
        .headers_mut()
        .entry(name)
        .or_insert(HeaderValue::from_static(value));
}

/// axum middleware: adds the security headers.
pub(crate) async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    set_default(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"));
    if is_html {
        set_default(&mut response, header::CONTENT_SECURITY_POLICY, HTML_CSP);
        set_default(&mut response, header::X_FRAME_OPTIONS, "DENY");
        set_default(&mut response, header::REFERRER_POLICY, "no-referrer");
        set_default(&mut response, header::CACHE_CONTROL, "no-store");
    }
    response
}
