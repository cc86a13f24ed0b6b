//! Embedded migrations, one tree per backend (migrations/sqlite, migrations/postgres).
//!
//! On PostgreSQL migrations run as the owner role and then grant table access to the
//! application role; the application role cannot run them (by design), so `serve` without a
//! migration URL only verifies that none are pending.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{AnyConnection, Manager};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

fn connect(url: &str) -> anyhow::Result<AnyConnection> {
    use r2d2::ManageConnection;
    Manager::new(url)
        .connect()
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))
}

/// A PostgreSQL role name we are willing to splice into GRANT (identifiers cannot be bound).
pub fn valid_role(role: &str) -> bool {
    !role.is_empty()
        && role.len() <= 63
        && role
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Applies pending migrations; returns the versions applied. On PostgreSQL, `app_role` is
/// granted data access (not ownership) to every table.
pub fn run(url: &str, app_role: &str) -> anyhow::Result<Vec<String>> {
    let mut conn = connect(url)?;
    let applied = match &mut conn {
        // One exclusive transaction around all migrations, so a second process starting on the
        // same file waits and then finds nothing pending (diesel's per-migration transactions
        // become savepoints inside it).
        AnyConnection::Sqlite(c) => {
            // SQLite changes a CHECK only by rebuilding the table (its documented 12 steps):
            // the old table is dropped while rows elsewhere still refer to it, so foreign keys
            // are off for this connection while migrating and checked as a whole before the
            // commit. The pragma is a no-op inside a transaction, hence here.
            c.batch_execute("PRAGMA foreign_keys = OFF")?;
            let applied = super::retry_busy(|| {
                c.exclusive_transaction::<_, Box<dyn std::error::Error + Send + Sync>, _>(|c| {
                    let v = c
                        .run_pending_migrations(SQLITE)
                        .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())?;
                    let broken =
                        diesel::sql_query("SELECT count(*) AS n FROM pragma_foreign_key_check")
                            .get_result::<Count>(c)?
                            .n;
                    if broken > 0 {
                        return Err(format!(
                            "{broken} rows break a foreign key after the migrations"
                        )
                        .into());
                    }
                    Ok(v)
                })
            })
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
            c.batch_execute("PRAGMA foreign_keys = ON")?;
            applied?
        }
        AnyConnection::Postgresql(c) => {
            if !valid_role(app_role) {
                anyhow::bail!(
                    "database.app_role {app_role:?} is not a plain lower-case identifier"
                );
            }
            // Replicas or jobs migrating at once take turns (released when the session ends).
            c.batch_execute("SELECT pg_advisory_lock(7212024)")?;
            let applied: Vec<String> = c
                .run_pending_migrations(POSTGRES)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                .iter()
                .map(|v| v.to_string())
                .collect();
            let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_roles WHERE rolname = $1")
                .bind::<Text, _>(app_role)
                .get_result::<Count>(c)?
                .n;
            if exists == 0 {
                anyhow::bail!(
                    "application role {app_role:?} does not exist: create it first (see docs/operations.md)"
                );
            }
            c.batch_execute(&format!(
                "GRANT USAGE ON SCHEMA public TO {app_role};
                 GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app_role};
                 REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM {app_role};
                 REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {app_role};"
            ))?;
            applied
        }
    };
    Ok(applied)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Versions embedded in this binary but not applied to the database.
pub fn pending(url: &str) -> anyhow::Result<Vec<String>> {
    let mut conn = connect(url)?;
    let source = match &conn {
        AnyConnection::Sqlite(_) => SQLITE,
        AnyConnection::Postgresql(_) => POSTGRES,
    };
    let embedded: Vec<String> = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&source)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let q = diesel::sql_query("SELECT version FROM __diesel_schema_migrations");
    // No table yet means nothing applied.
    let applied: Vec<String> = match &mut conn {
        AnyConnection::Sqlite(c) => q.load::<Version>(c),
        AnyConnection::Postgresql(c) => q.load::<Version>(c),
    }
    .map(|v| v.into_iter().map(|v| v.version).collect())
    .unwrap_or_default();
    Ok(embedded
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect())
}
