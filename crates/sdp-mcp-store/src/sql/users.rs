//! Users: create, read, list, enable/disable, remove.

use sqlx::AnyConnection;

use super::SqlStore;
use super::{api_keys, credentials};
use crate::error::{Result, StoreError};
use crate::model::{
    IssuedApiKey, NewUser, UserId, UserRecord, UserStatus, UserSummary, from_millis, now_millis,
    validate_new_user,
};

/// The user columns, in the order of [`UserRow`], for a query aliasing `users` as `u`.
macro_rules! user_columns {
    () => {
        "u.id, u.name, u.display_name, u.email, u.status, u.auth_method, u.created_at, u.updated_at"
    };
}
pub(super) use user_columns;

/// A `users` row as selected by [`user_columns!`].
pub(super) type UserRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

pub(super) fn user_from_row(row: UserRow) -> Result<UserRecord> {
    let (id, name, display_name, email, status, auth_method, created_at, updated_at) = row;
    Ok(UserRecord {
        id: UserId::from_stored(id),
        name,
        display_name,
        email,
        status: status.parse()?,
        auth_method: auth_method.parse()?,
        created_at: from_millis(created_at),
        updated_at: from_millis(updated_at),
    })
}

pub(super) async fn create_user(
    store: &SqlStore,
    user: NewUser,
) -> Result<(UserRecord, Option<IssuedApiKey>)> {
    validate_new_user(&user)?;
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("create user"))?;
    if find_by_name(&mut tx, &user.name).await?.is_some() {
        return Err(StoreError::UserExists { name: user.name });
    }
    let created = insert_user(&mut tx, store, &user).await?;
    tx.commit()
        .await
        .map_err(StoreError::database("create user"))?;
    Ok(created)
}

/// Inserts a validated user, their credentials and, if asked, a first key.
pub(super) async fn insert_user(
    conn: &mut AnyConnection,
    store: &SqlStore,
    user: &NewUser,
) -> Result<(UserRecord, Option<IssuedApiKey>)> {
    let now = now_millis();
    let id = UserId::random();
    sqlx::query(
        "INSERT INTO users (id, name, display_name, email, status, auth_method, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.as_str())
    .bind(&user.name)
    .bind(user.display_name.as_deref())
    .bind(user.email.as_deref())
    .bind(UserStatus::Active.as_str())
    .bind(user.auth_method.as_str())
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|source| match &source {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::UserExists {
            name: user.name.clone(),
        },
        _ => StoreError::Database {
            operation: "create user",
            source,
        },
    })?;
    if let Some(sdp) = &user.credentials {
        credentials::upsert(conn, &store.keyring, &id, sdp, now).await?;
    }
    let key = if user.issue_api_key {
        Some(api_keys::insert_key(conn, &id, Some("first key"), now).await?)
    } else {
        None
    };
    let record = UserRecord {
        id,
        name: user.name.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        status: UserStatus::Active,
        auth_method: user.auth_method,
        created_at: from_millis(now),
        updated_at: from_millis(now),
    };
    Ok((record, key))
}

pub(super) async fn find_by_name(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<UserRecord>> {
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.name = $1"
    ))
    .bind(name)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::database("read user"))?;
    row.map(user_from_row).transpose()
}

pub(super) async fn find_by_id(
    conn: &mut AnyConnection,
    id: &UserId,
) -> Result<Option<UserRecord>> {
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users u WHERE u.id = $1"
    ))
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::database("read user"))?;
    row.map(user_from_row).transpose()
}

/// Fails with [`StoreError::UserNotFound`] unless the user exists.
pub(super) async fn require_user(conn: &mut AnyConnection, id: &UserId) -> Result<UserRecord> {
    find_by_id(conn, id)
        .await?
        .ok_or_else(|| StoreError::UserNotFound {
            user: id.to_string(),
        })
}

pub(super) async fn get_user(store: &SqlStore, id: &UserId) -> Result<Option<UserRecord>> {
    let mut conn = acquire_read(store).await?;
    find_by_id(&mut conn, id).await
}

pub(super) async fn get_user_by_name(store: &SqlStore, name: &str) -> Result<Option<UserRecord>> {
    let mut conn = acquire_read(store).await?;
    find_by_name(&mut conn, name).await
}

type SummaryRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    Option<String>,
    i64,
    Option<i64>,
);

pub(super) async fn list_users(store: &SqlStore) -> Result<Vec<UserSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        ", c.kind, \
         (SELECT COUNT(*) FROM api_keys k WHERE k.user_id = u.id AND k.revoked_at IS NULL), \
         (SELECT MAX(k.last_used_at) FROM api_keys k WHERE k.user_id = u.id) \
         FROM users u LEFT JOIN sdp_credentials c ON c.user_id = u.id ORDER BY u.name"
    ))
    .fetch_all(&store.read)
    .await
    .map_err(StoreError::database("list users"))?;
    rows.into_iter()
        .map(|row| {
            let (id, name, display_name, email, status, method, created, updated, kind, keys, used) =
                row;
            let user =
                user_from_row((id, name, display_name, email, status, method, created, updated))?;
            Ok(UserSummary {
                user,
                credential_kind: kind.as_deref().map(str::parse).transpose()?,
                active_api_keys: u64::try_from(keys).unwrap_or(0),
                last_used_at: used.map(from_millis),
            })
        })
        .collect()
}

pub(super) async fn set_user_status(
    store: &SqlStore,
    id: &UserId,
    status: UserStatus,
) -> Result<()> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("change user status"))?;
    let result = sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now_millis())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database("change user status"))?;
    if result.rows_affected() == 0 {
        return Err(StoreError::UserNotFound {
            user: id.to_string(),
        });
    }
    if status == UserStatus::Disabled {
        super::oauth::revoke_user_tokens_in(&mut tx, id).await?;
    }
    tx.commit()
        .await
        .map_err(StoreError::database("change user status"))?;
    Ok(())
}

/// Deletes the user's rows explicitly, table by table, in one transaction;
/// the `ON DELETE CASCADE` foreign keys are a second line of defence.
pub(super) async fn remove_user(store: &SqlStore, id: &UserId) -> Result<bool> {
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("remove user"))?;
    for statement in [
        "DELETE FROM sdp_credentials WHERE user_id = $1",
        "DELETE FROM zoho_token_cache WHERE user_id = $1",
        "DELETE FROM api_keys WHERE user_id = $1",
        "DELETE FROM oauth_tokens WHERE user_id = $1",
        "DELETE FROM oauth_codes WHERE user_id = $1",
        "DELETE FROM mcp_sessions WHERE user_id = $1",
    ] {
        sqlx::query(statement)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::database("remove user"))?;
    }
    let result = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database("remove user"))?;
    tx.commit()
        .await
        .map_err(StoreError::database("remove user"))?;
    Ok(result.rows_affected() > 0)
}

async fn acquire_read(store: &SqlStore) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
    store
        .read
        .acquire()
        .await
        .map_err(StoreError::database("read user"))
}
