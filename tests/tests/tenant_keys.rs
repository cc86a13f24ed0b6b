//! Every key on tenant data contains `tenant_id`, read from the live catalog of the migrated
//! database on each backend (SQLite: `sqlite_master` and the `pragma_*` functions; PostgreSQL:
//! `pg_constraint` and `pg_index`), so a new table or key is checked without being listed here.
//!
//! This is what lets the tables be distributed by `tenant_id` on Citus unchanged
//! (docs/operations.md, "National deployment on Citus"): Citus enforces a primary key, unique
//! key or foreign key between distributed tables only when it contains the distribution column,
//! and a foreign key between two of them only when it maps that column to itself. Row-level
//! security on every tenant table is checked in `postgres_only_rls`.

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use shuanglian::db::Backend;
use shuanglian_tests::{backend, spawn_app};

/// The tables without a `tenant_id`, and why each belongs to no county. On Citus they are
/// reference tables (copied to every node). Adding one is a decision: say here why it is not
/// county data.
const PLATFORM_TABLES: &[(&str, &str)] = &[
    (
        "provinces",
        "the provinces counties belong to; read by provincial accounts across counties",
    ),
    (
        "tenants",
        "the counties themselves (code, province, status, entry); every tenant table references it",
    ),
    (
        "platform_users",
        "platform operators and provincial accounts, who belong to no county",
    ),
    (
        "platform_user_totp",
        "those accounts' second factors, sealed under the master key, not a county key",
    ),
    (
        "platform_idempotency_keys",
        "idempotency keys of platform requests (creating a county happens outside any county)",
    ),
    (
        "national_calendar_years",
        "the State Council's working-day calendar, loaded once a year for every county (a reference table on Citus)",
    ),
    (
        "national_calendar_days",
        "that calendar's days; a county's own overrides stay in its calendar_days",
    ),
    (
        "county_deletions",
        "a deleted county's signed certificate: it must outlive the county's rows, so it is none of them",
    ),
    (
        "__diesel_schema_migrations",
        "diesel's record of the applied migrations",
    ),
];

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    col: String,
}

/// One column of one key: `seq` orders the columns of key `name`; a foreign key also names its
/// target table and the target's column (SQLite leaves that NULL for the target's primary key).
/// `col` is NULL for an expression in an index.
#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Nullable<Text>)]
    col: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target_col: Option<String>,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS tbl, p.name AS col
  FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const SQLITE_KEYS: &str = "SELECT m.name AS tbl, 'primary key' AS kind, 'primary key' AS name,
       p.pk AS seq, p.name AS col, NULL AS target, NULL AS target_col
  FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.pk > 0
UNION ALL
SELECT m.name, CASE il.origin WHEN 'u' THEN 'unique constraint' ELSE 'unique index' END, il.name,
       ii.seqno, ii.name, NULL, NULL
  FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND il.\"unique\" = 1 AND il.origin <> 'pk'
UNION ALL
SELECT m.name, 'foreign key', '#' || f.id,
       f.seq, f.\"from\", f.\"table\", f.\"to\"
  FROM sqlite_master m, pragma_foreign_key_list(m.name) f
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const PG_COLUMNS: &str = "SELECT c.relname::text AS tbl, a.attname::text AS col
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND c.relkind IN ('r', 'p')";

/// Constraints (primary, unique, exclusion, foreign) column by column, and the unique indexes
/// that back no constraint (their key columns only, not INCLUDE columns).
const PG_KEYS: &str = "SELECT c.relname::text AS tbl,
       CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
                      WHEN 'x' THEN 'exclusion constraint' ELSE 'foreign key' END AS kind,
       k.conname::text AS name, u.o AS seq, a.attname::text AS col,
       t.relname::text AS target, fa.attname::text AS target_col
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, fattnum, o)
  LEFT JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
  LEFT JOIN pg_class t ON t.oid = k.confrelid
  LEFT JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = u.fattnum
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND k.contype IN ('p', 'u', 'x', 'f')
UNION ALL
SELECT c.relname::text, 'unique index', ic.relname::text, u.o, a.attname::text, NULL, NULL
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  CROSS JOIN LATERAL unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) WITH ORDINALITY AS u(attnum, o)
  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum AND u.attnum > 0
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND i.indisunique
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                    WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))";

struct Key {
    table: String,
    kind: String,
    name: String,
    cols: Vec<Option<String>>,
    target: Option<String>,
    target_cols: Vec<Option<String>>,
}

/// Tables with their columns, and every key, from the catalog.
struct Catalog {
    tables: BTreeMap<String, BTreeSet<String>>,
    keys: Vec<Key>,
}

/// The migrated database, opened beside the running server (as the owner on PostgreSQL).
enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

impl Conn {
    fn catalog(&mut self) -> Catalog {
        let (columns, keys) = match self {
            Conn::Sqlite(c) => (
                diesel::sql_query(SQLITE_COLUMNS).load(c).expect("columns"),
                diesel::sql_query(SQLITE_KEYS).load(c).expect("keys"),
            ),
            Conn::Pg(c) => (
                diesel::sql_query(PG_COLUMNS).load(c).expect("columns"),
                diesel::sql_query(PG_KEYS).load(c).expect("keys"),
            ),
        };
        catalog(columns, keys)
    }

    fn execute(&mut self, sql: &str) {
        match self {
            Conn::Sqlite(c) => c.batch_execute(sql),
            Conn::Pg(c) => c.batch_execute(sql),
        }
        .expect("execute");
    }
}

fn catalog(columns: Vec<ColumnRow>, mut rows: Vec<KeyRow>) -> Catalog {
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in columns {
        tables.entry(r.tbl).or_default().insert(r.col);
    }
    rows.sort_by(|a, b| (&a.tbl, &a.kind, &a.name, a.seq).cmp(&(&b.tbl, &b.kind, &b.name, b.seq)));
    let mut keys: Vec<Key> = Vec::new();
    for r in rows {
        match keys.last_mut() {
            Some(k) if k.table == r.tbl && k.kind == r.kind && k.name == r.name => {
                k.cols.push(r.col);
                k.target_cols.push(r.target_col);
            }
            _ => keys.push(Key {
                table: r.tbl,
                kind: r.kind,
                name: r.name,
                cols: vec![r.col],
                target: r.target,
                target_cols: vec![r.target_col],
            }),
        }
    }
    // SQLite names no target columns for a foreign key to the target's primary key.
    let pks: BTreeMap<String, Vec<Option<String>>> = keys
        .iter()
        .filter(|k| k.kind == "primary key")
        .map(|k| (k.table.clone(), k.cols.clone()))
        .collect();
    for k in keys.iter_mut().filter(|k| k.kind == "foreign key") {
        if k.target_cols.iter().all(Option::is_none)
            && let Some(pk) = k.target.as_ref().and_then(|t| pks.get(t))
        {
            k.target_cols = pk.clone();
        }
    }
    Catalog { tables, keys }
}

fn list(cols: &[Option<String>]) -> String {
    cols.iter()
        .map(|c| c.as_deref().unwrap_or("<expression>"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every way the catalog breaks the rule, one line each, naming the table and the key.
fn violations(catalog: &Catalog) -> Vec<String> {
    let tid = Some("tenant_id".to_owned());
    let is_tenant = |t: &str| {
        catalog
            .tables
            .get(t)
            .is_some_and(|c| c.contains("tenant_id"))
    };
    let mut out = Vec::new();

    let platform: BTreeSet<&str> = catalog
        .tables
        .keys()
        .map(String::as_str)
        .filter(|t| !is_tenant(t))
        .collect();
    let expected: BTreeSet<&str> = PLATFORM_TABLES.iter().map(|(t, _)| *t).collect();
    for t in platform.difference(&expected) {
        out.push(format!(
            "table {t} has no tenant_id: give it one, or add it to PLATFORM_TABLES with the reason it belongs to no county"
        ));
    }
    for t in expected.difference(&platform) {
        out.push(format!(
            "platform table {t} is gone or has a tenant_id now: update PLATFORM_TABLES"
        ));
    }

    for t in catalog.tables.keys().filter(|t| is_tenant(t)) {
        if !catalog
            .keys
            .iter()
            .any(|k| &k.table == t && k.kind == "primary key")
        {
            out.push(format!("tenant table {t} has no primary key"));
        }
    }
    for k in &catalog.keys {
        let (t, cols) = (&k.table, list(&k.cols));
        // SQLite's primary keys have no name of their own.
        let key = if k.name == k.kind {
            k.kind.clone()
        } else {
            format!("{} {}", k.kind, k.name)
        };
        if !is_tenant(t) {
            // A reference table cannot refer to a distributed one on Citus.
            if let Some(target) = k.target.as_deref().filter(|x| is_tenant(x)) {
                out.push(format!(
                    "platform table {t}: {key} ({cols}) refers to tenant table {target}"
                ));
            }
            continue;
        }
        if !k.cols.contains(&tid) {
            out.push(format!("tenant table {t}: {key} ({cols}) lacks tenant_id"));
            continue;
        }
        if let Some(target) = k.target.as_deref().filter(|x| is_tenant(x)) {
            let paired = k
                .cols
                .iter()
                .zip(&k.target_cols)
                .any(|(c, tc)| *c == tid && *tc == tid);
            if !paired {
                out.push(format!(
                    "tenant table {t}: {key} ({cols}) → {target} ({}) does not map tenant_id to {target}.tenant_id",
                    list(&k.target_cols)
                ));
            }
        }
    }
    out
}

/// A table and an index that break every rule, to show that the catalog reading finds them.
const BROKEN: &str = "
CREATE TABLE citus_probe (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    FOREIGN KEY (org_id, tenant_id) REFERENCES org_units (tenant_id, id)
);
CREATE UNIQUE INDEX citus_probe_code ON citus_probe (code);
CREATE TABLE citus_probe_platform (id TEXT PRIMARY KEY);
";

#[tokio::test]
async fn every_tenant_key_contains_tenant_id_and_the_platform_tables_are_the_known_few() {
    let app = spawn_app().await;
    let url = secrecy::ExposeSecret::expose_secret(&app.settings.database.url).to_owned();
    let owner_url = app.owner_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = match backend() {
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").expect("sqlite:// URL");
                Conn::Sqlite(SqliteConnection::establish(path).expect("open the SQLite file"))
            }
            Backend::Postgres => {
                let owner = owner_url.expect("owner url");
                Conn::Pg(PgConnection::establish(&owner).expect("connect as the owner"))
            }
        };
        let catalog = conn.catalog();
        let tenant_tables = catalog.tables.values().filter(|c| c.contains("tenant_id")).count();
        let tenant_keys = catalog
            .keys
            .iter()
            .filter(|k| catalog.tables[&k.table].contains("tenant_id"))
            .count();
        // Not vacuous: the register's tables and their keys are there.
        assert!(
            ["members", "users", "org_units", "audit_log"].iter().all(|t| catalog.tables.contains_key(*t)),
            "tables missing from the catalog read: {:?}",
            catalog.tables.keys().collect::<Vec<_>>()
        );
        assert!(tenant_tables >= 60 && tenant_keys >= 3 * tenant_tables, "{tenant_tables} tables, {tenant_keys} keys");
        let found = violations(&catalog);
        assert!(
            found.is_empty(),
            "{} key(s) break the tenant rule ({tenant_tables} tenant tables, {tenant_keys} keys checked):\n{}",
            found.len(),
            found.join("\n")
        );

        // The same reading finds each kind of breach.
        conn.execute(BROKEN);
        let catalog = conn.catalog();
        let found = violations(&catalog).join("\n");
        for expected in [
            "table citus_probe_platform has no tenant_id",
            "tenant table citus_probe: primary key",
            "citus_probe_code (code) lacks tenant_id",
            "does not map tenant_id to org_units.tenant_id",
        ] {
            assert!(found.contains(expected), "expected «{expected}» in:\n{found}");
        }
    })
    .await
    .expect("join");
}
