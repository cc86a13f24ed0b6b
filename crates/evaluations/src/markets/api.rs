//! /api/v1/evaluations/markets: the six standards (六化) per market and year, spot checks, and
//! the county's coverage targets as progress.
//!
//! Who sees a market's checklist: whoever reaches the market (as the market register decides:
//! its subtree or a linked grid); others answer 404. Who checks it: the AIC recorder who
//! reaches it (市场科), the association committee and the county admin (403
//! `market_checkers_only`); spot checks are the committee's and the county admin's (403
//! `spot_checkers_only`); targets are the county admin's.

use chrono::{Datelike, NaiveDate};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, Item, STANDARDS};
use super::repo::{self, StandardRow};
use crate::AppState;
use crate::api::{JsonBody, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::business::repo::{Market, market, market_visible};
use crate::business::scope::{Reach, reach};
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, AppResult, FieldError};
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 考评：市场党建“六化”标准 / Evaluations: the markets' six standards
    MarketStandards,
}

pub struct MarketStandardsApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SpotCheckResult {
    /// 合格
    Passed,
    /// 不合格
    Failed,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItemInput {
    /// One of the six: member_info, coverage, systems, role, education, guarantees.
    pub code: String,
    pub met: bool,
    /// What shows it (up to 500 characters).
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ChecklistRequest {
    /// The items checked now (the others keep their state); 1–6 items.
    pub items: Vec<ChecklistItemInput>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SpotCheckRequest {
    /// Default today; not in the future.
    pub checked_on: Option<NaiveDate>,
    pub result: SpotCheckResult,
    /// The standards found wanting (codes).
    #[oai(default)]
    #[serde(default)]
    pub failed_items: Vec<String>,
    /// Up to 500 characters.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    /// The share of listed markets meeting all six standards, percent (0–100, one decimal).
    pub percent: f64,
}

#[derive(Debug, Clone, Object)]
pub struct ChecklistItemView {
    pub code: String,
    pub name: String,
    /// What the seed asks.
    pub asks: String,
    /// Absent: not checked yet.
    #[oai(skip_serializing_if_is_none)]
    pub met: Option<bool>,
    #[oai(skip_serializing_if_is_none)]
    pub evidence: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub by_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct SpotCheckView {
    pub checked_on: NaiveDate,
    pub checked_by_name: String,
    pub result: SpotCheckResult,
    pub failed_items: Vec<String>,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
}

/// What the register and the trainings show about a market, next to its checklist.
#[derive(Debug, Clone, Object)]
pub struct MarketFacts {
    /// Members of the register trading in the market.
    pub members: u32,
    /// A market party organisation of its own in the org tree (组织覆盖).
    pub party_org: bool,
    /// Members with at least two trainings this year (教育管理: 每年不少于2次).
    pub trained_twice: u32,
}

#[derive(Debug, Clone, Object)]
pub struct MarketChecklist {
    pub market_id: String,
    pub market_name: String,
    pub year: i32,
    /// Listed for standardisation this year (a checklist exists).
    pub listed: bool,
    pub items: Vec<ChecklistItemView>,
    pub met_count: i32,
    pub fully_met: bool,
    pub facts: MarketFacts,
    pub spot_checks: Vec<SpotCheckView>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct MarketSummary {
    pub market_id: String,
    pub market_name: String,
    pub listed: bool,
    pub met_count: i32,
    pub fully_met: bool,
    pub spot_checks: u32,
    #[oai(skip_serializing_if_is_none)]
    pub last_check: Option<SpotCheckResult>,
}

#[derive(Debug, Clone, Object)]
pub struct MarketProgress {
    pub year: i32,
    /// Markets you reach, those listed this year, and of them those meeting all six.
    pub markets: u32,
    pub listed: u32,
    pub fully_met: u32,
    #[oai(skip_serializing_if_is_none)]
    pub rate: Option<f64>,
    /// The year's target (percent of listed markets meeting all six) and whether it is met.
    pub target: f64,
    pub target_met: bool,
    pub items: Vec<MarketSummary>,
}

#[derive(Debug, Clone, Object)]
pub struct TargetView {
    pub year: i32,
    pub percent: f64,
    /// The seed's default, not set by the county.
    pub default: bool,
}

#[derive(Debug, Clone, Object)]
pub struct TargetList {
    pub items: Vec<TargetView>,
}

#[derive(ApiResponse)]
pub enum ChecklistResponse {
    #[oai(status = 200)]
    Ok(Json<MarketChecklist>, #[oai(header = "ETag")] String),
}

/// A market the caller reaches, or 404.
fn reachable(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<(Market, Reach)> {
    let r = reach(tx, who.role, &who.user_id)?;
    match market(tx, id)? {
        Some(m) if market_visible(&r, &m) => Ok((m, r)),
        _ => Err(AppError::not_found().into()),
    }
}

fn target(tx: &mut TenantTx<'_>, year: i32) -> DbResult<(u32, bool)> {
    Ok(repo::targets(tx)?
        .into_iter()
        .find(|(y, _)| *y == year)
        .map_or((model::default_target(year), true), |(_, p)| {
            (u32::try_from(p).unwrap_or(1000), false)
        }))
}

fn checklist(
    tx: &mut TenantTx<'_>,
    m: &Market,
    year: i32,
    row: Option<&StandardRow>,
) -> DbResult<MarketChecklist> {
    let items = row.map(StandardRow::items).transpose()?.unwrap_or_default();
    let checks = match row {
        Some(r) => repo::spot_checks(tx, std::slice::from_ref(&r.id))?,
        None => Vec::new(),
    };
    let users: Vec<String> = items
        .iter()
        .map(|i| i.by.clone())
        .chain(checks.iter().map(|c| c.checked_by.clone()))
        .collect();
    let names = crate::workflows::centres::view::names(tx, &[] as &[String], &[], &users)?;
    let (members, party_org) = repo::facts(tx, &m.unit.id)?;
    let (from, to) = crate::branches::repo::year_bounds(year);
    let (attended, _) = crate::training::api::attended(tx, from, to)?;
    let trained_twice = members
        .iter()
        .filter(|id| attended.get(*id).is_some_and(|n| *n >= 2))
        .count();
    let met = model::met_count(&items);
    Ok(MarketChecklist {
        market_id: m.unit.id.clone(),
        market_name: m.unit.name.clone(),
        year,
        listed: row.is_some(),
        items: STANDARDS
            .iter()
            .map(|s| {
                let i = items.iter().find(|i| i.code == s.code);
                ChecklistItemView {
                    code: s.code.to_owned(),
                    name: s.name.to_owned(),
                    asks: s.asks.to_owned(),
                    met: i.map(|i| i.met),
                    evidence: i.and_then(|i| i.evidence.clone()),
                    by_name: i.and_then(|i| names.get(&i.by).cloned()),
                    on: i.map(|i| i.on),
                }
            })
            .collect(),
        met_count: met,
        fully_met: met == 6,
        facts: MarketFacts {
            members: u32::try_from(members.len()).unwrap_or(u32::MAX),
            party_org,
            trained_twice: u32::try_from(trained_twice).unwrap_or(u32::MAX),
        },
        spot_checks: checks
            .into_iter()
            .map(|c| SpotCheckView {
                checked_on: c.checked_on,
                checked_by_name: names.get(&c.checked_by).cloned().unwrap_or_default(),
                result: if c.result == "passed" {
                    SpotCheckResult::Passed
                } else {
                    SpotCheckResult::Failed
                },
                failed_items: c
                    .failed_items
                    .map(|f| f.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                note: c.note,
            })
            .collect(),
        version: row.map_or(0, |r| r.version),
    })
}

fn unknown_code(field: &str) -> FieldError {
    FieldError::new(
        field,
        "unknown_standard",
        format!("{field}：“六化”标准中没有该项"),
        format!("{field}: not one of the six standards"),
    )
}

#[OpenApi(prefix_path = "/evaluations/markets", tag = "ApiTags::MarketStandards")]
impl MarketStandardsApi {
    /// “六化”达标进度 / The year's markets you reach, their checklists and the target
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth, year: Query<Option<i32>>) -> AppResult<Json<MarketProgress>> {
        let call = Call::new(&self.state, auth)?;
        let year = crate::past_year(year.0)?;
        let v = call
            .read(move |tx, who: &Principal| {
                let r = reach(tx, who.role, &who.user_id)?;
                let rows = repo::of_year(tx, year)?;
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let checks = repo::spot_checks(tx, &ids)?;
                let mut items = Vec::new();
                for unit in repo::markets(tx)? {
                    let Some(m) = market(tx, &unit.id)? else {
                        continue;
                    };
                    if !market_visible(&r, &m) {
                        continue;
                    }
                    let row = rows.iter().find(|x| x.market_id == unit.id);
                    let mine: Vec<_> = row
                        .map(|x| checks.iter().filter(|c| c.standard_id == x.id).collect())
                        .unwrap_or_default();
                    let met = row.map_or(0, |x| x.met_count);
                    items.push(MarketSummary {
                        market_id: unit.id.clone(),
                        market_name: unit.name.clone(),
                        listed: row.is_some(),
                        met_count: met,
                        fully_met: met == 6,
                        spot_checks: u32::try_from(mine.len()).unwrap_or(u32::MAX),
                        last_check: mine.last().map(|c| {
                            if c.result == "passed" {
                                SpotCheckResult::Passed
                            } else {
                                SpotCheckResult::Failed
                            }
                        }),
                    });
                }
                let listed = u32::try_from(items.iter().filter(|i| i.listed).count()).unwrap_or(0);
                let fully =
                    u32::try_from(items.iter().filter(|i| i.fully_met).count()).unwrap_or(0);
                let (t, _) = target(tx, year)?;
                Ok(MarketProgress {
                    year,
                    markets: u32::try_from(items.len()).unwrap_or(u32::MAX),
                    listed,
                    fully_met: fully,
                    rate: (listed > 0)
                        .then(|| (f64::from(fully) * 1000.0 / f64::from(listed)).round() / 10.0),
                    target: f64::from(t) / 10.0,
                    target_met: model::target_met(fully, listed, t),
                    items,
                })
            })
            .await?;
        Ok(Json(v))
    }

    /// 达标目标 / The coverage targets per year (the seed's unless the county set its own)
    #[oai(path = "/targets", method = "get")]
    async fn targets(&self, auth: Auth) -> AppResult<Json<TargetList>> {
        let call = Call::new(&self.state, auth)?;
        let this = crate::clock::today().year();
        let items = call
            .read(move |tx, _: &Principal| {
                let mut out = Vec::new();
                for y in 2013..=this {
                    let (t, default) = target(tx, y)?;
                    out.push(TargetView {
                        year: y,
                        percent: f64::from(t) / 10.0,
                        default,
                    });
                }
                Ok(out)
            })
            .await?;
        Ok(Json(TargetList { items }))
    }

    /// 设定达标目标 / Set a year's target (the county admin)
    #[oai(path = "/targets/:year", method = "put")]
    async fn set_target(
        &self,
        auth: Auth,
        year: Path<i32>,
        body: JsonBody<TargetRequest>,
    ) -> AppResult<Json<TargetView>> {
        let call = Call::new(&self.state, auth)?;
        if call.who().role != Role::CountyAdmin {
            return Err(AppError::forbidden());
        }
        let today = crate::clock::today();
        if !(2013..=today.year() + 1).contains(&year.0) {
            return Err(AppError::not_found());
        }
        let p = crate::rubrics::input::points("percent", body.0.percent)
            .ok()
            .filter(|p| p.0 <= 1000)
            .ok_or_else(|| {
                AppError::field(
                    "percent",
                    "out_of_range",
                    "percent：目标为0到100之间，最多一位小数",
                    "percent: 0 to 100 with at most one decimal",
                )
            })?;
        let y = year.0;
        call.write(move |tx, who: &Principal| {
            repo::set_target(tx, y, p.0, &who.user_id)?;
            audit::record(
                tx,
                &Actor::of(who),
                "market_standards.target",
                "market_standard_target",
                &y.to_string(),
                None,
                serde_json::json!({ "year": y, "permille": p.0 }),
            )
        })
        .await?;
        Ok(Json(TargetView {
            year: y,
            percent: f64::from(p.0) / 10.0,
            default: false,
        }))
    }

    /// 市场“六化”检查表 / A market's checklist for a year, with the register's facts
    #[oai(path = "/:id/:year", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
    ) -> AppResult<ChecklistResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let year = crate::past_year(Some(year.0)).map_err(|_| AppError::not_found())?;
        let v = call
            .read(move |tx, who: &Principal| {
                let (m, _) = reachable(tx, who, &id)?;
                let row = repo::get(tx, &m.unit.id, year)?;
                checklist(tx, &m, year, row.as_ref())
            })
            .await?;
        let tag = etag(v.version);
        Ok(ChecklistResponse::Ok(Json(v), tag))
    }

    /// 逐项对照检查 / Record items of a market's checklist (its AIC recorder, the committee, the
    /// county admin); the first save lists the market for the year. If-Match once it exists.
    #[oai(path = "/:id/:year", method = "put")]
    async fn put(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<ChecklistRequest>,
    ) -> AppResult<ChecklistResponse> {
        let call = Call::new(&self.state, auth)?;
        if !matches!(
            call.who().role,
            Role::AicRecorder | Role::AssociationCommittee | Role::CountyAdmin
        ) {
            return Err(AppError::forbidden_as(
                "market_checkers_only",
                "“六化”检查由工商所（市场科）、协会党委和县级管理员登记",
                "The AIC office, the association committee and the county admin record the checklist",
            ));
        }
        let id = path_id(&id.0)?;
        let year = crate::past_year(Some(year.0)).map_err(|_| AppError::not_found())?;
        let expected = crate::api::if_match_opt(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        if body.0.items.is_empty() || body.0.items.len() > 6 {
            errs.push(FieldError::new(
                "items",
                "invalid_items",
                "items：须为1到6项",
                "items: 1 to 6 entries",
            ));
        }
        let mut seen = Vec::new();
        let mut changed = Vec::new();
        for (k, i) in body.0.items.iter().enumerate().take(6) {
            if model::standard(&i.code).is_none() || seen.contains(&i.code) {
                errs.push(unknown_code(&format!("items[{k}].code")));
                continue;
            }
            seen.push(i.code.clone());
            changed.push((
                i.code.clone(),
                i.met,
                crate::optional_text(
                    &format!("items[{k}].evidence"),
                    i.evidence.as_deref(),
                    500,
                    &mut errs,
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let v = call
            .write(move |tx, who: &Principal| {
                let (m, r) = reachable(tx, who, &id)?;
                if who.role == Role::AicRecorder && !r.sees_unit(&m.unit) {
                    // A recorder reaching the market only through a linked grid reads it; its
                    // own office's recorder checks it.
                    return Err(AppError::forbidden().into());
                }
                let row = repo::get(tx, &m.unit.id, year)?;
                let existing = match (&row, expected) {
                    (Some(r), Some(v)) => Some((r, v)),
                    (Some(_), None) => return Err(AppError::precondition_required().into()),
                    (None, _) => None,
                };
                let current = row.as_ref().map(StandardRow::items).transpose()?.unwrap_or_default();
                let items = model::merge(
                    &current,
                    changed
                        .into_iter()
                        .map(|(code, met, evidence)| Item { code, met, evidence, by: who.user_id.clone(), on: today })
                        .collect(),
                );
                let saved = repo::save(tx, existing, &m.unit.id, year, &items, &who.user_id)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "market_standards.check",
                    "market_standard",
                    &saved.id,
                    None,
                    serde_json::json!({ "market_id": m.unit.id, "year": year, "met": saved.met_count }),
                )?;
                checklist(tx, &m, year, Some(&saved))
            })
            .await?;
        let tag = etag(v.version);
        Ok(ChecklistResponse::Ok(Json(v), tag))
    }

    /// 抽查 / Record a spot check of a listed market (the committee, the county admin)
    #[oai(path = "/:id/:year/spot-checks", method = "post")]
    async fn spot_check(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        body: JsonBody<SpotCheckRequest>,
    ) -> AppResult<ChecklistResponse> {
        let call = Call::new(&self.state, auth)?;
        if !matches!(
            call.who().role,
            Role::AssociationCommittee | Role::CountyAdmin
        ) {
            return Err(AppError::forbidden_as(
                "spot_checkers_only",
                "抽查由协会党委和县级管理员登记",
                "The association committee and the county admin record spot checks",
            ));
        }
        let id = path_id(&id.0)?;
        let year = crate::past_year(Some(year.0)).map_err(|_| AppError::not_found())?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let on = b.checked_on.unwrap_or(today);
        if on > today {
            errs.push(FieldError::new(
                "checked_on",
                "date_in_future",
                "checked_on：日期不能晚于今天",
                "checked_on: not in the future",
            ));
        }
        for (k, c) in b.failed_items.iter().enumerate().take(7) {
            if model::standard(c).is_none() {
                errs.push(unknown_code(&format!("failed_items[{k}]")));
            }
        }
        if b.failed_items.len() > 6 {
            errs.push(unknown_code("failed_items"));
        }
        let note = crate::optional_text("note", b.note.as_deref(), 500, &mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let failed = (!b.failed_items.is_empty()).then(|| b.failed_items.join(","));
        let result = match b.result {
            SpotCheckResult::Passed => "passed",
            SpotCheckResult::Failed => "failed",
        };
        let v = call
            .write(move |tx, who: &Principal| {
                let (m, _) = reachable(tx, who, &id)?;
                let row = repo::get(tx, &m.unit.id, year)?.ok_or_else(|| {
                    AppError::conflict(
                        "market_not_listed",
                        "该市场本年度尚未对照“六化”标准检查，不能抽查",
                        "The market has no checklist this year",
                    )
                })?;
                repo::add_spot_check(
                    tx,
                    &row.id,
                    on,
                    &who.user_id,
                    result,
                    failed,
                    note.as_deref(),
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "market_standards.spot_check",
                    "market_standard",
                    &row.id,
                    None,
                    serde_json::json!({ "result": result }),
                )?;
                checklist(tx, &m, year, Some(&row))
            })
            .await?;
        let tag = etag(v.version);
        Ok(ChecklistResponse::Ok(Json(v), tag))
    }
}
