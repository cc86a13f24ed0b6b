//! Onboarding rules shared by the API, the `tenant` command and the demo seeder.

use secrecy::SecretString;

use super::model::{DivisionCode, TenantStatus};
use super::repo::{self, TenantRow};
use crate::auth::{Role, password};
use crate::db::{DbResult, PlatformTx};
use crate::error::AppError;
use crate::users::model::Username;
use crate::users::repo::{NewUser, insert as insert_user};

pub struct NewCounty {
    pub code: DivisionCode,
    pub name: String,
    pub admin_username: Username,
    pub admin_display_name: String,
}

pub struct CreatedCounty {
    pub tenant: TenantRow,
    pub admin_id: String,
    pub admin_username: String,
    /// Shown once; the admin must change it at first sign-in.
    pub admin_password: SecretString,
}

/// The default first-admin name for a county: `admin.<code>` (always a valid user name; the
/// parse keeps the rules in one place).
pub fn default_admin(code: &DivisionCode) -> Result<Username, crate::error::FieldError> {
    Username::parse("admin_username", &format!("admin.{}", code.as_str()))
}

/// Creates a county and its first county admin in one transaction. The admin's password hash is
/// computed by the caller (argon2 is slow; keep it off the transaction).
pub fn create_county(
    tx: &mut PlatformTx<'_>,
    new: &NewCounty,
    admin_password: SecretString,
    admin_hash: &str,
) -> DbResult<CreatedCounty> {
    if repo::province_name(tx, &new.code.province_code())?.is_none() {
        return Err(AppError::field(
            "code",
            "unknown_province",
            "code：所属省份不存在",
            "code: province unknown",
        )
        .into());
    }
    let tenant = repo::insert(tx, &new.code, &new.name)?;
    let mut ttx = tx.enter_tenant(tenant.tenant_id())?;
    let admin = insert_user(
        &mut ttx,
        &NewUser {
            username: new.admin_username.as_str(),
            display_name: &new.admin_display_name,
            role: Role::CountyAdmin,
            org_unit_id: None,
            password_hash: admin_hash,
            must_change_password: true,
        },
    )?;
    Ok(CreatedCounty {
        tenant,
        admin_id: admin.id,
        admin_username: admin.username,
        admin_password,
    })
}

/// A fresh one-time password and its hash.
pub fn one_time_password() -> Result<(SecretString, String), AppError> {
    let pw = password::one_time();
    let hash = password::hash(password::expose(&pw))?;
    Ok((pw, hash))
}

pub fn set_status(
    tx: &mut PlatformTx<'_>,
    id: &str,
    expected: Option<i64>,
    to: TenantStatus,
) -> DbResult<TenantRow> {
    if to == TenantStatus::Active && repo::deleted(tx, id)? {
        return Err(crate::error::AppError::conflict(
            "tenant_deleted",
            "该县的数据已删除（密钥已销毁），不能重新启用；如需恢复，请用其导出文件恢复",
            "this county's data was deleted (its keys destroyed); it cannot be reactivated, only restored from its export",
        )
        .into());
    }
    repo::update(tx, id, expected, None, Some(to))
}
