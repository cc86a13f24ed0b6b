//! /api/v1/members: register, find and update party members. Personal identifiers are
//! accepted in clear, stored encrypted, searched by blind index and shown masked.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{
    self, BusinessStatus, Category, Distribution, Gender, MembershipStatus, PersonalField,
};
use super::names;
use super::repo::{self, Filter, MemberRow, MemberValues};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::model::OrgKind;
use crate::org::scope::{self, Visibility};
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::{IdCardNumber, MobileNumber};
use crate::privacy::keys;
use crate::privacy::policy::{self, Exposure, Field as PolicyField};
use crate::tenancy::DivisionCode;

#[derive(Tags)]
enum ApiTags {
    /// 党员名册 / Party members
    Members,
}

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

#[derive(Debug, Clone, Object, Deserialize)]
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

/// 排序 / List order
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum MemberSort {
    /// 按登记先后 / registration order
    Registered,
    /// 按姓名拼音 / by the pinyin of the name
    Name,
}

/// A member list's filters (everything but the exact personal-identifier searches), as taken
/// by the list and kept with an export request.
#[derive(Debug, Clone, Default, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// A name prefix, or in Latin letters a prefix of its pinyin initials or full pinyin.
    #[oai(validator(max_length = 50))]
    #[oai(skip_serializing_if_is_none)]
    pub name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<Category>,
    #[oai(skip_serializing_if_is_none)]
    pub membership_status: Option<MembershipStatus>,
    #[oai(skip_serializing_if_is_none)]
    pub business_status: Option<BusinessStatus>,
    /// An org unit: members whose org-life or membership unit lies in its subtree.
    #[oai(skip_serializing_if_is_none)]
    pub unit: Option<String>,
    /// A grid: members whose business place lies in it.
    #[oai(skip_serializing_if_is_none)]
    pub grid: Option<String>,
    /// A market (org unit).
    #[oai(skip_serializing_if_is_none)]
    pub market: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sort: Option<MemberSort>,
}

impl MemberQuery {
    /// Checks and normalises the ids (a malformed id is a 422 naming it).
    pub fn check(&mut self) -> AppResult<()> {
        for (f, v) in [
            ("unit", &mut self.unit),
            ("grid", &mut self.grid),
            ("market", &mut self.market),
        ] {
            if let Some(id) = v {
                let u = uuid::Uuid::try_parse(id).map_err(|_| {
                    AppError::field(
                        f,
                        "invalid_id",
                        format!("{f}：编号格式不正确"),
                        format!("{f}: not a valid id"),
                    )
                })?;
                *id = u.hyphenated().to_string();
            }
        }
        Ok(())
    }

    /// The repository filter this query means for a caller who sees `vis`; `None` when they
    /// see nothing. A unit or grid the caller cannot see is not found.
    pub fn filter(&self, tx: &mut TenantTx<'_>, vis: &Visibility) -> DbResult<Option<Filter>> {
        let within = match (&self.unit, vis) {
            (Some(u), _) => Some(
                crate::org::repo::get(tx, u)?
                    .filter(|r| vis.sees(r))
                    .ok_or_else(AppError::not_found)?
                    .path,
            ),
            (None, Visibility::Subtree(p)) => Some(p.clone()),
            (None, Visibility::Nothing) => return Ok(None),
            (None, Visibility::County) => None,
        };
        let business_place_in = match &self.grid {
            None => None,
            Some(g) => {
                // Markets sit under the grid's AIC office; other businesses are placed by
                // their org-life unit in the grid's current townships.
                let grid = crate::grids::repo::get(tx, g)?.ok_or_else(AppError::not_found)?;
                let mut paths = Vec::new();
                if let Some(office) = crate::org::repo::get(tx, &grid.aic_office_id)? {
                    paths.push(office.path);
                }
                for p in crate::grids::repo::periods(tx, g, false)? {
                    if let Some(t) = crate::org::repo::get(tx, &p.township_id)? {
                        paths.push(t.path);
                    }
                }
                Some(paths)
            }
        };
        let name = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let (name_prefix, pinyin_prefix) = match name {
            Some(n) if names::is_pinyin_query(n) => (None, Some(n.to_ascii_lowercase())),
            other => (other.map(str::to_owned), None),
        };
        Ok(Some(Filter {
            name_prefix,
            pinyin_prefix,
            business_place_in,
            market_id: self.market.clone(),
            order: match self.sort {
                Some(MemberSort::Name) => repo::Order::Pinyin,
                _ => repo::Order::Registered,
            },
            category: self.category.map(Category::as_str),
            membership_status: self.membership_status.map(MembershipStatus::as_str),
            business_status: self.business_status.map(BusinessStatus::as_str),
            within,
            ..Filter::default()
        }))
    }
}

#[derive(Debug, Clone, Object)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UnmaskRequest {
    /// Which identifiers to show in clear.
    #[oai(validator(min_items = 1, max_items = 3))]
    pub fields: Vec<PersonalField>,
    /// Why you need them; kept in the audit log with your name.
    #[oai(validator(min_length = 4, max_length = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Object)]
pub struct Unmasked {
    #[oai(skip_serializing_if_is_none)]
    pub id_number: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub home_address: Option<String>,
}

#[derive(ApiResponse)]
pub enum UnmaskResponse {
    /// The values in clear; never cached.
    #[oai(status = 200)]
    Ok(Json<Unmasked>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub enum MemberResponse {
    #[oai(status = 200)]
    Ok(Json<MemberView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<MemberView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

pub struct MemberApi {
    pub state: AppState,
}

fn policy_field(f: PersonalField) -> PolicyField {
    match f {
        PersonalField::IdNumber => PolicyField::IdNumber,
        PersonalField::Phone => PolicyField::Phone,
        PersonalField::HomeAddress => PolicyField::HomeAddress,
    }
}

/// Roles that register and update members: the county admin and branch / service-centre staff.
fn may_write(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin, Role::BranchStaff])
}

/// An org unit id from a body field: it must be an active unit in this county (and of a kind
/// `ok` accepts).
fn unit(
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
fn unit_not_found(field: &str) -> AppError {
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

fn text_field(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
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

#[OpenApi(tag = "ApiTags::Members")]
impl MemberApi {
    /// 登记党员 / Register a member (county admin, branch staff)
    #[oai(path = "/members", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateMemberRequest>,
    ) -> AppResult<MemberResponse> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let b = body.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let keys = keys::load(tx, &master)?;
                let values = build(&keys, &b, &mut |f, id, ok| unit(tx, f, id, ok))?;
                let row = repo::insert(tx, &values)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let units = [
                    ("org_life_unit_id", row.org_life_unit_id.as_deref()),
                    ("membership_unit_id", row.membership_unit_id.as_deref()),
                ];
                if !within_scope(tx, &vis, &units.map(|(_, u)| u))? {
                    // Named on the first unit given, as a missing unit would be.
                    let field = units
                        .iter()
                        .find(|(_, u)| u.is_some())
                        .map_or("org_life_unit_id", |(f, _)| f);
                    return Err(unit_not_found(field).into());
                }
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "member.create",
                    "member",
                    &row.id,
                    None,
                    serde_json::json!({ "category": row.category }),
                )?;
                let clear = Clear::for_role(tx, who.role)?;
                Ok((view(&keys, &row, clear), row.version))
            })
            .await?;
        let location = format!("/api/v1/members/{}", v.id);
        Ok(MemberResponse::Created(Json(v), etag(version), location))
    }

    /// 党员列表与查找 / List and find members
    ///
    /// `phone` and `id_number` match exactly (through blind indexes); `name` matches a prefix of
    /// the name, or, typed in Latin letters, of its pinyin initials (`zs` → 张三) or full pinyin
    /// (`zhangs`); `unit` keeps members whose org-life or membership unit lies in that subtree;
    /// `grid` keeps members whose business place (market, else org-life unit) lies in one of the
    /// grid's current townships; `sort=name` orders by pinyin.
    #[oai(path = "/members", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        name: Query<Option<String>>,
        phone: Query<Option<String>>,
        id_number: Query<Option<String>>,
        category: Query<Option<Category>>,
        membership_status: Query<Option<MembershipStatus>>,
        business_status: Query<Option<BusinessStatus>>,
        unit: Query<Option<String>>,
        grid: Query<Option<String>>,
        market: Query<Option<String>>,
        sort: Query<Option<MemberSort>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<MemberPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let phone = phone
            .0
            .as_deref()
            .map(|p| MobileNumber::parse("phone", p))
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        let id_number = id_number
            .0
            .as_deref()
            .map(|p| IdCardNumber::parse("id_number", p))
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        let mut q = MemberQuery {
            name: name.0,
            category: category.0,
            membership_status: membership_status.0,
            business_status: business_status.0,
            unit: unit.0,
            grid: grid.0,
            market: market.0,
            sort: sort.0,
        };
        q.check()?;
        let master = *self.state.master_key.bytes();
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let keys = keys::load(tx, &master)?;
                let vis = scope::visibility(tx, role, &uid)?;
                let Some(mut f) = q.filter(tx, &vis)? else {
                    return Ok((Vec::new(), None));
                };
                f.phone_bidx = phone
                    .as_ref()
                    .map(|p| keys.blind_index("phone", p.as_str()));
                f.id_number_bidx = id_number
                    .as_ref()
                    .map(|i| keys.blind_index("id_number", i.as_str()));
                let rows = repo::list(tx, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                let clear = Clear::for_role(tx, role)?;
                Ok((rows.iter().map(|r| view(&keys, r, clear)).collect(), next))
            })
            .await?;
        Ok(Json(MemberPage { items, next_cursor }))
    }

    /// 查看党员 / Get a member (masked)
    #[oai(path = "/members/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<MemberResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let master = *self.state.master_key.bytes();
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, role, &uid)?;
                if !repo::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                let keys = keys::load(tx, &master)?;
                let clear = Clear::for_role(tx, role)?;
                Ok((view(&keys, &row, clear), row.version))
            })
            .await?;
        Ok(MemberResponse::Ok(Json(v), etag(version)))
    }

    /// 查看明文 / Show a member's identifiers in clear, with a reason (county admin)
    ///
    /// Every unmasking is written to the audit log with who, when, which fields and why:
    /// `GET /api/v1/audit?entity_id=<member id>` answers "who has looked at this member".
    #[oai(path = "/members/:id/unmask", method = "post")]
    async fn unmask(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UnmaskRequest>,
    ) -> AppResult<UnmaskResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let b = body.0;
        let reason =
            text_field("reason", &b.reason, 200).map_err(|e| AppError::validation(vec![e]))?;
        if reason.chars().count() < 4 {
            return Err(AppError::field(
                "reason",
                "reason_too_short",
                "reason：请写明查看原因（至少4个字）",
                "reason: say why (at least 4 characters)",
            ));
        }
        if b.fields.is_empty() || b.fields.len() > 3 {
            return Err(AppError::field(
                "fields",
                "invalid_fields",
                "fields：请选择1到3个要查看的字段",
                "fields: choose 1 to 3 fields",
            ));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                // The county's policy decides who may unmask which field.
                let p = policy::for_role(tx, who.role)?;
                if b.fields.iter().any(|f| {
                    p.get(&policy_field(*f)) == Some(&Exposure::Masked)
                }) {
                    return Err(AppError::new(
                        poem::http::StatusCode::FORBIDDEN,
                        "unmask_not_allowed",
                        "按本县的脱敏策略，您的角色不能查看该字段的明文",
                        "The county's masking policy does not let your role see this field in clear",
                    )
                    .into());
                }
                let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                if !repo::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                let keys = keys::load(tx, &master)?;
                let open = |field: &str, v: &Option<String>| -> DbResult<Option<String>> {
                    v.as_ref()
                        .map(|c| {
                            keys.decrypt(field, c).map_err(|e| {
                                AppError::internal(anyhow::anyhow!("{field}: {e}")).into()
                            })
                        })
                        .transpose()
                };
                let mut out = Unmasked {
                    id_number: None,
                    phone: None,
                    home_address: None,
                };
                let mut names = Vec::new();
                for f in &b.fields {
                    names.push(f.as_str());
                    match f {
                        PersonalField::IdNumber => {
                            out.id_number = open("id_number", &row.id_number_enc)?
                        }
                        PersonalField::Phone => out.phone = open("phone", &row.phone_enc)?,
                        PersonalField::HomeAddress => {
                            out.home_address = open("home_address", &row.home_address_enc)?
                        }
                    }
                }
                names.sort_unstable();
                names.dedup();
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "member.unmask",
                    "member",
                    &id,
                    Some(&reason),
                    serde_json::json!({ "fields": names }),
                )?;
                Ok(out)
            })
            .await?;
        Ok(UnmaskResponse::Ok(Json(out), "no-store".to_owned()))
    }

    /// 修改党员信息 / Update a member (If-Match required)
    #[oai(path = "/members/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateMemberRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<MemberResponse> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let phone = b
            .phone
            .as_deref()
            .map(|s| MobileNumber::parse("phone", s))
            .gather(&mut errs);
        let address = b
            .home_address
            .as_deref()
            .map(|s| text_field("home_address", s, 200))
            .gather(&mut errs);
        let business_name = b
            .business_name
            .as_deref()
            .map(|s| text_field("business_name", s, 100))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                if !repo::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                let keys = keys::load(tx, &master)?;
                let mut v = MemberValues::from_row(&row);
                let mut changed = Vec::new();
                if let Some(p) = &phone {
                    v.phone_enc = Some(keys.encrypt("phone", p.as_str()));
                    v.phone_bidx = Some(keys.blind_index("phone", p.as_str()));
                    changed.push("phone");
                }
                if let Some(a) = &address {
                    v.home_address_enc = Some(keys.encrypt("home_address", a));
                    changed.push("home_address");
                }
                if let Some(n) = business_name {
                    v.business_name = n;
                    changed.push("business_name");
                }
                if let Some(o) = b.is_owner {
                    v.is_owner = o;
                    changed.push("is_owner");
                }
                if let Some(u) = &b.org_life_unit_id {
                    let u = unit(tx, "org_life_unit_id", u, model::can_hold_membership)?.id;
                    if !within_scope(tx, &vis, &[Some(&u)])? {
                        return Err(unit_not_found("org_life_unit_id").into());
                    }
                    v.org_life_unit_id = Some(u);
                    changed.push("org_life_unit_id");
                }
                if let Some(a) = b.association_member {
                    v.association_member = a;
                    changed.push("association_member");
                }
                let row = repo::update(tx, &id, expected, &v)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "member.update",
                    "member",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed }),
                )?;
                let clear = Clear::for_role(tx, who.role)?;
                Ok((view(&keys, &row, clear), row.version))
            })
            .await?;
        Ok(MemberResponse::Ok(Json(v), etag(version)))
    }
}
