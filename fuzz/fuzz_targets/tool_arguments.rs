#![no_main]
//! `cargo fuzz run tool_arguments`: a tool name and arguments built from bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sdp_mcp_fuzz::tool_arguments(data));
