//! Loading the master key and checking it against the store's key check
//! value: a known plaintext sealed with the store's key in `meta`.

use std::path::Path;

use sqlx::AnyPool;

use crate::crypto::master_key::{self, MASTER_KEY_ENV};
use crate::crypto::{Keyring, MasterKey, associated_data};
use crate::error::{Result, StoreError};
use crate::model::now_millis;
use crate::options::MasterKeySource;

const KEY_CHECK_NAME: &str = "key_check";
const KEY_CHECK_PLAINTEXT: &[u8] = b"sdp-mcp key check v1";

fn key_check_aad() -> Vec<u8> {
    associated_data("meta", "value", KEY_CHECK_NAME)
}

/// Loads the key from its source and proves it is this store's key; on the
/// first start, creates the key file (if that is the source) and records the
/// key check value.
pub(super) async fn load_keyring(pool: &AnyPool, source: &MasterKeySource) -> Result<Keyring> {
    let stored = read_key_check(pool).await?;
    let key = match source {
        MasterKeySource::Env(value) => MasterKey::from_base64(MASTER_KEY_ENV, value)?,
        MasterKeySource::File(path) => key_from_file(path, stored.is_some())?,
    };
    let keyring = Keyring::new(&key);
    let stored = if let Some(stored) = stored {
        stored
    } else {
        let sealed = keyring.seal(KEY_CHECK_PLAINTEXT, &key_check_aad());
        // Another replica may win the race; then its value is checked below.
        sqlx::query(
            "INSERT INTO meta (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(KEY_CHECK_NAME)
        .bind(sealed)
        .bind(now_millis())
        .execute(pool)
        .await
        .map_err(StoreError::database("record the master key check"))?;
        read_key_check(pool)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                what: "meta.key_check",
                value: "missing right after it was written".to_owned(),
            })?
    };
    let mismatch = || StoreError::MasterKeyMismatch {
        hint: source.describe(),
    };
    let opened = keyring
        .open(&stored, &key_check_aad())
        .map_err(|_| mismatch())?;
    if opened.as_slice() != KEY_CHECK_PLAINTEXT {
        return Err(mismatch());
    }
    Ok(keyring)
}

async fn read_key_check(pool: &AnyPool) -> Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT value FROM meta WHERE name = $1")
        .bind(KEY_CHECK_NAME)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::database("read the master key check"))
}

/// Reads the key file, or creates it when the store is new. A store that
/// already holds encrypted data never gets a fresh key silently.
fn key_from_file(path: &Path, store_has_key_check: bool) -> Result<MasterKey> {
    match std::fs::metadata(path) {
        Ok(_) => master_key::read_key_file(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if store_has_key_check {
                return Err(StoreError::MasterKeyMissing {
                    path: path.to_owned(),
                });
            }
            if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                super::connect::ensure_private_dir(dir)?;
            }
            match master_key::create_key_file(path) {
                // Another process created it first: use theirs.
                Err(StoreError::KeyFile { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    master_key::read_key_file(path)
                }
                other => other,
            }
        }
        Err(source) => Err(StoreError::KeyFile {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}
