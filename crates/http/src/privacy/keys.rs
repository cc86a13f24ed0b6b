//! Storage of the per-county keys (`tenant_keys`), always through the county's transaction.

use std::collections::BTreeMap;

use chrono::Utc;
use diesel::prelude::*;
use secrecy::ExposeSecret;

use super::crypto::{self, CountyKeys};
use shuanglian_core::db::schema::tenant_keys as k;
use shuanglian_core::db::{DbResult, TenantTx};
use shuanglian_core::error::AppError;

fn insert(tx: &mut TenantTx<'_>, master: &[u8; 32], purpose: &str, version: i32) -> DbResult<()> {
    insert_key(
        tx,
        master,
        purpose,
        version,
        crypto::new_key().expose_secret(),
    )
}

/// Stores `key` as the county's current key for `purpose`, wrapped under the master key.
fn insert_key(
    tx: &mut TenantTx<'_>,
    master: &[u8; 32],
    purpose: &str,
    version: i32,
    key: &[u8; 32],
) -> DbResult<()> {
    let wrapped = crypto::wrap(master, tx.tenant_id(), purpose, version, key);
    let tid = tx.tid().to_owned();
    diesel::insert_into(k::table)
        .values((
            k::tenant_id.eq(tid),
            k::purpose.eq(purpose),
            k::version.eq(version),
            k::wrapped_key.eq(wrapped),
            k::current.eq(true),
            k::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// The county's keys, created on first use. Fails closed if a key does not unwrap under this
/// master key (wrong key configured).
pub fn load(tx: &mut TenantTx<'_>, master: &[u8; 32]) -> DbResult<CountyKeys> {
    let tid = tx.tid().to_owned();
    let mut rows: Vec<(String, i32, String, bool)> = k::table
        .filter(k::tenant_id.eq(&tid))
        .select((k::purpose, k::version, k::wrapped_key, k::current))
        .load(tx.conn())?;
    if rows.is_empty() {
        insert(tx, master, "data", 1)?;
        insert(tx, master, "index", 1)?;
        rows = k::table
            .filter(k::tenant_id.eq(&tid))
            .select((k::purpose, k::version, k::wrapped_key, k::current))
            .load(tx.conn())?;
    }
    let broken = |e: crypto::CryptoError| {
        AppError::internal(anyhow::anyhow!("county key does not unwrap: {e}"))
    };
    let mut data = BTreeMap::new();
    let mut current = 0;
    let mut index = None;
    for (purpose, version, wrapped, is_current) in rows {
        let key =
            crypto::unwrap(master, tx.tenant_id(), &purpose, version, &wrapped).map_err(broken)?;
        if purpose == "index" {
            index = Some(key);
        } else {
            if is_current {
                current = version;
            }
            data.insert(version, key);
        }
    }
    let index =
        index.ok_or_else(|| AppError::internal(anyhow::anyhow!("county index key missing")))?;
    // The version is logged (through the 500's cause), never any data.
    CountyKeys::new(tx.tenant_id().clone(), data, current, index)
        .map_err(|e| AppError::internal(anyhow::anyhow!("county data key unusable: {e}")).into())
}

/// Adds a new data-key version and makes it current; returns it. Older versions stay for
/// reading; re-encrypting old values is the register's re-encryption job.
pub fn rotate(tx: &mut TenantTx<'_>, master: &[u8; 32]) -> DbResult<i32> {
    let keys = load(tx, master)?;
    let next = keys.current_version() + 1;
    let tid = tx.tid().to_owned();
    diesel::update(k::table.filter(k::tenant_id.eq(&tid).and(k::purpose.eq("data"))))
        .set(k::current.eq(false))
        .execute(tx.conn())?;
    insert(tx, master, "data", next)?;
    Ok(next)
}

/// (purpose, version, current, created) of each key, for `shuanglian keys status`.
pub fn status(tx: &mut TenantTx<'_>) -> DbResult<Vec<(String, i32, bool, chrono::NaiveDateTime)>> {
    let tid = tx.tid().to_owned();
    Ok(k::table
        .filter(k::tenant_id.eq(tid))
        .select((k::purpose, k::version, k::current, k::created_at))
        .order((k::purpose.asc(), k::version.asc()))
        .load(tx.conn())?)
}

/// Re-wraps every key of this county from the `old` master key to `new`. Any key that does not
/// unwrap under `old` fails the whole call (the caller's transaction then changes nothing).
/// The county keys themselves stay the same, so nothing they encrypt needs touching.
/// Returns how many keys were re-wrapped.
pub fn rewrap(tx: &mut TenantTx<'_>, old: &[u8; 32], new: &[u8; 32]) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, i32, String)> = k::table
        .filter(k::tenant_id.eq(&tid))
        .select((k::purpose, k::version, k::wrapped_key))
        .load(tx.conn())?;
    for (purpose, version, wrapped) in &rows {
        let key = crypto::unwrap(old, tx.tenant_id(), purpose, *version, wrapped).map_err(|e| {
            AppError::new(
                poem::http::StatusCode::CONFLICT,
                "master_key_mismatch",
                format!("{purpose} 密钥 v{version} 无法用当前主密钥解开（{e}），未做任何修改"),
                format!(
                    "{purpose} key v{version} does not unwrap under the current master key ({e}); nothing was changed"
                ),
            )
        })?;
        let rewrapped = crypto::wrap(new, tx.tenant_id(), purpose, *version, key.expose_secret());
        // Read back before writing: a wrap that does not open under the new key must not land.
        crypto::unwrap(new, tx.tenant_id(), purpose, *version, &rewrapped)
            .map_err(|e| AppError::internal(anyhow::anyhow!("re-wrapped key check: {e}")))?;
        diesel::update(
            k::table.filter(
                k::tenant_id
                    .eq(&tid)
                    .and(k::purpose.eq(purpose))
                    .and(k::version.eq(version)),
            ),
        )
        .set(k::wrapped_key.eq(rewrapped))
        .execute(tx.conn())?;
    }
    Ok(rows.len())
}

/// The county's index key (for blind indexes), unwrapped: a county's export carries it so that
/// the blind indexes it holds still match after a restore under other master and data keys.
pub fn index_key(
    tx: &mut TenantTx<'_>,
    master: &[u8; 32],
) -> DbResult<secrecy::SecretBox<[u8; 32]>> {
    let tid = tx.tid().to_owned();
    let wrapped: Option<(i32, String)> = k::table
        .filter(k::tenant_id.eq(&tid).and(k::purpose.eq("index")))
        .select((k::version, k::wrapped_key))
        .order(k::version.desc())
        .first(tx.conn())
        .optional()?;
    let Some((version, wrapped)) = wrapped else {
        // A county that never stored a personal value: its first use creates the keys.
        load(tx, master)?;
        return index_key(tx, master);
    };
    crypto::unwrap(master, tx.tenant_id(), "index", version, &wrapped).map_err(|e| {
        AppError::internal(anyhow::anyhow!("county index key does not unwrap: {e}")).into()
    })
}

/// Installs keys for a county being restored: the exported index key and a fresh data key
/// (the restore re-encrypts every field under it). Fails if the county has keys already.
pub fn install_restored(
    tx: &mut TenantTx<'_>,
    master: &[u8; 32],
    index: &[u8; 32],
) -> DbResult<CountyKeys> {
    insert_key(tx, master, "index", 1, index)?;
    insert(tx, master, "data", 1)?;
    load(tx, master)
}

/// One destroyed key: which, and a SHA-256 of its wrapped form (names the key, reveals nothing).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Destroyed {
    pub purpose: String,
    pub version: i32,
    pub wrapped_sha256: String,
}

/// Crypto-shredding: deletes every key of the county. What they encrypted can no longer be
/// read by anyone, wherever a copy of the rows survives.
pub fn destroy_all(tx: &mut TenantTx<'_>) -> DbResult<Vec<Destroyed>> {
    use sha2::Digest;
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, i32, String)> = k::table
        .filter(k::tenant_id.eq(&tid))
        .select((k::purpose, k::version, k::wrapped_key))
        .order((k::purpose.asc(), k::version.asc()))
        .load(tx.conn())?;
    diesel::delete(k::table.filter(k::tenant_id.eq(&tid))).execute(tx.conn())?;
    Ok(rows
        .into_iter()
        .map(|(purpose, version, wrapped)| Destroyed {
            purpose,
            version,
            wrapped_sha256: hex::encode(sha2::Sha256::digest(wrapped.as_bytes())),
        })
        .collect())
}
