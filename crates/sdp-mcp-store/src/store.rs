//! The [`Store`] trait: what the server and the CLI ask of the store, whatever
//! the backend. Methods return boxed futures so that callers can hold an
//! `Arc<dyn Store>`.

use std::time::SystemTime;

use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::error::Result;
use crate::migrations::MigrationStatus;
use crate::model::{
    ApiKeyId, ApiKeyRecord, AuditEvent, AuditRecord, CachedAccessToken, CodeRedemption,
    ImportOutcome, IssuedApiKey, NewOAuthClient, NewOAuthCode, NewOAuthToken, NewUser,
    OAuthClientRecord, OAuthPending, OAuthPendingStage, OAuthTokenRecord, RefreshRotation,
    SdpCredentials, UserId, UserRecord, UserStatus, UserSummary,
};
use crate::options::Backend;
use crate::sql::RefreshLock;

/// Users, API keys, encrypted SDP credentials, token cache and audit log.
///
/// Secrets go in and come out as `SecretString`; they are encrypted before
/// they reach the database. Every method is safe to call concurrently.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Checks that the database answers (for `/ready`).
    fn ping(&self) -> BoxFuture<'_, Result<()>>;

    /// Applies pending migrations; returns the versions applied now (usually
    /// none, since opening the store migrates).
    fn migrate(&self) -> BoxFuture<'_, Result<Vec<i64>>>;

    /// Compares applied migrations with the ones this build knows (for `/ready` and `doctor`).
    fn migration_status(&self) -> BoxFuture<'_, Result<MigrationStatus>>;

    // ---- users --------------------------------------------------------------

    /// Creates a user, with their credentials and, if asked, a first API key.
    ///
    /// # Errors
    /// [`crate::StoreError::UserExists`], [`crate::StoreError::InvalidUser`],
    /// [`crate::StoreError::InvalidCredentials`].
    fn create_user(
        &self,
        user: NewUser,
    ) -> BoxFuture<'_, Result<(UserRecord, Option<IssuedApiKey>)>>;

    /// Creates or updates (by name) every user, all or nothing: when one entry
    /// fails, nothing already stored changes. Updated users keep their API
    /// keys, status and auth method; created users get a first key if asked.
    ///
    /// # Errors
    /// [`crate::StoreError::Import`] naming the first failing entry.
    fn import_users(&self, users: Vec<NewUser>) -> BoxFuture<'_, Result<Vec<ImportOutcome>>>;

    /// The user with this id.
    fn get_user<'a>(&'a self, id: &'a UserId) -> BoxFuture<'a, Result<Option<UserRecord>>>;

    /// The user with this name.
    fn get_user_by_name<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<UserRecord>>>;

    /// Every user by name, with what they have (no secrets).
    fn list_users(&self) -> BoxFuture<'_, Result<Vec<UserSummary>>>;

    /// Enables or disables a user. Disabled users fail authentication; their
    /// keys and credentials are kept. Disabling also revokes the user's MCP
    /// OAuth tokens (signing in again issues new ones).
    ///
    /// # Errors
    /// [`crate::StoreError::UserNotFound`].
    fn set_user_status<'a>(
        &'a self,
        id: &'a UserId,
        status: UserStatus,
    ) -> BoxFuture<'a, Result<()>>;

    /// Deletes a user with their credentials, API keys, cached tokens, OAuth
    /// grants and sessions. Returns `false` when there was no such user.
    fn remove_user<'a>(&'a self, id: &'a UserId) -> BoxFuture<'a, Result<bool>>;

    /// Replaces a user's SDP credentials (their API keys are kept) and drops
    /// their cached access token.
    ///
    /// # Errors
    /// [`crate::StoreError::UserNotFound`], [`crate::StoreError::InvalidCredentials`].
    fn update_credentials<'a>(
        &'a self,
        id: &'a UserId,
        credentials: SdpCredentials,
    ) -> BoxFuture<'a, Result<()>>;

    /// Decrypts a user's SDP credentials; `None` when they have none.
    ///
    /// # Errors
    /// [`crate::StoreError::Decrypt`] when a secret does not open with the loaded key.
    fn load_credentials<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<SdpCredentials>>>;

    // ---- API keys -----------------------------------------------------------

    /// Issues a new key for a user; the key is in the result and nowhere else.
    ///
    /// # Errors
    /// [`crate::StoreError::UserNotFound`].
    fn issue_api_key<'a>(
        &'a self,
        user_id: &'a UserId,
        label: Option<&'a str>,
    ) -> BoxFuture<'a, Result<IssuedApiKey>>;

    /// A user's keys, newest first, revoked ones included.
    fn list_api_keys<'a>(&'a self, user_id: &'a UserId)
    -> BoxFuture<'a, Result<Vec<ApiKeyRecord>>>;

    /// Revokes one key. Returns `false` when it was already revoked.
    ///
    /// # Errors
    /// [`crate::StoreError::ApiKeyNotFound`].
    fn revoke_api_key<'a>(&'a self, key_id: &'a ApiKeyId) -> BoxFuture<'a, Result<bool>>;

    /// Revokes all of a user's keys and issues one new key, atomically.
    ///
    /// # Errors
    /// [`crate::StoreError::UserNotFound`].
    fn rotate_api_keys<'a>(
        &'a self,
        user_id: &'a UserId,
        label: Option<&'a str>,
    ) -> BoxFuture<'a, Result<IssuedApiKey>>;

    /// The active user owning this active key, or `None` (unknown, revoked or
    /// malformed key, or disabled user). One indexed query; records the use
    /// at most once a minute per key.
    fn authenticate_api_key<'a>(
        &'a self,
        key: &'a SecretString,
    ) -> BoxFuture<'a, Result<Option<UserRecord>>>;

    // ---- Zoho access-token cache -------------------------------------------

    /// Stores (encrypted) the user's current Zoho access token.
    fn save_access_token<'a>(
        &'a self,
        user_id: &'a UserId,
        token: &'a SecretString,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<()>>;

    /// The user's cached Zoho access token, expired or not (the caller decides).
    fn load_access_token<'a>(
        &'a self,
        user_id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<CachedAccessToken>>>;

    /// Forgets the user's cached access token.
    fn clear_access_token<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<()>>;

    /// Takes the user's token-refresh lock, waiting while another holder (in
    /// this process or, on PostgreSQL, in any replica sharing the database)
    /// has it. Hold it while re-reading the cached token, refreshing and
    /// saving, so replicas refresh a user's token once, not once each.
    ///
    /// # Errors
    /// [`crate::StoreError::LockTimeout`] after a long wait; database errors.
    fn refresh_lock<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<RefreshLock>>;

    // ---- MCP OAuth authorization server --------------------------------------

    /// Registers an OAuth client (RFC 7591).
    fn register_oauth_client<'a>(&'a self, client: &'a NewOAuthClient)
    -> BoxFuture<'a, Result<()>>;

    /// The registered client with this id.
    fn get_oauth_client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthClientRecord>>>;

    /// Stores an authorization code (by hash).
    fn create_oauth_code<'a>(&'a self, code: &'a NewOAuthCode) -> BoxFuture<'a, Result<()>>;

    /// Consumes an authorization code, atomically. A second redemption
    /// revokes the tokens issued from the code (family = code hash).
    fn redeem_oauth_code<'a>(&'a self, code_hash: &'a str)
    -> BoxFuture<'a, Result<CodeRedemption>>;

    /// Stores issued tokens (by hash), all or nothing.
    fn insert_oauth_tokens<'a>(&'a self, tokens: &'a [NewOAuthToken]) -> BoxFuture<'a, Result<()>>;

    /// The token with this hash, revoked or expired ones included (the caller decides).
    fn find_oauth_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthTokenRecord>>>;

    /// Consumes a refresh token for rotation, atomically; presenting a used
    /// or revoked one revokes its whole family.
    fn take_oauth_refresh_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<RefreshRotation>>;

    /// Revokes a token and the rest of its grant (RFC 7009). Returns `false`
    /// when nothing was revoked.
    fn revoke_oauth_token<'a>(&'a self, token_hash: &'a str) -> BoxFuture<'a, Result<bool>>;

    /// Revokes every MCP OAuth token of a user; returns how many.
    fn revoke_user_oauth_tokens<'a>(&'a self, user_id: &'a UserId) -> BoxFuture<'a, Result<u64>>;

    /// Stores a sign-in in progress (by key hash), first purging expired
    /// ones. Returns `false`, storing nothing, when `limit` unexpired sign-ins
    /// are already pending.
    fn create_oauth_pending<'a>(
        &'a self,
        pending: &'a OAuthPending,
        limit: u64,
    ) -> BoxFuture<'a, Result<bool>>;

    /// The unexpired pending sign-in with this key hash, if any (not consumed).
    fn find_oauth_pending<'a>(
        &'a self,
        key_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<OAuthPending>>>;

    /// Consumes (deletes) the unexpired pending sign-in with this key hash at
    /// `stage`, atomically: `true` for exactly one caller across replicas.
    fn take_oauth_pending<'a>(
        &'a self,
        key_hash: &'a str,
        stage: OAuthPendingStage,
    ) -> BoxFuture<'a, Result<bool>>;

    // ---- audit ---------------------------------------------------------------

    /// Appends an event to the audit log.
    fn record_audit(&self, event: AuditEvent) -> BoxFuture<'_, Result<()>>;

    /// The newest `limit` events, of one user or of everyone, newest first.
    fn recent_audit<'a>(
        &'a self,
        user_id: Option<&'a UserId>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<AuditRecord>>>;

    /// Closes the connection pool; later calls fail.
    fn close(&self) -> BoxFuture<'_, ()>;
}
