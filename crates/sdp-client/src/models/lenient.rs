//! Tolerant deserialisation. SDP sends nulls, numbers as strings, strings as
//! numbers and booleans as `"true"`; a typed field that cannot be read becomes
//! `None` instead of failing the whole entity.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `Option<T>` from anything: `null` or an unreadable value give `None`.
///
/// # Errors
/// Only when the input is not valid JSON at all.
pub fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(coerce(value))
}

/// `Vec<T>` from anything: `null` gives an empty vector, a single item a
/// one-element vector, unreadable items are skipped.
///
/// # Errors
/// Only when the input is not valid JSON at all.
pub fn vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.into_iter().filter_map(coerce).collect(),
        single => coerce(single).into_iter().collect(),
    })
}

/// Reads `value` as `T`, converting between strings, numbers and booleans
/// when the direct reading fails.
pub fn coerce<T: DeserializeOwned>(value: Value) -> Option<T> {
    match value {
        Value::Null => None,
        // Strings, objects and arrays are read by value (moved, not copied):
        // this runs for every field of every entity.
        Value::String(s) => {
            let scalar = string_scalar(&s);
            match T::deserialize(Value::String(s)) {
                Ok(direct) => Some(direct),
                Err(_) => scalar.and_then(|parsed| T::deserialize(parsed).ok()),
            }
        }
        Value::Number(n) => T::deserialize(&Value::Number(n.clone()))
            .ok()
            .or_else(|| T::deserialize(Value::String(n.to_string())).ok()),
        Value::Bool(b) => T::deserialize(Value::Bool(b))
            .ok()
            .or_else(|| T::deserialize(Value::String(b.to_string())).ok()),
        composite => T::deserialize(composite).ok(),
    }
}

/// The number or boolean a string spells (`"42"`, `" true "`), if any.
fn string_scalar(s: &str) -> Option<Value> {
    let trimmed = s.trim();
    // Cheap screen first: this runs for every string field read.
    let numeric = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !numeric && trimmed != "true" && trimmed != "false" {
        return None;
    }
    serde_json::from_str::<Value>(trimmed)
        .ok()
        .filter(|parsed| parsed.is_number() || parsed.is_boolean())
}
