#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `sdp-mcp backup` while writes run, then `sdp-mcp restore` into another
//! data dir (with the master key copied separately): every user that existed
//! when the backup started is there, with working API keys and credentials.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sdp_mcp_store::{
    AuthMethod, ExposeSecret as _, NewUser, SdpAuth, SdpCredentials, SecretString, StoreOptions,
    open_store,
};

const BIN: &str = env!("CARGO_BIN_EXE_sdp-mcp");

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdp-mcp-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, args: Vec<String>) -> Output {
    Command::new(BIN)
        .env_clear()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        name: name.to_owned(),
        display_name: None,
        email: None,
        auth_method: AuthMethod::ApiKey,
        credentials: Some(SdpCredentials {
            auth: SdpAuth::OnPremAuthtoken {
                authtoken: SecretString::from(format!("authtoken-of-{name}")),
            },
            instance: None,
            base_url: Some("https://sdp.example.com".to_owned()),
            accounts_url: None,
            data_center: None,
        }),
        issue_api_key: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_during_writes_restores_working_users_and_keys() {
    let dir = workdir("online");
    let data = dir.join("data");
    let store = open_store(StoreOptions::new(&data, None, None).unwrap())
        .await
        .unwrap();
    let mut keys = Vec::new();
    for i in 0..20 {
        let (_, key) = store
            .create_user(new_user(&format!("before{i}")))
            .await
            .unwrap();
        keys.push((format!("before{i}"), key.unwrap().key));
    }

    // Writes keep running while the backup is taken.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = tokio::spawn({
        let store = store.clone();
        let writing = writing.clone();
        async move {
            let mut written = 0;
            while writing.load(Ordering::Relaxed) || written < 5 {
                store
                    .create_user(new_user(&format!("during{written}")))
                    .await
                    .unwrap();
                written += 1;
                // Pacing, not synchronisation: leaves the backup process room
                // to take SQLite's write lock for its own start-up.
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            written
        }
    });
    let snapshot = dir.join("snapshot.db");
    let args = vec![
        "backup".to_owned(),
        snapshot.display().to_string(),
        "--data-dir".to_owned(),
        data.display().to_string(),
    ];
    let output = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || run(&dir, args)
    })
    .await
    .unwrap();
    writing.store(false, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written >= 5);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("master key"), "{stdout}");
    let mode = std::fs::metadata(&snapshot).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "backup readable by others");
    store.close().await;

    // Restore elsewhere: without the master key it refuses and changes nothing.
    let restored = dir.join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    let restore_args = vec![
        "restore".to_owned(),
        snapshot.display().to_string(),
        "--data-dir".to_owned(),
        restored.display().to_string(),
    ];
    let refused = run(&dir, restore_args.clone());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("master key"));
    assert!(!restored.join("sdp-mcp.db").exists());

    let key_file = restored.join("master.key");
    std::fs::copy(data.join("master.key"), &key_file).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = run(&dir, restore_args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let store = open_store(StoreOptions::new(&restored, None, None).unwrap())
        .await
        .unwrap();
    for (name, key) in &keys {
        let user = store
            .authenticate_api_key(key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("key of {name} does not work after restore"));
        assert_eq!(&user.name, name);
        let credentials = store.load_credentials(&user.id).await.unwrap().unwrap();
        let SdpAuth::OnPremAuthtoken { authtoken } = &credentials.auth else {
            panic!("wrong credentials kind");
        };
        assert_eq!(authtoken.expose_secret(), format!("authtoken-of-{name}"));
    }
    let users = store.list_users().await.unwrap();
    assert!(
        users.len() >= 20 && users.len() <= 20 + written,
        "{}",
        users.len()
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
