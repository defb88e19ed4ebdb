//! Deployments under test and how their users are provisioned:
//!
//! - single-user: one `sdp-mcp serve` configured from one user's environment
//!   (today's per-user variables) with an API key; every session is that user;
//! - multi-user: per-user env files → `sdp-mcp users import … --json` (keys) →
//!   one `sdp-mcp serve --data-dir` for everyone;
//! - per-user processes (the baseline): one single-user `sdp-mcp serve` per
//!   user, as today's one-process-per-user setups run.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use futures::{StreamExt as _, TryStreamExt as _};
use rand::Rng as _;
use sdp_sim::SimUser;
use serde_json::Value;

use crate::server::{self, ServerProcess, ServerSpec};
use crate::simulator::SimRig;

/// Servers started at once while provisioning per-user processes.
const START_CONCURRENCY: usize = 8;

/// The architecture under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// One process, one user (env vars), all sessions as that user.
    SingleUser,
    /// One process serving every user from its store.
    MultiUser,
    /// One single-user process per user.
    PerUserProcesses,
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Architecture::SingleUser => "single-user",
            Architecture::MultiUser => "multi-user",
            Architecture::PerUserProcesses => "per-user-processes",
        })
    }
}

/// Where a session connects and as whom.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:PORT/mcp`.
    pub mcp_url: String,
    /// The bearer key.
    pub api_key: String,
    /// Index of the simulated user behind the key.
    pub user: usize,
}

/// Running servers and the principals sessions use (session *i* uses
/// `targets[i % targets.len()]`).
#[derive(Debug)]
pub struct Deployment {
    /// The server processes (killed when dropped).
    pub servers: Vec<ServerProcess>,
    /// One per principal.
    pub targets: Vec<Target>,
}

impl Deployment {
    /// The servers' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.servers.iter().map(ServerProcess::pid).collect()
    }

    /// Kills every server.
    pub async fn shutdown(mut self) {
        for server in &mut self.servers {
            server.kill().await;
        }
    }
}

/// What provisioning needs.
#[derive(Debug)]
pub struct Provisioner<'a> {
    /// The `sdp-mcp` binary.
    pub binary: &'a Path,
    /// The simulator the servers talk to.
    pub sim: &'a SimRig,
    /// A scratch directory (env files, store, logs).
    pub dir: &'a Path,
    /// `RUST_LOG` of the servers.
    pub log_filter: &'a str,
    /// For health checks.
    pub http: &'a reqwest::Client,
}

impl Provisioner<'_> {
    /// Starts the servers of `architecture` with their users.
    pub async fn provision(&self, architecture: Architecture) -> anyhow::Result<Deployment> {
        if self.sim.users().is_empty() {
            bail!("at least one user is needed (--users)");
        }
        match architecture {
            Architecture::SingleUser => self.single_user().await,
            Architecture::PerUserProcesses => self.per_user_processes().await,
            Architecture::MultiUser => self.multi_user().await,
        }
    }

    fn single_user_spec(&self, index: usize, user: &SimUser, key: &str) -> ServerSpec {
        let base = self.sim.base_url().to_owned();
        let env = [
            ("SDP_CLIENT_ID", user.client_id.clone()),
            ("SDP_CLIENT_SECRET", user.client_secret.clone()),
            ("SDP_REFRESH_TOKEN", user.refresh_token.clone()),
            ("SDP_INSTANCE_NAME", user.portal.clone()),
            ("SDP_BASE_URL", base.clone()),
            ("SDP_ACCOUNTS_URL", base),
            ("SDP_HTTP_HOST", "127.0.0.1".to_owned()),
            ("SDP_HTTP_PORT", "{port}".to_owned()),
            ("SDP_MCP_API_KEY", key.to_owned()),
        ];
        ServerSpec {
            binary: self.binary.to_owned(),
            args: vec!["serve".to_owned()],
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            dir: self.dir.to_owned(),
            log_name: format!("server-{}.log", index + 1),
            log_filter: self.log_filter.to_owned(),
        }
    }

    async fn single_user(&self) -> anyhow::Result<Deployment> {
        let user = &self.sim.users()[0];
        let key = random_key();
        let server = ServerProcess::start(&self.single_user_spec(0, user, &key), self.http).await?;
        let target = Target {
            mcp_url: server.mcp_url(),
            api_key: key,
            user: 0,
        };
        Ok(Deployment {
            servers: vec![server],
            targets: vec![target],
        })
    }

    async fn per_user_processes(&self) -> anyhow::Result<Deployment> {
        let specs: Vec<(usize, ServerSpec, String)> = self
            .sim
            .users()
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let key = random_key();
                (i, self.single_user_spec(i, user, &key), key)
            })
            .collect();
        let mut started: Vec<(usize, ServerProcess, String)> = futures::stream::iter(specs)
            .map(|(i, spec, key)| async move {
                let server = ServerProcess::start(&spec, self.http)
                    .await
                    .with_context(|| format!("starting the server of user {}", i + 1))?;
                anyhow::Ok((i, server, key))
            })
            .buffer_unordered(START_CONCURRENCY)
            .try_collect()
            .await?;
        started.sort_by_key(|(i, _, _)| *i);
        let targets = started
            .iter()
            .map(|(i, server, key)| Target {
                mcp_url: server.mcp_url(),
                api_key: key.clone(),
                user: *i,
            })
            .collect();
        Ok(Deployment {
            servers: started.into_iter().map(|(_, s, _)| s).collect(),
            targets,
        })
    }

    async fn multi_user(&self) -> anyhow::Result<Deployment> {
        let env_dir = self.dir.join("env");
        let data_dir = self.dir.join("data");
        std::fs::create_dir_all(&data_dir)?;
        let files = sdp_sim::env_files::write_env_files(
            &env_dir,
            &self.sim.state().directory,
            self.sim.base_url(),
        )
        .context("cannot write the per-user env files")?;
        let data = data_dir.display().to_string();
        let mut imported = Vec::new();
        // In batches, to keep command lines short.
        for batch in files.chunks(200) {
            let mut args = vec!["users".to_owned(), "import".to_owned()];
            args.extend(batch.iter().map(|p| p.display().to_string()));
            args.extend(["--data-dir".to_owned(), data.clone(), "--json".to_owned()]);
            let stdout = server::run_to_completion(self.binary, &args, &[], self.dir).await?;
            imported.extend(parse_import_output(&stdout)?);
        }
        let keys = match_users(self.sim.users(), &imported)?;
        let spec = ServerSpec {
            binary: self.binary.to_owned(),
            args: vec![
                "serve".to_owned(),
                "--data-dir".to_owned(),
                data,
                "--listen".to_owned(),
                "127.0.0.1:{port}".to_owned(),
            ],
            env: Vec::new(),
            dir: self.dir.to_owned(),
            log_name: "server.log".to_owned(),
            log_filter: self.log_filter.to_owned(),
        };
        let server = ServerProcess::start(&spec, self.http).await?;
        let targets = keys
            .into_iter()
            .enumerate()
            .map(|(user, api_key)| Target {
                mcp_url: server.mcp_url(),
                api_key,
                user,
            })
            .collect();
        Ok(Deployment {
            servers: vec![server],
            targets,
        })
    }
}

/// A random API key for single-user servers.
fn random_key() -> String {
    let mut rng = rand::rng();
    let bytes: [u8; 24] = rng.random();
    let mut key = String::from("bench_");
    for byte in bytes {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// One user and key printed by `users import --json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedUser {
    /// The user's name as the store knows it.
    pub name: String,
    /// The new API key.
    pub key: String,
}

const NAME_FIELDS: [&str; 6] = [
    "name",
    "user",
    "login",
    "username",
    "user_name",
    "display_name",
];
const KEY_FIELDS: [&str; 5] = ["api_key", "key", "new_key", "apiKey", "token"];

/// Reads `users import --json` output: one JSON document or JSON lines, in
/// which every object with a name field and a key field is one user (at any
/// depth, e.g. `{"users": [{"name": …, "api_key": …}]}`). The exact shape is
/// not fixed yet, so this accepts the usual spellings.
pub fn parse_import_output(stdout: &str) -> anyhow::Result<Vec<ImportedUser>> {
    let documents: Vec<Value> = match serde_json::from_str::<Value>(stdout) {
        Ok(value) => vec![value],
        Err(_) => stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .context("`users import --json` printed something that is not JSON")?,
    };
    let mut users = Vec::new();
    for document in &documents {
        collect_users(document, &mut users);
    }
    Ok(users)
}

fn collect_users(value: &Value, out: &mut Vec<ImportedUser>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_users(v, out)),
        Value::Object(map) => {
            let string = |fields: &[&str]| {
                fields
                    .iter()
                    .find_map(|f| map.get(*f).and_then(Value::as_str))
                    .map(str::to_owned)
            };
            let name = string(&NAME_FIELDS).or_else(|| {
                map.get("user")
                    .and_then(|u| u.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            match (name, string(&KEY_FIELDS)) {
                (Some(name), Some(key)) => out.push(ImportedUser { name, key }),
                _ => map.values().for_each(|v| collect_users(v, out)),
            }
        }
        _ => {}
    }
}

/// The key of each simulated user, matched by login, email or display name;
/// when no name matches, by position (import order is file order).
pub fn match_users(users: &[SimUser], imported: &[ImportedUser]) -> anyhow::Result<Vec<String>> {
    if imported.len() < users.len() {
        bail!(
            "`users import` reported {} keys for {} users",
            imported.len(),
            users.len()
        );
    }
    let by_name: Option<Vec<String>> = users
        .iter()
        .map(|user| {
            imported
                .iter()
                .find(|i| {
                    let name = i.name.as_str();
                    name.eq_ignore_ascii_case(&user.login)
                        || name.eq_ignore_ascii_case(&user.email)
                        || name == user.name
                        || name.ends_with(&format!(".env.{}", user.login))
                })
                .map(|i| i.key.clone())
        })
        .collect();
    Ok(by_name.unwrap_or_else(|| {
        imported
            .iter()
            .take(users.len())
            .map(|i| i.key.clone())
            .collect()
    }))
}

/// The scratch directory of one scenario.
pub fn scenario_dir(root: &Path, architecture: Architecture) -> anyhow::Result<PathBuf> {
    let dir = root.join(architecture.to_string());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize) -> Vec<SimUser> {
        let config = sdp_sim::SimConfig {
            users: n,
            ..sdp_sim::SimConfig::default()
        };
        sdp_sim::Directory::generate(&config).users
    }

    #[test]
    fn parses_an_array_a_wrapper_and_json_lines() {
        let array =
            r#"[{"name":"user1","api_key":"sdpmcp_a"},{"name":"user2","api_key":"sdpmcp_b"}]"#;
        let wrapped = r#"{"imported":[{"user":{"name":"user1","id":"u1"},"action":"created","key":"sdpmcp_a"}]}"#;
        let lines = "{\"login\":\"user1\",\"new_key\":\"sdpmcp_a\"}\n\n{\"login\":\"user2\",\"new_key\":\"k\"}\n";
        assert_eq!(parse_import_output(array).unwrap().len(), 2);
        let one = parse_import_output(wrapped).unwrap();
        assert_eq!(
            one,
            vec![ImportedUser {
                name: "user1".into(),
                key: "sdpmcp_a".into()
            }]
        );
        assert_eq!(parse_import_output(lines).unwrap()[1].key, "k");
        assert!(parse_import_output("Imported 2 users").is_err());
    }

    #[test]
    fn matches_keys_by_name_else_by_position() {
        let users = users(2);
        let imported = vec![
            ImportedUser {
                name: users[1].login.clone(),
                key: "k2".into(),
            },
            ImportedUser {
                name: users[0].email.clone(),
                key: "k1".into(),
            },
        ];
        assert_eq!(match_users(&users, &imported).unwrap(), vec!["k1", "k2"]);
        let anonymous = vec![
            ImportedUser {
                name: "a".into(),
                key: "x".into(),
            },
            ImportedUser {
                name: "b".into(),
                key: "y".into(),
            },
        ];
        assert_eq!(match_users(&users, &anonymous).unwrap(), vec!["x", "y"]);
        assert!(match_users(&users, &anonymous[..1]).is_err());
    }

    #[test]
    fn random_keys_differ() {
        let (a, b) = (random_key(), random_key());
        assert_ne!(a, b);
        assert!(a.starts_with("bench_") && a.len() > 40);
    }
}
