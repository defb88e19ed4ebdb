//! Turning SDP's JSON into readable tool output, and friendly tool input
//! into SDP's JSON: lookups and people by name, dates as text.

use serde_json::{Map, Value, json};

use super::spec::FieldRules;
use crate::tools::ToolError;
use crate::tools::args::epoch_ms;

/// Keys that never help a reader.
const NOISE: [&str; 3] = ["response_status", "list_info", "color"];

/// One item reduced to readable values; with `only`, just those fields
/// (`*` keeps everything).
pub(crate) fn readable(item: &Value, only: Option<&[String]>) -> Map<String, Value> {
    let Some(object) = item.as_object() else {
        return Map::new();
    };
    let keep_all = only.is_none_or(|f| f.iter().any(|f| f == "*"));
    object
        .iter()
        .filter(|(key, _)| {
            key.as_str() == "id" || keep_all || only.is_some_and(|f| f.contains(key))
        })
        .filter(|(key, _)| !NOISE.contains(&key.as_str()))
        .filter_map(|(key, value)| flatten(value).map(|v| (key.clone(), v)))
        .collect()
}

/// A lookup or person object reduced to its name, a date to its display
/// value; empty values dropped.
fn flatten(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Object(object) => {
            if let Some(text) = ["display_value", "name", "email_id", "title", "content"]
                .iter()
                .find_map(|k| object.get(*k).and_then(Value::as_str))
            {
                return Some(Value::String(text.to_owned()));
            }
            let inner: Map<String, Value> = object
                .iter()
                .filter_map(|(k, v)| flatten(v).map(|v| (k.clone(), v)))
                .collect();
            (!inner.is_empty()).then_some(Value::Object(inner))
        }
        Value::Array(items) => {
            let items: Vec<Value> = items.iter().filter_map(flatten).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other.clone()),
    }
}

/// The label of an item for a text summary (its `field`, else its id).
pub(crate) fn label(item: &Map<String, Value>, field: &str) -> String {
    let text = item
        .get(field)
        .and_then(Value::as_str)
        .or_else(|| item.get("id").and_then(Value::as_str))
        .unwrap_or("?");
    let mut short: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        short.push('…');
    }
    short
}

/// Checks `fields` against `rules` and converts friendly values: lookup
/// names to `{"name"}`, people to `{"email_id"}` / `{"name"}`, dates to
/// `{"value": epoch_ms}`. `creating` enforces the mandatory fields.
pub(crate) fn to_sdp(
    fields: &Map<String, Value>,
    rules: FieldRules,
    creating: bool,
    what: &str,
) -> Result<Map<String, Value>, ToolError> {
    if fields.is_empty() {
        return Err(ToolError::message(format!(
            "`fields` is empty: give at least one of {}",
            rules.writable.join(", ")
        )));
    }
    if creating {
        let missing: Vec<&str> = rules
            .mandatory
            .iter()
            .copied()
            .filter(|f| fields.get(*f).is_none_or(is_blank))
            .collect();
        if !missing.is_empty() {
            return Err(ToolError::message(format!(
                "a new {what} needs {}: add them to `fields`",
                missing.join(", ")
            )));
        }
    }
    let mut body = Map::new();
    for (key, value) in fields {
        let known = rules.writable.contains(&key.as_str()) || key.starts_with("udf_");
        if !known {
            return Err(ToolError::message(format!(
                "`{key}` is not a field a {what} accepts here; use one of {}",
                rules.writable.join(", ")
            )));
        }
        body.insert(key.clone(), convert(key, value, rules)?);
    }
    Ok(body)
}

fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty())
}

fn convert(key: &str, value: &Value, rules: FieldRules) -> Result<Value, ToolError> {
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    let text = text.trim();
    if rules.lookups.contains(&key) {
        return Ok(json!({ "name": text }));
    }
    if rules.users.contains(&key) {
        return Ok(if text.contains('@') {
            json!({ "email_id": text })
        } else {
            json!({ "name": text })
        });
    }
    if rules.texts.contains(&key) {
        return Ok(json!({ "description": text }));
    }
    if rules.dates.contains(&key) {
        return Ok(json!({ "value": epoch_ms(key, text)?.to_string() }));
    }
    Ok(Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: FieldRules = FieldRules {
        mandatory: &["title"],
        writable: &["title", "status", "owner", "due", "cause"],
        lookups: &["status"],
        users: &["owner"],
        dates: &["due"],
        texts: &["cause"],
    };

    #[test]
    fn friendly_values_become_sdp_objects() {
        let fields = json!({"title": "t", "status": "Open", "owner": "a@b.c", "due": "1970-01-02",
            "cause": "bug"});
        let body = to_sdp(fields.as_object().unwrap(), RULES, true, "problem").unwrap();
        assert_eq!(body["status"], json!({"name": "Open"}));
        assert_eq!(body["owner"], json!({"email_id": "a@b.c"}));
        assert_eq!(body["due"], json!({"value": "86400000"}));
        assert_eq!(body["cause"], json!({"description": "bug"}));
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let fields = json!({"status": "Open"});
        let error = to_sdp(fields.as_object().unwrap(), RULES, true, "problem").unwrap_err();
        assert!(error.to_string().contains("needs title"), "{error}");
        let fields = json!({"colour": "red"});
        let error = to_sdp(fields.as_object().unwrap(), RULES, false, "problem").unwrap_err();
        assert!(error.to_string().contains("`colour`"), "{error}");
    }

    #[test]
    fn output_is_flattened_and_trimmed() {
        let item = json!({"id": "1", "status": {"id": "2", "name": "Open"}, "x": null,
            "created_time": {"display_value": "Jan 1", "value": "0"}});
        let out = readable(&item, None);
        assert_eq!(out["status"], "Open");
        assert_eq!(out["created_time"], "Jan 1");
        assert!(!out.contains_key("x"));
        let only = readable(&item, Some(&["status".to_owned()]));
        assert_eq!(only.len(), 2);
    }
}
