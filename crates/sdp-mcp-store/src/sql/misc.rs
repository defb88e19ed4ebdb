//! The Zoho access-token cache and the audit log.

use std::time::SystemTime;

use secrecy::SecretString;

use super::SqlStore;
use crate::crypto::associated_data;
use crate::error::{Result, StoreError};
use crate::model::{
    AuditEvent, AuditRecord, CachedAccessToken, UserId, from_millis, now_millis, to_millis,
};

const TOKEN_TABLE: &str = "zoho_token_cache";
const TOKEN_COLUMN: &str = "access_token";

/// Audit details and targets longer than this are cut.
const MAX_AUDIT_TEXT_CHARS: usize = 500;

pub(super) async fn save_access_token(
    store: &SqlStore,
    user_id: &UserId,
    token: &SecretString,
    expires_at: SystemTime,
) -> Result<()> {
    let sealed = store.keyring.seal_secret(
        token,
        &associated_data(TOKEN_TABLE, TOKEN_COLUMN, user_id.as_str()),
    );
    sqlx::query(
        "INSERT INTO zoho_token_cache (user_id, access_token, expires_at, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
         access_token = excluded.access_token, expires_at = excluded.expires_at, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id.as_str())
    .bind(sealed)
    .bind(to_millis(expires_at))
    .bind(now_millis())
    .execute(&store.write)
    .await
    .map_err(|source| match &source {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::UserNotFound {
            user: user_id.to_string(),
        },
        _ => StoreError::Database {
            operation: "cache access token",
            source,
        },
    })?;
    Ok(())
}

pub(super) async fn load_access_token(
    store: &SqlStore,
    user_id: &UserId,
) -> Result<Option<CachedAccessToken>> {
    let row: Option<(Vec<u8>, i64)> =
        sqlx::query_as("SELECT access_token, expires_at FROM zoho_token_cache WHERE user_id = $1")
            .bind(user_id.as_str())
            .fetch_optional(&store.read)
            .await
            .map_err(StoreError::database("read cached access token"))?;
    let Some((sealed, expires_at)) = row else {
        return Ok(None);
    };
    let token = store
        .keyring
        .open_secret(
            &sealed,
            &associated_data(TOKEN_TABLE, TOKEN_COLUMN, user_id.as_str()),
        )
        .map_err(|error| StoreError::Decrypt {
            table: TOKEN_TABLE,
            column: TOKEN_COLUMN,
            user_id: user_id.clone(),
            problem: error.to_string(),
        })?;
    Ok(Some(CachedAccessToken {
        token,
        expires_at: from_millis(expires_at),
    }))
}

pub(super) async fn clear_access_token(store: &SqlStore, user_id: &UserId) -> Result<()> {
    sqlx::query("DELETE FROM zoho_token_cache WHERE user_id = $1")
        .bind(user_id.as_str())
        .execute(&store.write)
        .await
        .map_err(StoreError::database("clear cached access token"))?;
    Ok(())
}

pub(super) async fn record_audit(store: &SqlStore, event: AuditEvent) -> Result<()> {
    let cut = |text: Option<String>| {
        text.map(|t| t.chars().take(MAX_AUDIT_TEXT_CHARS).collect::<String>())
    };
    sqlx::query(
        "INSERT INTO audit_log (recorded_at, user_id, action, target, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_millis())
    .bind(event.user_id.as_ref().map(UserId::as_str))
    .bind(&event.action)
    .bind(cut(event.target))
    .bind(event.outcome.as_str())
    .bind(cut(event.detail))
    .execute(&store.write)
    .await
    .map_err(StoreError::database("record audit event"))?;
    Ok(())
}

type AuditRow = (
    i64,
    i64,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
);

pub(super) async fn recent_audit(
    store: &SqlStore,
    user_id: Option<&UserId>,
    limit: u32,
) -> Result<Vec<AuditRecord>> {
    let limit = i64::from(limit);
    let query = match user_id {
        Some(user_id) => sqlx::query_as::<_, AuditRow>(
            "SELECT id, recorded_at, user_id, action, target, outcome, detail FROM audit_log \
             WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id.as_str())
        .bind(limit),
        None => sqlx::query_as::<_, AuditRow>(
            "SELECT id, recorded_at, user_id, action, target, outcome, detail FROM audit_log \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit),
    };
    let rows = query
        .fetch_all(&store.read)
        .await
        .map_err(StoreError::database("read audit log"))?;
    rows.into_iter()
        .map(|(id, at, user_id, action, target, outcome, detail)| {
            Ok(AuditRecord {
                id,
                at: from_millis(at),
                event: AuditEvent {
                    user_id: user_id.map(UserId::from_stored),
                    action,
                    target,
                    outcome: outcome.parse()?,
                    detail,
                },
            })
        })
        .collect()
}
