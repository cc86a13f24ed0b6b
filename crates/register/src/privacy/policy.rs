//! The county's masking policy (SPEC §11): for each role and personal field, whether members'
//! values are shown in clear, masked but unmaskable with a reason (audited), or masked only.
//! The county admin sets it; until then the defaults below hold.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::db::schema::masking_policies as mp;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::FieldError;

/// A personal field the policy governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    IdNumber,
    Phone,
    HomeAddress,
    QqNumber,
}

/// How a role sees a personal field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Exposure {
    /// 脱敏，不可查看明文
    Masked,
    /// 脱敏，可说明理由后查看明文（记入审计日志）
    OnRequest,
    /// 直接显示明文
    Visible,
}

/// Before the county decides: the county admin may unmask with a reason; everyone else sees
/// masked values only.
pub fn default_exposure(role: Role, _field: Field) -> Exposure {
    if role == Role::CountyAdmin {
        Exposure::OnRequest
    } else {
        Exposure::Masked
    }
}

/// The rules for a policy entry: tenant roles only, and the county admin keeps at least
/// unmasking on request, since someone in the county must be able to answer for the data.
pub fn check_entry(role: Role, field: Field, exposure: Exposure) -> Result<(), FieldError> {
    if !role.is_tenant_role() {
        return Err(FieldError::new(
            "entries.role",
            "not_a_county_role",
            format!("entries.role：{} 不是县内角色", role.as_str()),
            format!("entries.role: {} is not a county role", role.as_str()),
        ));
    }
    if role == Role::CountyAdmin && exposure == Exposure::Masked {
        return Err(FieldError::new(
            "entries.visibility",
            "admin_must_unmask",
            format!(
                "entries.visibility：县级管理员对 {} 至少须可申请查看明文",
                field.as_str()
            ),
            format!(
                "entries.visibility: the county admin must at least unmask {} on request",
                field.as_str()
            ),
        ));
    }
    Ok(())
}

/// The effective policy of one role (defaults filled in).
pub fn for_role(tx: &mut TenantTx<'_>, role: Role) -> DbResult<HashMap<Field, Exposure>> {
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, String)> = mp::table
        .filter(mp::tenant_id.eq(tid).and(mp::role.eq(role.as_str())))
        .select((mp::field, mp::visibility))
        .load(tx.conn())?;
    let mut out: HashMap<Field, Exposure> = Field::ALL
        .iter()
        .map(|f| (*f, default_exposure(role, *f)))
        .collect();
    for (f, v) in rows {
        if let (Some(f), Some(v)) = (Field::parse(&f), Exposure::parse(&v)) {
            out.insert(f, v);
        }
    }
    Ok(out)
}

/// Sets entries; returns the previous exposure of each, for the audit log.
pub fn set(
    tx: &mut TenantTx<'_>,
    by: &str,
    entries: &[(Role, Field, Exposure)],
) -> DbResult<Vec<Exposure>> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let mut before = Vec::with_capacity(entries.len());
    for (role, field, exposure) in entries {
        before.push(for_role(tx, *role)?[field]);
        diesel::delete(
            mp::table.filter(
                mp::tenant_id
                    .eq(&tid)
                    .and(mp::role.eq(role.as_str()))
                    .and(mp::field.eq(field.as_str())),
            ),
        )
        .execute(tx.conn())?;
        diesel::insert_into(mp::table)
            .values((
                mp::tenant_id.eq(&tid),
                mp::role.eq(role.as_str()),
                mp::field.eq(field.as_str()),
                mp::visibility.eq(exposure.as_str()),
                mp::updated_by.eq(by),
                mp::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
    }
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<Field>();
        assert_str_enum::<Exposure>();
    }

    #[test]
    fn defaults_and_rules() {
        assert_eq!(
            default_exposure(Role::CountyAdmin, Field::Phone),
            Exposure::OnRequest
        );
        assert_eq!(
            default_exposure(Role::VillageRecorder, Field::Phone),
            Exposure::Masked
        );
        assert!(check_entry(Role::BranchStaff, Field::Phone, Exposure::Visible).is_ok());
        assert_eq!(
            check_entry(Role::CountyAdmin, Field::IdNumber, Exposure::Masked)
                .unwrap_err()
                .code,
            "admin_must_unmask"
        );
        assert_eq!(
            check_entry(Role::PlatformOperator, Field::Phone, Exposure::Visible)
                .unwrap_err()
                .code,
            "not_a_county_role"
        );
        for e in Exposure::ALL {
            assert_eq!(Exposure::parse(e.as_str()), Some(*e));
        }
    }
}
