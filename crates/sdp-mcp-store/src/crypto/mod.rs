//! Encryption at rest: AES-256-GCM with a random 96-bit nonce per secret and
//! associated data naming the row and column, so a ciphertext copied to
//! another user or column fails to decrypt.
//!
//! Every encrypted column holds one self-describing envelope:
//!
//! ```text
//! [version = 1][key id: 8 bytes][nonce: 12 bytes][ciphertext + 16-byte tag]
//! ```
//!
//! The key id lets `keys rotate` find and re-seal what an old key sealed; a
//! [`Keyring`] can hold the previous keys during a rotation.

pub mod master_key;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use secrecy::SecretString;
use zeroize::Zeroizing;

pub use master_key::{KeyId, MasterKey};

const ENVELOPE_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + KeyId::LEN + NONCE_LEN;

/// The loaded master keys: the primary one seals, any of them opens.
pub struct Keyring {
    primary: LoadedKey,
    previous: Vec<LoadedKey>,
}

struct LoadedKey {
    id: KeyId,
    cipher: Aes256Gcm,
}

/// Why an envelope could not be opened. Never carries plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The bytes are not an envelope of a known version.
    #[error("the stored value is not a sealed secret (wrong format or truncated)")]
    Malformed,
    /// Sealed with a key that is not loaded.
    #[error("it was sealed with master key {0}, which is not loaded")]
    UnknownKey(KeyId),
    /// The key matches but authentication failed: the ciphertext was altered,
    /// or it belongs to another row or column.
    #[error("the ciphertext was altered or belongs to another row or column")]
    Rejected,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("primary", &self.primary.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Keyring {
    /// A keyring that seals and opens with `primary`.
    pub fn new(primary: &MasterKey) -> Self {
        Self {
            primary: LoadedKey::new(primary),
            previous: Vec::new(),
        }
    }

    /// Adds a key that may still open older envelopes (during a rotation).
    #[must_use]
    pub fn with_previous(mut self, key: &MasterKey) -> Self {
        self.previous.push(LoadedKey::new(key));
        self
    }

    /// The id of the key that seals.
    pub fn primary_id(&self) -> KeyId {
        self.primary.id
    }

    /// Seals `plaintext` under the primary key, bound to `associated_data`.
    pub fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Vec<u8> {
        let mut nonce_bytes = [0_u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce_bytes);
        let nonce = Nonce::from(nonce_bytes);
        let payload = Payload {
            msg: plaintext,
            aad: associated_data,
        };
        // Encryption only fails for plaintexts above 64 GiB; secrets are tiny,
        // so an empty ciphertext (which never opens) is an acceptable answer.
        let ciphertext = self
            .primary
            .cipher
            .encrypt(&nonce, payload)
            .unwrap_or_default();
        let mut envelope = Vec::with_capacity(HEADER_LEN + ciphertext.len());
        envelope.push(ENVELOPE_VERSION);
        envelope.extend_from_slice(self.primary.id.as_bytes());
        envelope.extend_from_slice(&nonce_bytes);
        envelope.extend_from_slice(&ciphertext);
        envelope
    }

    /// Opens an envelope made by [`Keyring::seal`] with the same associated data.
    ///
    /// # Errors
    /// [`OpenError`]: malformed, unknown key, or authentication failure.
    pub fn open(
        &self,
        envelope: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let (header, ciphertext) = envelope
            .split_at_checked(HEADER_LEN)
            .ok_or(OpenError::Malformed)?;
        let (version, rest) = header.split_first().ok_or(OpenError::Malformed)?;
        if *version != ENVELOPE_VERSION || ciphertext.len() < TAG_LEN {
            return Err(OpenError::Malformed);
        }
        let (key_id, nonce_bytes) = rest.split_at(KeyId::LEN);
        let key_id = KeyId::from_bytes(key_id.try_into().map_err(|_| OpenError::Malformed)?);
        let nonce_bytes: [u8; NONCE_LEN] =
            nonce_bytes.try_into().map_err(|_| OpenError::Malformed)?;
        let key = std::iter::once(&self.primary)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or(OpenError::UnknownKey(key_id))?;
        let payload = Payload {
            msg: ciphertext,
            aad: associated_data,
        };
        key.cipher
            .decrypt(&Nonce::from(nonce_bytes), payload)
            .map(Zeroizing::new)
            .map_err(|_| OpenError::Rejected)
    }

    /// Seals a UTF-8 secret.
    pub fn seal_secret(&self, secret: &SecretString, associated_data: &[u8]) -> Vec<u8> {
        use secrecy::ExposeSecret;
        self.seal(secret.expose_secret().as_bytes(), associated_data)
    }

    /// Opens an envelope holding a UTF-8 secret.
    ///
    /// # Errors
    /// [`OpenError`], or [`OpenError::Malformed`] when the plaintext is not UTF-8.
    pub fn open_secret(
        &self,
        envelope: &[u8],
        associated_data: &[u8],
    ) -> Result<SecretString, OpenError> {
        let plaintext = self.open(envelope, associated_data)?;
        let text = std::str::from_utf8(&plaintext).map_err(|_| OpenError::Malformed)?;
        // `to_owned` allocates exactly `len` bytes, so the boxed `str` inside
        // the `SecretString` is not reallocated; `plaintext` is zeroized on drop.
        Ok(SecretString::from(text.to_owned()))
    }
}

impl LoadedKey {
    fn new(key: &MasterKey) -> Self {
        Self {
            id: key.id(),
            // Borrowed, not copied: no stray copy of the key is left on the stack.
            cipher: Aes256Gcm::new(<&aes_gcm::Key<Aes256Gcm>>::from(key.expose_bytes())),
        }
    }
}

/// Associated data binding a ciphertext to its table, column and owner.
pub fn associated_data(table: &str, column: &str, owner: &str) -> Vec<u8> {
    format!("sdp-mcp/v1/{table}.{column}/{owner}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::{Keyring, MasterKey, OpenError, associated_data};
    use secrecy::{ExposeSecret, SecretString};

    #[test]
    fn seal_and_open_round_trip_with_fresh_nonces() {
        let keyring = Keyring::new(&MasterKey::generate());
        let aad = associated_data("sdp_credentials", "refresh_token", "user-1");
        let secret = SecretString::from("1000.refresh.token".to_owned());
        let first = keyring.seal_secret(&secret, &aad);
        let second = keyring.seal_secret(&secret, &aad);
        assert_ne!(first, second, "each seal uses a new nonce");
        let opened = keyring.open_secret(&first, &aad).unwrap();
        assert_eq!(opened.expose_secret(), "1000.refresh.token");
    }

    #[test]
    fn other_row_other_column_other_key_and_tampering_fail() {
        let key = MasterKey::generate();
        let keyring = Keyring::new(&key);
        let aad = associated_data("sdp_credentials", "refresh_token", "user-1");
        let envelope = keyring.seal(b"secret", &aad);

        let other_user = associated_data("sdp_credentials", "refresh_token", "user-2");
        assert_eq!(
            keyring.open(&envelope, &other_user),
            Err(OpenError::Rejected)
        );
        let other_column = associated_data("sdp_credentials", "client_secret", "user-1");
        assert_eq!(
            keyring.open(&envelope, &other_column),
            Err(OpenError::Rejected)
        );

        let other_keyring = Keyring::new(&MasterKey::generate());
        assert_eq!(
            other_keyring.open(&envelope, &aad),
            Err(OpenError::UnknownKey(key.id()))
        );

        let mut tampered = envelope.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(keyring.open(&tampered, &aad), Err(OpenError::Rejected));
        assert_eq!(
            keyring.open(&envelope[..10], &aad),
            Err(OpenError::Malformed)
        );
    }

    #[test]
    fn previous_keys_still_open_during_rotation() {
        let old = MasterKey::generate();
        let new = MasterKey::generate();
        let aad = associated_data("meta", "key_check", "store");
        let sealed_by_old = Keyring::new(&old).seal(b"x", &aad);
        let rotating = Keyring::new(&new).with_previous(&old);
        assert_eq!(
            rotating.open(&sealed_by_old, &aad).unwrap().as_slice(),
            b"x"
        );
        assert_eq!(rotating.primary_id(), new.id());
    }
}
