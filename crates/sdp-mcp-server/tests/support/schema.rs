//! JSON Schema checks for tool schemas: a small validator for the keywords
//! schemars and the tool builders emit, and a sanity check of input schemas.

use rmcp::model::Tool;
use serde_json::{Map, Value};

/// An input schema is an object schema whose required names exist, whose
/// references resolve, and which has a description per property.
pub fn check_input_schema(tool: &Tool) {
    let schema = Value::Object(tool.input_schema.as_ref().clone());
    let name = &tool.name;
    assert_eq!(schema["type"], "object", "{name}: {schema}");
    let properties = schema["properties"].as_object();
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for field in required {
            let field = field.as_str().unwrap();
            assert!(
                properties.is_some_and(|p| p.contains_key(field)),
                "{name}: required {field} is not a property"
            );
        }
    }
    check_refs(&schema, &schema, name);
    if tool
        .meta
        .as_ref()
        .is_some_and(|m| m.0.contains_key("sdp/scope"))
    {
        for (field, property) in properties.into_iter().flatten() {
            assert!(
                property.get("description").is_some(),
                "{name}.{field} has no description"
            );
        }
        assert!(tool.output_schema.is_some(), "{name} has no outputSchema");
    }
}

fn check_refs(root: &Value, node: &Value, name: &str) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                assert!(
                    resolve(root, reference).is_some(),
                    "{name}: dangling {reference}"
                );
            }
            map.values().for_each(|v| check_refs(root, v, name));
        }
        Value::Array(items) => items.iter().for_each(|v| check_refs(root, v, name)),
        _ => {}
    }
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// A small JSON Schema validator for the keywords schemars and the tool
/// builder emit (type, properties, required, additionalProperties, items,
/// $ref, anyOf/oneOf/allOf, enum, const, propertyNames, minimum, pattern
/// prefixes).
pub fn validate(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Ok(()); // `true`
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = resolve(root, reference).ok_or(format!("{at}: dangling {reference}"))?;
        validate(root, target, value, at)?;
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| is_type(value, t)) {
            return Err(format!("{at}: {value} is not {types:?}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} not in {options:?}"));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        return Err(format!("{at}: {value} is not {constant}"));
    }
    if let (Some(minimum), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n < minimum
    {
        return Err(format!("{at}: {n} < {minimum}"));
    }
    if let (Some(pattern), Some(s)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) && let Some(prefix) = pattern.strip_prefix('^')
        && !s.starts_with(prefix)
    {
        return Err(format!("{at}: {s} does not match {pattern}"));
    }
    for (key, all) in [("anyOf", false), ("oneOf", false), ("allOf", true)] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let passing = options
                .iter()
                .filter(|o| validate(root, o, value, at).is_ok())
                .count();
            let good = if all {
                passing == options.len()
            } else {
                passing >= 1
            };
            if !good {
                return Err(format!("{at}: {value} matches no branch of {key}"));
            }
        }
    }
    if let Some(object) = value.as_object() {
        validate_object(root, schema, object, at)?;
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            validate(root, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn validate_object(
    root: &Value,
    schema: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    let properties = schema.get("properties").and_then(Value::as_object);
    for required in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let required = required.as_str().unwrap_or_default();
        if !object.contains_key(required) {
            return Err(format!("{at}: missing {required}"));
        }
    }
    for (key, value) in object {
        let path = format!("{at}.{key}");
        if let Some(names) = schema.get("propertyNames") {
            validate(root, names, &Value::String(key.clone()), &path)?;
        }
        match properties.and_then(|p| p.get(key)) {
            Some(property) => validate(root, property, value, &path)?,
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => return Err(format!("{path}: not allowed")),
                Some(extra) => validate(root, extra, value, &path)?,
                None => {}
            },
        }
    }
    Ok(())
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}
