//! The request id sent upstream as `x-request-id`: set for a future with
//! [`with_request_id`], read by the transport on every call made inside it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The header carrying the request id to SDP.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Runs `future` so that every SDP call made inside it (on the same task)
/// sends `x-request-id: id`. Ids that are not valid header values are not sent.
pub async fn with_request_id<F: Future>(id: String, future: F) -> F::Output {
    REQUEST_ID.scope(id, future).await
}

/// The request id of the current task, when one is set.
pub(crate) fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
