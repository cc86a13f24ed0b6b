//! /api/v1/markets: commodity markets (商品交易市场). A market is an org unit of kind `market`
//! (its name and place in the tree live there, renamed and moved through /org-units); this API
//! adds the market's own facts — address, operator, stall count, grid — under the same id.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::repo::{self, Market, MarketFacts, MarketFilter};
use super::scope::{self, Reach};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::model::{OrgKind, parse_name};

#[derive(Tags)]
enum ApiTags {
    /// 商品交易市场 / Markets
    Markets,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct MarketView {
    /// The market's org-unit id (also `market_id` on members and businesses).
    pub id: String,
    pub name: String,
    /// The AIC office the market sits under, if any.
    #[oai(skip_serializing_if_is_none)]
    pub aic_office_id: Option<String>,
    pub active: bool,
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    /// 市场开办方 (the operating company or body).
    #[oai(skip_serializing_if_is_none)]
    pub operator: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub stall_count: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    /// Whether the market's facts have been recorded (the ETag is `"v0"` until then).
    pub recorded: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<&Market> for MarketView {
    fn from(m: &Market) -> Self {
        let f = m.facts.as_ref();
        Self {
            id: m.unit.id.clone(),
            name: m.unit.name.clone(),
            aic_office_id: m.unit.parent_id.clone(),
            active: m.unit.active,
            address: f.and_then(|f| f.address.clone()),
            operator: f.and_then(|f| f.operator.clone()),
            stall_count: f.and_then(|f| f.stall_count),
            grid_id: f.and_then(|f| f.grid_id.clone()),
            recorded: f.is_some(),
            updated_at: f.map_or(m.unit.updated_at, |f| f.updated_at).and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct MarketPage {
    pub items: Vec<MarketView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateMarketRequest {
    /// The market's name (its org unit's name).
    #[oai(validator(min_length = 2, max_length = 60))]
    pub name: String,
    /// The AIC office supervising the market (the org unit's parent); absent for a root.
    pub aic_office_id: Option<String>,
    #[oai(validator(max_length = 200))]
    pub address: Option<String>,
    #[oai(validator(max_length = 100))]
    pub operator: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub stall_count: Option<i32>,
    pub grid_id: Option<String>,
}

/// Facts to change; absent fields stay as they are.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateMarketRequest {
    #[oai(validator(max_length = 200))]
    pub address: Option<String>,
    #[oai(validator(max_length = 100))]
    pub operator: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub stall_count: Option<i32>,
    pub grid_id: Option<String>,
}

#[derive(ApiResponse)]
pub enum MarketResponse {
    #[oai(status = 200)]
    Ok(Json<MarketView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum MarketCreated {
    #[oai(status = 201)]
    Created(
        Json<MarketView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

pub struct MarketApi {
    pub state: AppState,
}

fn text(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let Some(v) = v else { return Ok(None) };
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(Some(t.to_owned()))
}

/// The market at `id` if the caller reaches it; 404 otherwise.
fn reachable(tx: &mut TenantTx<'_>, reach: &Reach, id: &str) -> DbResult<Market> {
    match repo::market(tx, id)? {
        Some(m) if repo::market_visible(reach, &m) => Ok(m),
        _ => Err(AppError::not_found().into()),
    }
}

/// The county admin, or an AIC recorder whose subtree holds the market (bound to its office or
/// to the market itself). Others who can see the market may not change it.
fn may_edit(who: &Principal, reach: &Reach, m: &Market) -> AppResult<()> {
    match who.role {
        Role::CountyAdmin => Ok(()),
        Role::AicRecorder if reach.sees_unit(&m.unit) => Ok(()),
        _ => Err(AppError::forbidden()),
    }
}

#[OpenApi(tag = "ApiTags::Markets")]
impl MarketApi {
    /// 新建市场 / Create a market: its org unit and its facts (county admin)
    #[oai(path = "/markets", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateMarketRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<MarketCreated> {
        let tid = auth.0.tenant()?;
        // Creating an org unit is the county admin's, as through /org-units.
        auth.0.require(&[Role::CountyAdmin])?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let b = body.0;
        let req_hash = idempotency::request_hash("POST /markets", &b);
        let mut errs = Vec::new();
        let name = parse_name("name", &b.name).gather(&mut errs);
        let address = text("address", b.address.as_deref(), 200)
            .gather(&mut errs)
            .flatten();
        let operator = text("operator", b.operator.as_deref(), 100)
            .gather(&mut errs)
            .flatten();
        let stall_count = super::model::count("stall_count", b.stall_count, 100_000)
            .gather(&mut errs)
            .flatten();
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
                    let v = stored.into_body::<MarketView>()?;
                    let version = repo::facts(tx, &v.id)?.map_or(0, |f| f.version);
                    return Ok((v, version, true));
                }
                let office = b
                    .aic_office_id
                    .as_deref()
                    .map(|o| crate::grids::repo::unit_of_kind(tx, "aic_office_id", o, OrgKind::AicOffice))
                    .transpose()?;
                let grid_id = b.grid_id.as_deref().map(|g| scope::grid_arg(tx, &Reach::County, g)).transpose()?;
                let unit = crate::org::repo::create(
                    tx,
                    OrgKind::Market,
                    &name,
                    office.as_ref().map(|o| o.id.as_str()),
                )?;
                let facts = MarketFacts {
                    address,
                    operator,
                    stall_count,
                    grid_id,
                };
                repo::put_facts(tx, &unit.id, 0, &facts)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "market.create",
                    "market",
                    &unit.id,
                    None,
                    serde_json::json!({ "aic_office_id": unit.parent_id, "grid_id": facts.grid_id }),
                )?;
                let m = repo::market(tx, &unit.id)?.ok_or_else(AppError::not_found)?;
                let view = MarketView::from(&m);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, m.version(), false))
            })
            .await?;
        let location = format!("/api/v1/markets/{}", view.id);
        Ok(MarketCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 市场列表 / List markets (`name` matches part of the name; `grid_id` filters)
    #[oai(path = "/markets", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        name: Query<Option<String>>,
        grid_id: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<MarketPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let f = MarketFilter {
            name: name
                .0
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            grid_id: grid_id.0.map(|g| path_id(&g).unwrap_or_default()),
        };
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let reach = scope::reach(tx, role, &uid)?;
                let rows = repo::markets(tx, &reach, &page, &f)?;
                let (rows, next) = page.finish(rows, |m| &m.unit.id);
                Ok((rows.iter().map(MarketView::from).collect(), next))
            })
            .await?;
        Ok(Json(MarketPage { items, next_cursor }))
    }

    /// 查看市场 / Get a market
    #[oai(path = "/markets/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<MarketResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let m = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let reach = scope::reach(tx, role, &uid)?;
                reachable(tx, &reach, &id)
            })
            .await?;
        Ok(MarketResponse::Ok(
            Json(MarketView::from(&m)),
            etag(m.version()),
        ))
    }

    /// 修改市场信息 / Record or change a market's facts (county admin, its AIC recorder;
    /// If-Match required, `"v0"` for a market whose facts are not recorded yet)
    #[oai(path = "/markets/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateMarketRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<MarketResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let address = text("address", b.address.as_deref(), 200)
            .gather(&mut errs)
            .flatten();
        let operator = text("operator", b.operator.as_deref(), 100)
            .gather(&mut errs)
            .flatten();
        let stall_count = super::model::count("stall_count", b.stall_count, 100_000)
            .gather(&mut errs)
            .flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let m = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let reach = scope::reach(tx, who.role, &who.user_id)?;
                let m = reachable(tx, &reach, &id)?;
                may_edit(&who, &reach, &m)?;
                let cur = m.facts.as_ref();
                let mut changed = Vec::new();
                let mut v = MarketFacts {
                    address: cur.and_then(|f| f.address.clone()),
                    operator: cur.and_then(|f| f.operator.clone()),
                    stall_count: cur.and_then(|f| f.stall_count),
                    grid_id: cur.and_then(|f| f.grid_id.clone()),
                };
                if let Some(a) = address {
                    v.address = Some(a);
                    changed.push("address");
                }
                if let Some(o) = operator {
                    v.operator = Some(o);
                    changed.push("operator");
                }
                if let Some(n) = stall_count {
                    v.stall_count = Some(n);
                    changed.push("stall_count");
                }
                if let Some(g) = &b.grid_id {
                    v.grid_id = Some(scope::grid_arg(tx, &reach, g)?);
                    changed.push("grid_id");
                }
                repo::put_facts(tx, &id, expected, &v)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "market.update",
                    "market",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed }),
                )?;
                Ok(repo::market(tx, &id)?.ok_or_else(AppError::not_found)?)
            })
            .await?;
        Ok(MarketResponse::Ok(
            Json(MarketView::from(&m)),
            etag(m.version()),
        ))
    }
}
