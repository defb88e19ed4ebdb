#![no_main]
//! `cargo fuzz run jsonrpc_body`: arbitrary bytes as a JSON-RPC body.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sdp_mcp_fuzz::jsonrpc_body(data));
