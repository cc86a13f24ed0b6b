//! Queries on user accounts. Tenant users only through a [`TenantTx`], always filtered by it.

use chrono::Utc;
use diesel::prelude::*;

use super::model::{PlatformUserRow, UserRow};
use crate::api::PageRequest;
use crate::auth::Role;
use crate::db::schema::{platform_users as pu, users as u};
use crate::db::{DbError, DbResult, PlatformTx, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub org_unit_id: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

fn username_taken() -> AppError {
    AppError::conflict(
        "username_taken",
        "该用户名在本县已存在",
        "This user name already exists in the county",
    )
    .with_field(crate::error::FieldError::new(
        "username",
        "taken",
        "用户名已存在",
        "user name already exists",
    ))
}

pub fn insert(tx: &mut TenantTx<'_>, new: &NewUser<'_>) -> DbResult<UserRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let res = diesel::insert_into(u::table)
        .values((
            u::tenant_id.eq(&tid),
            u::id.eq(&id),
            u::username.eq(new.username),
            u::display_name.eq(new.display_name),
            u::role.eq(new.role.as_str()),
            u::org_unit_id.eq(new.org_unit_id),
            u::status.eq("active"),
            u::password_hash.eq(new.password_hash),
            u::must_change_password.eq(new.must_change_password),
            u::version.eq(1i64),
            u::created_at.eq(now),
            u::updated_at.eq(now),
        ))
        .execute(tx.conn());
    match res {
        Ok(_) => {}
        Err(e) => {
            let e = DbError::from(e);
            return Err(if e.is_unique_violation() {
                username_taken().into()
            } else {
                e
            });
        }
    }
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted user vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<UserRow>> {
    let tid = tx.tid().to_owned();
    Ok(u::table
        .filter(u::tenant_id.eq(tid).and(u::id.eq(id)))
        .select(UserRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn find_by_username(tx: &mut TenantTx<'_>, username: &str) -> DbResult<Option<UserRow>> {
    let tid = tx.tid().to_owned();
    Ok(u::table
        .filter(u::tenant_id.eq(tid).and(u::username.eq(username)))
        .select(UserRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn list(
    tx: &mut TenantTx<'_>,
    page: &PageRequest,
    role: Option<Role>,
    status: Option<&str>,
) -> DbResult<Vec<UserRow>> {
    let tid = tx.tid().to_owned();
    let mut q = u::table
        .filter(u::tenant_id.eq(tid))
        .select(UserRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(u::id.gt(after.clone()));
    }
    if let Some(r) = role {
        q = q.filter(u::role.eq(r.as_str()));
    }
    if let Some(s) = status {
        q = q.filter(u::status.eq(s.to_owned()));
    }
    Ok(q.order(u::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<&'static str>,
    pub org_unit_id: Option<String>,
}

/// Applies changes if the row is still at `expected_version`: 404 if absent, 412 if stale.
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected_version: i64,
    ch: &UserChanges,
) -> DbResult<UserRow> {
    let tid = tx.tid().to_owned();
    let current = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if current.version != expected_version {
        return Err(AppError::precondition_failed().into());
    }
    let n = diesel::update(
        u::table.filter(
            u::tenant_id
                .eq(&tid)
                .and(u::id.eq(id))
                .and(u::version.eq(expected_version)),
        ),
    )
    .set((
        u::display_name.eq(ch.display_name.clone().unwrap_or(current.display_name)),
        u::role.eq(ch.role.map(Role::as_str).unwrap_or(&current.role)),
        u::status.eq(ch.status.unwrap_or(&current.status)),
        u::org_unit_id.eq(ch.org_unit_id.clone().or(current.org_unit_id)),
        u::version.eq(expected_version + 1),
        u::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn set_password(
    tx: &mut TenantTx<'_>,
    id: &str,
    hash: &str,
    must_change: bool,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(u::table.filter(u::tenant_id.eq(tid).and(u::id.eq(id))))
        .set((
            u::password_hash.eq(hash),
            u::must_change_password.eq(must_change),
            u::version.eq(u::version + 1),
            u::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(n == 1)
}

// Platform users -----------------------------------------------------------------------------

pub fn platform_find_by_username(
    tx: &mut PlatformTx<'_>,
    username: &str,
) -> DbResult<Option<PlatformUserRow>> {
    Ok(pu::table
        .filter(pu::username.eq(username))
        .select(PlatformUserRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn platform_get(tx: &mut PlatformTx<'_>, id: &str) -> DbResult<Option<PlatformUserRow>> {
    Ok(pu::table
        .filter(pu::id.eq(id))
        .select(PlatformUserRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn platform_insert(
    tx: &mut PlatformTx<'_>,
    username: &str,
    display_name: &str,
    role: Role,
    province_code: Option<&str>,
    password_hash: &str,
    must_change_password: bool,
) -> DbResult<PlatformUserRow> {
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(pu::table)
        .values((
            pu::id.eq(&id),
            pu::username.eq(username),
            pu::display_name.eq(display_name),
            pu::role.eq(role.as_str()),
            pu::province_code.eq(province_code),
            pu::status.eq("active"),
            pu::password_hash.eq(password_hash),
            pu::must_change_password.eq(must_change_password),
            pu::version.eq(1i64),
            pu::created_at.eq(now),
            pu::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                username_taken().into()
            } else {
                e
            }
        })?;
    platform_get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted user vanished")).into())
}

pub fn platform_set_password(
    tx: &mut PlatformTx<'_>,
    id: &str,
    hash: &str,
    must_change: bool,
) -> DbResult<bool> {
    let n = diesel::update(pu::table.filter(pu::id.eq(id)))
        .set((
            pu::password_hash.eq(hash),
            pu::must_change_password.eq(must_change),
            pu::version.eq(pu::version + 1),
            pu::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(n == 1)
}
