//! The HTTP layer: generic calls, answer classification, transport with retries.

pub mod call;
pub(crate) mod classify;
pub(crate) mod direct;
pub mod request_id;
pub(crate) mod transport;

pub use call::{ApiCall, ApiResponse};
pub use request_id::{REQUEST_ID_HEADER, with_request_id};
pub use transport::SDP_V3_ACCEPT;
