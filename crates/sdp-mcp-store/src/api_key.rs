//! Personal API keys: `sdpmcp_` followed by 32 random base62 characters
//! (about 190 bits). Only the SHA-256 of the whole key and its first
//! characters are stored; the key is returned once, at issue.

use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Every API key starts with this.
pub const API_KEY_PREFIX: &str = "sdpmcp_";

/// Number of random base62 characters after the prefix.
pub const API_KEY_RANDOM_LEN: usize = 32;

/// Characters of the key kept in clear as its display prefix (`sdpmcp_` + 5).
const DISPLAY_PREFIX_LEN: usize = API_KEY_PREFIX.len() + 5;

/// A freshly generated key with its stored forms.
pub(crate) struct GeneratedKey {
    pub(crate) key: SecretString,
    pub(crate) hash: String,
    pub(crate) prefix: String,
}

pub(crate) fn generate_api_key() -> GeneratedKey {
    let mut rng = rand::rng();
    let mut key = String::with_capacity(API_KEY_PREFIX.len() + API_KEY_RANDOM_LEN);
    key.push_str(API_KEY_PREFIX);
    key.extend(
        (&mut rng)
            .sample_iter(Alphanumeric)
            .take(API_KEY_RANDOM_LEN)
            .map(char::from),
    );
    let key = SecretString::from(key);
    GeneratedKey {
        hash: hash_api_key(&key),
        prefix: display_prefix(&key),
        key,
    }
}

/// Whether `text` has the shape of an API key (prefix, length, alphabet).
/// Lets a server tell API keys from other bearer tokens without a lookup.
pub fn looks_like_api_key(text: &str) -> bool {
    text.strip_prefix(API_KEY_PREFIX).is_some_and(|random| {
        random.len() == API_KEY_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// The stored form of a key: lowercase hex SHA-256 of the whole key.
pub fn hash_api_key(key: &SecretString) -> String {
    hex::encode(Sha256::digest(key.expose_secret().as_bytes()))
}

fn display_prefix(key: &SecretString) -> String {
    key.expose_secret()
        .chars()
        .take(DISPLAY_PREFIX_LEN)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{API_KEY_PREFIX, generate_api_key, hash_api_key, looks_like_api_key};
    use secrecy::{ExposeSecret, SecretString};

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let generated = generate_api_key();
        let key = generated.key.expose_secret();
        assert!(key.starts_with(API_KEY_PREFIX));
        assert!(looks_like_api_key(key), "{}", generated.prefix);
        assert_eq!(generated.prefix.len(), 12);
        assert!(key.starts_with(&generated.prefix));
        assert_eq!(generated.hash.len(), 64);
        assert_ne!(generate_api_key().hash, generated.hash);
    }

    #[test]
    fn hash_is_sha256_hex_of_the_whole_key() {
        let key = SecretString::from("abc".to_owned());
        assert_eq!(
            hash_api_key(&key),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn shapes_that_are_not_keys() {
        assert!(!looks_like_api_key("sdpmcp_short"));
        assert!(!looks_like_api_key("Bearer sdpmcp_x"));
        assert!(!looks_like_api_key(&format!("sdpmcp_{}", "!".repeat(32))));
    }
}
