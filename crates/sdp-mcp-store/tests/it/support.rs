//! Per-backend test harness: a fresh SQLite file in a temp dir, or a fresh
//! PostgreSQL schema (dropped at the end) when `SDP_MCP_TEST_DATABASE_URL` is set.

use std::sync::Arc;

use sdp_mcp_store::{
    AuthMethod, DatabaseLocation, MasterKeySource, NewUser, SdpAuth, SdpCredentials, SecretString,
    SqlStore, Store, StoreError, StoreOptions,
};
use sqlx::{AnyPool, Connection, Executor, PgConnection};

/// The variable that enables the PostgreSQL runs.
pub const DATABASE_URL_ENV: &str = "SDP_MCP_TEST_DATABASE_URL";

pub struct Harness {
    pub store: Arc<dyn Store>,
    /// Raw SQL access to the same database, for checks behind the store's back.
    pub raw: AnyPool,
    pub location: DatabaseLocation,
    pub key_source: MasterKeySource,
    pub dir: tempfile::TempDir,
    postgres: Option<PostgresSchema>,
}

struct PostgresSchema {
    admin_url: String,
    schema: String,
    dropped: bool,
}

impl Harness {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = DatabaseLocation::Sqlite(dir.path().join("store").join("sdp-mcp.db"));
        let key_source = MasterKeySource::File(dir.path().join("master.key"));
        Self::open(dir, location, key_source, None).await
    }

    /// `None` (after printing why) when no PostgreSQL server is configured.
    #[expect(
        clippy::print_stdout,
        reason = "a skipped test says so in the test output"
    )]
    pub async fn postgres(test_name: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(DATABASE_URL_ENV) else {
            println!("skipped: {test_name} (set {DATABASE_URL_ENV})");
            return None;
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .unwrap();
        admin.close().await.unwrap();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options[search_path]={schema}");
        let dir = tempfile::tempdir().unwrap();
        let location = DatabaseLocation::Postgres(SecretString::from(url));
        let key_source = MasterKeySource::File(dir.path().join("master.key"));
        let postgres = PostgresSchema {
            admin_url,
            schema,
            dropped: false,
        };
        Some(Self::open(dir, location, key_source, Some(postgres)).await)
    }

    async fn open(
        dir: tempfile::TempDir,
        location: DatabaseLocation,
        key_source: MasterKeySource,
        postgres: Option<PostgresSchema>,
    ) -> Self {
        let store = SqlStore::open(StoreOptions {
            database: location.clone(),
            master_key: key_source.clone(),
            max_connections: Some(4),
        })
        .await
        .unwrap();
        let raw_url = match &location {
            DatabaseLocation::Sqlite(path) => format!("sqlite://{}?mode=rw", path.display()),
            DatabaseLocation::Postgres(url) => {
                use sdp_mcp_store::ExposeSecret;
                url.expose_secret().to_owned()
            }
        };
        let raw = sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&raw_url)
            .await
            .unwrap();
        Self {
            store: Arc::new(store),
            raw,
            location,
            key_source,
            dir,
            postgres,
        }
    }

    /// Opens the same database again with another key source.
    pub async fn reopen(&self, key_source: MasterKeySource) -> Result<SqlStore, StoreError> {
        SqlStore::open(StoreOptions {
            database: self.location.clone(),
            master_key: key_source,
            max_connections: Some(2),
        })
        .await
    }

    /// Closes the pools and drops the PostgreSQL schema.
    pub async fn finish(mut self) {
        self.store.close().await;
        self.raw.close().await;
        if let Some(postgres) = &mut self.postgres {
            drop_schema(&postgres.admin_url, &postgres.schema).await;
            postgres.dropped = true;
        }
    }

    /// Counts rows matching `where_clause` with `$1` bound to `value`.
    pub async fn count(&self, table: &str, where_clause: &str, value: &str) -> i64 {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {where_clause}"
        ))
        .bind(value)
        .fetch_one(&self.raw)
        .await
        .unwrap()
    }
}

async fn drop_schema(admin_url: &str, schema: &str) {
    let mut admin = PgConnection::connect(admin_url).await.unwrap();
    admin
        .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
}

impl Drop for Harness {
    /// A failed test does not reach `finish`; drop its schema on a side runtime.
    fn drop(&mut self) {
        let Some(postgres) = &self.postgres else {
            return;
        };
        if postgres.dropped {
            return;
        }
        let (admin_url, schema) = (postgres.admin_url.clone(), postgres.schema.clone());
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(drop_schema(&admin_url, &schema));
        });
        let _ = cleanup.join();
    }
}

/// Distinctive secret values for `name`, easy to grep for in raw bytes.
pub struct Secrets {
    pub client_secret: String,
    pub refresh_token: String,
}

pub fn secrets_of(name: &str) -> Secrets {
    Secrets {
        client_secret: format!("{name}-client-secret-5f1c0d9a"),
        refresh_token: format!("1000.{name}-refresh-token-7b3e2a6c"),
    }
}

pub fn cloud_credentials(name: &str) -> SdpCredentials {
    let secrets = secrets_of(name);
    SdpCredentials {
        auth: SdpAuth::CloudOAuth {
            client_id: Some(format!("1000.{name}CLIENTID")),
            client_secret: Some(SecretString::from(secrets.client_secret)),
            refresh_token: SecretString::from(secrets.refresh_token),
            scopes: vec![
                "SDPOnDemand.requests.ALL".to_owned(),
                "SDPOnDemand.setup.READ".to_owned(),
            ],
        },
        instance: Some(format!("{name}-portal")),
        base_url: Some("https://sdpondemand.manageengine.com".to_owned()),
        accounts_url: Some("https://accounts.zoho.com".to_owned()),
        data_center: Some("US".to_owned()),
    }
}

pub fn new_user(name: &str) -> NewUser {
    NewUser {
        name: name.to_owned(),
        display_name: Some(format!("User {name}")),
        email: Some(format!("{name}@example.com")),
        auth_method: AuthMethod::ApiKey,
        credentials: Some(cloud_credentials(name)),
        issue_api_key: true,
    }
}

/// Runs each named `async fn(&Harness)` against both backends, as
/// `<module>::sqlite::<name>` and `<module>::postgres::<name>`, each on a
/// fresh database.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let harness = crate::support::Harness::sqlite().await;
                    super::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let test_name = concat!(module_path!(), "::", stringify!($name));
                    let Some(harness) = crate::support::Harness::postgres(test_name).await else {
                        return;
                    };
                    super::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
    };
}
