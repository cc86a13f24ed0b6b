//! What a member is registered and updated with: the requests, their validation into stored
//! values (personal fields encrypted), and the rules for the org units a member names.

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::Deserialize;

use crate::auth::{Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::members::model::{self, BusinessStatus, Distribution, Gender, MembershipStatus};
use crate::members::repo::MemberValues;
use crate::org::model::OrgKind;
use crate::org::scope::Visibility;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::{IdCardNumber, MobileNumber};
use crate::tenancy::DivisionCode;

#[derive(Debug, Clone, Object, Deserialize, serde::Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateMemberRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    pub gender: Option<Gender>,
    /// 18-character resident ID-card number (GB 11643); gender and birth date follow from it.
    pub id_number: Option<String>,
    /// Mobile number.
    pub phone: Option<String>,
    #[oai(validator(max_length = 200))]
    pub home_address: Option<String>,
    /// 户籍所在地: county division code, e.g. `330523`.
    pub household_registration: Option<String>,
    pub is_owner: bool,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub business_name: String,
    #[oai(validator(max_length = 30))]
    pub business_registration_no: Option<String>,
    /// 组织生活所在辖区党组织 (an org unit of the county).
    pub org_life_unit_id: Option<String>,
    /// 组织关系所在地党组织 as text; required when it is outside the county.
    #[oai(validator(max_length = 100))]
    pub membership_org_name: Option<String>,
    /// The org unit holding the membership, when it is in the county.
    pub membership_unit_id: Option<String>,
    pub membership_status: MembershipStatus,
    pub distribution: Distribution,
    /// Required for market businesses.
    pub market_id: Option<String>,
    pub business_status: Option<BusinessStatus>,
    pub away_since: Option<NaiveDate>,
    pub joined_party_on: Option<NaiveDate>,
    pub association_member: Option<bool>,
}

/// Personal and business details. Status (转正, 停歇业, 外出经营) and transfers change through
/// `POST /members/{id}/status-changes`, which keeps their history and rules.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub phone: Option<String>,
    #[oai(validator(max_length = 200))]
    pub home_address: Option<String>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub business_name: Option<String>,
    pub is_owner: Option<bool>,
    pub org_life_unit_id: Option<String>,
    pub association_member: Option<bool>,
}

/// Roles that register and update members: the county admin and branch / service-centre staff.
pub(super) fn may_write(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin, Role::BranchStaff])
}

/// An org unit id from a body field: it must be an active unit in this county (and of a kind
/// `ok` accepts).
pub(super) fn unit(
    tx: &mut TenantTx<'_>,
    field: &str,
    id: &str,
    ok: fn(OrgKind) -> bool,
) -> DbResult<crate::org::repo::OrgUnitRow> {
    let found = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::org::repo::get(tx, id))
        .transpose()?
        .flatten();
    check_unit(field, found, ok)
}

/// The one rule for a unit named by a member field, whoever looked it up (the API by id, the
/// import from its preloaded tree).
pub(crate) fn check_unit(
    field: &str,
    found: Option<crate::org::repo::OrgUnitRow>,
    ok: fn(OrgKind) -> bool,
) -> DbResult<crate::org::repo::OrgUnitRow> {
    match found {
        Some(u) if u.active && ok(u.kind()) => Ok(u),
        Some(u) if u.active => Err(AppError::field(
            field,
            "wrong_org_kind",
            format!("{field}：组织类型不符"),
            format!("{field}: wrong kind of org unit"),
        )
        .into()),
        _ => Err(unit_not_found(field).into()),
    }
}

/// The refusal of a unit that does not exist, is inactive, or that the caller may not name.
pub(super) fn unit_not_found(field: &str) -> AppError {
    AppError::field(
        field,
        "org_unit_not_found",
        format!("{field}：组织不存在或已停用"),
        format!("{field}: no such active org unit"),
    )
}

/// The one scope rule for placing a member (create, update, transfer in): a scoped caller
/// may only put a member where they can still see it. `units` are the units the member will
/// lie in (create: its org-life and membership units, either of which keeps it in scope;
/// update and transfer in: the unit it is moved to). Callers refuse a placement outside scope
/// exactly as they refuse a unit that does not exist, so the answer tells nothing about
/// other units.
pub(crate) fn within_scope(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    units: &[Option<&str>],
) -> DbResult<bool> {
    if let Visibility::Subtree(_) = vis {
        for id in units.iter().flatten() {
            if crate::org::repo::get(tx, id)?.is_some_and(|u| vis.sees(&u)) {
                return Ok(true);
            }
        }
    }
    Ok(*vis == Visibility::County)
}

pub(crate) fn is_market(k: OrgKind) -> bool {
    k == OrgKind::Market
}

pub(super) fn text_field(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Finds the org unit a member field names: (field, id, kinds accepted) → the unit.
pub(crate) type UnitLookup<'a> =
    dyn FnMut(&str, &str, fn(OrgKind) -> bool) -> DbResult<crate::org::repo::OrgUnitRow> + 'a;

/// Validates a create request into stored values (encrypting personal fields); `units` finds
/// the org unit an id field names (see [`check_unit`]).
pub(crate) fn build(
    keys: &CountyKeys,
    b: &CreateMemberRequest,
    units: &mut UnitLookup<'_>,
) -> DbResult<MemberValues> {
    let mut errs = Vec::new();
    let name = text_field("name", &b.name, 50).gather(&mut errs);
    let business_name = text_field("business_name", &b.business_name, 100).gather(&mut errs);
    let id_number = b
        .id_number
        .as_deref()
        .map(|s| IdCardNumber::parse("id_number", s))
        .gather(&mut errs);
    let phone = b
        .phone
        .as_deref()
        .map(|s| MobileNumber::parse("phone", s))
        .gather(&mut errs);
    let household = b
        .household_registration
        .as_deref()
        .map(|s| DivisionCode::parse("household_registration", s))
        .gather(&mut errs);
    let address = b
        .home_address
        .as_deref()
        .map(|s| text_field("home_address", s, 200))
        .gather(&mut errs);
    let gender_from_id = id_number.as_ref().map(|i| {
        if i.is_male() {
            Gender::Male
        } else {
            Gender::Female
        }
    });
    if let (Some(g), Some(from_id)) = (b.gender, gender_from_id)
        && g != from_id
    {
        errs.push(FieldError::new(
            "gender",
            "gender_mismatch",
            "gender：与身份证号不符",
            "gender: does not match the ID-card number",
        ));
    }
    if let (Some(joined), Some(born)) = (
        b.joined_party_on,
        id_number.as_ref().and_then(IdCardNumber::birth_date),
    ) && joined <= born
    {
        errs.push(FieldError::new(
            "joined_party_on",
            "joined_before_birth",
            "joined_party_on：入党时间早于身份证号上的出生日期",
            "joined_party_on: before the birth date of the ID-card number",
        ));
    }
    if b.distribution == Distribution::MarketBusiness && b.market_id.is_none() {
        errs.push(FieldError::new(
            "market_id",
            "required",
            "market_id：市场内个体工商户须填写所在市场",
            "market_id is required for market businesses",
        ));
    }
    if b.membership_unit_id.is_none()
        && b.membership_org_name
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
    {
        errs.push(FieldError::new(
            "membership_org_name",
            "required",
            "membership_org_name：须填写组织关系所在地党组织（县外党组织填名称）",
            "membership_org_name is required when the membership is held outside the county",
        ));
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs).into());
    }
    let life = b
        .org_life_unit_id
        .as_deref()
        .map(|id| units("org_life_unit_id", id, model::can_hold_membership))
        .transpose()?;
    let holder = b
        .membership_unit_id
        .as_deref()
        .map(|id| units("membership_unit_id", id, model::can_hold_membership))
        .transpose()?;
    let market = b
        .market_id
        .as_deref()
        .map(|id| units("market_id", id, is_market))
        .transpose()?;
    let (Some(name), Some(business_name)) = (name, business_name) else {
        return Err(AppError::validation(Vec::new()).into());
    };
    Ok(MemberValues {
        name,
        gender: b.gender.or(gender_from_id).map(|g| g.as_str().to_owned()),
        birth_date: id_number.as_ref().and_then(IdCardNumber::birth_date),
        id_number_enc: id_number
            .as_ref()
            .map(|i| keys.encrypt("id_number", i.as_str())),
        id_number_bidx: id_number
            .as_ref()
            .map(|i| keys.blind_index("id_number", i.as_str())),
        phone_enc: phone.as_ref().map(|p| keys.encrypt("phone", p.as_str())),
        phone_bidx: phone
            .as_ref()
            .map(|p| keys.blind_index("phone", p.as_str())),
        home_address_enc: address.as_deref().map(|a| keys.encrypt("home_address", a)),
        household_registration: household.map(|h| h.as_str().to_owned()),
        is_owner: b.is_owner,
        business_name,
        business_registration_no: b
            .business_registration_no
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        org_life_unit_id: life.map(|u| u.id),
        membership_org_name: match (&holder, &b.membership_org_name) {
            (_, Some(n)) if !n.trim().is_empty() => n.trim().to_owned(),
            (Some(h), _) => h.name.clone(),
            _ => String::new(),
        },
        category: model::category(holder.as_ref().map(|h| h.kind()))
            .as_str()
            .to_owned(),
        membership_unit_id: holder.map(|u| u.id),
        membership_status: b.membership_status.as_str().to_owned(),
        distribution: b.distribution.as_str().to_owned(),
        market_id: market.map(|u| u.id),
        business_status: b
            .business_status
            .unwrap_or(BusinessStatus::Operating)
            .as_str()
            .to_owned(),
        away_since: b.away_since,
        joined_party_on: b.joined_party_on,
        association_member: b.association_member.unwrap_or(false),
    })
}
