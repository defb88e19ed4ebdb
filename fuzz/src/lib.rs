//! The fuzz targets' bodies, shared by the libFuzzer targets
//! (`fuzz_targets/`) and the stable driver (`src/bin/driver.rs`).

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value};

/// Deepest JSON built from fuzz input.
const MAX_DEPTH: u32 = 8;

/// Target `jsonrpc_body`: raw bytes as a `/mcp` POST body.
pub fn jsonrpc_body(data: &[u8]) {
    sdp_mcp_server::fuzzing::jsonrpc_body(data);
}

/// Target `tool_arguments`: a tool name and a JSON arguments object built
/// from the input, as a `tools/call` body and as arguments alone.
pub fn tool_arguments(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(name) = <String as Arbitrary>::arbitrary(&mut input) else {
        return;
    };
    let arguments = json_object(&mut input, 0);
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    });
    if let Ok(bytes) = serde_json::to_vec(&body) {
        sdp_mcp_server::fuzzing::jsonrpc_body(&bytes);
    }
    sdp_mcp_server::fuzzing::tool_arguments(&name, &arguments);
}

fn json_object(input: &mut Unstructured<'_>, depth: u32) -> Value {
    let mut map = Map::new();
    let entries = input.int_in_range(0..=6u8).unwrap_or(0);
    for _ in 0..entries {
        let key = <String as Arbitrary>::arbitrary(input).unwrap_or_default();
        map.insert(key, json_value(input, depth + 1));
    }
    Value::Object(map)
}

fn json_value(input: &mut Unstructured<'_>, depth: u32) -> Value {
    let kind = input.int_in_range(0..=7u8).unwrap_or(0);
    match kind {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(input).unwrap_or_default()),
        2 => Value::from(i64::arbitrary(input).unwrap_or_default()),
        3 => serde_json::Number::from_f64(f64::arbitrary(input).unwrap_or_default())
            .map_or(Value::Null, Value::Number),
        4 | 5 => Value::String(<String as Arbitrary>::arbitrary(input).unwrap_or_default()),
        6 if depth < MAX_DEPTH => {
            let len = input.int_in_range(0..=4u8).unwrap_or(0);
            Value::Array((0..len).map(|_| json_value(input, depth + 1)).collect())
        }
        _ if depth < MAX_DEPTH => json_object(input, depth),
        _ => Value::Null,
    }
}
