//! `/oauth/v2/auth`: the sign-in and consent pages of the redirect flow.
//!
//! `GET` validates the OAuth parameters and shows a login form carrying them in
//! hidden fields. `POST step=login` checks the credentials and shows the consent
//! page; the pending request is then kept server-side under a one-time ticket,
//! so the consent form carries only the ticket and the decision. `POST
//! step=consent` redirects to the client with `code`, `location`,
//! `accounts-server` and `state`, or with `error=access_denied`.
//!
//! An unknown client or an unregistered redirect URI gets an HTML error page
//! (a redirect there could not be trusted); a bad `response_type` or an empty
//! `scope` redirect with `error=unsupported_response_type` / `error=invalid_scope`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;

use super::html::{error_page, escape, hidden_fields, page};
use super::model::{AuthRequest, parse_scopes};
use super::tokens::ZohoState;
use super::{param, parse_params, public_url};
use crate::state::SimState;

/// The data-centre name sent as `location`.
const LOCATION: &str = "us";

/// Why the request cannot proceed.
enum Invalid {
    /// Shown as an HTML page.
    Page(&'static str, String),
    /// Sent back to the (validated) redirect URI as `error=…`.
    Redirect {
        uri: String,
        error: &'static str,
        state: Option<String>,
    },
}

fn validate(zoho: &ZohoState, params: &HashMap<String, String>) -> Result<AuthRequest, Invalid> {
    let client_id = param(params, "client_id");
    let Some(client) = zoho.client(client_id) else {
        return Err(Invalid::Page(
            "Invalid Client",
            format!("The client_id \"{client_id}\" is not registered."),
        ));
    };
    let redirect_uri = param(params, "redirect_uri");
    if !client.accepts_redirect(redirect_uri) || url::Url::parse(redirect_uri).is_err() {
        return Err(Invalid::Page(
            "Invalid Redirect URI",
            format!("The redirect_uri \"{redirect_uri}\" is not registered for this client."),
        ));
    }
    let state = params.get("state").cloned();
    if param(params, "response_type") != "code" {
        return Err(Invalid::Redirect {
            uri: redirect_uri.to_owned(),
            error: "unsupported_response_type",
            state,
        });
    }
    let scopes = parse_scopes(param(params, "scope"));
    if scopes.is_empty() {
        return Err(Invalid::Redirect {
            uri: redirect_uri.to_owned(),
            error: "invalid_scope",
            state,
        });
    }
    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        offline: param(params, "access_type").eq_ignore_ascii_case("offline"),
        prompt_consent: param(params, "prompt").eq_ignore_ascii_case("consent"),
        state,
    })
}

impl IntoResponse for Invalid {
    fn into_response(self) -> Response {
        match self {
            Self::Page(title, message) => {
                (StatusCode::BAD_REQUEST, Html(error_page(title, &message))).into_response()
            }
            Self::Redirect { uri, error, state } => error_redirect(&uri, error, state.as_deref()),
        }
    }
}

/// `redirect_uri` with `pairs` appended to its query, as a 302.
fn redirect(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return Invalid::Page("Invalid Redirect URI", redirect_uri.to_owned()).into_response();
    };
    url.query_pairs_mut().extend_pairs(pairs);
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => Invalid::Page("Invalid Redirect URI", redirect_uri.to_owned()).into_response(),
    }
}

fn error_redirect(redirect_uri: &str, error: &str, state: Option<&str>) -> Response {
    let mut pairs = vec![("error", error)];
    pairs.extend(state.map(|s| ("state", s)));
    redirect(redirect_uri, &pairs)
}

/// `GET /oauth/v2/auth`: the login form.
pub(crate) async fn authorize_get(
    State(state): State<Arc<SimState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_params(query.as_deref(), &[]);
    let validated = validate(&state.zoho.lock(), &params);
    match validated {
        Ok(request) => login_page(&state, &request, "", None).into_response(),
        Err(invalid) => invalid.into_response(),
    }
}

/// `POST /oauth/v2/auth`: the login and consent form submissions.
pub(crate) async fn authorize_post(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = parse_params(query.as_deref(), &body);
    if param(&params, "step") == "consent" {
        return consent_submitted(&state, &headers, &params);
    }
    let validated = validate(&state.zoho.lock(), &params);
    let request = match validated {
        Ok(request) => request,
        Err(invalid) => return invalid.into_response(),
    };
    let login = param(&params, "email").trim();
    let user = state
        .directory
        .user(login)
        .filter(|u| u.password == param(&params, "password"));
    let Some(user) = user else {
        let error = "Incorrect email or password. Please try again.";
        let html = login_page(&state, &request, login, Some(error));
        return (StatusCode::UNAUTHORIZED, html).into_response();
    };
    let now = state.clock.now_ms();
    let ticket = state
        .zoho
        .lock()
        .create_ticket(&user.email, request.clone(), now);
    consent_page(&user.name, &user.email, &request, &ticket).into_response()
}

fn consent_submitted(
    state: &SimState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Response {
    let now = state.clock.now_ms();
    let Some((email, request)) = state.zoho.lock().take_ticket(param(params, "ticket"), now) else {
        return Invalid::Page(
            "Session expired",
            "This sign-in page has expired or was already used. Start the sign-in again."
                .to_owned(),
        )
        .into_response();
    };
    let oauth_state = request.state.clone();
    if param(params, "decision") != "accept" {
        return error_redirect(
            &request.redirect_uri,
            "access_denied",
            oauth_state.as_deref(),
        );
    }
    let redirect_uri = request.redirect_uri.clone();
    let Some(code) = state.zoho.lock().issue_code(&email, request, now) else {
        return Invalid::Page("Unknown account", email).into_response();
    };
    let server = public_url(&state.config, headers);
    let mut pairs = vec![
        ("code", code.as_str()),
        ("location", LOCATION),
        ("accounts-server", server.as_str()),
    ];
    pairs.extend(oauth_state.as_deref().map(|s| ("state", s)));
    redirect(&redirect_uri, &pairs)
}

fn oauth_hidden_fields(request: &AuthRequest) -> String {
    let scope = request.scopes.join(",");
    let mut pairs = vec![
        ("step", "login"),
        ("client_id", request.client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("scope", scope.as_str()),
        (
            "access_type",
            if request.offline { "offline" } else { "online" },
        ),
    ];
    if request.prompt_consent {
        pairs.push(("prompt", "consent"));
    }
    if let Some(state) = &request.state {
        pairs.push(("state", state.as_str()));
    }
    hidden_fields(&pairs)
}

fn login_page(
    state: &SimState,
    request: &AuthRequest,
    email: &str,
    error: Option<&str>,
) -> Html<String> {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\">{}</p>", escape(e))
    });
    let hint = state.directory.users.first().map_or_else(String::new, |u| {
        format!(
            "<p class=\"muted\">Simulator: sign in as <code>{}</code> with password \
             <code>{}</code> (or any other simulated user; login name or email).</p>",
            escape(&u.login),
            escape(&u.password)
        )
    });
    let body = format!(
        "<h1>Sign in</h1><p class=\"muted\">to continue to <code>{client}</code></p>{error}\
         <form method=\"post\" action=\"/oauth/v2/auth\">{hidden}\
         <label for=\"email\">Email address</label>\
         <input id=\"email\" name=\"email\" type=\"text\" autocomplete=\"username\" \
         value=\"{email}\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required>\
         <button type=\"submit\" id=\"signin\">Sign in</button></form>{hint}",
        client = escape(&request.client_id),
        hidden = oauth_hidden_fields(request),
        email = escape(email),
    );
    Html(page("Sign in - Zoho Accounts", &body))
}

fn consent_page(name: &str, email: &str, request: &AuthRequest, ticket: &str) -> Html<String> {
    let scopes = request.scopes.iter().fold(String::new(), |mut out, s| {
        let _ = write!(out, "<li><code>{}</code></li>", escape(s));
        out
    });
    let offline = if request.offline {
        "<p class=\"muted\">The application will keep access while you are offline \
         (it receives a refresh token).</p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>Allow access?</h1><p><code>{client}</code> is requesting access to your \
         ServiceDesk Plus data as <strong>{name}</strong> ({email}).</p>\
         <ul class=\"scopes\">{scopes}</ul>{offline}\
         <form method=\"post\" action=\"/oauth/v2/auth\">{hidden}\
         <button type=\"submit\" id=\"accept\" name=\"decision\" value=\"accept\">Accept</button>\
         <button type=\"submit\" id=\"deny\" class=\"secondary\" name=\"decision\" \
         value=\"deny\">Deny</button></form>",
        client = escape(&request.client_id),
        name = escape(name),
        email = escape(email),
        hidden = hidden_fields(&[("step", "consent"), ("ticket", ticket)]),
    );
    Html(page("Allow access - Zoho Accounts", &body))
}
