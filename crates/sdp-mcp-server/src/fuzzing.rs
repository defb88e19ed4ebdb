//! Entry points for the fuzz targets in `fuzz/` (and `scripts/fuzz.sh`'s
//! stable driver). Not a stable API.
//!
//! Each function takes arbitrary input and panics only when a property of
//! the server's parsing is broken; errors on malformed input are expected.
// Panicking is how a fuzz harness reports a broken property.
#![allow(clippy::panic)]

use rmcp::model::{ClientJsonRpcMessage, ClientRequest};
use sdp_client::{Criterion, Endpoint, ListInfo, SearchCriteria};
use serde_json::Value;

use crate::limits::body::json_depth_exceeds;

/// The default `SDP_MCP_MAX_JSON_DEPTH`.
const MAX_DEPTH: usize = crate::limits::HttpLimits::DEFAULT_MAX_JSON_DEPTH;

/// A JSON-RPC body as `/mcp` and `/messages` receive it: the depth gate,
/// then rmcp's message type. A message that parses must serialise again and
/// parse to the same value; a `tools/call` carries its arguments on to
/// [`tool_arguments`].
pub fn jsonrpc_body(data: &[u8]) {
    if json_depth_exceeds(data, MAX_DEPTH) {
        return;
    }
    let Ok(message) = serde_json::from_slice::<ClientJsonRpcMessage>(data) else {
        return;
    };
    let Ok(text) = serde_json::to_string(&message) else {
        // rmcp could not write back a message it accepted.
        panic!("an accepted JSON-RPC message does not serialise");
    };
    assert!(
        serde_json::from_str::<ClientJsonRpcMessage>(&text).is_ok(),
        "a serialised JSON-RPC message does not parse again: {text}"
    );
    if let ClientJsonRpcMessage::Request(request) = &message
        && let ClientRequest::CallToolRequest(call) = &request.request
    {
        let arguments = call
            .params
            .arguments
            .clone()
            .map_or(Value::Null, Value::Object);
        tool_arguments(&call.params.name, &arguments);
    }
}

/// Tool arguments as the tools turn them into SDP requests: every string in
/// them, used as a `search_criteria` value, must come out of the encoded
/// `input_data` as that same value, in a value position (no string can add a
/// criterion, a field or a condition); a string that looks like an SDP id
/// must be digits only before it may be used in a path.
pub fn tool_arguments(tool: &str, arguments: &Value) {
    let mut strings = Vec::new();
    collect_strings(arguments, &mut strings, 0);
    strings.push(tool.to_owned());
    for value in &strings {
        search_criteria_value(value);
        id_in_path(value);
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH || out.len() > 64 {
        return;
    }
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => {
            for item in items {
                collect_strings(item, out, depth + 1);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                out.push(key.clone());
                collect_strings(item, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// `value` as the value of a criterion, and as a field name next to a
/// fixed criterion: the encoded `input_data` keeps exactly two criteria.
fn search_criteria_value(value: &str) {
    let criteria = SearchCriteria::new(Criterion::contains("subject", value))
        .and(Criterion::is(value, "fixed"));
    let list_info = ListInfo::new().row_count(10).search_criteria(criteria);
    let encoded = list_info.to_input_data().to_string();
    let Ok(decoded) = serde_json::from_str::<Value>(&encoded) else {
        panic!("input_data is not JSON: {encoded}");
    };
    let entries = &decoded["list_info"]["search_criteria"];
    let Some(entries) = entries.as_array() else {
        panic!("search_criteria is not a list: {encoded}");
    };
    assert_eq!(entries.len(), 2, "{encoded}");
    assert_eq!(entries[0]["field"], "subject", "{encoded}");
    assert_eq!(entries[0]["value"], value, "{encoded}");
    assert_eq!(entries[1]["field"], value, "{encoded}");
    assert_eq!(entries[1]["value"], "fixed", "{encoded}");
}

/// `value` as an id in an SDP path (`sdp_client::Endpoint::url_for`, which
/// every resource call goes through): either refused, or exactly one path
/// segment under the resource that decodes back to `value`.
fn id_in_path(value: &str) {
    let Ok(endpoint) = Endpoint::cloud("https://sdp.example", Some("portal")) else {
        panic!("the test endpoint does not parse");
    };
    let Ok(url) = endpoint.url_for(&["requests", value], true) else {
        return;
    };
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    assert_eq!(
        segments.len(),
        6,
        "{value:?} changed the path's shape: {url}"
    );
    assert_eq!(
        &segments[..5],
        ["app", "portal", "api", "v3", "requests"],
        "{url}"
    );
    let decoded = percent_encoding::percent_decode_str(segments[5]).decode_utf8_lossy();
    // `url_for` refuses control characters: the URL standard drops tabs and
    // newlines from paths, so ".\t." would otherwise walk up as "..".
    assert_eq!(decoded, value, "{url}");
    assert!(url.query().is_none() && url.fragment().is_none(), "{url}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_inputs_keep_their_place() {
        for body in [
            &br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_request","arguments":{"request_id":"../1","q":"x\"}],\"y\":{\""}}}"#[..],
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            b"\xff\xfe",
            br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ] {
            jsonrpc_body(body);
        }
        tool_arguments(
            "x",
            &serde_json::json!({"a": ["%2e%2e", "\u{0}", "１２３", "1\t2", ".\t.", "\t", "\n..\n"]}),
        );
    }
}
