//! /api/v1/evaluations/training: a year's training rates for the members the caller sees
//! (narrowed by org unit, grid or category as the member register narrows its list), per
//! category and per org-life unit, and the list of who is missing. Counted from attendance
//! marked present at activities of kind `training` held in the year.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::rules::{self, Rate};
use crate::AppState;
use crate::api::{PageLimit, PageRequest, encode_cursor};
use crate::auth::{Auth, Principal};
use crate::db::schema::{activities as a, activity_attendance as aa};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::members::api::MemberQuery;
use crate::members::model::{Category, Distribution};
use crate::members::repo::MemberRow;
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 考评：教育培训率 / Evaluations: training rates
    TrainingRates,
}

pub struct TrainingApi {
    pub state: AppState,
}

/// The most members one report reads: the largest county's register.
const MEMBERS_MAX: usize = 100_000;

#[derive(Debug, Clone, Object)]
pub struct CategoryRate {
    pub category: Category,
    pub label: String,
    pub members: u32,
    /// Members with the trainings they need (market members 2, others 1).
    pub trained: u32,
    /// Percent, one decimal; absent without members.
    #[oai(skip_serializing_if_is_none)]
    pub rate: Option<f64>,
    /// The seed's target, percent: affiliated and local 100, floating 80.
    pub target: f64,
    pub met: bool,
}

#[derive(Debug, Clone, Object)]
pub struct UnitRate {
    #[oai(skip_serializing_if_is_none)]
    pub unit_id: Option<String>,
    pub unit_name: String,
    pub members: u32,
    pub trained: u32,
    #[oai(skip_serializing_if_is_none)]
    pub rate: Option<f64>,
    pub categories: Vec<CategoryRate>,
}

#[derive(Debug, Clone, Object)]
pub struct TrainingReport {
    pub year: i32,
    /// Attendance counted up to this day (the year's end, or today).
    pub as_of: NaiveDate,
    pub trainings_held: u32,
    pub categories: Vec<CategoryRate>,
    /// Market members and those with two trainings (六化 5: 每年至少2次).
    pub market: CategoryRate,
    pub units: Vec<UnitRate>,
}

#[derive(Debug, Clone, Object)]
pub struct MissingMember {
    pub member_id: String,
    pub member_name: String,
    pub business_name: String,
    pub unit_name: String,
    pub category: Category,
    pub distribution: Distribution,
    pub attended: u32,
    pub needed: u32,
}

#[derive(Debug, Clone, Object)]
pub struct MissingPage {
    pub items: Vec<MissingMember>,
    pub total: u32,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

fn percent(r: &Rate) -> Option<f64> {
    (r.members > 0).then(|| (f64::from(r.trained) * 1000.0 / f64::from(r.members)).round() / 10.0)
}

fn category_rate(c: Category, r: &Rate) -> CategoryRate {
    CategoryRate {
        category: c,
        label: c.label_zh().to_owned(),
        members: r.members,
        trained: r.trained,
        rate: percent(r),
        target: f64::from(rules::target_permille(c)) / 10.0,
        met: r.met(c),
    }
}

/// Trainings each member attended (present) in `[from, to]`, and how many were held.
pub fn attended(
    tx: &mut TenantTx<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<(HashMap<String, u32>, u32)> {
    let tid = tx.tid().to_owned();
    let rows: Vec<String> = aa::table
        .inner_join(
            a::table.on(a::tenant_id
                .eq(aa::tenant_id)
                .and(a::id.eq(aa::activity_id))),
        )
        .filter(aa::tenant_id.eq(&tid).and(aa::status.eq("present")))
        .filter(a::kind.eq("training").and(a::state.eq("held")))
        .filter(a::held_on.ge(from).and(a::held_on.le(to)))
        .select(aa::member_id)
        .load(tx.conn())?;
    let held: i64 = a::table
        .filter(
            a::tenant_id
                .eq(&tid)
                .and(a::kind.eq("training"))
                .and(a::state.eq("held")),
        )
        .filter(a::held_on.ge(from).and(a::held_on.le(to)))
        .count()
        .get_result(tx.conn())?;
    let mut out = HashMap::new();
    for m in rows {
        *out.entry(m).or_insert(0u32) += 1;
    }
    Ok((out, u32::try_from(held).unwrap_or(u32::MAX)))
}

struct Scope {
    members: Vec<MemberRow>,
    attended: HashMap<String, u32>,
    held: u32,
    as_of: NaiveDate,
}

/// The year asked for, and its days counted so far (to today in this year).
fn year_of(given: Option<i32>) -> AppResult<(i32, NaiveDate, NaiveDate)> {
    let y = crate::past_year(given)?;
    let (from, to) = crate::branches::repo::year_bounds(y);
    Ok((y, from, to.min(crate::clock::today())))
}

fn scope(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    q: &MemberQuery,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Scope> {
    let vis = crate::org::scope::visibility(tx, who.role, &who.user_id)?;
    let members = match q.filter(tx, &vis)? {
        None => Vec::new(),
        Some(f) => crate::members::repo::all(tx, &f, MEMBERS_MAX, |_| true)?.ok_or_else(|| {
            AppError::conflict(
                "too_many_members",
                "所选范围党员人数超过上限，请缩小范围",
                "Too many members; narrow the scope",
            )
        })?,
    };
    let (attended, held) = attended(tx, from, to)?;
    Ok(Scope {
        members,
        attended,
        held,
        as_of: to,
    })
}

/// A category's place in the per-category figures.
fn slot(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

fn kind(m: &MemberRow) -> (Category, Distribution) {
    (
        Category::parse(&m.category).unwrap_or(Category::Local),
        Distribution::parse(&m.distribution).unwrap_or(Distribution::IndividualBusiness),
    )
}

fn query(
    unit_id: Option<String>,
    grid_id: Option<String>,
    category: Option<Category>,
) -> AppResult<MemberQuery> {
    let mut q = MemberQuery {
        unit: unit_id,
        grid: grid_id,
        category,
        ..MemberQuery::default()
    };
    q.check()?;
    Ok(q)
}

#[OpenApi(prefix_path = "/evaluations/training", tag = "ApiTags::TrainingRates")]
impl TrainingApi {
    /// 教育培训率 / A year's training rates per category and org unit, against the targets
    #[oai(path = "/", method = "get")]
    async fn report(
        &self,
        auth: Auth,
        /// Default: this year.
        year: Query<Option<i32>>,
        /// An org unit: its subtree's members.
        unit_id: Query<Option<String>>,
        /// A grid: members whose business place lies in it.
        grid_id: Query<Option<String>>,
    ) -> AppResult<Json<TrainingReport>> {
        let call = Call::new(&self.state, auth)?;
        let (year, from, to) = year_of(year.0)?;
        let q = query(unit_id.0, grid_id.0, None)?;
        let r = call
            .read(move |tx, who: &Principal| {
                let s = scope(tx, who, &q, from, to)?;
                let mut all = [Rate::default(); 3];
                let mut market = Rate::default();
                let mut units: HashMap<Option<String>, [Rate; 3]> = HashMap::new();
                for m in &s.members {
                    let (c, d) = kind(m);
                    let i = slot(c);
                    let n = s.attended.get(&m.id).copied().unwrap_or(0);
                    all[i].add(d, n);
                    units.entry(m.org_life_unit_id.clone()).or_default()[i].add(d, n);
                    if d == Distribution::MarketBusiness {
                        market.add(d, n);
                    }
                }
                let ids: Vec<String> = units.keys().flatten().cloned().collect();
                let names = crate::workflows::centres::view::names(tx, &ids, &[], &[])?;
                let rates = |by: &[Rate; 3]| -> Vec<CategoryRate> {
                    Category::ALL
                        .iter()
                        .map(|c| category_rate(*c, &by[slot(*c)]))
                        .collect()
                };
                let mut units: Vec<UnitRate> = units
                    .iter()
                    .map(|(u, by)| {
                        let total = by.iter().fold(Rate::default(), |a, r| Rate {
                            members: a.members + r.members,
                            trained: a.trained + r.trained,
                        });
                        UnitRate {
                            unit_id: u.clone(),
                            unit_name: u
                                .as_ref()
                                .and_then(|u| names.get(u))
                                .cloned()
                                .unwrap_or_else(|| "（未定组织生活单位）".to_owned()),
                            members: total.members,
                            trained: total.trained,
                            rate: percent(&total),
                            categories: rates(by),
                        }
                    })
                    .collect();
                // The lowest rates first: who needs attention.
                units.sort_by(|a, b| {
                    a.rate
                        .unwrap_or(100.0)
                        .total_cmp(&b.rate.unwrap_or(100.0))
                        .then_with(|| a.unit_name.cmp(&b.unit_name))
                });
                let mut m = category_rate(Category::Affiliated, &market);
                m.label = "市场经营户党员（每年至少2次）".to_owned();
                m.target = 100.0;
                m.met = market.trained == market.members;
                Ok(TrainingReport {
                    year,
                    as_of: s.as_of,
                    trainings_held: s.held,
                    categories: rates(&all),
                    market: m,
                    units,
                })
            })
            .await?;
        Ok(Json(r))
    }

    /// 未达培训要求的党员 / Who has not had the trainings they need this year
    #[oai(path = "/missing", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn missing(
        &self,
        auth: Auth,
        year: Query<Option<i32>>,
        unit_id: Query<Option<String>>,
        grid_id: Query<Option<String>>,
        category: Query<Option<Category>>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<MissingPage>> {
        let call = Call::new(&self.state, auth)?;
        let (_, from, to) = year_of(year.0)?;
        let q = query(unit_id.0, grid_id.0, category.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let out = call
            .read(move |tx, who: &Principal| {
                let s = scope(tx, who, &q, from, to)?;
                let mut missing: Vec<(&MemberRow, u32, u32)> = s
                    .members
                    .iter()
                    .filter_map(|m| {
                        let (_, d) = kind(m);
                        let n = s.attended.get(&m.id).copied().unwrap_or(0);
                        let need = rules::sessions_needed(d);
                        (n < need).then_some((m, n, need))
                    })
                    .collect();
                missing.sort_by(|a, b| a.0.id.cmp(&b.0.id));
                let total = u32::try_from(missing.len()).unwrap_or(u32::MAX);
                let rest: Vec<_> = missing
                    .into_iter()
                    .filter(|(m, _, _)| page.after.as_ref().is_none_or(|a| &m.id > a))
                    .take(page.limit as usize + 1)
                    .collect();
                let more = rest.len() > page.limit as usize;
                let rest: Vec<_> = rest.into_iter().take(page.limit as usize).collect();
                let next_cursor = more
                    .then(|| rest.last().map(|r| encode_cursor(&r.0.id)))
                    .flatten();
                let units: Vec<String> = rest
                    .iter()
                    .filter_map(|r| r.0.org_life_unit_id.clone())
                    .collect();
                let names = crate::workflows::centres::view::names(tx, &units, &[], &[])?;
                Ok(MissingPage {
                    items: rest
                        .into_iter()
                        .map(|(m, n, need)| {
                            let (c, d) = kind(m);
                            MissingMember {
                                member_id: m.id.clone(),
                                member_name: m.name.clone(),
                                business_name: m.business_name.clone(),
                                unit_name: m
                                    .org_life_unit_id
                                    .as_ref()
                                    .and_then(|u| names.get(u))
                                    .cloned()
                                    .unwrap_or_default(),
                                category: c,
                                distribution: d,
                                attended: n,
                                needed: need,
                            }
                        })
                        .collect(),
                    total,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }
}
