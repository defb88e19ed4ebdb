//! SDP credentials: each secret sealed on its own, bound to the user and column.

use secrecy::SecretString;
use sqlx::AnyConnection;

use super::SqlStore;
use super::users::require_user;
use crate::crypto::{Keyring, associated_data};
use crate::error::{Result, StoreError};
use crate::model::{
    CredentialKind, SdpAuth, SdpCredentials, UserId, now_millis, validate_credentials,
};

const TABLE: &str = "sdp_credentials";

/// Inserts or replaces the user's credentials.
pub(super) async fn upsert(
    conn: &mut AnyConnection,
    keyring: &Keyring,
    user_id: &UserId,
    credentials: &SdpCredentials,
    now: i64,
) -> Result<()> {
    let seal = |column: &str, secret: &SecretString| {
        keyring.seal_secret(secret, &associated_data(TABLE, column, user_id.as_str()))
    };
    let (client_id, client_secret, refresh_token, authtoken, scopes) = match &credentials.auth {
        SdpAuth::CloudOAuth {
            client_id,
            client_secret,
            refresh_token,
            scopes,
        } => (
            client_id.clone(),
            client_secret.as_ref().map(|s| seal("client_secret", s)),
            Some(seal("refresh_token", refresh_token)),
            None,
            (!scopes.is_empty()).then(|| scopes.join(",")),
        ),
        SdpAuth::OnPremAuthtoken { authtoken } => {
            (None, None, None, Some(seal("authtoken", authtoken)), None)
        }
    };
    sqlx::query(
        "INSERT INTO sdp_credentials (user_id, kind, client_id, instance, base_url, accounts_url, \
         data_center, scopes, client_secret, refresh_token, authtoken, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind, client_id = excluded.client_id, \
         instance = excluded.instance, base_url = excluded.base_url, \
         accounts_url = excluded.accounts_url, data_center = excluded.data_center, \
         scopes = excluded.scopes, client_secret = excluded.client_secret, \
         refresh_token = excluded.refresh_token, authtoken = excluded.authtoken, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id.as_str())
    .bind(credentials.kind().as_str())
    .bind(client_id)
    .bind(credentials.instance.as_deref())
    .bind(credentials.base_url.as_deref())
    .bind(credentials.accounts_url.as_deref())
    .bind(credentials.data_center.as_deref())
    .bind(scopes)
    .bind(client_secret)
    .bind(refresh_token)
    .bind(authtoken)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::database("store SDP credentials"))?;
    // A token minted from the old credentials must not outlive them.
    sqlx::query("DELETE FROM zoho_token_cache WHERE user_id = $1")
        .bind(user_id.as_str())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database("store SDP credentials"))?;
    sqlx::query("UPDATE users SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id.as_str())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database("store SDP credentials"))?;
    Ok(())
}

pub(super) async fn update_credentials(
    store: &SqlStore,
    user_id: &UserId,
    credentials: SdpCredentials,
) -> Result<()> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("store SDP credentials"))?;
    let user = require_user(&mut tx, user_id).await?;
    validate_credentials(&user.name, &credentials)?;
    upsert(&mut tx, &store.keyring, user_id, &credentials, now_millis()).await?;
    tx.commit()
        .await
        .map_err(StoreError::database("store SDP credentials"))
}

type CredentialRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

pub(super) async fn load_credentials(
    store: &SqlStore,
    user_id: &UserId,
) -> Result<Option<SdpCredentials>> {
    let row: Option<CredentialRow> = sqlx::query_as(
        "SELECT kind, client_id, instance, base_url, accounts_url, data_center, scopes, \
         client_secret, refresh_token, authtoken FROM sdp_credentials WHERE user_id = $1",
    )
    .bind(user_id.as_str())
    .fetch_optional(&store.read)
    .await
    .map_err(StoreError::database("load SDP credentials"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (
        kind,
        client_id,
        instance,
        base_url,
        accounts_url,
        data_center,
        scopes,
        secret,
        refresh,
        authtoken,
    ) = row;
    let open = |column: &'static str, sealed: Option<Vec<u8>>| -> Result<Option<SecretString>> {
        sealed
            .map(|sealed| {
                store
                    .keyring
                    .open_secret(&sealed, &associated_data(TABLE, column, user_id.as_str()))
                    .map_err(|error| StoreError::Decrypt {
                        table: TABLE,
                        column,
                        user_id: user_id.clone(),
                        problem: error.to_string(),
                    })
            })
            .transpose()
    };
    let missing = |column: &'static str| StoreError::Corrupt {
        what: "sdp_credentials",
        value: format!("{column} is empty for user {user_id}"),
    };
    let auth = match kind.parse::<CredentialKind>()? {
        CredentialKind::CloudOAuth => SdpAuth::CloudOAuth {
            client_id,
            client_secret: open("client_secret", secret)?,
            refresh_token: open("refresh_token", refresh)?
                .ok_or_else(|| missing("refresh_token"))?,
            scopes: scopes
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
        },
        CredentialKind::OnPremAuthtoken => SdpAuth::OnPremAuthtoken {
            authtoken: open("authtoken", authtoken)?.ok_or_else(|| missing("authtoken"))?,
        },
    };
    Ok(Some(SdpCredentials {
        auth,
        instance,
        base_url,
        accounts_url,
        data_center,
    }))
}
