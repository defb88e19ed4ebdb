//! Subcommands of the `sdp-mcp` binary.

pub mod backup;
pub mod config_cmd;
pub mod demo;
pub mod doctor;
pub mod logging;
pub mod migrate;
pub mod serve;
pub mod shutdown;
pub mod sim;
pub mod stdio;
pub mod store_args;
pub mod tools;
pub mod users;
