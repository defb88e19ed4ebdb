//! [`SqlStore`]: the [`Store`] over SQLite or PostgreSQL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver: the schema
//! uses only types both share (TEXT, BIGINT/INTEGER, BYTEA/BLOB), timestamps
//! are epoch milliseconds, and placeholders are `$n`, which SQLite accepts
//! too. Only the migrations differ per backend.

mod api_keys;
mod backup;
mod connect;
mod credentials;
mod import;
mod key_check;
mod misc;
mod oauth;
mod refresh_lock;
mod users;

pub use refresh_lock::RefreshLock;

use std::sync::Arc;
use std::time::SystemTime;

use futures::future::BoxFuture;
use secrecy::SecretString;
use sqlx::AnyPool;

use crate::crypto::Keyring;
use crate::error::{Result, StoreError};
use crate::migrations::{self, MigrationStatus};
use crate::model::{
    ApiKeyId, ApiKeyRecord, AuditEvent, AuditRecord, CachedAccessToken, CodeRedemption,
    ImportOutcome, IssuedApiKey, NewOAuthClient, NewOAuthCode, NewOAuthToken, NewUser,
    OAuthClientRecord, OAuthPending, OAuthPendingStage, OAuthTokenRecord, RefreshRotation,
    SdpCredentials, UserId, UserRecord, UserStatus, UserSummary,
};
use crate::options::{Backend, DatabaseLocation, StoreOptions};
use crate::store::Store;

/// The store over SQLite or PostgreSQL. Cheap to share behind an `Arc`.
pub struct SqlStore {
    backend: Backend,
    /// Pool for reads.
    read: AnyPool,
    /// Pool for writes and transactions. For SQLite it holds one connection,
    /// so writers of this process queue here instead of failing with
    /// `SQLITE_BUSY`; for PostgreSQL it is the same pool as `read`.
    write: AnyPool,
    keyring: Keyring,
    location: String,
    /// Per-user refresh locks of the SQLite backend.
    local_locks: refresh_lock::LocalLocks,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .field("location", &self.location)
            .field("keyring", &self.keyring)
            .finish_non_exhaustive()
    }
}

impl SqlStore {
    /// Opens (creating if needed) the store: connects, applies migrations,
    /// loads the master key (creating the key file on first start) and checks
    /// that it is the key this store was created with.
    ///
    /// # Errors
    /// Connection, migration and master-key errors, each naming the fix.
    pub async fn open(options: StoreOptions) -> Result<Self> {
        let backend = options.database.backend();
        let (read, write) = connect::connect(&options.database, options.max_connections).await?;
        migrations::run(&write, backend).await?;
        let keyring = key_check::load_keyring(&write, &options.master_key).await?;
        Ok(Self {
            backend,
            read,
            write,
            keyring,
            location: options.database.display(),
            local_locks: refresh_lock::LocalLocks::new(
                options
                    .max_connections
                    .unwrap_or(connect::DEFAULT_POSTGRES_CONNECTIONS),
            ),
        })
    }
}

/// Opens the store behind an `Arc<dyn Store>`; see [`SqlStore::open`].
///
/// # Errors
/// As [`SqlStore::open`].
pub async fn open_store(options: StoreOptions) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(options).await?))
}

/// Applies pending migrations without loading the master key (for
/// `sdp-mcp migrate`), then returns the resulting status.
///
/// # Errors
/// Connection and migration errors.
pub async fn migrate_database(location: &DatabaseLocation) -> Result<MigrationStatus> {
    let (_, write) = connect::connect(location, Some(1)).await?;
    let backend = location.backend();
    migrations::run(&write, backend).await?;
    let status = migrations::status(&write, backend).await;
    write.close().await;
    status
}

/// Reads the migration status without changing anything or loading the key
/// (for `sdp-mcp doctor`).
///
/// # Errors
/// Connection errors.
pub async fn database_migration_status(location: &DatabaseLocation) -> Result<MigrationStatus> {
    let (_, write) = connect::connect(location, Some(1)).await?;
    let status = migrations::status(&write, location.backend()).await;
    write.close().await;
    status
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn ping(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            sqlx::query("SELECT COUNT(*) FROM meta")
                .execute(&self.read)
                .await
                .map_err(StoreError::database("ping"))?;
            Ok(())
        })
    }

    fn migrate(&self) -> BoxFuture<'_, Result<Vec<i64>>> {
        Box::pin(migrations::run(&self.write, self.backend))
    }

    fn migration_status(&self) -> BoxFuture<'_, Result<MigrationStatus>> {
        Box::pin(migrations::status(&self.read, self.backend))
    }

    fn create_user(
        &self,
        user: NewUser,
    ) -> BoxFuture<'_, Result<(UserRecord, Option<IssuedApiKey>)>> {
        Box::pin(users::create_user(self, user))
    }

    fn import_users(&self, users: Vec<NewUser>) -> BoxFuture<'_, Result<Vec<ImportOutcome>>> {
        Box::pin(import::import_users(self, users))
    }

    fn get_user<'a>(&'a self, id: &'a UserId) -> BoxFuture<'a, Result<Option<UserRecord>>> {
        Box::pin(users::get_user(self, id))
    }

    fn get_user_by_name<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<UserRecord>>> {
        Box::pin(users::get_user_by_name(self, name))
    }

    fn list_users(&self) -> BoxFuture<'_, Result<Vec<UserSummary>>> {
        Box::pin(users::list_users(self))
    }

    fn set_user_status<'a>(
        &'a self,
        id: &'a UserId,
        status: UserStatus,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(users::set_user_status(self, id, status))
    }

    fn remove_user<'a>(&'a self, id: &'a UserId) -> BoxFuture<'a, Result<bool>> {
        Box::pin(users::remove_user(self, id))
    }

    fn update_credentials<'a>(
        &'a self,
        id: &'a UserId,
        credentials: SdpCredentials,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(credentials::update_credentials(self, id, credentials))
    }

    fn load_credentials<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<SdpCredentials>>> {
        Box::pin(credentials::load_credentials(self, id))
    }

    fn issue_api_key<'a>(
        &'a self,
        user_id: &'a UserId,
        label: Option<&'a str>,
    ) -> BoxFuture<'a, Result<IssuedApiKey>> {
        Box::pin(api_keys::issue_api_key(self, user_id, label))
    }

    fn list_api_keys<'a>(
        &'a self,
        user_id: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<ApiKeyRecord>>> {
        Box::pin(api_keys::list_api_keys(self, user_id))
    }

    fn revoke_api_key<'a>(&'a self, key_id: &'a ApiKeyId) -> BoxFuture<'a, Result<bool>> {
        Box::pin(api_keys::revoke_api_key(self, key_id))
    }

    fn rotate_api_keys<'a>(
        &'a self,
        user_id: &'a UserId,
        label: Option<&'a str>,
    ) -> BoxFuture<'a, Result<IssuedApiKey>> {
        Box::pin(api_keys::rotate_api_keys(self, user_id, label))
    }

    fn authenticate_api_key<'a>(
        &'a self,
        key: &'a SecretString,
    ) -> BoxFuture<'a, Result<Option<UserRecord>>> {
        Box::pin(api_keys::authenticate_api_key(self, key))
    }

    fn save_access_token<'a>(
        &'a self,
        user_id: &'a UserId,
        token: &'a SecretString,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(misc::save_access_token(self, user_id, token, expires_at))
    }

    fn load_access_token<'a>(
        &'a self,
        user_id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<CachedAccessToken>>> {
        Box::pin(misc::load_access_token(self, user_id))
    }

    fn clear_access_token<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<()>> {
        Box::pin(misc::clear_access_token(self, user_id))
    }

    fn refresh_lock<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<RefreshLock>> {
        Box::pin(refresh_lock::refresh_lock(self, user_id))
    }

    fn register_oauth_client<'a>(
        &'a self,
        client: &'a NewOAuthClient,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(oauth::register_client(self, client))
    }

    fn get_oauth_client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthClientRecord>>> {
        Box::pin(oauth::get_client(self, client_id))
    }

    fn create_oauth_code<'a>(&'a self, code: &'a NewOAuthCode) -> BoxFuture<'a, Result<()>> {
        Box::pin(oauth::create_code(self, code))
    }

    fn redeem_oauth_code<'a>(
        &'a self,
        code_hash: &'a str,
    ) -> BoxFuture<'a, Result<CodeRedemption>> {
        Box::pin(oauth::redeem_code(self, code_hash))
    }

    fn insert_oauth_tokens<'a>(&'a self, tokens: &'a [NewOAuthToken]) -> BoxFuture<'a, Result<()>> {
        Box::pin(oauth::insert_tokens(self, tokens))
    }

    fn find_oauth_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthTokenRecord>>> {
        Box::pin(oauth::find_token(self, token_hash))
    }

    fn take_oauth_refresh_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<RefreshRotation>> {
        Box::pin(oauth::take_refresh_token(self, token_hash))
    }

    fn revoke_oauth_token<'a>(&'a self, token_hash: &'a str) -> BoxFuture<'a, Result<bool>> {
        Box::pin(oauth::revoke_token(self, token_hash))
    }

    fn revoke_user_oauth_tokens<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<u64>> {
        Box::pin(oauth::revoke_user_tokens(self, user_id))
    }

    fn create_oauth_pending<'a>(
        &'a self,
        pending: &'a OAuthPending,
        limit: u64,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(oauth::create_pending(self, pending, limit))
    }

    fn find_oauth_pending<'a>(
        &'a self,
        key_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthPending>>> {
        Box::pin(oauth::find_pending(self, key_hash))
    }

    fn take_oauth_pending<'a>(
        &'a self,
        key_hash: &'a str,
        stage: OAuthPendingStage,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(oauth::take_pending(self, key_hash, stage))
    }

    fn record_audit(&self, event: AuditEvent) -> BoxFuture<'_, Result<()>> {
        Box::pin(misc::record_audit(self, event))
    }

    fn recent_audit<'a>(
        &'a self,
        user_id: Option<&'a UserId>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<AuditRecord>>> {
        Box::pin(misc::recent_audit(self, user_id, limit))
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.read.close().await;
            self.write.close().await;
        })
    }
}
