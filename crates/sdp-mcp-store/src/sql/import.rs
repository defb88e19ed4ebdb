//! `users import`: create or update many users in one transaction.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::SqlStore;
use super::{credentials, users};
use crate::error::{Result, StoreError};
use crate::model::{
    ImportAction, ImportOutcome, NewUser, UserRecord, now_millis, validate_new_user,
};

pub(super) async fn import_users(
    store: &SqlStore,
    entries: Vec<NewUser>,
) -> Result<Vec<ImportOutcome>> {
    reject_duplicates(&entries)?;
    let mut tx = store
        .write
        .begin()
        .await
        .map_err(StoreError::database("import users"))?;
    let mut outcomes = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        match import_one(&mut tx, store, entry).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => {
                // Dropping the transaction would roll back too; saying it is clearer.
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back a failed import");
                }
                return Err(StoreError::Import {
                    position: index + 1,
                    name: entry.name.chars().take(80).collect(),
                    source: Box::new(error),
                });
            }
        }
    }
    tx.commit()
        .await
        .map_err(StoreError::database("import users"))?;
    Ok(outcomes)
}

async fn import_one(
    conn: &mut AnyConnection,
    store: &SqlStore,
    entry: &NewUser,
) -> Result<ImportOutcome> {
    validate_new_user(entry)?;
    let Some(existing) = users::find_by_name(conn, &entry.name).await? else {
        let (user, key) = users::insert_user(conn, store, entry).await?;
        let (new_key_id, new_key) = key.map(|k| (k.record.id, k.key)).unzip();
        return Ok(ImportOutcome {
            user,
            action: ImportAction::Created,
            new_key,
            new_key_id,
        });
    };
    let now = now_millis();
    let display_name = entry.display_name.clone().or(existing.display_name.clone());
    let email = entry.email.clone().or(existing.email.clone());
    sqlx::query("UPDATE users SET display_name = $1, email = $2, updated_at = $3 WHERE id = $4")
        .bind(display_name.as_deref())
        .bind(email.as_deref())
        .bind(now)
        .bind(existing.id.as_str())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database("import users"))?;
    if let Some(sdp) = &entry.credentials {
        credentials::upsert(conn, &store.keyring, &existing.id, sdp, now).await?;
    }
    Ok(ImportOutcome {
        user: UserRecord {
            display_name,
            email,
            updated_at: crate::model::from_millis(now),
            ..existing
        },
        action: ImportAction::Updated,
        new_key: None,
        new_key_id: None,
    })
}

fn reject_duplicates(entries: &[NewUser]) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        if let Some(first) = seen.insert(entry.name.as_str(), index + 1) {
            return Err(StoreError::Import {
                position: index + 1,
                name: entry.name.chars().take(80).collect(),
                source: Box::new(StoreError::InvalidUser {
                    name: entry.name.chars().take(80).collect(),
                    problem: format!("the same name is already entry {first} of this import"),
                }),
            });
        }
    }
    Ok(())
}
