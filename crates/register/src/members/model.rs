//! Member enums and the category rule.

use serde::{Deserialize, Serialize};

use crate::org::model::OrgKind;

/// 正式 / 预备
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum MembershipStatus {
    Full,
    Probationary,
}

/// 个体工商户 / 市场内个体工商户
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Distribution {
    IndividualBusiness,
    MarketBusiness,
}

/// 经营 / 停歇业 / 注销
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum BusinessStatus {
    Operating,
    Suspended,
    Closed,
}

/// Member category (seed 001): 隶属 / 属地 / 流动
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Category {
    /// 隶属党员: membership held by the association or one of its branches.
    Affiliated,
    /// 属地党员: membership held by a township or village of the county.
    Local,
    /// 流动党员: membership held outside the county.
    Floating,
}

impl Category {
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Affiliated => "隶属党员",
            Category::Local => "属地党员",
            Category::Floating => "流动党员",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// The personal identifiers of a member (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PersonalField {
    IdNumber,
    Phone,
    HomeAddress,
}

/// The category follows from who holds the membership (组织关系所在地党组织): an association
/// unit of this county → 隶属; a township or village of this county → 属地; anything else
/// (an organisation outside the county, recorded as text only) → 流动.
pub fn category(membership_unit: Option<OrgKind>) -> Category {
    match membership_unit {
        Some(
            OrgKind::AssociationCommittee
            | OrgKind::Branch
            | OrgKind::PartyBranch
            | OrgKind::ServiceCentre,
        ) => Category::Affiliated,
        Some(OrgKind::Township | OrgKind::Village) => Category::Local,
        // A market's own party organisation is not the association's: it counts with the
        // members whose membership is held elsewhere until the register says otherwise.
        Some(OrgKind::AicOffice | OrgKind::Market | OrgKind::MarketPartyOrg) | None => {
            Category::Floating
        }
    }
}

/// The org kinds that can hold a party membership.
pub fn can_hold_membership(kind: OrgKind) -> bool {
    matches!(
        kind,
        OrgKind::AssociationCommittee
            | OrgKind::Branch
            | OrgKind::PartyBranch
            | OrgKind::Township
            | OrgKind::Village
            | OrgKind::MarketPartyOrg
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<MembershipStatus>();
        assert_str_enum::<Distribution>();
        assert_str_enum::<BusinessStatus>();
        assert_str_enum::<Category>();
        assert_str_enum::<Gender>();
        assert_str_enum::<PersonalField>();
    }

    #[test]
    fn categories_follow_the_membership_holder() {
        assert_eq!(category(Some(OrgKind::Branch)), Category::Affiliated);
        assert_eq!(category(Some(OrgKind::PartyBranch)), Category::Affiliated);
        assert_eq!(
            category(Some(OrgKind::AssociationCommittee)),
            Category::Affiliated
        );
        assert_eq!(category(Some(OrgKind::Village)), Category::Local);
        assert_eq!(category(Some(OrgKind::Township)), Category::Local);
        assert_eq!(category(None), Category::Floating);
        assert!(can_hold_membership(OrgKind::Village) && !can_hold_membership(OrgKind::AicOffice));
        for c in [Category::Affiliated, Category::Local, Category::Floating] {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
    }
}
