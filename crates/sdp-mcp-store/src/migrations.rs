//! Embedded migrations, one set per backend (`migrations/sqlite`,
//! `migrations/postgres`), applied with sqlx's migrator and its
//! `_sqlx_migrations` bookkeeping table.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use futures::future::BoxFuture;
use sqlx::AnyPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migrate, Migration, MigrationSource, MigrationType, Migrator};

use crate::error::{Result, StoreError};
use crate::options::Backend;

/// One embedded migration file.
#[derive(Debug)]
struct Embedded {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

/// Adding a migration: a new file in both directories and a line in both lists.
const SQLITE: &[Embedded] = &[
    Embedded {
        version: 1,
        description: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Embedded {
        version: 2,
        description: "oauth_pending",
        sql: include_str!("../migrations/sqlite/0002_oauth_pending.sql"),
    },
];

const POSTGRES: &[Embedded] = &[
    Embedded {
        version: 1,
        description: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Embedded {
        version: 2,
        description: "oauth_pending",
        sql: include_str!("../migrations/postgres/0002_oauth_pending.sql"),
    },
];

/// Applied versus known migrations of a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The backend.
    pub backend: Backend,
    /// Versions recorded as applied.
    pub applied: Vec<i64>,
    /// Known to this build, not yet applied: `(version, description)`.
    pub pending: Vec<(i64, String)>,
    /// Applied but unknown to this build (a newer sdp-mcp migrated this store).
    pub unknown: Vec<i64>,
    /// Applied, but the file this build knows differs from what was applied.
    pub modified: Vec<i64>,
    /// A migration that failed half-way, if any.
    pub dirty: Option<i64>,
}

impl MigrationStatus {
    /// Nothing pending, modified or dirty: the store can serve.
    pub fn is_up_to_date(&self) -> bool {
        self.pending.is_empty() && self.modified.is_empty() && self.dirty.is_none()
    }
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} schema: {} applied", self.backend, self.applied.len())?;
        if !self.pending.is_empty() {
            write!(
                f,
                ", {} pending (run `sdp-mcp migrate`)",
                self.pending.len()
            )?;
        }
        if !self.unknown.is_empty() {
            write!(f, ", {} from a newer sdp-mcp", self.unknown.len())?;
        }
        if !self.modified.is_empty() {
            write!(f, ", modified after being applied: {:?}", self.modified)?;
        }
        if let Some(version) = self.dirty {
            write!(
                f,
                ", migration {version} failed half-way (repair the database by hand)"
            )?;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct EmbeddedSource(&'static [Embedded]);

impl<'s> MigrationSource<'s> for EmbeddedSource {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(self.0.iter().map(to_migration).collect()) })
    }
}

fn to_migration(embedded: &Embedded) -> Migration {
    Migration::new(
        embedded.version,
        Cow::Borrowed(embedded.description),
        MigrationType::Simple,
        Cow::Borrowed(embedded.sql),
        false,
    )
}

fn embedded(backend: Backend) -> &'static [Embedded] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

async fn migrator(backend: Backend) -> Result<Migrator> {
    let mut migrator = Migrator::new(EmbeddedSource(embedded(backend)))
        .await
        .map_err(|source| StoreError::Migration { source })?;
    // Migrations are additive, so an older replica keeps working on a schema
    // a newer one has already extended.
    migrator.set_ignore_missing(true);
    Ok(migrator)
}

/// Applies pending migrations; returns the versions applied by this call.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<Vec<i64>> {
    let before = status(pool, backend).await?;
    let migrator = migrator(backend).await?;
    migrator
        .run(pool)
        .await
        .map_err(|source| StoreError::Migration { source })?;
    let applied: Vec<i64> = before.pending.iter().map(|(version, _)| *version).collect();
    if !applied.is_empty() {
        tracing::info!(backend = %backend, versions = ?applied, "applied store migrations");
    }
    Ok(applied)
}

/// Reads the bookkeeping table without changing anything.
pub(crate) async fn status(pool: &AnyPool, backend: Backend) -> Result<MigrationStatus> {
    let table_exists_sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::database("read migration status"))?;
    let table_count: i64 = sqlx::query_scalar(table_exists_sql)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::database("read migration status"))?;
    let (applied, dirty) = if table_count == 0 {
        (Vec::new(), None)
    } else {
        let dirty = conn
            .dirty_version()
            .await
            .map_err(|source| StoreError::Migration { source })?;
        let applied = conn
            .list_applied_migrations()
            .await
            .map_err(|source| StoreError::Migration { source })?;
        (applied, dirty)
    };
    let applied: BTreeMap<i64, Vec<u8>> = applied
        .into_iter()
        .map(|m| (m.version, m.checksum.into_owned()))
        .collect();
    let known: BTreeSet<i64> = embedded(backend).iter().map(|m| m.version).collect();
    let mut pending = Vec::new();
    let mut modified = Vec::new();
    for embedded in embedded(backend) {
        match applied.get(&embedded.version) {
            None => pending.push((embedded.version, embedded.description.to_owned())),
            Some(checksum) if *checksum != *to_migration(embedded).checksum => {
                modified.push(embedded.version);
            }
            Some(_) => {}
        }
    }
    Ok(MigrationStatus {
        backend,
        unknown: applied
            .keys()
            .filter(|v| !known.contains(v))
            .copied()
            .collect(),
        applied: applied.keys().copied().collect(),
        pending,
        modified,
        dirty,
    })
}

#[cfg(test)]
mod tests {
    use super::{POSTGRES, SQLITE};

    /// Every file in `migrations/<backend>` is embedded, in order, in both sets.
    #[test]
    fn embedded_lists_match_the_migration_directories() {
        for (dir, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let mut files: Vec<String> = std::fs::read_dir(&path)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let expected: Vec<String> = embedded
                .iter()
                .map(|m| format!("{:04}_{}.sql", m.version, m.description))
                .collect();
            assert_eq!(
                files, expected,
                "migrations/{dir} and the embedded list differ"
            );
        }
        let versions = |set: &[super::Embedded]| set.iter().map(|m| m.version).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
    }
}
