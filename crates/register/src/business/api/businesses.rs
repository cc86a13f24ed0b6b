//! /api/v1/businesses and /api/v1/businesses/{id}: register, list, read and change the
//! businesses themselves.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::{ApiTags, may_write, member_of, reachable};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::business::model::{self, BusinessKind, CreditCode, PersonRole, Sort};
use crate::business::repo::{self, BusinessRow, BusinessValues, Filter};
use crate::business::scope;
use crate::clock::today;
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::members::model::BusinessStatus;
use crate::org::model::OrgKind;

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct BusinessView {
    pub id: String,
    pub kind: BusinessKind,
    /// 登记名称
    pub name: String,
    /// 统一社会信用代码
    #[oai(skip_serializing_if_is_none)]
    pub credit_code: Option<String>,
    /// The market (an org unit of kind market) the business trades in.
    #[oai(skip_serializing_if_is_none)]
    pub market_id: Option<String>,
    /// 摊位号
    #[oai(skip_serializing_if_is_none)]
    pub stall_no: Option<String>,
    /// 经营场所
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub township_id: Option<String>,
    /// The grid of the business location (its people are placed in it).
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    /// 行业
    #[oai(skip_serializing_if_is_none)]
    pub industry: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub employee_count: Option<i32>,
    pub status: BusinessStatus,
    /// Since when the status holds.
    #[oai(skip_serializing_if_is_none)]
    pub status_since: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&BusinessRow> for BusinessView {
    fn from(r: &BusinessRow) -> Self {
        Self {
            id: r.id.clone(),
            kind: BusinessKind::parse(&r.kind).unwrap_or(BusinessKind::IndividualBusiness),
            name: r.name.clone(),
            credit_code: r.credit_code.clone(),
            market_id: r.market_id.clone(),
            stall_no: r.stall_no.clone(),
            address: r.address.clone(),
            township_id: r.township_id.clone(),
            grid_id: r.grid_id.clone(),
            industry: r.industry.clone(),
            employee_count: r.employee_count,
            status: BusinessStatus::parse(&r.status).unwrap_or(BusinessStatus::Operating),
            status_since: r.status_since,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct BusinessPage {
    pub items: Vec<BusinessView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateBusinessRequest {
    pub kind: BusinessKind,
    /// 登记名称
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// 统一社会信用代码 (GB 32100); required except for market stalls.
    pub credit_code: Option<String>,
    /// Required for market stalls.
    pub market_id: Option<String>,
    /// Required for market stalls; only with a market.
    #[oai(validator(max_length = 20))]
    pub stall_no: Option<String>,
    #[oai(validator(max_length = 200))]
    pub address: Option<String>,
    pub township_id: Option<String>,
    /// The grid of the business location. Default: the market's grid, else the grid serving
    /// the township.
    pub grid_id: Option<String>,
    #[oai(validator(max_length = 40))]
    pub industry: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub employee_count: Option<i32>,
    /// Default `operating`.
    pub status: Option<BusinessStatus>,
    pub status_since: Option<NaiveDate>,
    /// A member to link as the owner (业主) at once.
    pub owner_member_id: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateBusinessRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub market_id: Option<String>,
    #[oai(validator(max_length = 20))]
    pub stall_no: Option<String>,
    #[oai(validator(max_length = 200))]
    pub address: Option<String>,
    pub township_id: Option<String>,
    pub grid_id: Option<String>,
    #[oai(validator(max_length = 40))]
    pub industry: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub employee_count: Option<i32>,
    /// Operating ↔ suspended; either → closed; a closed business never reopens (409).
    pub status: Option<BusinessStatus>,
    /// When the new status began (default today).
    pub status_since: Option<NaiveDate>,
}

#[derive(ApiResponse)]
pub enum BusinessResponse {
    #[oai(status = 200)]
    Ok(Json<BusinessView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum BusinessCreated {
    #[oai(status = 201)]
    Created(
        Json<BusinessView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

pub struct BusinessesApi {
    pub state: AppState,
}

fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
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

fn opt_text(
    errs: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Option<String> {
    v.and_then(|s| text(field, s, max).gather(errs))
}

/// An org unit named in a body: an active unit of `kind` in this county (422 otherwise).
fn unit_of(tx: &mut TenantTx<'_>, field: &str, id: &str, kind: OrgKind) -> DbResult<String> {
    Ok(crate::grids::repo::unit_of_kind(tx, field, id, kind)?.id)
}

fn outside_scope() -> AppError {
    AppError::field(
        "grid_id",
        "outside_scope",
        "grid_id：只能登记本单位范围（含联系网格）内的经营主体",
        "grid_id: businesses outside your unit and its grids cannot be recorded by you",
    )
}

fn shape(v: &BusinessValues) -> AppResult<()> {
    let kind = BusinessKind::parse(&v.kind).unwrap_or(BusinessKind::IndividualBusiness);
    let errs = model::check_shape(
        kind,
        v.market_id.is_some(),
        v.stall_no.is_some(),
        v.credit_code.is_some(),
    );
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errs))
    }
}

/// The default grid: the market's, else the one serving the township.
fn default_grid(tx: &mut TenantTx<'_>, v: &BusinessValues) -> DbResult<Option<String>> {
    if let Some(m) = &v.market_id
        && let Some(g) = repo::facts(tx, m)?.and_then(|f| f.grid_id)
    {
        return Ok(Some(g));
    }
    match &v.township_id {
        Some(t) => repo::grid_of_township(tx, t),
        None => Ok(None),
    }
}

#[OpenApi(tag = "ApiTags::Businesses")]
impl BusinessesApi {
    /// 登记经营主体 / Register a business (county admin, branch staff, AIC recorder)
    #[oai(path = "/businesses", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateBusinessRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<BusinessCreated> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let b = body.0;
        let req_hash = idempotency::request_hash("POST /businesses", &b);
        let mut errs = Vec::new();
        let name = text("name", &b.name, 100).gather(&mut errs);
        let credit_code = b
            .credit_code
            .as_deref()
            .and_then(|c| CreditCode::parse("credit_code", c).gather(&mut errs));
        let stall_no = opt_text(&mut errs, "stall_no", b.stall_no.as_deref(), 20);
        let address = opt_text(&mut errs, "address", b.address.as_deref(), 200);
        let industry = opt_text(&mut errs, "industry", b.industry.as_deref(), 40);
        let employee_count = model::count("employee_count", b.employee_count, 1_000_000)
            .gather(&mut errs)
            .flatten();
        if b.status_since.is_some_and(|d| d > today()) {
            errs.push(FieldError::new(
                "status_since",
                "date_in_future",
                "status_since：日期不能晚于今天",
                "status_since cannot be in the future",
            ));
        }
        if b.credit_code.is_none() || credit_code.is_some() {
            errs.extend(model::check_shape(
                b.kind,
                b.market_id.is_some(),
                stall_no.is_some(),
                credit_code.is_some(),
            ));
        }
        let Some(name) = name.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let who = auth.0;
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    let v = stored.into_body::<BusinessView>()?;
                    // The replay shows the business as created; its ETag is the current one.
                    let version = repo::get(tx, &v.id)?.map_or(1, |r| r.version);
                    return Ok((v, version, true));
                }
                let reach = scope::reach(tx, who.role, &who.user_id)?;
                let market_id = b
                    .market_id
                    .as_deref()
                    .map(|m| unit_of(tx, "market_id", m, OrgKind::Market))
                    .transpose()?;
                let township_id = b
                    .township_id
                    .as_deref()
                    .map(|t| unit_of(tx, "township_id", t, OrgKind::Township))
                    .transpose()?;
                let grid_id = b
                    .grid_id
                    .as_deref()
                    .map(|g| scope::grid_arg(tx, &reach, g))
                    .transpose()?;
                let owner = b
                    .owner_member_id
                    .as_deref()
                    .map(|m| member_of(tx, &reach, "owner_member_id", m))
                    .transpose()?;
                let mut v = BusinessValues {
                    kind: b.kind.as_str().to_owned(),
                    name,
                    credit_code: credit_code.map(|c| c.as_str().to_owned()),
                    market_id,
                    stall_no,
                    address,
                    township_id,
                    grid_id,
                    industry,
                    employee_count,
                    status: b
                        .status
                        .unwrap_or(BusinessStatus::Operating)
                        .as_str()
                        .to_owned(),
                    status_since: b.status_since,
                };
                if v.grid_id.is_none() {
                    v.grid_id = default_grid(tx, &v)?;
                }
                let row = repo::insert(tx, &v)?;
                if let Some(o) = &owner {
                    let since = b.status_since.unwrap_or_else(today);
                    repo::link(
                        tx,
                        &row.id,
                        &o.id,
                        PersonRole::Owner.as_str(),
                        since,
                        &who.user_id,
                    )?;
                }
                if !repo::visible(tx, &reach, &row)? {
                    return Err(outside_scope().into());
                }
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "business.create",
                    "business",
                    &row.id,
                    None,
                    serde_json::json!({
                        "kind": row.kind, "market_id": row.market_id, "grid_id": row.grid_id,
                        "owner_member_id": owner.as_ref().map(|o| o.id.clone()),
                    }),
                )?;
                let view = BusinessView::from(&row);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/businesses/{}", view.id);
        Ok(BusinessCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 经营主体列表与查找 / List and find businesses
    ///
    /// `name` matches part of the registered name; `credit_code` matches exactly; `market_id`,
    /// `grid_id`, `township_id`, `kind` and `status` filter. `sort`: `created` (default),
    /// `created_desc`, `name`.
    #[oai(path = "/businesses", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        name: Query<Option<String>>,
        credit_code: Query<Option<String>>,
        kind: Query<Option<BusinessKind>>,
        market_id: Query<Option<String>>,
        grid_id: Query<Option<String>>,
        township_id: Query<Option<String>>,
        status: Query<Option<BusinessStatus>>,
        sort: Query<Option<Sort>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<BusinessPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let credit_code = credit_code
            .0
            .as_deref()
            .map(|c| CreditCode::parse("credit_code", c))
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        // An id that is not a UUID matches nothing (as another county's would).
        let id_arg = |v: Option<String>| v.map(|s| path_id(&s).unwrap_or_default());
        let f = Filter {
            name: name
                .0
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            credit_code: credit_code.map(|c| c.as_str().to_owned()),
            kind: kind.0.map(BusinessKind::as_str),
            market_id: id_arg(market_id.0),
            grid_id: id_arg(grid_id.0),
            township_id: id_arg(township_id.0),
            status: status.0.map(BusinessStatus::as_str),
        };
        let sort = sort.0.unwrap_or(Sort::Created);
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let reach = scope::reach(tx, role, &uid)?;
                let rows = repo::list(tx, &reach, &page, sort, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(BusinessView::from).collect(), next))
            })
            .await?;
        Ok(Json(BusinessPage { items, next_cursor }))
    }

    /// 查看经营主体 / Get a business
    #[oai(path = "/businesses/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<BusinessResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let reach = scope::reach(tx, role, &uid)?;
                reachable(tx, &reach, &id)
            })
            .await?;
        Ok(BusinessResponse::Ok(
            Json(BusinessView::from(&row)),
            etag(row.version),
        ))
    }

    /// 修改经营主体 / Update a business (If-Match required)
    #[oai(path = "/businesses/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateBusinessRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<BusinessResponse> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let name = opt_text(&mut errs, "name", b.name.as_deref(), 100);
        let credit_code = b
            .credit_code
            .as_deref()
            .and_then(|c| CreditCode::parse("credit_code", c).gather(&mut errs));
        let stall_no = opt_text(&mut errs, "stall_no", b.stall_no.as_deref(), 20);
        let address = opt_text(&mut errs, "address", b.address.as_deref(), 200);
        let industry = opt_text(&mut errs, "industry", b.industry.as_deref(), 40);
        let employee_count = model::count("employee_count", b.employee_count, 1_000_000)
            .gather(&mut errs)
            .flatten();
        if b.status_since.is_some_and(|d| d > today()) {
            errs.push(FieldError::new(
                "status_since",
                "date_in_future",
                "status_since：日期不能晚于今天",
                "status_since cannot be in the future",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let reach = scope::reach(tx, who.role, &who.user_id)?;
                let cur = reachable(tx, &reach, &id)?;
                let mut v = BusinessValues::from_row(&cur);
                let mut changed: Vec<&str> = Vec::new();
                if let Some(n) = name {
                    v.name = n;
                    changed.push("name");
                }
                if let Some(c) = credit_code {
                    v.credit_code = Some(c.as_str().to_owned());
                    changed.push("credit_code");
                }
                if let Some(m) = &b.market_id {
                    v.market_id = Some(unit_of(tx, "market_id", m, OrgKind::Market)?);
                    changed.push("market_id");
                }
                if let Some(s) = stall_no {
                    v.stall_no = Some(s);
                    changed.push("stall_no");
                }
                if let Some(a) = address {
                    v.address = Some(a);
                    changed.push("address");
                }
                if let Some(t) = &b.township_id {
                    v.township_id = Some(unit_of(tx, "township_id", t, OrgKind::Township)?);
                    changed.push("township_id");
                }
                if let Some(g) = &b.grid_id {
                    v.grid_id = Some(scope::grid_arg(tx, &reach, g)?);
                    changed.push("grid_id");
                }
                if let Some(i) = industry {
                    v.industry = Some(i);
                    changed.push("industry");
                }
                if let Some(n) = employee_count {
                    v.employee_count = Some(n);
                    changed.push("employee_count");
                }
                if let Some(s) = b.status {
                    let from =
                        BusinessStatus::parse(&cur.status).unwrap_or(BusinessStatus::Operating);
                    model::business_status_change(from, s)
                        .map_err(|r| AppError::conflict(r.code, r.zh, r.en))?;
                    v.status = s.as_str().to_owned();
                    v.status_since = Some(b.status_since.unwrap_or_else(today));
                    changed.push("status");
                } else if let Some(d) = b.status_since {
                    v.status_since = Some(d);
                    changed.push("status_since");
                }
                shape(&v)?;
                let row = repo::update(tx, &id, expected, &v)?;
                if !repo::visible(tx, &reach, &row)? {
                    return Err(outside_scope().into());
                }
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "business.update",
                    "business",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed, "status": row.status }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(BusinessResponse::Ok(
            Json(BusinessView::from(&row)),
            etag(row.version),
        ))
    }
}
