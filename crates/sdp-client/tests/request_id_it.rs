#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `with_request_id` makes every SDP call inside it send `x-request-id`.

use std::sync::Arc;

use axum::http::HeaderMap;
use parking_lot::Mutex;
use sdp_client::{
    Endpoint, OnPremApiKey, SdpClient, SdpClientConfig, SecretString, Timeouts, with_request_id,
};

/// A server answering every call, recording each call's `x-request-id`.
async fn recorder() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let record = record.clone();
        async move {
            record.lock().push(
                headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            );
            axum::Json(serde_json::json!({
                "response_status": {"status_code": 2000, "status": "success"},
                "request": {"id": "1", "subject": "s"}
            }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), seen)
}

#[tokio::test]
async fn request_id_is_sent_inside_the_scope_only() {
    let (base, seen) = recorder().await;
    let config = SdpClientConfig::new(Endpoint::on_prem(&base).unwrap());
    let key = OnPremApiKey::new(SecretString::from("key".to_owned()));
    let http = SdpClient::build_http_client(&Timeouts::default()).unwrap();
    let client = SdpClient::new(config, Arc::new(key), http);

    with_request_id("call-42".to_owned(), async {
        let _ = client.requests().get("1").await;
        let _ = client.requests().get("1").await;
    })
    .await;
    let _ = client.requests().get("1").await;

    let seen = seen.lock().clone();
    assert_eq!(
        seen,
        vec![Some("call-42".to_owned()), Some("call-42".to_owned()), None]
    );
}
