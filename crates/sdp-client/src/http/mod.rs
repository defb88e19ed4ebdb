//! The HTTP layer: generic calls, answer classification, transport with retries.

pub mod call;
pub(crate) mod classify;
pub(crate) mod direct;
pub(crate) mod transport;

pub use call::{ApiCall, ApiResponse};
pub use transport::SDP_V3_ACCEPT;
