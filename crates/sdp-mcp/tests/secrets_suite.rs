#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Secrets suite: every command of the `sdp-mcp` binary, run with known
//! secrets at `RUST_LOG=trace` in both log formats, success and failure
//! paths, never shows a secret (nor its base64/hex form, nor any
//! token-shaped string) on stdout, stderr, `/metrics` or in what MCP clients
//! are answered. The only exception is a command whose purpose is to print a
//! new API key: it prints it exactly once, on stdout. Also: `Debug` of every
//! configuration and credential type redacts.

mod secrets_support;

use std::path::Path;

use secrets_support::known::{
    API_KEY, AUTHTOKEN, BAD_REFRESH_TOKEN, CLIENT_SECRET, DB_PASSWORD, METRICS_TOKEN,
    REFRESH_TOKEN, WRONG_MASTER_KEY, ZOHO_WEB_SECRET, break_refresh_token, directory,
    known_secrets, run, secret_env, simulator,
};
use secrets_support::{
    Format, MASTER_KEY_BYTES, Secrets, Transcript, assert_clean, assert_trace_logs, master_key_b64,
    sdp_mcp, sessions, token_shaped, workdir,
};

#[test]
fn the_scanner_finds_secrets_in_every_form() {
    let secrets = known_secrets();
    assert_eq!(secrets.found_in("nothing here"), Vec::<&str>::new());
    let hex = format!("x{}y", hex::encode(CLIENT_SECRET));
    assert_eq!(secrets.found_in(&hex), ["client secret (hex)"]);
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, API_KEY);
    assert!(
        secrets
            .found_in(&b64)
            .contains(&"single-user API key (base64)")
    );
    assert_eq!(
        secrets.found_in(&hex::encode(MASTER_KEY_BYTES)),
        ["master key (hex)"]
    );
    let text = format!(
        "a {REFRESH_TOKEN} b sdpmcp_{} c sdpoa_{} d sdpmcp_short",
        "A1".repeat(16),
        "x-".repeat(22)
    );
    assert_eq!(token_shaped(&text).len(), 3, "{:?}", token_shaped(&text));
}

#[test]
fn debug_of_configuration_and_credential_types_redacts_secrets() {
    secrets_support::debug_types::assert_check_can_fail();
    secrets_support::debug_types::assert_all_redacted();
}

#[test]
fn config_tools_and_startup_errors_show_no_secret() {
    let secrets = known_secrets();
    let env = secret_env();
    for format in Format::ALL {
        let dir = workdir(&format!("config-{}", format.name()));
        let mut transcript = Transcript::default();
        let (stdout, _) = transcript.record(
            "config check",
            &run(&dir, format, &env, &["config", "check"]),
            true,
        );
        assert!(stdout.contains("[redacted]"), "{stdout}");
        assert!(stdout.contains("configuration OK"), "{stdout}");

        let mut invalid = env.clone();
        invalid.push(("SDP_DATA_CENTER", "XX".to_owned()));
        invalid.retain(|(name, _)| *name != "SDP_BASE_URL");
        transcript.record(
            "config check (invalid data center)",
            &run(&dir, format, &invalid, &["config", "check"]),
            false,
        );

        let file = dir.join("sdp-mcp.toml");
        std::fs::write(
            &file,
            format!(
                "[server]\napi_key = \"{API_KEY}\"\nmetrics_token = \"{METRICS_TOKEN}\"\n\
                 [store]\nmaster_key = \"{}\"\n\
                 [upstream]\ninstance_name = \"itdesk\"\nbase_url = \"http://127.0.0.1:9\"\n\
                 accounts_url = \"http://127.0.0.1:9\"\nclient_id = \"1000.KNOWN\"\n\
                 client_secret = \"{CLIENT_SECRET}\"\nrefresh_token = \"{REFRESH_TOKEN}\"\n\
                 [oauth]\nzoho_client_secret = \"{ZOHO_WEB_SECRET}\"\n",
                master_key_b64()
            ),
        )
        .unwrap();
        let file_arg = file.to_str().unwrap();
        let (stdout, _) = transcript.record(
            "config check --config",
            &run(
                &dir,
                format,
                &[],
                &["--config", file_arg, "config", "check"],
            ),
            true,
        );
        assert!(stdout.contains("from file"), "{stdout}");

        let bad_toml = dir.join("bad.toml");
        std::fs::write(
            &bad_toml,
            format!("[upstream]\nclient_secret = \"{CLIENT_SECRET}\" trailing\n"),
        )
        .unwrap();
        let unknown = dir.join("unknown.toml");
        std::fs::write(
            &unknown,
            format!("[upstream]\nclient_secrte = \"{CLIENT_SECRET}\"\n"),
        )
        .unwrap();
        for (place, path) in [("syntax error", &bad_toml), ("unknown key", &unknown)] {
            let path = path.to_str().unwrap();
            for command in [&["config", "check"][..], &["serve"], &["stdio"]] {
                let mut args = vec!["--config", path];
                args.extend_from_slice(command);
                transcript.record(
                    &format!("{command:?} with a config file with a {place}"),
                    &run(&dir, format, &[], &args),
                    false,
                );
            }
        }

        // A malformed ./.env, and one that sets a secret twice under aliases.
        for (place, dotenv, named) in [
            (
                "malformed .env",
                format!("SDP_CLIENT_SECRET {CLIENT_SECRET}\n"),
                ".env",
            ),
            (
                "conflicting aliases in .env",
                format!(
                    "SDP_CLIENT_SECRET={CLIENT_SECRET}\nSDP_OAUTH_CLIENT_SECRET={ZOHO_WEB_SECRET}\n\
                     SDP_REFRESH_TOKEN={REFRESH_TOKEN}\nSDP_OAUTH_REFRESH_TOKEN={API_KEY}\n"
                ),
                "SDP_OAUTH_CLIENT_SECRET",
            ),
        ] {
            let cwd = dir.join(place.replace(' ', "-"));
            std::fs::create_dir_all(&cwd).unwrap();
            std::fs::write(cwd.join(".env"), dotenv).unwrap();
            for command in [&["config", "check"][..], &["serve"], &["stdio"]] {
                let (_, stderr) = transcript.record(
                    &format!("{command:?} with a {place}"),
                    &run(&cwd, format, &[], command),
                    false,
                );
                assert!(stderr.contains(named), "{place}: {stderr}");
            }
        }

        // Missing variables: the error names them, not the values present.
        let partial: Vec<(&str, String)> = env
            .iter()
            .filter(|(name, _)| *name != "SDP_INSTANCE_NAME" && *name != "SDP_BASE_URL")
            .cloned()
            .collect();
        for command in [&["serve"][..], &["stdio"]] {
            transcript.record(
                &format!("{command:?} with a missing variable"),
                &run(&dir, format, &partial, command),
                false,
            );
        }

        for args in [
            &["tools", "list"][..],
            &["tools", "list", "--format", "json"],
        ] {
            transcript.record(&format!("{args:?}"), &run(&dir, format, &env, args), true);
        }
        transcript.check(&secrets);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn users_commands_show_a_key_only_where_it_is_issued() {
    let directory = directory(2);
    let mut secrets = known_secrets();
    for user in &directory.users {
        secrets.add_sim_user(user);
    }
    for format in Format::ALL {
        let dir = workdir(&format!("users-{}", format.name()));
        let data = dir.join("data");
        let files = sdp_sim::env_files::write_env_files(
            &dir.join("envs"),
            &directory,
            "http://127.0.0.1:9",
        )
        .unwrap();
        let env = [
            ("SDP_MCP_MASTER_KEY", master_key_b64()),
            ("SDP_MCP_DATA_DIR", data.display().to_string()),
        ];
        let users = |args: &[&str]| {
            let mut all = vec!["users"];
            all.extend_from_slice(args);
            run(&dir, format, &env, &all)
        };
        let mut transcript = Transcript::default();
        let alice = transcript.record_issuing(
            "users add alice --json",
            &users(&[
                "add",
                "alice",
                "--json",
                "--client-id",
                "1000.KNOWNCLIENTID",
                "--client-secret",
                CLIENT_SECRET,
                "--refresh-token",
                REFRESH_TOKEN,
                "--instance",
                "itdesk",
                "--data-center",
                "EU",
            ]),
        );
        transcript.record_issuing(
            "users add bob (on-prem)",
            &users(&[
                "add",
                "bob",
                "--authtoken",
                AUTHTOKEN,
                "--base-url",
                "http://127.0.0.1:9",
            ]),
        );
        let file_args: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
        let mut import = vec!["import"];
        import.extend_from_slice(&file_args);
        let imported = transcript.record_issuing("users import", &users(&import));
        assert_eq!(imported.len(), 2);
        let mut again = vec!["import", "--json"];
        again.extend_from_slice(&file_args);
        transcript.record("users import (again: no new key)", &users(&again), true);

        let malformed = dir.join(".env.mallory");
        std::fs::write(
            &malformed,
            format!(
                "SDP_CLIENT_ID=1000.X\nSDP_CLIENT_SECRET {CLIENT_SECRET}\n\
                 SDP_REFRESH_TOKEN={REFRESH_TOKEN}\n"
            ),
        )
        .unwrap();
        let missing = dir.join(".env.trent");
        std::fs::write(
            &missing,
            format!("SDP_CLIENT_ID=1000.X\nSDP_CLIENT_SECRET={CLIENT_SECRET}\n"),
        )
        .unwrap();
        let (_, stderr) = transcript.record(
            "users import (malformed .env)",
            &users(&["import", malformed.to_str().unwrap()]),
            false,
        );
        assert!(stderr.contains("line 2"), "{stderr}");
        transcript.record(
            "users add --from-env (missing refresh token)",
            &users(&["add", "trent", "--from-env", missing.to_str().unwrap()]),
            false,
        );
        transcript.record(
            "users add (duplicate)",
            &users(&[
                "add",
                "alice",
                "--authtoken",
                AUTHTOKEN,
                "--base-url",
                "http://127.0.0.1:9",
            ]),
            false,
        );
        let (_, list_log) = transcript.record("users list", &users(&["list"]), true);
        assert_trace_logs("users list", &list_log, format);
        transcript.record("users list --json", &users(&["list", "--json"]), true);
        transcript.record("users disable", &users(&["disable", "bob"]), true);
        transcript.record("users enable", &users(&["enable", "bob"]), true);
        let rotated =
            transcript.record_issuing("users rotate-key", &users(&["rotate-key", "alice"]));
        assert_ne!(rotated, alice);
        transcript.record_issuing(
            "users rotate-key --json",
            &users(&["rotate-key", "user1", "--json"]),
        );
        transcript.record("users remove", &users(&["remove", "bob"]), true);
        transcript.record("users remove (unknown)", &users(&["remove", "bob"]), false);
        transcript.record("migrate", &run(&dir, format, &env, &["migrate"]), true);

        let wrong = [
            ("SDP_MCP_MASTER_KEY", WRONG_MASTER_KEY.to_owned()),
            ("SDP_MCP_DATA_DIR", data.display().to_string()),
        ];
        let (_, stderr) = transcript.record(
            "users list (wrong master key)",
            &run(&dir, format, &wrong, &["users", "list"]),
            false,
        );
        assert!(stderr.contains("master key"), "{stderr}");
        let garbage = [
            ("SDP_MCP_MASTER_KEY", format!("{CLIENT_SECRET}!!")),
            ("SDP_MCP_DATA_DIR", data.display().to_string()),
        ];
        transcript.record(
            "users list (malformed master key)",
            &run(&dir, format, &garbage, &["users", "list"]),
            false,
        );
        transcript.record(
            "users list (unreachable PostgreSQL)",
            &run(
                &dir,
                format,
                &[(
                    "SDP_MCP_DATABASE_URL",
                    format!("postgres://sdp:{DB_PASSWORD}@127.0.0.1:9/sdp"),
                )],
                &["users", "list"],
            ),
            false,
        );
        transcript.check(&secrets);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_backup_and_restore_show_no_secret() {
    let sim = simulator(2, 1).await;
    let mut secrets = known_secrets();
    for user in &sim.directory().users {
        secrets.add_sim_user(user);
    }
    secrets.add("bad refresh token", BAD_REFRESH_TOKEN);
    for format in Format::ALL {
        let dir = workdir(&format!("doctor-{}", format.name()));
        let data = dir.join("data");
        let files =
            sdp_sim::env_files::write_env_files(&dir.join("envs"), sim.directory(), sim.base_url())
                .unwrap();
        break_refresh_token(&files[1]);
        let data_env = |data: &Path, key: &str| {
            vec![
                ("SDP_MCP_MASTER_KEY", key.to_owned()),
                ("SDP_MCP_DATA_DIR", data.display().to_string()),
            ]
        };
        let env = data_env(&data, &master_key_b64());
        let cli = |env: &[(&str, String)], args: &[&str]| {
            tokio::task::block_in_place(|| run(&dir, format, env, args))
        };
        let mut transcript = Transcript::default();
        let mut import = vec!["users", "import"];
        import.extend(files.iter().map(|f| f.to_str().unwrap()));
        transcript.record_issuing("users import", &cli(&env, &import));
        let doctor = ["doctor", "--listen", "127.0.0.1:0"];
        let (stdout, stderr) = transcript.record("doctor", &cli(&env, &doctor), false);
        assert!(stdout.contains("user2"), "{stdout}");
        assert_trace_logs("doctor", &stderr, format);
        let mut doctor_json = doctor.to_vec();
        doctor_json.push("--json");
        transcript.record("doctor --json", &cli(&env, &doctor_json), false);
        let wrong = data_env(&data, WRONG_MASTER_KEY);
        transcript.record("doctor (wrong master key)", &cli(&wrong, &doctor), false);

        let backup = dir.join("backup.db");
        let backup_arg = backup.to_str().unwrap();
        transcript.record("backup", &cli(&env, &["backup", backup_arg]), true);
        let restored = data_env(&dir.join("restored"), &master_key_b64());
        transcript.record("restore", &cli(&restored, &["restore", backup_arg]), true);
        let wrong = data_env(&dir.join("restored-wrong"), WRONG_MASTER_KEY);
        let (_, stderr) = transcript.record(
            "restore (wrong master key)",
            &cli(&wrong, &["restore", backup_arg]),
            false,
        );
        assert!(stderr.contains("master key"), "{stderr}");
        transcript.record(
            "users list (restored)",
            &cli(&restored, &["users", "list"]),
            true,
        );
        transcript.check(&secrets);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn sim_writes_its_secrets_only_into_the_env_files() {
    for format in Format::ALL {
        let dir = workdir(&format!("sim-{}", format.name()));
        let envs = dir.join("envs");
        let mut command = sdp_mcp(&dir, format);
        command.args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--users",
            "3",
            "--write-env",
        ]);
        command.arg(&envs);
        let running = secrets_support::Running::spawn(command);
        running.wait_stderr("the simulator is ready", |l| {
            l.contains("control endpoints")
        });
        let (_, stdout, stderr) = running.stop();
        let mut secrets = Secrets::default();
        let mut files = 0;
        for entry in std::fs::read_dir(&envs).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            assert!(!token_shaped(&text).is_empty(), "{text}");
            for line in text.lines() {
                if let Some((name, value)) = line.split_once('=')
                    && (name.contains("SECRET") || name.contains("TOKEN"))
                {
                    secrets.add(name, value.trim_matches('"'));
                }
            }
            files += 1;
        }
        assert_eq!(files, 3);
        assert!(secrets.len() >= 6 * 4, "{secrets:?}");
        assert_clean("sim (stdout)", &stdout, &secrets, &[]);
        assert_clean("sim (stderr)", &stderr, &secrets, &[]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_sessions_show_no_secret() {
    let sim = simulator(1, 1).await;
    let user = sim.directory().users[0].clone();
    let mut secrets = known_secrets();
    secrets.add_sim_user(&user);
    secrets.add("bad refresh token", BAD_REFRESH_TOKEN);
    for format in Format::ALL {
        let dir = workdir(&format!("stdio-{}", format.name()));
        for refresh_token in [user.refresh_token.as_str(), BAD_REFRESH_TOKEN] {
            let good = refresh_token == user.refresh_token;
            let mut command = sdp_mcp(&dir, format);
            command
                .env("SDP_CLIENT_ID", &user.client_id)
                .env("SDP_CLIENT_SECRET", &user.client_secret)
                .env("SDP_REFRESH_TOKEN", refresh_token)
                .env("SDP_INSTANCE_NAME", &user.portal)
                .env("SDP_BASE_URL", sim.base_url())
                .env("SDP_ACCOUNTS_URL", sim.base_url())
                .arg("stdio");
            let calls = [
                ("whoami", serde_json::json!({})),
                ("list_requests", serde_json::json!({"page_size": 2})),
                (
                    "get_request",
                    serde_json::json!({"request_id": "999999999999"}),
                ),
            ];
            let (answers, stdout, stderr) =
                tokio::task::block_in_place(|| sessions::stdio_session(command, &calls));
            assert_eq!(answers.len(), 4);
            assert_eq!(
                answers[1]["result"]["isError"],
                serde_json::json!(!good),
                "{}",
                answers[1]
            );
            assert_eq!(
                answers[3]["result"]["isError"],
                serde_json::json!(true),
                "{}",
                answers[3]
            );
            let place = if good {
                "stdio"
            } else {
                "stdio (bad refresh token)"
            };
            assert_trace_logs(place, &stderr, format);
            assert_clean(&format!("{place} (stdout)"), &stdout, &secrets, &[]);
            assert_clean(&format!("{place} (stderr)"), &stderr, &secrets, &[]);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_single_user_session_shows_no_secret() {
    secrets_support::servers::single_user_sessions().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_multi_user_and_header_credentials_show_no_secret() {
    secrets_support::servers::multi_user_sessions().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_at_trace_level_shows_keys_only_in_its_instructions() {
    for format in Format::ALL {
        secrets_support::demo::run_demo(format, &known_secrets()).await;
    }
}
