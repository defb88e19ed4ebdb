//! The browser and MCP-client side of OAuth sign-in against a running
//! `sdp-mcp demo` (server + simulated Zoho): registration, consent, Zoho
//! login and consent, callback, code exchange with PKCE, refresh.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Everything secret that sign-in produced.
#[derive(Debug)]
pub struct SignedIn {
    pub access_token: String,
    pub refresh_token: String,
    /// The access and refresh tokens of the refresh grant.
    pub refreshed: (String, String),
    pub code: String,
    pub verifier: String,
    pub browser_cookie: String,
    pub csrf: String,
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Signs in at the server `base` as the simulated user `email`/`password`.
pub async fn sign_in(base: &str, email: &str, password: &str) -> SignedIn {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let registered: serde_json::Value = http
        .post(format!("{base}/register"))
        .json(&serde_json::json!({"client_name": "secrets suite", "redirect_uris": [REDIRECT_URI]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = registered["client_id"].as_str().unwrap().to_owned();
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut authorize = reqwest::Url::parse(&format!("{base}/authorize")).unwrap();
    authorize.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "suite-state"),
        ("scope", "sdp"),
        ("resource", &format!("{base}/mcp")),
    ]);
    let page = http.get(authorize).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let to_zoho = http
        .post(format!("{base}/authorize"))
        .header("cookie", &cookie)
        .form(&[
            ("pending", hidden(&html, "pending")),
            ("csrf", csrf.clone()),
            ("decision", "approve".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(to_zoho.status(), 303);
    let zoho_url = reqwest::Url::parse(&location(&to_zoho)).unwrap();
    let zoho_base = zoho_url.origin().ascii_serialization();
    let mut form: Vec<(String, String)> = zoho_url.query_pairs().into_owned().collect();
    form.push(("step".to_owned(), "login".to_owned()));
    form.push(("email".to_owned(), email.to_owned()));
    form.push(("password".to_owned(), password.to_owned()));
    let consent = http
        .post(format!("{zoho_base}/oauth/v2/auth"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), 200);
    let consent_html = consent.text().await.unwrap();
    let back = http
        .post(format!("{zoho_base}/oauth/v2/auth"))
        .form(&[
            ("step", "consent".to_owned()),
            ("ticket", hidden(&consent_html, "ticket")),
            ("decision", "accept".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 302);
    let done = http
        .get(location(&back))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 302);
    let target = reqwest::Url::parse(&location(&done)).unwrap();
    let query: HashMap<String, String> = target.query_pairs().into_owned().collect();
    let code = query["code"].clone();
    let token = |form: Vec<(&'static str, String)>| {
        let http = http.clone();
        async move {
            let answer = http
                .post(format!("{base}/token"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200);
            let body: serde_json::Value = answer.json().await.unwrap();
            (
                body["access_token"].as_str().unwrap().to_owned(),
                body["refresh_token"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (access_token, refresh_token) = token(vec![
        ("grant_type", "authorization_code".to_owned()),
        ("client_id", client_id.clone()),
        ("code", code.clone()),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("code_verifier", verifier.clone()),
    ])
    .await;
    let refreshed = token(vec![
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", client_id),
        ("refresh_token", refresh_token.clone()),
    ])
    .await;
    SignedIn {
        access_token,
        refresh_token,
        refreshed,
        code,
        verifier,
        browser_cookie: cookie
            .split_once('=')
            .map_or(cookie.clone(), |(_, v)| v.to_owned()),
        csrf,
    }
}
