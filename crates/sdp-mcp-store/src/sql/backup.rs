//! Online backup of the SQLite store: `VACUUM INTO` writes a consistent,
//! compacted copy while other connections keep reading and writing (the
//! snapshot is one read transaction of the WAL database).

use std::path::Path;

use super::SqlStore;
use crate::error::{Result, StoreError};
use crate::options::Backend;

impl SqlStore {
    /// Writes a consistent snapshot of the store to `path`, which must not
    /// exist. The snapshot holds ciphertexts and key hashes only: restoring
    /// it needs the same master key, which is backed up separately.
    ///
    /// # Errors
    /// [`StoreError::BackupUnsupported`] on PostgreSQL (use `pg_dump`);
    /// [`StoreError::Database`] when SQLite cannot write `path` (exists
    /// already, directory missing or not writable).
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BackupUnsupported);
        }
        let target = path.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.read)
            .await
            .map_err(StoreError::database("backup (VACUUM INTO)"))?;
        Ok(())
    }
}
