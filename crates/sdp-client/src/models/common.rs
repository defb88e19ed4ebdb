//! Value shapes shared by every module: lookups, users, datetimes (reference §3.3).

use serde::{Deserialize, Deserializer, Serialize};

use super::macros::sdp_model;

/// A lookup reference in a write: `{"id": …}` or `{"name": …}` (SDP prefers
/// the id when both would be given, so this type holds exactly one).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LookupRef {
    /// `{"id": "…"}`.
    Id {
        /// The id.
        #[serde(deserialize_with = "string_or_number")]
        id: String,
    },
    /// `{"name": "…"}`.
    Name {
        /// The name, as shown in the portal (names vary per portal).
        name: String,
    },
}

impl LookupRef {
    /// By id.
    pub fn id(id: impl Into<String>) -> Self {
        LookupRef::Id { id: id.into() }
    }

    /// By name.
    pub fn name(name: impl Into<String>) -> Self {
        LookupRef::Name { name: name.into() }
    }

    /// An all-digit text is taken as an id, anything else as a name.
    pub fn guess(text: &str) -> Self {
        let text = text.trim();
        if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            LookupRef::id(text)
        } else {
            LookupRef::name(text)
        }
    }
}

impl From<&str> for LookupRef {
    /// Same as [`LookupRef::name`].
    fn from(name: &str) -> Self {
        LookupRef::name(name)
    }
}

/// A user reference in a write: `{"email_id": …}`, `{"id": …}` or `{"name": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserRef {
    /// `{"id": "…"}`.
    Id {
        /// The id.
        #[serde(deserialize_with = "string_or_number")]
        id: String,
    },
    /// `{"email_id": "…"}` (the cloud-preferred form).
    Email {
        /// The email address.
        email_id: String,
    },
    /// `{"name": "…"}` (some on-prem instances only accept names).
    Name {
        /// The display name.
        name: String,
    },
}

impl UserRef {
    /// By id.
    pub fn id(id: impl Into<String>) -> Self {
        UserRef::Id { id: id.into() }
    }

    /// By email.
    pub fn email(email: impl Into<String>) -> Self {
        UserRef::Email {
            email_id: email.into(),
        }
    }

    /// By display name.
    pub fn name(name: impl Into<String>) -> Self {
        UserRef::Name { name: name.into() }
    }

    /// A text with `@` is an email, an all-digit text an id, else a name.
    pub fn guess(text: &str) -> Self {
        let text = text.trim();
        if text.contains('@') {
            UserRef::email(text)
        } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            UserRef::id(text)
        } else {
            UserRef::name(text)
        }
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

sdp_model! {
    /// A lookup as SDP returns it: `{"id", "name", …}` (extras such as `color`
    /// stay in `extra`).
    pub struct NamedRef {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
    }
}

impl NamedRef {
    /// A reference for writes: the id when known, else the name.
    pub fn to_ref(&self) -> Option<LookupRef> {
        match (&self.id, &self.name) {
            (Some(id), _) => Some(LookupRef::id(id.clone())),
            (None, Some(name)) => Some(LookupRef::name(name.clone())),
            (None, None) => None,
        }
    }
}

sdp_model! {
    /// A user as embedded in other entities (requester, technician, owner, …).
    pub struct UserInfo {
        /// Id.
        pub id: String,
        /// Display name.
        pub name: String,
        /// Email address.
        pub email_id: String,
        /// Phone.
        pub phone: String,
        /// Mobile.
        pub mobile: String,
        /// Whether the user is a technician.
        pub is_technician: bool,
        /// Whether the user is a VIP.
        pub is_vip_user: bool,
        /// Department.
        pub department: NamedRef,
    }
}

impl UserInfo {
    /// A reference for writes: id, else email, else name.
    pub fn to_ref(&self) -> Option<UserRef> {
        if let Some(id) = &self.id {
            return Some(UserRef::id(id.clone()));
        }
        if let Some(email) = &self.email_id {
            return Some(UserRef::email(email.clone()));
        }
        self.name.as_ref().map(|n| UserRef::name(n.clone()))
    }
}

sdp_model! {
    /// A datetime: `{"display_value": "Nov 10, 2016 11:44 AM", "value": "1478758440000"}`.
    /// Send only `value` (epoch milliseconds); `display_value` follows the
    /// portal user's format and time zone and is not stable.
    pub struct SdpDateTime {
        /// Rendered for display.
        pub display_value: String,
        /// Epoch milliseconds, as a string.
        pub value: String,
    }
}

impl SdpDateTime {
    /// `{"value": "<ms>"}` for writes.
    pub fn from_epoch_ms(ms: i64) -> Self {
        SdpDateTime {
            value: Some(ms.to_string()),
            ..SdpDateTime::default()
        }
    }

    /// The epoch milliseconds, when present and numeric.
    pub fn epoch_ms(&self) -> Option<i64> {
        self.value.as_deref().and_then(|v| v.trim().parse().ok())
    }
}

sdp_model! {
    /// A time span: input `{"hours": 1, "minutes": 15}`, output adds `value` (ms).
    pub struct TimeSpent {
        /// Hours.
        pub hours: u32,
        /// Minutes.
        pub minutes: u32,
        /// Milliseconds, as SDP returns it.
        pub value: String,
    }
}

impl TimeSpent {
    /// `{"hours": h, "minutes": m}`.
    pub fn new(hours: u32, minutes: u32) -> Self {
        TimeSpent {
            hours: Some(hours),
            minutes: Some(minutes),
            ..TimeSpent::default()
        }
    }
}

sdp_model! {
    /// A `{"description": "<html>"}` block (problem impact, root cause, change plans…).
    pub struct DescriptionBlock {
        /// HTML text.
        pub description: String,
    }
}
