//! The columns that hold personal values encrypted under the county's data key (`*_enc`).
//!
//! An export writes them in clear (the whole archive is encrypted to the county's own key, and a
//! county must be able to read its data without us); a restore encrypts them again under the
//! target's new data key. Every `*_enc` column of a county table must be listed here: the
//! round-trip test fails on one that is not.

use serde_json::Value;
use shuanglian_http::privacy::crypto::CountyKeys;

use crate::catalog::Table;

/// The associated-data name a column's values are encrypted under.
#[derive(Debug, Clone, Copy)]
pub enum FieldName {
    Fixed(&'static str),
    /// `prefix` followed by the value of `column` in the same row (a user's TOTP secret).
    PerRow {
        prefix: &'static str,
        column: &'static str,
    },
}

/// (table, column, field name).
pub const ENCRYPTED: &[(&str, &str, FieldName)] = &[
    ("members", "id_number_enc", FieldName::Fixed("id_number")),
    ("members", "phone_enc", FieldName::Fixed("phone")),
    (
        "members",
        "home_address_enc",
        FieldName::Fixed("home_address"),
    ),
    (
        "user_totp",
        "secret_enc",
        FieldName::PerRow {
            prefix: "totp_secret|",
            column: "user_id",
        },
    ),
    ("qq_roster_entries", "qq_enc", FieldName::Fixed("qq")),
    ("qq_snapshot_people", "qq_enc", FieldName::Fixed("qq")),
    (
        "qq_snapshot_people",
        "nickname_enc",
        FieldName::Fixed("qq_nickname"),
    ),
    (
        "registrations",
        "survey_enc",
        FieldName::Fixed("registration_survey"),
    ),
    (
        "notification_settings",
        "webhook_secret_enc",
        FieldName::Fixed("webhook_secret"),
    ),
    (
        "notification_preferences",
        "phone_enc",
        FieldName::Fixed("phone"),
    ),
];

/// The `*_enc` columns of `table` that are not in [`ENCRYPTED`] (must be none).
pub fn unlisted(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.name.ends_with("_enc"))
        .filter(|c| {
            !ENCRYPTED
                .iter()
                .any(|(t, col, _)| *t == table.name && *col == c.name)
        })
        .map(|c| format!("{}.{}", table.name, c.name))
        .collect()
}

/// (column index, field name) for each encrypted column of `table`.
fn positions(table: &Table) -> Vec<(usize, FieldName)> {
    ENCRYPTED
        .iter()
        .filter(|(t, _, _)| *t == table.name)
        .filter_map(|(_, c, f)| Some((table.index_of(c)?, *f)))
        .collect()
}

fn name_in(table: &Table, row: &[Value], f: FieldName) -> Result<String, String> {
    match f {
        FieldName::Fixed(n) => Ok(n.to_owned()),
        FieldName::PerRow { prefix, column } => {
            let i = table
                .index_of(column)
                .ok_or_else(|| format!("{}: no column {column}", table.name))?;
            let v = row[i]
                .as_str()
                .ok_or_else(|| format!("{}.{column} is not text", table.name))?;
            Ok(format!("{prefix}{v}"))
        }
    }
}

/// Replaces each ciphertext with its plaintext (export).
pub fn open_row(table: &Table, row: &mut [Value], keys: &CountyKeys) -> Result<(), String> {
    for (i, f) in positions(table) {
        if let Value::String(sealed) = &row[i] {
            let field = name_in(table, row, f)?;
            let clear = keys
                .decrypt(&field, sealed)
                .map_err(|e| format!("{}.{}: {e}", table.name, table.columns[i].name))?;
            row[i] = Value::String(clear);
        }
    }
    Ok(())
}

/// Replaces each plaintext with a ciphertext under `keys` (restore).
pub fn seal_row(table: &Table, row: &mut [Value], keys: &CountyKeys) -> Result<(), String> {
    for (i, f) in positions(table) {
        if let Value::String(clear) = &row[i] {
            let field = name_in(table, row, f)?;
            row[i] = Value::String(keys.encrypt(&field, clear));
        }
    }
    Ok(())
}
