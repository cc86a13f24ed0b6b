//! How a member is shown: identifiers masked, with the fields the county's masking policy
//! makes visible to a role in clear.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::Object;
use serde::Serialize;

use crate::auth::Role;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::members::model::{BusinessStatus, Category, Distribution, Gender, MembershipStatus};
use crate::members::repo::MemberRow;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::{IdCardNumber, MobileNumber};
use crate::privacy::policy::{self, Exposure, Field as PolicyField};

/// A member as shown: personal identifiers masked.
#[derive(Debug, Clone, Object, Serialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub gender: Option<Gender>,
    #[oai(skip_serializing_if_is_none)]
    pub birth_date: Option<NaiveDate>,
    /// e.g. `330523********123X`
    #[oai(skip_serializing_if_is_none)]
    pub id_number_masked: Option<String>,
    /// e.g. `138****5678`
    #[oai(skip_serializing_if_is_none)]
    pub phone_masked: Option<String>,
    /// Only whether one is on file; the address itself is never listed.
    pub has_home_address: bool,
    /// In clear only where the county's masking policy makes it visible to your role.
    #[oai(skip_serializing_if_is_none)]
    pub id_number: Option<String>,
    /// In clear only where the county's masking policy makes it visible to your role.
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    /// In clear only where the county's masking policy makes it visible to your role.
    #[oai(skip_serializing_if_is_none)]
    pub home_address: Option<String>,
    /// 户籍所在地 (county division code).
    #[oai(skip_serializing_if_is_none)]
    pub household_registration: Option<String>,
    /// 是否业主
    pub is_owner: bool,
    /// 单位名称
    pub business_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub business_registration_no: Option<String>,
    /// 组织生活所在辖区党组织
    #[oai(skip_serializing_if_is_none)]
    pub org_life_unit_id: Option<String>,
    /// 组织关系所在地党组织
    pub membership_org_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub membership_unit_id: Option<String>,
    pub membership_status: MembershipStatus,
    pub distribution: Distribution,
    #[oai(skip_serializing_if_is_none)]
    pub market_id: Option<String>,
    pub business_status: BusinessStatus,
    #[oai(skip_serializing_if_is_none)]
    pub away_since: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub joined_party_on: Option<NaiveDate>,
    /// 县个民协会会员
    pub association_member: bool,
    /// 隶属 / 属地 / 流动, derived from who holds the membership.
    pub category: Category,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which personal fields a role sees in clear in member views (the county's masking policy).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clear {
    pub(crate) id_number: bool,
    pub(crate) phone: bool,
    pub(crate) home_address: bool,
}

impl Clear {
    pub(crate) fn for_role(tx: &mut TenantTx<'_>, role: Role) -> DbResult<Clear> {
        let p = policy::for_role(tx, role)?;
        let visible = |f| p.get(&f) == Some(&Exposure::Visible);
        Ok(Clear {
            id_number: visible(PolicyField::IdNumber),
            phone: visible(PolicyField::Phone),
            home_address: visible(PolicyField::HomeAddress),
        })
    }

    /// The fields an approved `personal` export gives a role in clear: those its policy shows
    /// or lets it unmask (the export's reason and another admin's approval are the request);
    /// a field the policy keeps `masked` stays masked. Read at download, so a policy tightened
    /// after the approval still applies.
    pub(crate) fn for_export(tx: &mut TenantTx<'_>, role: Role, personal: bool) -> DbResult<Clear> {
        if !personal {
            return Ok(Clear::default());
        }
        let p = policy::for_role(tx, role)?;
        let open = |f| p.get(&f).is_some_and(|e| *e != Exposure::Masked);
        Ok(Clear {
            id_number: open(PolicyField::IdNumber),
            phone: open(PolicyField::Phone),
            home_address: open(PolicyField::HomeAddress),
        })
    }

    pub(crate) fn any(self) -> bool {
        self.id_number || self.phone || self.home_address
    }
}

/// A member as a role sees it: masked, with the fields the policy makes visible in clear.
pub(crate) fn view(keys: &CountyKeys, r: &MemberRow, clear: Clear) -> MemberView {
    let open = |on: bool, field: &str, v: &Option<String>| {
        if on {
            v.as_ref().and_then(|c| keys.decrypt(field, c).ok())
        } else {
            None
        }
    };
    MemberView {
        id_number: open(clear.id_number, "id_number", &r.id_number_enc),
        phone: open(clear.phone, "phone", &r.phone_enc),
        home_address: open(clear.home_address, "home_address", &r.home_address_enc),
        ..masked(keys, r)
    }
}

pub(crate) fn masked(keys: &CountyKeys, r: &MemberRow) -> MemberView {
    let id_number_masked = r.id_number_enc.as_ref().map(|c| {
        keys.decrypt("id_number", c)
            .ok()
            .and_then(|v| IdCardNumber::parse("id_number", &v).ok())
            .map_or_else(|| "******************".to_owned(), |v| v.masked())
    });
    let phone_masked = r.phone_enc.as_ref().map(|c| {
        keys.decrypt("phone", c)
            .ok()
            .and_then(|v| MobileNumber::parse("phone", &v).ok())
            .map_or_else(|| "***********".to_owned(), |v| v.masked())
    });
    MemberView {
        id: r.id.clone(),
        name: r.name.clone(),
        gender: r.gender.as_deref().and_then(Gender::parse),
        birth_date: r.birth_date,
        id_number_masked,
        phone_masked,
        has_home_address: r.home_address_enc.is_some(),
        id_number: None,
        phone: None,
        home_address: None,
        household_registration: r.household_registration.clone(),
        is_owner: r.is_owner,
        business_name: r.business_name.clone(),
        business_registration_no: r.business_registration_no.clone(),
        org_life_unit_id: r.org_life_unit_id.clone(),
        membership_org_name: r.membership_org_name.clone(),
        membership_unit_id: r.membership_unit_id.clone(),
        membership_status: MembershipStatus::parse(&r.membership_status)
            .unwrap_or(MembershipStatus::Full),
        distribution: Distribution::parse(&r.distribution)
            .unwrap_or(Distribution::IndividualBusiness),
        market_id: r.market_id.clone(),
        business_status: BusinessStatus::parse(&r.business_status)
            .unwrap_or(BusinessStatus::Operating),
        away_since: r.away_since,
        joined_party_on: r.joined_party_on,
        association_member: r.association_member,
        category: Category::parse(&r.category).unwrap_or(Category::Floating),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}
