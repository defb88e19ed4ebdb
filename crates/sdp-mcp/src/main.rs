//! The `sdp-mcp` binary: thin CLI wiring of the libraries.

fn main() {}
