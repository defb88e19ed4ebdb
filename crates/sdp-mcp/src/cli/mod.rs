//! Subcommands of the `sdp-mcp` binary.

pub mod logging;
pub mod shutdown;
pub mod sim;
