//! The MCP OAuth authorization server's tables: `oauth_clients`,
//! `oauth_codes`, `oauth_tokens`, `oauth_pending`. Codes, tokens and pending
//! sign-in keys arrive hashed.
//!
//! Lists are stored as text: redirect URIs one per line (the server rejects
//! URIs with control characters), grant types and scopes space-separated.

use sqlx::AnyConnection;

use super::SqlStore;
use crate::error::{Result, StoreError};
use crate::model::{
    CodeRedemption, NewOAuthClient, NewOAuthCode, NewOAuthToken, OAuthClientRecord, OAuthPending,
    OAuthPendingStage, OAuthTokenKind, OAuthTokenRecord, RefreshRotation, UserId, from_millis,
    now_millis, to_millis,
};

fn split(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) async fn register_client(store: &SqlStore, client: &NewOAuthClient) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_clients (client_id, client_secret_hash, client_name, redirect_uris, \
         grant_types, token_endpoint_auth_method, metadata, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&client.client_id)
    .bind(client.client_secret_hash.as_deref())
    .bind(client.client_name.as_deref())
    .bind(client.redirect_uris.join("\n"))
    .bind(client.grant_types.join(" "))
    .bind(&client.token_endpoint_auth_method)
    .bind(client.metadata.as_deref())
    .bind(now_millis())
    .execute(&store.write)
    .await
    .map_err(StoreError::database("register OAuth client"))?;
    Ok(())
}

type ClientRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    i64,
);

pub(super) async fn get_client(
    store: &SqlStore,
    client_id: &str,
) -> Result<Option<OAuthClientRecord>> {
    let row: Option<ClientRow> = sqlx::query_as(
        "SELECT client_id, client_secret_hash, client_name, redirect_uris, grant_types, \
         token_endpoint_auth_method, metadata, created_at FROM oauth_clients WHERE client_id = $1",
    )
    .bind(client_id)
    .fetch_optional(&store.read)
    .await
    .map_err(StoreError::database("read OAuth client"))?;
    Ok(row.map(
        |(client_id, secret, name, redirects, grants, method, metadata, created)| {
            OAuthClientRecord {
                client: NewOAuthClient {
                    client_id,
                    client_secret_hash: secret,
                    client_name: name,
                    redirect_uris: split(&redirects, '\n'),
                    grant_types: split(&grants, ' '),
                    token_endpoint_auth_method: method,
                    metadata,
                },
                created_at: from_millis(created),
            }
        },
    ))
}

pub(super) async fn create_code(store: &SqlStore, code: &NewOAuthCode) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, \
         code_challenge_method, scopes, resource, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&code.code_hash)
    .bind(&code.client_id)
    .bind(code.user_id.as_str())
    .bind(&code.redirect_uri)
    .bind(&code.code_challenge)
    .bind(&code.code_challenge_method)
    .bind(code.scopes.join(" "))
    .bind(code.resource.as_deref())
    .bind(now_millis())
    .bind(to_millis(code.expires_at))
    .execute(&store.write)
    .await
    .map_err(StoreError::database("store OAuth code"))?;
    Ok(())
}

type CodeRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);

pub(super) async fn redeem_code(store: &SqlStore, code_hash: &str) -> Result<CodeRedemption> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("redeem OAuth code"))?;
    let consumed = sqlx::query(
        "UPDATE oauth_codes SET consumed_at = $1 WHERE code_hash = $2 AND consumed_at IS NULL",
    )
    .bind(now_millis())
    .bind(code_hash)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::database("redeem OAuth code"))?
    .rows_affected();
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT code_hash, client_id, user_id, redirect_uri, code_challenge, \
         code_challenge_method, scopes, resource, expires_at FROM oauth_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::database("redeem OAuth code"))?;
    let outcome = match row {
        None => CodeRedemption::Unknown,
        Some(_) if consumed == 0 => {
            revoke_family_in(&mut tx, code_hash).await?;
            CodeRedemption::Reused
        }
        Some((
            hash,
            client_id,
            user_id,
            redirect_uri,
            challenge,
            method,
            scopes,
            resource,
            exp,
        )) => CodeRedemption::Redeemed(Box::new(NewOAuthCode {
            code_hash: hash,
            client_id,
            user_id: UserId::from_stored(user_id),
            redirect_uri,
            code_challenge: challenge,
            code_challenge_method: method,
            scopes: split(&scopes, ' '),
            resource,
            expires_at: from_millis(exp),
        })),
    };
    tx.commit()
        .await
        .map_err(StoreError::database("redeem OAuth code"))?;
    Ok(outcome)
}

pub(super) async fn insert_tokens(store: &SqlStore, tokens: &[NewOAuthToken]) -> Result<()> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("store OAuth tokens"))?;
    let now = now_millis();
    for token in tokens {
        sqlx::query(
            "INSERT INTO oauth_tokens (token_hash, kind, client_id, user_id, scopes, resource, \
             family_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&token.token_hash)
        .bind(token.kind.as_str())
        .bind(&token.client_id)
        .bind(token.user_id.as_str())
        .bind(token.scopes.join(" "))
        .bind(token.resource.as_deref())
        .bind(&token.family_id)
        .bind(now)
        .bind(to_millis(token.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database("store OAuth tokens"))?;
    }
    tx.commit()
        .await
        .map_err(StoreError::database("store OAuth tokens"))?;
    Ok(())
}

type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    String,
    i64,
);

async fn find_token_in(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<OAuthTokenRecord>> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT t.token_hash, t.kind, t.client_id, t.user_id, t.scopes, t.resource, t.family_id, \
         t.expires_at, t.revoked_at, u.status, u.updated_at FROM oauth_tokens t \
         JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::database("read OAuth token"))?;
    let Some((
        hash,
        kind,
        client_id,
        user_id,
        scopes,
        resource,
        family,
        exp,
        revoked,
        status,
        user_updated,
    )) = row
    else {
        return Ok(None);
    };
    let kind = match kind.as_str() {
        "access" => OAuthTokenKind::Access,
        "refresh" => OAuthTokenKind::Refresh,
        other => {
            return Err(StoreError::Corrupt {
                what: "oauth_tokens.kind",
                value: other.to_owned(),
            });
        }
    };
    Ok(Some(OAuthTokenRecord {
        token: NewOAuthToken {
            token_hash: hash,
            kind,
            client_id,
            user_id: UserId::from_stored(user_id),
            scopes: split(&scopes, ' '),
            resource,
            family_id: family,
            expires_at: from_millis(exp),
        },
        revoked_at: revoked.map(from_millis),
        user_active: status == "active",
        user_updated_at: from_millis(user_updated),
    }))
}

pub(super) async fn find_token(
    store: &SqlStore,
    token_hash: &str,
) -> Result<Option<OAuthTokenRecord>> {
    let mut conn = store
        .read
        .acquire()
        .await
        .map_err(StoreError::database("read OAuth token"))?;
    find_token_in(&mut conn, token_hash).await
}

async fn revoke_family_in(conn: &mut AnyConnection, family_id: &str) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(family_id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::database("revoke OAuth tokens"))?
    .rows_affected())
}

pub(super) async fn take_refresh_token(
    store: &SqlStore,
    token_hash: &str,
) -> Result<RefreshRotation> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("rotate OAuth refresh token"))?;
    let taken = sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 \
         WHERE token_hash = $2 AND kind = 'refresh' AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(token_hash)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::database("rotate OAuth refresh token"))?
    .rows_affected();
    let record = find_token_in(&mut tx, token_hash).await?;
    let outcome = match record {
        Some(record) if record.token.kind == OAuthTokenKind::Refresh => {
            if taken == 1 {
                RefreshRotation::Taken(Box::new(record))
            } else {
                revoke_family_in(&mut tx, &record.token.family_id).await?;
                RefreshRotation::Reused
            }
        }
        _ => RefreshRotation::Unknown,
    };
    tx.commit()
        .await
        .map_err(StoreError::database("rotate OAuth refresh token"))?;
    Ok(outcome)
}

pub(super) async fn revoke_token(store: &SqlStore, token_hash: &str) -> Result<bool> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("revoke OAuth token"))?;
    let revoked = match find_token_in(&mut tx, token_hash).await? {
        Some(record) => revoke_family_in(&mut tx, &record.token.family_id).await? > 0,
        None => false,
    };
    tx.commit()
        .await
        .map_err(StoreError::database("revoke OAuth token"))?;
    Ok(revoked)
}

pub(super) async fn revoke_user_tokens_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(user_id.as_str())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::database("revoke OAuth tokens"))?
    .rows_affected())
}

pub(super) async fn revoke_user_tokens(store: &SqlStore, user_id: &UserId) -> Result<u64> {
    let mut conn = store
        .write
        .acquire()
        .await
        .map_err(StoreError::database("revoke OAuth tokens"))?;
    revoke_user_tokens_in(&mut conn, user_id).await
}

pub(super) async fn create_pending(
    store: &SqlStore,
    pending: &OAuthPending,
    limit: u64,
) -> Result<bool> {
    let what = "store a pending OAuth sign-in";
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database(what))?;
    let now = now_millis();
    sqlx::query("DELETE FROM oauth_pending WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database(what))?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oauth_pending")
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::database(what))?;
    if u64::try_from(count).unwrap_or(0) >= limit {
        tx.commit().await.map_err(StoreError::database(what))?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO oauth_pending (key_hash, stage, client_id, redirect_uri, client_state, \
         code_challenge, scopes, browser_hash, csrf_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&pending.key_hash)
    .bind(pending.stage.as_str())
    .bind(&pending.client_id)
    .bind(&pending.redirect_uri)
    .bind(pending.client_state.as_deref())
    .bind(&pending.code_challenge)
    .bind(pending.scopes.join(" "))
    .bind(&pending.browser_hash)
    .bind(&pending.csrf_hash)
    .bind(now)
    .bind(to_millis(pending.expires_at))
    .execute(&mut *tx)
    .await
    .map_err(StoreError::database(what))?;
    tx.commit().await.map_err(StoreError::database(what))?;
    Ok(true)
}

type PendingRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    i64,
);

pub(super) async fn find_pending(store: &SqlStore, key_hash: &str) -> Result<Option<OAuthPending>> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT key_hash, stage, client_id, redirect_uri, client_state, code_challenge, scopes, \
         browser_hash, csrf_hash, expires_at FROM oauth_pending \
         WHERE key_hash = $1 AND expires_at > $2",
    )
    .bind(key_hash)
    .bind(now_millis())
    .fetch_optional(&store.read)
    .await
    .map_err(StoreError::database("read a pending OAuth sign-in"))?;
    let Some((
        hash,
        stage,
        client_id,
        redirect_uri,
        client_state,
        challenge,
        scopes,
        browser,
        csrf,
        exp,
    )) = row
    else {
        return Ok(None);
    };
    let stage = match stage.as_str() {
        "consent" => OAuthPendingStage::Consent,
        "zoho" => OAuthPendingStage::Zoho,
        other => {
            return Err(StoreError::Corrupt {
                what: "oauth_pending.stage",
                value: other.to_owned(),
            });
        }
    };
    Ok(Some(OAuthPending {
        key_hash: hash,
        stage,
        client_id,
        redirect_uri,
        client_state,
        code_challenge: challenge,
        scopes: split(&scopes, ' '),
        browser_hash: browser,
        csrf_hash: csrf,
        expires_at: from_millis(exp),
    }))
}

pub(super) async fn take_pending(
    store: &SqlStore,
    key_hash: &str,
    stage: OAuthPendingStage,
) -> Result<bool> {
    let taken = sqlx::query(
        "DELETE FROM oauth_pending WHERE key_hash = $1 AND stage = $2 AND expires_at > $3",
    )
    .bind(key_hash)
    .bind(stage.as_str())
    .bind(now_millis())
    .execute(&store.write)
    .await
    .map_err(StoreError::database("complete a pending OAuth sign-in"))?
    .rows_affected();
    Ok(taken == 1)
}
