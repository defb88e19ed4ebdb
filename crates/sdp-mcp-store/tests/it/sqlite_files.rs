//! What lands on disk with the embedded backend: no secret in clear in the
//! database or its WAL, owner-only files, and the key file rules.

use std::path::Path;

use sdp_mcp_store::{
    DatabaseLocation, ExposeSecret, MasterKeySource, SecretString, SqlStore, Store, StoreError,
    StoreOptions,
};

use crate::support::{Harness, new_user, secrets_of};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn database_files(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| {
            let path = format!("{}{suffix}", db.display());
            std::fs::read(&path).ok().map(|bytes| (path, bytes))
        })
        .collect()
}

#[tokio::test]
async fn sqlite_file_holds_no_secret_in_clear() {
    let h = Harness::sqlite().await;
    let DatabaseLocation::Sqlite(db) = h.location.clone() else {
        unreachable!()
    };
    let (alice, key) = h.store.create_user(new_user("alice")).await.unwrap();
    let rotated = h.store.rotate_api_keys(&alice.id, None).await.unwrap();
    let access = "1000.zoho-access-token-e3b0c442";
    h.store
        .save_access_token(
            &alice.id,
            &SecretString::from(access.to_owned()),
            std::time::SystemTime::now(),
        )
        .await
        .unwrap();
    let secrets = secrets_of("alice");
    let sealed: Vec<String> = vec![
        secrets.client_secret,
        secrets.refresh_token,
        key.unwrap().key.expose_secret().to_owned(),
        rotated.key.expose_secret().to_owned(),
        access.to_owned(),
    ];

    let files = database_files(&db);
    assert!(
        files.iter().any(|(path, _)| path.ends_with("-wal")),
        "WAL mode"
    );
    // Plain fields are stored in clear: the check would catch a secret.
    assert!(
        files
            .iter()
            .any(|(_, bytes)| contains(bytes, b"1000.aliceCLIENTID"))
    );
    for (path, bytes) in &files {
        for secret in &sealed {
            assert!(
                !contains(bytes, secret.as_bytes()),
                "{path} holds a secret in clear"
            );
        }
    }
    let master_key = std::fs::read(h.dir.path().join("master.key")).unwrap();
    let master_key = String::from_utf8(master_key).unwrap();
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, master_key.trim().as_bytes()),
            "{path} holds the master key"
        );
    }

    // Checkpointed into the main file, still nothing in clear.
    h.store.close().await;
    let checkpoint = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&h.raw)
        .await;
    checkpoint.unwrap();
    for (path, bytes) in database_files(&db) {
        for secret in &sealed {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{path} holds a secret in clear"
            );
        }
    }
    h.finish().await;
}

#[tokio::test]
async fn removed_users_ciphertexts_are_erased_from_the_file() {
    let h = Harness::sqlite().await;
    let DatabaseLocation::Sqlite(db) = h.location.clone() else {
        unreachable!()
    };
    let (alice, _) = h.store.create_user(new_user("alice")).await.unwrap();
    h.store.create_user(new_user("bob")).await.unwrap();
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT refresh_token FROM sdp_credentials WHERE user_id = $1")
            .bind(alice.id.as_str())
            .fetch_one(&h.raw)
            .await
            .unwrap();
    assert!(h.store.remove_user(&alice.id).await.unwrap());
    h.store.close().await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&h.raw)
        .await
        .unwrap();
    for (path, bytes) in database_files(&db) {
        assert!(
            !contains(&bytes, &sealed),
            "{path} still holds the removed ciphertext"
        );
    }
    h.finish().await;
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn first_start_creates_a_private_key_file_database_and_directory() {
    let h = Harness::sqlite().await;
    let DatabaseLocation::Sqlite(db) = h.location.clone() else {
        unreachable!()
    };
    h.store.create_user(new_user("alice")).await.unwrap();
    let key_file = h.dir.path().join("master.key");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    for (path, _) in database_files(&db) {
        assert_eq!(mode(Path::new(&path)), 0o600, "{path}");
    }
    let key = sdp_mcp_store::read_key_file(&key_file).unwrap();
    assert_eq!(key.to_base64().expose_secret().len(), 44);
    h.finish().await;
}

#[cfg(unix)]
#[tokio::test]
async fn key_file_readable_by_others_is_refused_with_the_chmod_fix() {
    use std::os::unix::fs::PermissionsExt;
    let h = Harness::sqlite().await;
    h.store.close().await;
    let key_file = h.dir.path().join("master.key");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();

    let error = h.reopen(h.key_source.clone()).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, StoreError::KeyFilePermissions { mode: 0o644, .. }),
        "{message}"
    );
    assert!(
        message.contains(&format!("chmod 600 {}", key_file.display())),
        "{message}"
    );
    assert!(message.contains("0644"), "{message}");
    let error = sdp_mcp_store::check_key_file_permissions(&key_file).unwrap_err();
    assert!(matches!(error, StoreError::KeyFilePermissions { .. }));

    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let reopened = h.reopen(h.key_source.clone()).await.unwrap();
    reopened.close().await;
    h.finish().await;
}

#[tokio::test]
async fn default_options_put_database_and_key_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let options = StoreOptions::new(&data_dir, None, None).unwrap();
    let store = SqlStore::open(options).await.unwrap();
    assert!(data_dir.join("sdp-mcp.db").is_file());
    assert!(data_dir.join("master.key").is_file());
    store.close().await;

    // A plain path and a sqlite:// URL name the same store.
    let url = format!("sqlite://{}", data_dir.join("sdp-mcp.db").display());
    let options = StoreOptions::new(&data_dir, Some(&url), None).unwrap();
    let store = SqlStore::open(options).await.unwrap();
    assert_eq!(store.backend(), sdp_mcp_store::Backend::Sqlite);
    store.close().await;

    let env_key = sdp_mcp_store::MasterKey::generate().to_base64();
    let options = StoreOptions::new(&dir.path().join("other"), None, Some(env_key)).unwrap();
    assert!(matches!(options.master_key, MasterKeySource::Env(_)));
    let store = SqlStore::open(options).await.unwrap();
    store.close().await;
    assert!(
        !dir.path().join("other").join("master.key").exists(),
        "no key file with an env key"
    );
}
