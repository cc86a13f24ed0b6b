//! Member enums and the category rule.

use serde::{Deserialize, Serialize};

use crate::org::model::OrgKind;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
        #[serde(rename_all = "snake_case")]
        #[oai(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$v),)+ _ => None }
            }
        }
    };
}

str_enum!(
    /// 正式 / 预备
    MembershipStatus { Full => "full", Probationary => "probationary" }
);
str_enum!(
    /// 个体工商户 / 市场内个体工商户
    Distribution { IndividualBusiness => "individual_business", MarketBusiness => "market_business" }
);
str_enum!(
    /// 经营 / 停歇业 / 注销
    BusinessStatus { Operating => "operating", Suspended => "suspended", Closed => "closed" }
);
str_enum!(
    /// Member category (seed 001): 隶属 / 属地 / 流动
    Category {
        /// 隶属党员: membership held by the association or one of its branches.
        Affiliated => "affiliated",
        /// 属地党员: membership held by a township or village of the county.
        Local => "local",
        /// 流动党员: membership held outside the county.
        Floating => "floating",
    }
);
str_enum!(
    Gender { Male => "male", Female => "female" }
);

str_enum!(
    /// The personal identifiers of a member (SPEC §11).
    PersonalField { IdNumber => "id_number", Phone => "phone", HomeAddress => "home_address" }
);

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
