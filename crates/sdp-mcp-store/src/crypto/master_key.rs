//! The master key: from `SDP_MCP_MASTER_KEY` (base64 of 32 bytes) or from the
//! key file `master.key` in the data directory (mode 0600, created on first start).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::StoreError;

/// File name of the key file inside the data directory.
pub const KEY_FILE_NAME: &str = "master.key";

/// Name of the environment variable that carries the master key.
pub const MASTER_KEY_ENV: &str = "SDP_MCP_MASTER_KEY";

/// Length of the master key in bytes (AES-256).
pub const MASTER_KEY_LEN: usize = 32;

/// A 256-bit master key. Zeroized on drop; `Debug` shows only its id.
pub struct MasterKey {
    id: KeyId,
    bytes: SecretBox<[u8; MASTER_KEY_LEN]>,
}

/// A short public fingerprint of a master key, stored with every ciphertext
/// so that `keys rotate` knows which key sealed what. It reveals nothing
/// usable about the key (a truncated SHA-256 of it under a fixed label).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; KeyId::LEN]);

impl KeyId {
    /// Length in bytes inside a ciphertext envelope.
    pub const LEN: usize = 8;

    pub(crate) fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A new random key from the operating system's CSPRNG (through `rand`'s thread RNG).
    pub fn generate() -> Self {
        let mut bytes = Box::new([0_u8; MASTER_KEY_LEN]);
        rand::rng().fill_bytes(bytes.as_mut_slice());
        Self::from_boxed(bytes)
    }

    /// Parses base64 (standard or URL-safe, padded or not) of exactly 32 bytes.
    /// `origin` names the source in errors (`SDP_MCP_MASTER_KEY` or a path).
    ///
    /// # Errors
    /// [`StoreError::InvalidMasterKey`] when the text is not base64 of 32 bytes.
    pub fn from_base64(origin: &str, value: &SecretString) -> Result<Self, StoreError> {
        let text = value.expose_secret().trim();
        let invalid = |problem: String| StoreError::InvalidMasterKey {
            origin: origin.to_owned(),
            problem,
        };
        if text.is_empty() {
            return Err(invalid("it is empty".to_owned()));
        }
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok().map(Zeroizing::new))
            .ok_or_else(|| invalid("it is not valid base64".to_owned()))?;
        if decoded.len() != MASTER_KEY_LEN {
            return Err(invalid(format!(
                "it decodes to {} bytes, not {MASTER_KEY_LEN}",
                decoded.len()
            )));
        }
        let mut bytes = Box::new([0_u8; MASTER_KEY_LEN]);
        bytes.copy_from_slice(&decoded);
        Ok(Self::from_boxed(bytes))
    }

    /// The key as standard base64, e.g. to move it into `SDP_MCP_MASTER_KEY`.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.bytes.expose_secret()))
    }

    /// The key's public fingerprint.
    pub fn id(&self) -> KeyId {
        self.id
    }

    pub(crate) fn expose_bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        self.bytes.expose_secret()
    }

    fn from_boxed(bytes: Box<[u8; MASTER_KEY_LEN]>) -> Self {
        let digest = Sha256::new()
            .chain_update(b"sdp-mcp master key id v1\0")
            .chain_update(bytes.as_slice())
            .finalize();
        let mut id = [0_u8; KeyId::LEN];
        id.copy_from_slice(&digest[..KeyId::LEN]);
        Self {
            id: KeyId(id),
            bytes: SecretBox::new(bytes),
        }
    }
}

/// Refuses a key file that group or others may read or write (Unix only).
///
/// # Errors
/// [`StoreError::KeyFilePermissions`] with the `chmod 600` fix, or
/// [`StoreError::KeyFile`] when the file's metadata cannot be read.
pub fn check_key_file_permissions(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = fs::metadata(path).map_err(|source| StoreError::KeyFile {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(StoreError::KeyFilePermissions {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}

/// Reads an existing key file after checking its permissions. The file holds
/// the key as base64 (what [`create_key_file`] writes) or as 32 raw bytes.
///
/// # Errors
/// Permissions too open, unreadable file, or content that is not a key.
pub fn read_key_file(path: &Path) -> Result<MasterKey, StoreError> {
    check_key_file_permissions(path)?;
    let content = Zeroizing::new(fs::read(path).map_err(|source| StoreError::KeyFile {
        action: "read",
        path: path.to_owned(),
        source,
    })?);
    if content.len() == MASTER_KEY_LEN {
        let mut bytes = Box::new([0_u8; MASTER_KEY_LEN]);
        bytes.copy_from_slice(&content);
        return Ok(MasterKey::from_boxed(bytes));
    }
    let origin = path.display().to_string();
    let text = std::str::from_utf8(&content).map_err(|_| StoreError::InvalidMasterKey {
        origin: origin.clone(),
        problem: "it is neither 32 raw bytes nor base64 text".to_owned(),
    })?;
    MasterKey::from_base64(&origin, &SecretString::from(text.to_owned()))
}

/// Creates a new key file with a random key, readable by its owner only
/// (0600). Fails if the file already exists, so two processes starting at
/// once cannot overwrite each other's key.
///
/// # Errors
/// [`StoreError::KeyFile`] when the file exists or cannot be written.
pub fn create_key_file(path: &Path) -> Result<MasterKey, StoreError> {
    let key = MasterKey::generate();
    let create_error = |source| StoreError::KeyFile {
        action: "create",
        path: path.to_owned(),
        source,
    };
    // Written to a temporary file in the same directory, synced, then linked
    // into place: a crash leaves either no key file or a complete one (never
    // an empty file that blocks the next start), and `hard_link` fails if the
    // key file exists, so an existing key is never overwritten.
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let write_temp = || -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        let mut line = Zeroizing::new(key.to_base64().expose_secret().to_owned());
        line.push('\n');
        file.write_all(line.as_bytes())?;
        file.sync_all()
    };
    let linked = write_temp().and_then(|()| fs::hard_link(&temp, path));
    let _ = fs::remove_file(&temp);
    linked.map_err(create_error)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = fs::File::open(dir)
    {
        // Makes the new directory entry durable (best effort).
        let _ = dir.sync_all();
    }
    tracing::info!(path = %path.display(), key_id = %key.id(), "created a new master key file");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::{MasterKey, SecretString};
    use secrecy::ExposeSecret;

    #[test]
    fn base64_round_trip_keeps_the_id() {
        let key = MasterKey::generate();
        let again = MasterKey::from_base64("test", &key.to_base64()).unwrap();
        assert_eq!(key.id(), again.id());
        assert_eq!(key.expose_bytes(), again.expose_bytes());
        let url_safe = key
            .to_base64()
            .expose_secret()
            .replace('+', "-")
            .replace('/', "_");
        let url_safe = url_safe.trim_end_matches('=').to_owned();
        let again = MasterKey::from_base64("test", &SecretString::from(url_safe)).unwrap();
        assert_eq!(key.id(), again.id());
    }

    #[test]
    fn wrong_length_and_garbage_are_refused_with_the_origin() {
        let short = SecretString::from("c2hvcnQ=".to_owned());
        let error = MasterKey::from_base64("SDP_MCP_MASTER_KEY", &short).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("SDP_MCP_MASTER_KEY"), "{message}");
        assert!(message.contains("5 bytes, not 32"), "{message}");
        let garbage = SecretString::from("not base64 !!".to_owned());
        assert!(MasterKey::from_base64("x", &garbage).is_err());
    }

    #[test]
    fn debug_shows_only_the_id() {
        let key = MasterKey::generate();
        let debug = format!("{key:?}");
        assert!(debug.contains(&key.id().to_string()));
        assert!(!debug.contains(key.to_base64().expose_secret()));
    }
}
