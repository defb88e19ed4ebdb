//! Applies an input entity to a stored record, field by field: unknown keys
//! ("Extra key found in JSON"), read-only fields (4014), JSON types (4021),
//! lookups and users by `id`/`name`/`email_id` (4001), datetimes, time spent
//! and user-defined fields. Explicit `null` clears.

use serde_json::{Map, Value, json};

use super::spec::{EntitySpec, Field, Kind, Role};
use super::specs;
use super::store::{PortalData, parse_id};
use super::time;
use super::wire::{ApiError, Record};

/// A fresh record of `spec` with every field at its default.
pub fn blank(spec: &EntitySpec) -> Record {
    let mut record = Map::new();
    for field in spec.fields {
        let value = match field.kind {
            Kind::Transient => continue,
            Kind::Bool | Kind::Flag => Value::Bool(false),
            Kind::Array => json!([]),
            Kind::Udf => json!({}),
            _ => Value::Null,
        };
        record.insert(field.name.to_owned(), value);
    }
    record
}

/// Applies `input` onto `record`.
pub fn apply(
    spec: &EntitySpec,
    data: &PortalData,
    input: &Record,
    record: &mut Record,
) -> Result<(), ApiError> {
    for (key, value) in input {
        let field = spec.field(key).ok_or_else(|| ApiError::extra_key(key))?;
        if let Some(stored) = coerce(spec, data, field, value, record)? {
            record.insert(key.clone(), stored);
        }
    }
    Ok(())
}

/// The stored form of `value` for `field`; `None` = nothing to store.
fn coerce(
    spec: &EntitySpec,
    data: &PortalData,
    field: &Field,
    value: &Value,
    record: &Record,
) -> Result<Option<Value>, ApiError> {
    let name = field.name;
    if value.is_null() {
        return Ok(match field.kind {
            Kind::ReadOnly | Kind::Flag => {
                return Err(read_only(name));
            }
            Kind::Transient => None,
            Kind::Array => Some(json!([])),
            Kind::Udf => Some(json!({})),
            _ => Some(Value::Null),
        });
    }
    let stored = match field.kind {
        Kind::ReadOnly | Kind::Flag => return Err(read_only(name)),
        Kind::Transient => return Ok(None),
        Kind::Text(max) => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(ApiError::type_mismatch(name, "string")),
            };
            if max > 0 && text.chars().count() > max {
                return Err(ApiError::field(
                    4001,
                    name,
                    format!("Value given for {name} exceeds the maximum length of {max}"),
                ));
            }
            Value::String(text)
        }
        Kind::Bool => {
            Value::Bool(as_bool(value).ok_or_else(|| ApiError::type_mismatch(name, "boolean"))?)
        }
        Kind::Int => json!(as_int(value).ok_or_else(|| ApiError::type_mismatch(name, "integer"))?),
        Kind::Decimal => {
            json!(as_decimal(value).ok_or_else(|| ApiError::type_mismatch(name, "decimal"))?)
        }
        Kind::DateTime => time::datetime(
            time::parse_input(value)
                .ok_or_else(|| ApiError::type_mismatch(name, "datetime {\"value\": epoch ms}"))?,
        ),
        Kind::Lookup(target) => {
            let target = specs::find(target).ok_or_else(|| ApiError::invalid_value(name))?;
            resolve_lookup(data, target, name, value)?
        }
        Kind::User(role) => resolve_user(data, role, name, value)?,
        Kind::Object => match value {
            Value::Object(_) => value.clone(),
            _ => return Err(ApiError::type_mismatch(name, "object")),
        },
        Kind::Array => match value {
            Value::Array(_) => value.clone(),
            _ => return Err(ApiError::type_mismatch(name, "array")),
        },
        Kind::TimeSpent => time_spent(value)
            .ok_or_else(|| ApiError::type_mismatch(name, "{\"hours\",\"minutes\"}"))?,
        Kind::Udf => udf(spec, data, value, record.get(name))?,
    };
    Ok(Some(stored))
}

fn read_only(name: &str) -> ApiError {
    ApiError::field(4014, name, format!("{name} is a read-only field"))
}

/// A boolean from `true`/`false` or their string forms.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer from a number or numeric string.
pub fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_decimal(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `{"hours","minutes"}` (numbers or strings) → `{"hours","minutes","value"}`.
pub fn time_spent(value: &Value) -> Option<Value> {
    let map = value.as_object()?;
    let hours = map.get("hours").map_or(Some(0), as_int)?;
    let minutes = map.get("minutes").map_or(Some(0), as_int)?;
    if hours < 0 || minutes < 0 {
        return None;
    }
    Some(time_spent_value((hours * 60 + minutes) * 60_000))
}

/// The output form of a duration in milliseconds.
pub fn time_spent_value(ms: i64) -> Value {
    let minutes = ms / 60_000;
    json!({
        "hours": (minutes / 60).to_string(),
        "minutes": (minutes % 60).to_string(),
        "value": ms.to_string(),
    })
}

/// Finds a record of lookup `target` by `{"id"}` (wins) or `{"name"}`.
pub fn find_lookup(data: &PortalData, target: &EntitySpec, value: &Value) -> Option<u64> {
    let key = super::route::key_of(target, None);
    let map = value.as_object()?;
    let in_view = |r: &Record| super::route::in_view(target, None, r);
    if let Some(id) = map.get("id").filter(|v| !v.is_null()) {
        let id = parse_id(id)?;
        return data.get(&key, id).filter(|r| in_view(r)).map(|_| id);
    }
    let name = map.get("name").and_then(Value::as_str)?;
    data.records(&key)
        .find(|(_, r)| {
            in_view(r)
                && r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
        })
        .map(|(id, _)| *id)
}

fn resolve_lookup(
    data: &PortalData,
    target: &EntitySpec,
    name: &str,
    value: &Value,
) -> Result<Value, ApiError> {
    if !value.is_object() {
        return Err(ApiError::type_mismatch(
            name,
            "object {\"id\"} or {\"name\"}",
        ));
    }
    let id = find_lookup(data, target, value).ok_or_else(|| ApiError::invalid_value(name))?;
    data.reference(target, id)
        .ok_or_else(|| ApiError::invalid_value(name))
}

/// Finds a user by `id` (wins), `email_id` or `name`.
pub fn find_user(data: &PortalData, value: &Value) -> Option<u64> {
    let map = value.as_object()?;
    if let Some(id) = map.get("id").filter(|v| !v.is_null()) {
        let id = parse_id(id)?;
        return data.get("users", id).map(|_| id);
    }
    if let Some(email) = map.get("email_id").and_then(Value::as_str) {
        return data
            .find_by("users", "email_id", email.trim())
            .map(|(id, _)| id);
    }
    let name = map.get("name").and_then(Value::as_str)?;
    data.find_by("users", "name", name.trim()).map(|(id, _)| id)
}

fn resolve_user(
    data: &PortalData,
    role: Role,
    name: &str,
    value: &Value,
) -> Result<Value, ApiError> {
    if !value.is_object() {
        return Err(ApiError::type_mismatch(
            name,
            "object {\"email_id\"}, {\"id\"} or {\"name\"}",
        ));
    }
    let id = find_user(data, value).ok_or_else(|| ApiError::invalid_value(name))?;
    let record = data
        .get("users", id)
        .ok_or_else(|| ApiError::invalid_value(name))?;
    if role == Role::Technician && record.get("is_technician") != Some(&Value::Bool(true)) {
        return Err(ApiError::invalid_value(name));
    }
    Ok(super::store::reference_of(&specs::USERS, record))
}

/// Merges `udf_fields` input into the stored object, checking names and types
/// against the module's definitions.
fn udf(
    spec: &EntitySpec,
    data: &PortalData,
    value: &Value,
    current: Option<&Value>,
) -> Result<Value, ApiError> {
    let Value::Object(input) = value else {
        return Err(ApiError::type_mismatch("udf_fields", "object"));
    };
    let defs = data.udf_defs.get(spec.path);
    let mut out = current
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, v) in input {
        let path = format!("udf_fields.{key}");
        let def = defs
            .and_then(|d| d.get(key))
            .ok_or_else(|| ApiError::extra_key(&path))?;
        let kind = def.get("type").and_then(Value::as_str).unwrap_or("string");
        let stored = match (kind, v) {
            (_, Value::Null) => Value::Null,
            ("integer", _) => {
                json!(as_int(v).ok_or_else(|| ApiError::type_mismatch(&path, "integer"))?)
            }
            ("decimal" | "double", _) => {
                json!(as_decimal(v).ok_or_else(|| ApiError::type_mismatch(&path, "decimal"))?)
            }
            ("boolean", _) => {
                Value::Bool(as_bool(v).ok_or_else(|| ApiError::type_mismatch(&path, "boolean"))?)
            }
            ("date" | "datetime", _) => time::datetime(
                time::parse_input(v).ok_or_else(|| ApiError::type_mismatch(&path, "datetime"))?,
            ),
            (_, Value::String(s)) => {
                if let Some(options) = def.get("allowed_values").and_then(Value::as_array)
                    && !options
                        .iter()
                        .any(|o| o.as_str().is_some_and(|o| o.eq_ignore_ascii_case(s)))
                {
                    return Err(ApiError::invalid_value(&path));
                }
                v.clone()
            }
            (_, Value::Number(n)) => Value::String(n.to_string()),
            _ => return Err(ApiError::type_mismatch(&path, "string")),
        };
        out.insert(key.clone(), stored);
    }
    Ok(Value::Object(out))
}

/// Names of `fields` that are absent, null, empty strings or empty objects in `record`.
pub fn missing(record: &Record, fields: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for field in fields {
        let empty = match record.get(&field) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Object(m)) => m.is_empty(),
            _ => false,
        };
        if empty && !out.contains(&field) {
            out.push(field);
        }
    }
    out
}
