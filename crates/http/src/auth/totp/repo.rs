//! Enrolments in `user_totp` (county users, through the county's transaction, secrets under the
//! county data key) and `platform_user_totp` (platform and provincial users, secrets under a key
//! derived from the master key).

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use secrecy::{ExposeSecret, SecretString};

use crate::privacy::crypto::{self, CountyKeys};
use shuanglian_core::db::schema::{platform_user_totp as pt, user_totp as ut};
use shuanglian_core::db::{DbResult, PlatformTx, TenantTx};
use shuanglian_core::error::AppError;

/// One account's second factor as stored.
#[derive(Debug, Clone, Queryable)]
pub struct Enrolment {
    pub secret_enc: String,
    /// `None` while the enrolment waits for its first code.
    pub confirmed_at: Option<NaiveDateTime>,
    /// The newest time step accepted.
    pub last_step: Option<i64>,
}

impl Enrolment {
    pub fn active(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

pub fn already_enrolled() -> AppError {
    AppError::conflict(
        "totp_already_enrolled",
        "已启用二次验证；如需更换验证器，请先停用或由管理员重置",
        "A second factor is already active; disable it or have it reset first",
    )
}

fn broken(e: crypto::CryptoError) -> AppError {
    AppError::internal(anyhow::anyhow!("TOTP secret does not decrypt: {e}"))
}

/// The AAD "field" of a county user's secret: binds it to the user as well as the county.
fn tenant_field(user_id: &str) -> String {
    format!("totp_secret|{user_id}")
}

fn platform_context(user_id: &str) -> String {
    format!("totp_secret|{user_id}")
}

pub fn seal_tenant(keys: &CountyKeys, user_id: &str, secret: &SecretString) -> String {
    keys.encrypt(&tenant_field(user_id), secret.expose_secret())
}

pub fn open_tenant(keys: &CountyKeys, user_id: &str, sealed: &str) -> DbResult<SecretString> {
    keys.decrypt(&tenant_field(user_id), sealed)
        .map(SecretString::from)
        .map_err(|e| broken(e).into())
}

pub fn seal_platform(master: &[u8; 32], user_id: &str, secret: &SecretString) -> String {
    crypto::seal_platform(
        master,
        &platform_context(user_id),
        secret.expose_secret().as_bytes(),
    )
}

pub fn open_platform(master: &[u8; 32], user_id: &str, sealed: &str) -> DbResult<SecretString> {
    let bytes =
        crypto::open_platform(master, &platform_context(user_id), sealed).map_err(broken)?;
    String::from_utf8(bytes)
        .map(SecretString::from)
        .map_err(|_| broken(crypto::CryptoError::Malformed).into())
}

// County users --------------------------------------------------------------------------------

pub fn get(tx: &mut TenantTx<'_>, user_id: &str) -> DbResult<Option<Enrolment>> {
    let tid = tx.tid().to_owned();
    Ok(ut::table
        .filter(ut::tenant_id.eq(tid).and(ut::user_id.eq(user_id)))
        .select((ut::secret_enc, ut::confirmed_at, ut::last_step))
        .first(tx.conn())
        .optional()?)
}

/// Stores a new pending enrolment, replacing an earlier pending one; 409 if one is active.
/// `confirmed` stores it active at once (demo accounts, whose secret is published).
pub fn put(
    tx: &mut TenantTx<'_>,
    user_id: &str,
    secret_enc: &str,
    confirmed: bool,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    if get(tx, user_id)?.is_some_and(|e| e.active()) {
        return Err(already_enrolled().into());
    }
    remove(tx, user_id)?;
    let now = Utc::now().naive_utc();
    diesel::insert_into(ut::table)
        .values((
            ut::tenant_id.eq(&tid),
            ut::user_id.eq(user_id),
            ut::secret_enc.eq(secret_enc),
            ut::confirmed_at.eq(confirmed.then_some(now)),
            ut::last_step.eq(None::<i64>),
            ut::created_at.eq(now),
            ut::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Activates a pending enrolment, recording the step its first code used.
pub fn confirm(tx: &mut TenantTx<'_>, user_id: &str, step: i64) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let n = diesel::update(
        ut::table.filter(
            ut::tenant_id
                .eq(tid)
                .and(ut::user_id.eq(user_id))
                .and(ut::confirmed_at.is_null()),
        ),
    )
    .set((
        ut::confirmed_at.eq(Some(now)),
        ut::last_step.eq(Some(step)),
        ut::updated_at.eq(now),
    ))
    .execute(tx.conn())?;
    Ok(n == 1)
}

/// Records `step` as used if it is newer than every step used before. One conditional UPDATE,
/// so two requests racing with the same code cannot both win.
pub fn accept_step(tx: &mut TenantTx<'_>, user_id: &str, step: i64) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        ut::table.filter(
            ut::tenant_id
                .eq(tid)
                .and(ut::user_id.eq(user_id))
                .and(ut::confirmed_at.is_not_null())
                .and(ut::last_step.is_null().or(ut::last_step.lt(step))),
        ),
    )
    .set((
        ut::last_step.eq(Some(step)),
        ut::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    Ok(n == 1)
}

pub fn remove(tx: &mut TenantTx<'_>, user_id: &str) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::delete(ut::table.filter(ut::tenant_id.eq(tid).and(ut::user_id.eq(user_id))))
        .execute(tx.conn())?;
    Ok(n > 0)
}

// Platform and provincial users ---------------------------------------------------------------

pub fn platform_get(tx: &mut PlatformTx<'_>, user_id: &str) -> DbResult<Option<Enrolment>> {
    Ok(pt::table
        .filter(pt::user_id.eq(user_id))
        .select((pt::secret_enc, pt::confirmed_at, pt::last_step))
        .first(tx.conn())
        .optional()?)
}

pub fn platform_put(
    tx: &mut PlatformTx<'_>,
    user_id: &str,
    secret_enc: &str,
    confirmed: bool,
) -> DbResult<()> {
    if platform_get(tx, user_id)?.is_some_and(|e| e.active()) {
        return Err(already_enrolled().into());
    }
    platform_remove(tx, user_id)?;
    let now = Utc::now().naive_utc();
    diesel::insert_into(pt::table)
        .values((
            pt::user_id.eq(user_id),
            pt::secret_enc.eq(secret_enc),
            pt::confirmed_at.eq(confirmed.then_some(now)),
            pt::last_step.eq(None::<i64>),
            pt::created_at.eq(now),
            pt::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    Ok(())
}

pub fn platform_confirm(tx: &mut PlatformTx<'_>, user_id: &str, step: i64) -> DbResult<bool> {
    let now = Utc::now().naive_utc();
    let n =
        diesel::update(pt::table.filter(pt::user_id.eq(user_id).and(pt::confirmed_at.is_null())))
            .set((
                pt::confirmed_at.eq(Some(now)),
                pt::last_step.eq(Some(step)),
                pt::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
    Ok(n == 1)
}

pub fn platform_accept_step(tx: &mut PlatformTx<'_>, user_id: &str, step: i64) -> DbResult<bool> {
    let n = diesel::update(
        pt::table.filter(
            pt::user_id
                .eq(user_id)
                .and(pt::confirmed_at.is_not_null())
                .and(pt::last_step.is_null().or(pt::last_step.lt(step))),
        ),
    )
    .set((
        pt::last_step.eq(Some(step)),
        pt::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    Ok(n == 1)
}

pub fn platform_remove(tx: &mut PlatformTx<'_>, user_id: &str) -> DbResult<bool> {
    let n = diesel::delete(pt::table.filter(pt::user_id.eq(user_id))).execute(tx.conn())?;
    Ok(n > 0)
}

/// Re-encrypts every platform user's secret from the `old` master key to `new` (master-key
/// rotation). Fails on the first secret that does not open under `old`. Returns how many.
pub fn platform_rewrap(tx: &mut PlatformTx<'_>, old: &[u8; 32], new: &[u8; 32]) -> DbResult<usize> {
    let rows: Vec<(String, String)> = pt::table
        .select((pt::user_id, pt::secret_enc))
        .load(tx.conn())?;
    for (user_id, sealed) in &rows {
        let secret = open_platform(old, user_id, sealed).map_err(|_| {
            AppError::new(
                poem::http::StatusCode::CONFLICT,
                "master_key_mismatch",
                format!("平台用户 {user_id} 的二次验证密钥无法用当前主密钥解开，未做任何修改"),
                format!(
                    "the TOTP secret of platform user {user_id} does not open under the current master key; nothing was changed"
                ),
            )
        })?;
        let resealed = seal_platform(new, user_id, &secret);
        diesel::update(pt::table.filter(pt::user_id.eq(user_id)))
            .set(pt::secret_enc.eq(resealed))
            .execute(tx.conn())?;
    }
    Ok(rows.len())
}
