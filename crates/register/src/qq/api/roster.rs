//! /api/v1/qq-groups/{id}/roster: the expected roster — entries added, edited and removed by
//! the county admin or the group's maintainer, QQ numbers masked, unmasked with a reason.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::{
    ApiTags, QQ, changed_fields, masked_qq, may_edit, not_future, qq_arg, qq_visible,
    require_active, visible_group,
};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::privacy::crypto::CountyKeys;
use crate::privacy::keys;
use crate::qq::links::LinkScope;
use crate::qq::model::RosterRole;
use crate::qq::repo::{self, EntryFilter, EntryRow, EntryValues};

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RosterEntryView {
    pub id: String,
    pub group_id: String,
    /// 真实姓名
    pub real_name: String,
    pub role: RosterRole,
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    /// e.g. `12*****89`
    pub qq_masked: String,
    /// In clear only where the county's masking policy makes QQ numbers visible to your role.
    #[oai(skip_serializing_if_is_none)]
    pub qq_number: Option<String>,
    /// The member record this person is, if linked.
    #[oai(skip_serializing_if_is_none)]
    pub member_id: Option<String>,
    /// 入群日期
    #[oai(skip_serializing_if_is_none)]
    pub joined_on: Option<NaiveDate>,
    /// 已实名核实
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(super) fn entry_view(keys: &CountyKeys, r: &EntryRow, clear: bool) -> RosterEntryView {
    RosterEntryView {
        qq_number: if clear {
            keys.decrypt(QQ, &r.qq_enc).ok()
        } else {
            None
        },
        id: r.id.clone(),
        group_id: r.group_id.clone(),
        real_name: r.real_name.clone(),
        role: RosterRole::parse(&r.role).unwrap_or(RosterRole::Member),
        org_unit_id: r.org_unit_id.clone(),
        qq_masked: masked_qq(keys, &r.qq_enc),
        member_id: r.member_id.clone(),
        joined_on: r.joined_on,
        verified: r.verified,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct RosterPage {
    pub items: Vec<RosterEntryView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct UnmaskedQq {
    pub qq: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateRosterEntryRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub real_name: String,
    pub role: RosterRole,
    /// QQ number (5–11 digits); stored encrypted, shown masked.
    #[oai(validator(max_length = 40))]
    pub qq: String,
    pub org_unit_id: Option<String>,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateRosterEntryRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub real_name: Option<String>,
    pub role: Option<RosterRole>,
    #[oai(validator(max_length = 40))]
    pub qq: Option<String>,
    pub org_unit_id: Option<String>,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UnmaskQqRequest {
    /// Why you need the number; kept in the audit log with your name.
    #[oai(validator(min_length = 4, max_length = 200))]
    pub reason: String,
}

#[derive(ApiResponse)]
pub enum EntryResponse {
    #[oai(status = 200)]
    Ok(Json<RosterEntryView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum EntryCreated {
    #[oai(status = 201)]
    Created(
        Json<RosterEntryView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum Removed {
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum UnmaskResponse {
    /// The number in clear; never cached.
    #[oai(status = 200)]
    Ok(Json<UnmaskedQq>, #[oai(header = "Cache-Control")] String),
}

/// Field → `{old, new}` for each changed value of a roster entry; QQ numbers masked.
fn entry_changes(
    keys: &CountyKeys,
    old: Option<&EntryValues>,
    new: Option<&EntryValues>,
) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let fields = |v: &EntryValues| -> Vec<(&'static str, serde_json::Value)> {
        vec![
            ("real_name", serde_json::json!(v.real_name)),
            ("role", serde_json::json!(v.role)),
            ("org_unit_id", serde_json::json!(v.org_unit_id)),
            ("qq", serde_json::json!(masked_qq(keys, &v.qq_enc))),
            ("member_id", serde_json::json!(v.member_id)),
            ("joined_on", serde_json::json!(v.joined_on)),
            ("verified", serde_json::json!(v.verified)),
        ]
    };
    let old_f = old.map(fields).unwrap_or_default();
    let new_f = new.map(fields).unwrap_or_default();
    for (i, name) in [
        "real_name",
        "role",
        "org_unit_id",
        "qq",
        "member_id",
        "joined_on",
        "verified",
    ]
    .iter()
    .enumerate()
    {
        let o = old_f.get(i).map(|(_, v)| v.clone());
        let n = new_f.get(i).map(|(_, v)| v.clone());
        // A re-entered QQ number is a change even when its mask is the same.
        let qq_changed = *name == "qq" && old.zip(new).is_some_and(|(a, b)| a.qq_bidx != b.qq_bidx);
        if o != n || qq_changed {
            let mut c = serde_json::Map::new();
            if let Some(o) = o.filter(|v| !v.is_null()) {
                c.insert("old".into(), o);
            }
            if let Some(n) = n.filter(|v| !v.is_null()) {
                c.insert("new".into(), n);
            }
            out.insert((*name).to_owned(), serde_json::Value::Object(c));
        }
    }
    serde_json::Value::Object(out)
}

pub struct RosterApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl RosterApi {
    /// 群名单 / The group's roster (QQ numbers masked); `qq` finds one number exactly
    #[oai(path = "/qq-groups/:id/roster", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn roster(
        &self,
        auth: Auth,
        id: Path<String>,
        qq: Query<Option<String>>,
        role: Query<Option<RosterRole>>,
        verified: Query<Option<bool>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<RosterPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let qq =
            qq.0.as_deref()
                .map(|q| qq_arg("qq", q))
                .transpose()
                .map_err(|e| AppError::validation(vec![e]))?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let f = EntryFilter {
                    qq_bidx: qq.as_ref().map(|q| keys.blind_index(QQ, q.as_str())),
                    role: role.0.map(RosterRole::as_str),
                    verified: verified.0,
                };
                let rows = repo::list_entries(tx, &id, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((
                    rows.iter().map(|r| entry_view(&keys, r, clear)).collect(),
                    next,
                ))
            })
            .await?;
        Ok(Json(RosterPage { items, next_cursor }))
    }

    /// 添加名单成员 / Add a roster entry (county admin, the group's maintainer)
    #[oai(path = "/qq-groups/:id/roster", method = "post")]
    async fn add_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<CreateRosterEntryRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<EntryCreated> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let mut errs = Vec::new();
        let real_name =
            crate::users::model::parse_display_name("real_name", &req.real_name).gather(&mut errs);
        let qq = qq_arg("qq", &req.qq).gather(&mut errs);
        if let Some(d) = req.joined_on
            && let Err(e) = not_future("joined_on", d)
        {
            errs.push(e);
        }
        let (Some(real_name), Some(qq), true) = (real_name, qq, errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let req_hash = idempotency::request_hash(&format!("POST /qq-groups/{id}/roster"), &req);
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if let Some(k) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<RosterEntryView>()?, 1, true));
                }
                require_active(&grp)?;
                let links = LinkScope::of(tx, &who)?;
                if let Some(u) = &req.org_unit_id {
                    links.check_unit(tx, "org_unit_id", u)?;
                }
                if let Some(m) = &req.member_id {
                    links.check_member(tx, m)?;
                }
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let v = EntryValues {
                    real_name,
                    role: req.role.as_str().to_owned(),
                    org_unit_id: req.org_unit_id.clone(),
                    qq_enc: keys.encrypt(QQ, qq.as_str()),
                    qq_bidx: keys.blind_index(QQ, qq.as_str()),
                    member_id: req.member_id.clone(),
                    joined_on: req.joined_on,
                    verified: req.verified.unwrap_or(false),
                };
                let row = repo::insert_entry(tx, &id, &v)?;
                let changes = entry_changes(&keys, None, Some(&v));
                repo::record_history(tx, &id, Some(&row.id), &who.user_id, "entry.add", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.add",
                    "qq_roster_entry",
                    &row.id,
                    None,
                    serde_json::json!({ "group_id": id, "role": v.role }),
                )?;
                let view = entry_view(&keys, &row, clear);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/qq-groups/{}/roster/{}", view.group_id, view.id);
        ev.roster(&self.state, &view.group_id).await;
        Ok(EntryCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看名单成员 / Get a roster entry (QQ number masked)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "get")]
    async fn get_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
    ) -> AppResult<EntryResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                Ok((entry_view(&keys, &row, clear), row.version))
            })
            .await?;
        Ok(EntryResponse::Ok(Json(v), etag(version)))
    }

    /// 修改名单成员 / Update a roster entry (If-Match required)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "patch")]
    async fn update_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        body: JsonBody<UpdateRosterEntryRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<EntryResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let real_name = b
            .real_name
            .as_deref()
            .map(|n| crate::users::model::parse_display_name("real_name", n))
            .gather(&mut errs);
        let qq = b.qq.as_deref().map(|q| qq_arg("qq", q)).gather(&mut errs);
        if let Some(d) = b.joined_on
            && let Err(e) = not_future("joined_on", d)
        {
            errs.push(e);
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                may_edit(&who, &grp)?;
                require_active(&grp)?;
                if row.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let old = EntryValues::from_row(&row);
                let mut v = old.clone();
                if let Some(n) = real_name {
                    v.real_name = n;
                }
                if let Some(r) = b.role {
                    v.role = r.as_str().to_owned();
                }
                if let Some(q) = &qq {
                    let bidx = keys.blind_index(QQ, q.as_str());
                    if bidx != v.qq_bidx {
                        v.qq_enc = keys.encrypt(QQ, q.as_str());
                        v.qq_bidx = bidx;
                    }
                }
                let links = LinkScope::of(tx, &who)?;
                if let Some(u) = &b.org_unit_id {
                    links.check_unit(tx, "org_unit_id", u)?;
                    v.org_unit_id = Some(u.clone());
                }
                if let Some(m) = &b.member_id {
                    links.check_member(tx, m)?;
                    v.member_id = Some(m.clone());
                }
                if let Some(d) = b.joined_on {
                    v.joined_on = Some(d);
                }
                if let Some(x) = b.verified {
                    v.verified = x;
                }
                let row = repo::update_entry(tx, &id, &eid, expected, &v)?;
                let changes = entry_changes(&keys, Some(&old), Some(&v));
                repo::record_history(tx, &id, Some(&eid), &who.user_id, "entry.update", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.update",
                    "qq_roster_entry",
                    &eid,
                    None,
                    serde_json::json!({ "group_id": id, "changed": changed_fields(&changes) }),
                )?;
                Ok((entry_view(&keys, &row, clear), row.version))
            })
            .await?;
        ev.roster(&self.state, &v.group_id).await;
        Ok(EntryResponse::Ok(Json(v), etag(version)))
    }

    /// 移除名单成员 / Remove a roster entry (If-Match required; the history keeps it)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "delete")]
    async fn remove_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<Removed> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let ev = (crate::events::Emitter::of(&auth.0), id.clone());
        let eid = path_id(&entry_id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                may_edit(&who, &grp)?;
                require_active(&grp)?;
                if row.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let keys = keys::load(tx, &master)?;
                repo::delete_entry(tx, &id, &eid, expected)?;
                let changes = entry_changes(&keys, Some(&EntryValues::from_row(&row)), None);
                repo::record_history(tx, &id, Some(&eid), &who.user_id, "entry.remove", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.remove",
                    "qq_roster_entry",
                    &eid,
                    None,
                    serde_json::json!({ "group_id": id, "role": row.role }),
                )?;
                Ok(())
            })
            .await?;
        ev.0.roster(&self.state, &ev.1).await;
        Ok(Removed::NoContent)
    }

    /// 查看QQ号明文 / Show a roster entry's QQ number in clear, with a reason (county admin)
    #[oai(path = "/qq-groups/:id/roster/:entry_id/unmask", method = "post")]
    async fn unmask(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        body: JsonBody<UnmaskQqRequest>,
    ) -> AppResult<UnmaskResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let reason = body.0.reason.trim().to_owned();
        if reason.chars().count() < 4 || reason.chars().any(char::is_control) {
            return Err(AppError::field(
                "reason",
                "reason_too_short",
                "reason：请写明查看原因（至少4个字）",
                "reason: say why (at least 4 characters)",
            ));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let qq = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                // The county's masking policy decides who may unmask QQ numbers.
                let policy = crate::privacy::policy::for_role(tx, who.role)?;
                if policy.get(&crate::privacy::policy::Field::QqNumber)
                    == Some(&crate::privacy::policy::Exposure::Masked)
                {
                    return Err(AppError::new(
                        poem::http::StatusCode::FORBIDDEN,
                        "unmask_not_allowed",
                        "按本县的脱敏策略，您的角色不能查看QQ号明文",
                        "The county's masking policy does not let your role see QQ numbers in clear",
                    )
                    .into());
                }
                let keys = keys::load(tx, &master)?;
                let qq = keys
                    .decrypt(QQ, &row.qq_enc)
                    .map_err(|e| AppError::internal(anyhow::anyhow!("qq: {e}")))?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.unmask",
                    "qq_roster_entry",
                    &eid,
                    Some(&reason),
                    serde_json::json!({ "group_id": id, "fields": ["qq"] }),
                )?;
                Ok(qq)
            })
            .await?;
        Ok(UnmaskResponse::Ok(
            Json(UnmaskedQq { qq }),
            "no-store".to_owned(),
        ))
    }
}
