//! Direct reading of successful answers, without building a
//! `serde_json::Value` tree of the whole body first.
//!
//! A list page of 20 requests is ~60 KiB of JSON; parsing it into a `Value`
//! (a `BTreeMap` per object, a `String` per key) and then reading the models
//! from that tree cost most of a tool call's CPU. These readers stream the body
//! once: the wanted member (the item list, the entity) is deserialised straight
//! into the model, `list_info` and `response_status` into small values, and
//! every other member is skipped without allocating.
//!
//! They only take the common, well-formed shape. Anything unusual (the key
//! under another name, a duplicate key, an item that does not read) makes them
//! return `None`, and the caller falls back to the `Value` path, whose
//! semantics are the reference.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// What a direct read of an answer found.
pub(crate) struct DirectBody<T> {
    /// The member under the first of the wanted keys present.
    pub found: Option<T>,
    /// `list_info`, when present.
    pub list_info: Option<Value>,
}

/// Reads `body` (a JSON object), deserialising the member under the first of
/// `keys` present as `T`. `None` when the body is not an object, does not
/// read, or repeats a wanted key.
pub(crate) fn read<T: DeserializeOwned>(body: &[u8], keys: &[&str]) -> Option<DirectBody<T>> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let seed = BodySeed::<T> {
        keys,
        item: PhantomData,
    };
    let read = seed.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(read)
}

/// Only the `response_status` member of an answer, the rest skipped. `None`
/// when the body is not a JSON object (the caller then parses it in full).
pub(crate) fn status_only(body: &[u8]) -> Option<Value> {
    #[derive(Deserialize)]
    struct StatusOnly {
        response_status: Option<Value>,
    }
    let parsed: StatusOnly = serde_json::from_slice(body).ok()?;
    let mut object = Map::new();
    if let Some(status) = parsed.response_status {
        object.insert("response_status".to_owned(), status);
    }
    Some(Value::Object(object))
}

struct BodySeed<'k, T> {
    keys: &'k [&'k str],
    item: PhantomData<fn() -> T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for BodySeed<'_, T> {
    type Value = DirectBody<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for BodySeed<'_, T> {
    type Value = DirectBody<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an SDP answer object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error as _;
        let mut found: Option<(usize, T)> = None;
        let mut list_info = None;
        let mut seen = vec![false; self.keys.len()];
        while let Some(key) = map.next_key::<KeyName<'de>>()? {
            let key = key.as_str();
            if let Some(index) = self.keys.iter().position(|k| *k == key) {
                if seen[index] {
                    return Err(A::Error::custom("duplicate key"));
                }
                seen[index] = true;
                let value: T = map.next_value()?;
                if found.as_ref().is_none_or(|(best, _)| index < *best) {
                    found = Some((index, value));
                }
            } else if key == "list_info" {
                if list_info.is_some() {
                    return Err(A::Error::custom("duplicate key"));
                }
                list_info = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(DirectBody {
            found: found.map(|(_, value)| value),
            list_info,
        })
    }
}

/// A member name, borrowed from the body when it has no escapes.
enum KeyName<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyName<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyName::Borrowed(s) => s,
            KeyName::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for KeyName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyName::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyName::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(KeyName::Owned(v))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: String,
    }

    #[test]
    fn reads_the_first_wanted_key_and_list_info() {
        let body = br#"{"response_status":[{"status_code":2000}],"x":{"a":[1,2]},
            "requests":[{"id":"1"},{"id":"2"}],"list_info":{"has_more_rows":true}}"#;
        let got = read::<Vec<Item>>(body, &["requests"]).expect("reads");
        assert_eq!(got.found.expect("found").len(), 2);
        assert_eq!(
            got.list_info,
            Some(serde_json::json!({"has_more_rows": true}))
        );
    }

    #[test]
    fn prefers_earlier_keys_and_refuses_odd_shapes() {
        let body = br#"{"alias":{"id":"b"},"request":{"id":"a"}}"#;
        let got = read::<Item>(body, &["request", "alias"]).expect("reads");
        assert_eq!(got.found, Some(Item { id: "a".into() }));
        assert!(
            read::<Item>(
                br#"{"request":{"id":"a"},"request":{"id":"b"}}"#,
                &["request"]
            )
            .is_none()
        );
        assert!(read::<Item>(br"[1]", &["request"]).is_none());
        assert!(read::<Item>(br#"{"request":{"id":"a"}} x"#, &["request"]).is_none());
        assert!(read::<Item>(br#"{"request":{"nope":1}}"#, &["request"]).is_none());
    }

    #[test]
    fn status_only_skips_the_rest() {
        let body = br#"{"requests":[{"id":"1"}],"response_status":{"status_code":2000}}"#;
        assert_eq!(
            status_only(body),
            Some(serde_json::json!({"response_status": {"status_code": 2000}}))
        );
        assert_eq!(status_only(b"{}"), Some(serde_json::json!({})));
        assert_eq!(status_only(b"[]"), None);
    }
}
