//! API keys: issue, list, revoke, rotate, authenticate.

use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyConnection;

use super::SqlStore;
use super::users::{require_user, user_columns, user_from_row};
use crate::api_key::{generate_api_key, hash_api_key, looks_like_api_key};
use crate::error::{Result, StoreError};
use crate::model::{
    ApiKeyId, ApiKeyRecord, IssuedApiKey, UserId, UserRecord, from_millis, now_millis,
};

/// `last_used_at` is written at most this often per key, so that
/// authenticating every request does not turn into a write per request.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// Labels longer than this are cut.
const MAX_LABEL_CHARS: usize = 100;

/// Inserts a new key for an existing user.
pub(super) async fn insert_key(
    conn: &mut AnyConnection,
    user_id: &UserId,
    label: Option<&str>,
    now: i64,
) -> Result<IssuedApiKey> {
    let generated = generate_api_key();
    let id = ApiKeyId::random();
    let label: Option<String> = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(MAX_LABEL_CHARS).collect());
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, key_hash, prefix, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.as_str())
    .bind(user_id.as_str())
    .bind(&generated.hash)
    .bind(&generated.prefix)
    .bind(label.as_deref())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::database("issue API key"))?;
    Ok(IssuedApiKey {
        record: ApiKeyRecord {
            id,
            user_id: user_id.clone(),
            prefix: generated.prefix,
            label,
            created_at: from_millis(now),
            last_used_at: None,
            revoked_at: None,
        },
        key: generated.key,
    })
}

pub(super) async fn issue_api_key(
    store: &SqlStore,
    user_id: &UserId,
    label: Option<&str>,
) -> Result<IssuedApiKey> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("issue API key"))?;
    require_user(&mut tx, user_id).await?;
    let issued = insert_key(&mut tx, user_id, label, now_millis()).await?;
    tx.commit()
        .await
        .map_err(StoreError::database("issue API key"))?;
    Ok(issued)
}

type KeyRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(super) async fn list_api_keys(store: &SqlStore, user_id: &UserId) -> Result<Vec<ApiKeyRecord>> {
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, user_id, prefix, label, created_at, last_used_at, revoked_at \
         FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id.as_str())
    .fetch_all(&store.read)
    .await
    .map_err(StoreError::database("list API keys"))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, user_id, prefix, label, created, used, revoked)| ApiKeyRecord {
                id: ApiKeyId::from_stored(id),
                user_id: UserId::from_stored(user_id),
                prefix,
                label,
                created_at: from_millis(created),
                last_used_at: used.map(from_millis),
                revoked_at: revoked.map(from_millis),
            },
        )
        .collect())
}

pub(super) async fn revoke_api_key(store: &SqlStore, key_id: &ApiKeyId) -> Result<bool> {
    let result =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_millis())
            .bind(key_id.as_str())
            .execute(&store.write)
            .await
            .map_err(StoreError::database("revoke API key"))?;
    if result.rows_affected() > 0 {
        return Ok(true);
    }
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE id = $1")
        .bind(key_id.as_str())
        .fetch_one(&store.read)
        .await
        .map_err(StoreError::database("revoke API key"))?;
    if exists == 0 {
        return Err(StoreError::ApiKeyNotFound {
            key_id: key_id.to_string(),
        });
    }
    Ok(false)
}

pub(super) async fn rotate_api_keys(
    store: &SqlStore,
    user_id: &UserId,
    label: Option<&str>,
) -> Result<IssuedApiKey> {
    let now = now_millis();
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("rotate API keys"))?;
    require_user(&mut tx, user_id).await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database("rotate API keys"))?;
    let issued = insert_key(&mut tx, user_id, label, now).await?;
    tx.commit()
        .await
        .map_err(StoreError::database("rotate API keys"))?;
    Ok(issued)
}

type AuthRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    String,
    Option<i64>,
);

pub(super) async fn authenticate_api_key(
    store: &SqlStore,
    key: &SecretString,
) -> Result<Option<UserRecord>> {
    if !looks_like_api_key(key.expose_secret()) {
        return Ok(None);
    }
    let row: Option<AuthRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        ", k.id, k.last_used_at FROM api_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.status = 'active'"
    ))
    .bind(hash_api_key(key))
    .fetch_optional(&store.read)
    .await
    .map_err(StoreError::database("authenticate API key"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (id, name, display_name, email, status, method, created, updated, key_id, last_used) = row;
    let user = user_from_row((
        id,
        name,
        display_name,
        email,
        status,
        method,
        created,
        updated,
    ))?;
    let now = now_millis();
    let threshold = now - LAST_USED_RESOLUTION_MS;
    if last_used.is_none_or(|used| used < threshold) {
        let touched = sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 \
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(&key_id)
        .bind(threshold)
        .execute(&store.write)
        .await;
        // Bookkeeping only: a failed write must not refuse a valid key.
        if let Err(error) = touched {
            tracing::warn!(%error, api_key_id = %key_id, "could not record API key use");
        }
    }
    Ok(Some(user))
}
