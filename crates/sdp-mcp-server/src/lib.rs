//! The sdp-mcp server library.
#![warn(missing_docs)]
