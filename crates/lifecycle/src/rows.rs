//! Reading a county's rows into one form for both backends, and writing them back.
//!
//! A row is a JSON array in the table's column order. Booleans are `true`/`false` (SQLite keeps
//! 0/1), timestamps `YYYY-MM-DDTHH:MM:SS.ffffff`, dates `YYYY-MM-DD`, JSON columns their text.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::Value;
use shuanglian_core::db::AnyConnection;

use crate::catalog::{Kind, Table};

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    j: String,
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `DELETE FROM table WHERE tenant_id = …`; how many rows went.
pub fn delete(conn: &mut AnyConnection, table: &Table, tenant: &str) -> diesel::QueryResult<usize> {
    let sql = |param: &str| {
        format!(
            "DELETE FROM {} WHERE tenant_id = {param}",
            quote(&table.name)
        )
    };
    match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(sql("?"))
            .bind::<Text, _>(tenant)
            .execute(c),
        AnyConnection::Postgresql(c) => diesel::sql_query(sql("$1"))
            .bind::<Text, _>(tenant)
            .execute(c),
    }
}

/// How many rows of `table` belong to `tenant`.
pub fn count(conn: &mut AnyConnection, table: &Table, tenant: &str) -> diesel::QueryResult<u64> {
    let sql = |param: &str| {
        format!(
            "SELECT count(*) AS n FROM {} WHERE tenant_id = {param}",
            quote(&table.name)
        )
    };
    let c: Count = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(sql("?"))
            .bind::<Text, _>(tenant)
            .get_result(c),
        AnyConnection::Postgresql(c) => diesel::sql_query(sql("$1"))
            .bind::<Text, _>(tenant)
            .get_result(c),
    }?;
    Ok(c.n.max(0) as u64)
}

/// Every row of `table` belonging to `tenant`, primary-key order.
pub fn read(
    conn: &mut AnyConnection,
    table: &Table,
    tenant: &str,
) -> anyhow::Result<Vec<Vec<Value>>> {
    let order = if table.primary_key.is_empty() {
        String::new()
    } else {
        let cols: Vec<String> = table.primary_key.iter().map(|c| quote(c)).collect();
        format!(" ORDER BY {}", cols.join(", "))
    };
    let raw: Vec<JsonRow> = match conn {
        AnyConnection::Sqlite(c) => {
            let cols: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
            let sql = format!(
                "SELECT json_array({}) AS j FROM {} WHERE tenant_id = ?{order}",
                cols.join(", "),
                quote(&table.name)
            );
            diesel::sql_query(sql).bind::<Text, _>(tenant).load(c)?
        }
        AnyConnection::Postgresql(c) => {
            // JSON columns as their text, so both backends give the same string.
            let cols: Vec<String> = table
                .columns
                .iter()
                .map(|c| match c.kind {
                    Kind::Json => format!("{}::text", quote(&c.name)),
                    _ => quote(&c.name),
                })
                .collect();
            let sql = format!(
                "SELECT json_build_array({}) ::text AS j FROM {} WHERE tenant_id = $1{order}",
                cols.join(", "),
                quote(&table.name)
            );
            diesel::sql_query(sql).bind::<Text, _>(tenant).load(c)?
        }
    };
    raw.into_iter()
        .map(|r| {
            let Value::Array(values) = serde_json::from_str(&r.j)? else {
                anyhow::bail!("{}: a row did not read as an array", table.name);
            };
            if values.len() != table.columns.len() {
                anyhow::bail!("{}: a row has {} values", table.name, values.len());
            }
            values
                .into_iter()
                .zip(&table.columns)
                .map(|(v, c)| {
                    canonical(c.kind, v)
                        .map_err(|e| anyhow::anyhow!("{}.{}: {e}", table.name, c.name))
                })
                .collect()
        })
        .collect()
}

/// The archive's form of one value, or why it does not fit the column's kind.
pub fn canonical(kind: Kind, v: Value) -> Result<Value, String> {
    Ok(match (kind, v) {
        (_, Value::Null) => Value::Null,
        (Kind::Bool, Value::Bool(b)) => Value::Bool(b),
        (Kind::Bool, Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Value::Bool(n.as_i64() == Some(1))
        }
        (Kind::Int, Value::Number(n)) if n.is_i64() => Value::Number(n),
        (Kind::Real, Value::Number(n)) => Value::Number(n),
        (Kind::Text | Kind::Json, Value::String(s)) => Value::String(s),
        (Kind::Date, Value::String(s)) => {
            chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|e| format!("date {s:?}: {e}"))?;
            Value::String(s)
        }
        (Kind::Timestamp, Value::String(s)) => Value::String(
            parse_timestamp(&s)?
                .format("%Y-%m-%dT%H:%M:%S%.6f")
                .to_string(),
        ),
        (k, v) => return Err(format!("{v} is not a {k:?} value")),
    })
}

fn parse_timestamp(s: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .map_err(|e| format!("timestamp {s:?}: {e}"))
}

/// Rows in an order where a row that names another row of the same table follows it.
pub fn parents_first(table: &Table, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let refs: Vec<(usize, usize)> = table
        .self_refs
        .iter()
        .filter_map(|(c, t)| Some((table.index_of(c)?, table.index_of(t)?)))
        .collect();
    if refs.is_empty() {
        return rows;
    }
    let mut placed = vec![false; rows.len()];
    let mut out: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
    let mut keys: std::collections::HashSet<(usize, String)> = std::collections::HashSet::new();
    // Repeated passes: each places the rows whose parents are placed (or absent).
    let present: std::collections::HashSet<(usize, String)> = rows
        .iter()
        .flat_map(|r| refs.iter().map(move |&(_, t)| (t, r[t].to_string())))
        .collect();
    loop {
        let before = out.len();
        for (i, r) in rows.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let ready = refs.iter().all(|&(c, t)| {
                r[c].is_null()
                    || keys.contains(&(t, r[c].to_string()))
                    || !present.contains(&(t, r[c].to_string()))
            });
            if ready {
                placed[i] = true;
                for &(_, t) in &refs {
                    keys.insert((t, r[t].to_string()));
                }
                out.push(r.clone());
            }
        }
        if out.len() == rows.len() || out.len() == before {
            break;
        }
    }
    // A cycle cannot be ordered; the database will refuse it and the restore changes nothing.
    for (i, r) in rows.into_iter().enumerate() {
        if !placed[i] {
            out.push(r);
        }
    }
    out
}

/// Inserts rows (already in the archive's form) into `table`, in batches of one statement each.
pub fn insert(conn: &mut AnyConnection, table: &Table, rows: &[Vec<Value>]) -> anyhow::Result<()> {
    let names: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    for chunk in rows.chunks(500) {
        match conn {
            AnyConnection::Sqlite(c) => {
                let stored: Vec<Value> = chunk
                    .iter()
                    .map(|r| Value::Array(sqlite_form(table, r)))
                    .collect();
                let picks: Vec<String> = (0..table.columns.len())
                    .map(|i| format!("json_extract(value, '$[{i}]')"))
                    .collect();
                let sql = format!(
                    "INSERT INTO {} ({}) SELECT {} FROM json_each(?)",
                    quote(&table.name),
                    names.join(", "),
                    picks.join(", ")
                );
                diesel::sql_query(sql)
                    .bind::<Text, _>(Value::Array(stored).to_string())
                    .execute(c)?;
            }
            AnyConnection::Postgresql(c) => {
                let picks: Vec<String> = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, col)| format!("(r->>{i})::{}", col.kind.pg_type()))
                    .collect();
                let sql = format!(
                    "INSERT INTO {} ({}) SELECT {} FROM json_array_elements($1::json) r",
                    quote(&table.name),
                    names.join(", "),
                    picks.join(", ")
                );
                diesel::sql_query(sql)
                    .bind::<Text, _>(serde_json::to_string(chunk)?)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// SQLite keeps timestamps as diesel writes them (`%F %T%.f`), so range queries compare alike.
fn sqlite_form(table: &Table, row: &[Value]) -> Vec<Value> {
    row.iter()
        .zip(&table.columns)
        .map(|(v, c)| match (c.kind, v) {
            (Kind::Timestamp, Value::String(s)) => parse_timestamp(s)
                .map(|t| Value::String(t.format("%Y-%m-%d %H:%M:%S%.f").to_string()))
                .unwrap_or_else(|_| v.clone()),
            _ => v.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_take_one_form_from_either_backend() {
        assert_eq!(canonical(Kind::Bool, json!(1)), Ok(json!(true)));
        assert_eq!(canonical(Kind::Bool, json!(false)), Ok(json!(false)));
        assert!(canonical(Kind::Bool, json!(2)).is_err());
        assert_eq!(
            canonical(Kind::Timestamp, json!("2026-12-08 00:19:42.5")),
            Ok(json!("2026-12-08T00:19:42.500000"))
        );
        assert_eq!(
            canonical(Kind::Timestamp, json!("2026-12-08T00:19:42")),
            Ok(json!("2026-12-08T00:19:42.000000"))
        );
        assert!(canonical(Kind::Date, json!("2026-13-01")).is_err());
        assert!(canonical(Kind::Int, json!("1")).is_err());
        assert_eq!(canonical(Kind::Text, Value::Null), Ok(Value::Null));
    }

    #[test]
    fn a_child_row_follows_its_parent() {
        let t = Table {
            name: "org_units".into(),
            columns: vec![
                crate::catalog::Column {
                    name: "id".into(),
                    kind: Kind::Text,
                },
                crate::catalog::Column {
                    name: "parent_id".into(),
                    kind: Kind::Text,
                },
            ],
            primary_key: vec!["id".into()],
            self_refs: vec![("parent_id".into(), "id".into())],
        };
        let rows = vec![
            vec![json!("c"), json!("b")],
            vec![json!("b"), json!("a")],
            vec![json!("a"), Value::Null],
        ];
        let ordered: Vec<Value> = parents_first(&t, rows)
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        assert_eq!(ordered, vec![json!("a"), json!("b"), json!("c")]);
    }
}
