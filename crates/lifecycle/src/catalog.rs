//! The county's tables, read from the live catalog of either backend: every table with a
//! `tenant_id` column is county data (tests/tests/tenant_keys.rs keeps that true), so a table
//! added later is exported, restored and deleted without being listed anywhere.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use shuanglian_core::db::AnyConnection;

/// How a column's values are written in the archive (one form for both backends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Bool,
    Int,
    Real,
    Text,
    Json,
    Date,
    Timestamp,
}

impl Kind {
    /// From a declared type (SQLite) or `format_type` (PostgreSQL).
    pub fn of(declared: &str) -> Option<Kind> {
        let t = declared.to_ascii_lowercase();
        Some(match t.as_str() {
            "boolean" | "bool" => Kind::Bool,
            "integer" | "int" | "bigint" | "smallint" | "int4" | "int8" => Kind::Int,
            "real" | "double precision" | "float4" | "float8" => Kind::Real,
            "text" => Kind::Text,
            "json" | "jsonb" => Kind::Json,
            "date" => Kind::Date,
            "timestamp" | "timestamp without time zone" => Kind::Timestamp,
            _ => return None,
        })
    }

    /// The PostgreSQL type a text value is cast to on insert.
    pub fn pg_type(self) -> &'static str {
        match self {
            Kind::Bool => "boolean",
            Kind::Int => "bigint",
            Kind::Real => "double precision",
            Kind::Text => "text",
            Kind::Json => "json",
            Kind::Date => "date",
            Kind::Timestamp => "timestamp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// One county table: its columns in catalog order, its primary key, and the foreign keys that
/// point back into the same table (a row must then follow the row it names).
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// (column, referenced column) pairs of self-references, `tenant_id` left out.
    pub self_refs: Vec<(String, String)>,
}

impl Table {
    pub fn index_of(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == column)
    }
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    col: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct ForeignRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    col: String,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Nullable<Text>)]
    target_col: Option<String>,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS tbl, p.name AS col, p.type AS ty, p.pk AS pk
  FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'
 ORDER BY m.name, p.cid";

const SQLITE_FOREIGN: &str = "SELECT m.name AS tbl, CAST(f.id AS TEXT) AS id, f.\"from\" AS col,
       f.\"table\" AS target, f.\"to\" AS target_col
  FROM sqlite_master m, pragma_foreign_key_list(m.name) f
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
 ORDER BY m.name, f.id, f.seq";

const PG_COLUMNS: &str = "SELECT c.relname::text AS tbl, a.attname::text AS col,
       format_type(a.atttypid, a.atttypmod) AS ty,
       COALESCE((SELECT array_position(k.conkey, a.attnum) FROM pg_constraint k
                  WHERE k.conrelid = c.oid AND k.contype = 'p'), 0)::bigint AS pk
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE '__diesel%'
 ORDER BY c.relname, a.attnum";

const PG_FOREIGN: &str = "SELECT c.relname::text AS tbl, k.conname::text AS id,
       a.attname::text AS col, t.relname::text AS target, fa.attname::text AS target_col
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class t ON t.oid = k.confrelid
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, fattnum, o)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
  JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = u.fattnum
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND k.contype = 'f'
 ORDER BY c.relname, k.conname, u.o";

/// The county tables in an order where every table comes after the tables it references
/// (inserts go in this order, deletes in reverse).
pub fn county_tables(conn: &mut AnyConnection) -> anyhow::Result<Vec<Table>> {
    let (columns, foreign): (Vec<ColumnRow>, Vec<ForeignRow>) = match conn {
        AnyConnection::Sqlite(c) => (
            diesel::sql_query(SQLITE_COLUMNS).load(c)?,
            diesel::sql_query(SQLITE_FOREIGN).load(c)?,
        ),
        AnyConnection::Postgresql(c) => (
            diesel::sql_query(PG_COLUMNS).load(c)?,
            diesel::sql_query(PG_FOREIGN).load(c)?,
        ),
    };
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut pk: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for r in columns {
        let kind = Kind::of(&r.ty)
            .ok_or_else(|| anyhow::anyhow!("{}.{}: type {} is not exported", r.tbl, r.col, r.ty))?;
        if r.pk > 0 {
            pk.entry(r.tbl.clone())
                .or_default()
                .push((r.pk, r.col.clone()));
        }
        tables
            .entry(r.tbl.clone())
            .or_insert_with(|| Table {
                name: r.tbl.clone(),
                columns: Vec::new(),
                primary_key: Vec::new(),
                self_refs: Vec::new(),
            })
            .columns
            .push(Column { name: r.col, kind });
    }
    tables.retain(|_, t| t.index_of("tenant_id").is_some());
    for (name, mut cols) in pk {
        if let Some(t) = tables.get_mut(&name) {
            cols.sort();
            t.primary_key = cols.into_iter().map(|(_, c)| c).collect();
        }
    }
    let mut deps: BTreeMap<String, BTreeSet<String>> = tables
        .keys()
        .map(|k| (k.clone(), BTreeSet::new()))
        .collect();
    for f in foreign {
        let Some(t) = tables.get_mut(&f.tbl) else {
            continue;
        };
        if f.target == f.tbl {
            if f.col != "tenant_id" {
                // SQLite leaves the target column out when it is the primary key.
                let to = f.target_col.clone().unwrap_or_else(|| "id".to_owned());
                t.self_refs.push((f.col.clone(), to));
            }
        } else if tables.contains_key(&f.target) {
            deps.entry(f.tbl.clone())
                .or_default()
                .insert(f.target.clone());
        }
        let _ = f.id;
    }
    // Kahn's algorithm, alphabetical among the ready ones so the order is stable.
    let mut order = Vec::with_capacity(tables.len());
    let mut done: BTreeSet<String> = BTreeSet::new();
    while done.len() < deps.len() {
        let ready: Vec<String> = deps
            .iter()
            .filter(|(t, d)| !done.contains(*t) && d.iter().all(|x| done.contains(x)))
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            anyhow::bail!("the county tables' foreign keys form a cycle");
        }
        for t in ready {
            done.insert(t.clone());
            order.push(t);
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|t| tables.remove(&t))
        .collect())
}
