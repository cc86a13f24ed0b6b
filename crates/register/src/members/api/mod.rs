//! /api/v1/members: register, find and update party members. Personal identifiers are
//! accepted in clear, stored encrypted, searched by blind index and shown masked.
//!
//! The endpoints are here; how a member is shown (`views`), found (`query`) and validated on
//! the way in (`input`) live beside them.

mod input;
mod query;
mod views;

pub use input::CreateMemberRequest;
use input::UpdateMemberRequest;
pub(crate) use input::{build, check_unit, is_market, within_scope};
use input::{may_write, text_field, unit, unit_not_found};
pub use query::MemberQuery;
use query::{MemberPage, MemberSort};
pub(crate) use views::{Clear, masked};
use views::{MemberView, view};

use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;

use super::model::{self, BusinessStatus, Category, MembershipStatus, PersonalField};
use super::repo::{self, MemberValues};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::db::{DbResult, Mode};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::org::scope;
use crate::privacy::identity::{IdCardNumber, MobileNumber};
use crate::privacy::keys;
use crate::privacy::policy::{self, Exposure, Field as PolicyField};

/// Enters a member in the register, the one way: validated and encrypted (`build`), placed
/// only where `vis` (the caller's scope, or a service centre's region) still sees them, and
/// audited. The members API and the service centres' registration at the window both call it.
pub fn register(
    tx: &mut crate::db::TenantTx<'_>,
    keys: &crate::privacy::crypto::CountyKeys,
    who: &crate::auth::Principal,
    b: &CreateMemberRequest,
    vis: &scope::Visibility,
) -> DbResult<repo::MemberRow> {
    let values = check(tx, keys, b, vis)?;
    let row = repo::insert(tx, &values)?;
    audit::record(
        tx,
        &Actor::of(who),
        "member.create",
        "member",
        &row.id,
        None,
        serde_json::json!({ "category": row.category }),
    )?;
    Ok(row)
}

/// Checks a registration form as `register` does, without writing: valid fields, units that
/// exist, placed where `vis` sees the member. A registration at a centre's window shows these
/// errors while the member is still there.
pub fn check(
    tx: &mut crate::db::TenantTx<'_>,
    keys: &crate::privacy::crypto::CountyKeys,
    b: &CreateMemberRequest,
    vis: &scope::Visibility,
) -> DbResult<MemberValues> {
    let values = build(keys, b, &mut |f, id, ok| unit(tx, f, id, ok))?;
    let units = [
        ("org_life_unit_id", values.org_life_unit_id.as_deref()),
        ("membership_unit_id", values.membership_unit_id.as_deref()),
    ];
    if !within_scope(tx, vis, &units.map(|(_, u)| u))? {
        // Named on the first unit given, as a missing unit would be.
        let field = units
            .iter()
            .find(|(_, u)| u.is_some())
            .map_or("org_life_unit_id", |(f, _)| f);
        return Err(unit_not_found(field).into());
    }
    Ok(values)
}

#[derive(Tags)]
enum ApiTags {
    /// 党员名册 / Party members
    Members,
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
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let row = register(tx, &keys, &who, &b, &vis)?;
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
