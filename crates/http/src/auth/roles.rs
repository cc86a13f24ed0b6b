//! The eight roles of SPEC §1. Two sit outside any tenant; six belong to one county and, once the
//! register lands, carry an org-unit scope (`users.org_unit_id`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// 平台运维: all tenants, no personal data.
    PlatformOperator,
    /// 省局: cross-county aggregates only.
    ProvincialOffice,
    /// 县级管理员: one tenant, everything.
    CountyAdmin,
    /// 县个民协会党委
    AssociationCommittee,
    /// 分会支部 / 区域性党员服务中心
    BranchStaff,
    /// 工商所/分局 (市场科) recorder
    AicRecorder,
    /// 乡镇/街道党委
    TownshipCommittee,
    /// 村/社区党组织 recorder
    VillageRecorder,
}

impl Role {
    /// Platform and provincial roles live outside every tenant.
    pub fn is_tenant_role(self) -> bool {
        !matches!(self, Role::PlatformOperator | Role::ProvincialOffice)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::PlatformOperator => "平台运维",
            Role::ProvincialOffice => "省局",
            Role::CountyAdmin => "县级管理员",
            Role::AssociationCommittee => "协会党委",
            Role::BranchStaff => "分会支部/服务中心",
            Role::AicRecorder => "工商所记录员",
            Role::TownshipCommittee => "乡镇/街道党委",
            Role::VillageRecorder => "村/社区记录员",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_core::enums::StrEnum;

    #[test]
    fn roles_round_trip_and_split_by_scope() {
        shuanglian_testkit::assert_str_enum::<Role>();
        assert_eq!(Role::ALL.len(), 8);
        assert_eq!(Role::ALL.iter().filter(|r| r.is_tenant_role()).count(), 6);
        assert_eq!(Role::parse("root"), None);
    }
}
