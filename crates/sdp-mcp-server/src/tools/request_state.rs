//! The sealed `requestState` of a confirmation asked through MRTR
//! (2026-07-28 `InputRequiredResult`).
//!
//! The client echoes the state back verbatim, so it is attacker-controlled:
//! it is an HMAC-SHA256-tagged JSON payload bound to the user, the tool and a
//! digest of the call's arguments, expiring after [`TTL`], and accepted once
//! (a per-process set of redeemed nonces). The key is random per process: a
//! retry that reaches another replica, or a restarted server, is asked again.
//! The payload is signed, not encrypted; it carries no secret.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How long a confirmation may take.
pub(crate) const TTL: Duration = Duration::from_secs(300);

/// Version prefix of sealed states.
const PREFIX: &str = "sdpc1";

/// Domain separation for the tag.
const DOMAIN: &[u8] = b"sdp-mcp/confirm-request-state/v1\0";

/// Why an echoed `requestState` was refused. Every variant means: nothing
/// was changed, ask again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StateError {
    /// Not a state this server issues, or altered.
    #[error("the requestState was altered or was not issued by this server")]
    Invalid,
    /// Issued for another user, tool or arguments.
    #[error("the requestState belongs to another user, tool or set of arguments")]
    Mismatch,
    /// Older than [`TTL`].
    #[error("the confirmation expired (it is valid for 5 minutes)")]
    Expired,
    /// Already used once.
    #[error("this confirmation was already used")]
    Replayed,
}

/// What a sealed state binds.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    /// User id.
    u: String,
    /// Tool name.
    t: String,
    /// SHA-256 of the canonical arguments (hex).
    a: String,
    /// Expiry, unix milliseconds.
    e: i64,
    /// Random nonce (hex), redeemed once.
    n: String,
}

/// The binding of one confirmation: who calls which tool with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The caller's user id.
    pub(crate) user: String,
    /// The tool name.
    pub(crate) tool: String,
    /// Digest of the arguments, see [`arguments_digest`].
    pub(crate) arguments: String,
}

fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(rand::random)
}

fn redeemed() -> &'static Mutex<HashMap<String, i64>> {
    static REDEEMED: OnceLock<Mutex<HashMap<String, i64>>> = OnceLock::new();
    REDEEMED.get_or_init(Mutex::default)
}

/// Current time in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// SHA-256 (hex) of the arguments with object keys sorted and the
/// `confirm` argument left out, so a retry with the same arguments matches.
pub(crate) fn arguments_digest(
    arguments: Option<&serde_json::Map<String, serde_json::Value>>,
) -> String {
    fn canonical(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for key in keys {
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push(':');
                    canonical(&map[key], out);
                    out.push(',');
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for item in items {
                    canonical(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut map = arguments.cloned().unwrap_or_default();
    map.remove("confirm");
    let mut text = String::new();
    canonical(&serde_json::Value::Object(map), &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn tag(body: &[u8]) -> Vec<u8> {
    // A 32-byte key is always a valid HMAC key; the fallback is unreachable.
    let Ok(mut mac) = HmacSha256::new_from_slice(key()) else {
        return Vec::new();
    };
    mac.update(DOMAIN);
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Seals a confirmation state for `binding`, valid from `now` for [`TTL`].
pub(crate) fn seal(binding: &Binding, now: i64) -> String {
    let payload = Payload {
        u: binding.user.clone(),
        t: binding.tool.clone(),
        a: binding.arguments.clone(),
        e: now.saturating_add(i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX)),
        n: hex::encode(rand::random::<[u8; 16]>()),
    };
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    format!(
        "{PREFIX}.{}.{}",
        URL_SAFE_NO_PAD.encode(&body),
        URL_SAFE_NO_PAD.encode(tag(&body))
    )
}

/// Verifies `sealed` against `binding` at `now` and redeems it.
///
/// # Errors
/// A [`StateError`] when it is forged, altered, for another binding,
/// expired or already used.
pub(crate) fn open(sealed: &str, binding: &Binding, now: i64) -> Result<(), StateError> {
    let mut parts = sealed.split('.');
    let (Some(PREFIX), Some(body), Some(given), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StateError::Invalid);
    };
    let body = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| StateError::Invalid)?;
    let given = URL_SAFE_NO_PAD
        .decode(given)
        .map_err(|_| StateError::Invalid)?;
    let Ok(mut mac) = HmacSha256::new_from_slice(key()) else {
        return Err(StateError::Invalid);
    };
    mac.update(DOMAIN);
    mac.update(&body);
    mac.verify_slice(&given).map_err(|_| StateError::Invalid)?;
    let payload: Payload = serde_json::from_slice(&body).map_err(|_| StateError::Invalid)?;
    if payload.u != binding.user || payload.t != binding.tool || payload.a != binding.arguments {
        return Err(StateError::Mismatch);
    }
    if now > payload.e {
        return Err(StateError::Expired);
    }
    let mut redeemed = redeemed().lock();
    redeemed.retain(|_, expiry| *expiry >= now);
    if redeemed.insert(payload.n, payload.e).is_some() {
        return Err(StateError::Replayed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(user: &str) -> Binding {
        Binding {
            user: user.to_owned(),
            tool: "delete_request".to_owned(),
            arguments: arguments_digest(serde_json::json!({"request_id": "7"}).as_object()),
        }
    }

    #[test]
    fn a_state_opens_once_for_its_binding_before_expiry() {
        let now = now_ms();
        let sealed = seal(&binding("alice"), now);
        assert_eq!(
            open(&sealed, &binding("bob"), now),
            Err(StateError::Mismatch)
        );
        let later = now + i64::try_from(TTL.as_millis()).unwrap() + 1;
        assert_eq!(
            open(&sealed, &binding("alice"), later),
            Err(StateError::Expired)
        );
        assert_eq!(open(&sealed, &binding("alice"), now), Ok(()));
        assert_eq!(
            open(&sealed, &binding("alice"), now),
            Err(StateError::Replayed)
        );
    }

    #[test]
    fn altered_states_are_invalid() {
        let now = now_ms();
        let sealed = seal(&binding("alice"), now);
        let mut parts: Vec<String> = sealed.split('.').map(str::to_owned).collect();
        let mut body: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        body["u"] = "mallory".into();
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap());
        let forged = parts.join(".");
        assert_eq!(
            open(&forged, &binding("mallory"), now),
            Err(StateError::Invalid)
        );
        assert_eq!(
            open("garbage", &binding("alice"), now),
            Err(StateError::Invalid)
        );
    }

    #[test]
    fn the_digest_ignores_key_order_and_confirm() {
        let a = serde_json::json!({"b": 1, "a": {"y": 2, "x": [1, 2]}});
        let b = serde_json::json!({"a": {"x": [1, 2], "y": 2}, "confirm": false, "b": 1});
        assert_eq!(
            arguments_digest(a.as_object()),
            arguments_digest(b.as_object())
        );
        let c = serde_json::json!({"b": 2, "a": {"x": [1, 2], "y": 2}});
        assert_ne!(
            arguments_digest(a.as_object()),
            arguments_digest(c.as_object())
        );
    }
}
