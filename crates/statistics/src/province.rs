//! The provincial office's statistics: every county's frozen half-year figures side by side,
//! rankings and trends, for its own province only. Only frozen snapshots are read, each county
//! inside its own transaction; only provincial tables (fixed dimensions, never a county's own
//! units) leave a county, and every table passes disclosure control (`disclosure`) with the
//! tables that share its population. No name, id or free text of a county's records is sent.
//!
//! Frozen figures never change, so the result is cached without expiry under a key naming the
//! province, the period, k, the province's publication stamp (set when a county freezes) and its
//! counties' statuses.

use std::collections::BTreeMap;

use diesel::prelude::*;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Auth;
use crate::db::Mode;
use crate::db::schema::tenants as t;
use crate::disclosure::{self, Published};
use crate::error::{AppError, AppResult};
use crate::model::{Figures, HalfYear, Label};
use crate::repo;

#[derive(Tags)]
enum ApiTags {
    /// 省级汇总：半年统计 / Provincial aggregates: half-year statistics
    ProvinceStatistics,
}

pub struct ProvinceStatisticsApi {
    pub state: AppState,
}

/// A count as the province sees it: a number, or `null` where disclosure control hid it. Its
/// own type so that the document says `nullable` (an `Option` inside an array does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Shown(pub Option<i64>);

impl poem_openapi::types::Type for Shown {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "integer(int64, nullable)".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(
            poem_openapi::registry::MetaSchema {
                format: Some("int64"),
                nullable: true,
                description: Some("A count, or null where it is suppressed"),
                ..poem_openapi::registry::MetaSchema::new("integer")
            },
        ))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ParseFromJSON for Shown {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        match value {
            None | Some(serde_json::Value::Null) => Ok(Shown(None)),
            Some(v) => i64::parse_from_json(Some(v))
                .map(|n| Shown(Some(n)))
                .map_err(poem_openapi::types::ParseError::propagate),
        }
    }
}

impl poem_openapi::types::ToJSON for Shown {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(
            self.0
                .map_or(serde_json::Value::Null, serde_json::Value::from),
        )
    }
}

fn shown(v: Vec<Option<i64>>) -> Vec<Shown> {
    v.into_iter().map(Shown).collect()
}

/// A county in the province's tables.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceStatCounty")]
pub struct CountyRef {
    pub code: String,
    pub name: String,
    /// The frozen revision read (absent for a county not frozen).
    #[oai(skip_serializing_if_is_none)]
    pub revision: Option<i32>,
    /// Why it is not in the tables: `not_frozen`, `tenant_suspended` or `county_unavailable`.
    #[oai(skip_serializing_if_is_none)]
    pub missing: Option<String>,
}

/// One county's line of a table: suppressed cells are absent.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceStatRow")]
pub struct Row {
    pub code: String,
    pub name: String,
    pub cells: Vec<Shown>,
    pub total: Shown,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceStatTable")]
pub struct ProvinceTable {
    pub key: String,
    pub title: String,
    pub population: String,
    pub cols: Vec<Label>,
    pub rows: Vec<Row>,
    pub col_totals: Vec<Shown>,
    pub total: Shown,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceRankLine")]
pub struct RankLine {
    pub code: String,
    pub name: String,
    /// 0–1; absent when a count it needs is suppressed or there is nothing to count.
    #[oai(skip_serializing_if_is_none)]
    pub rate: Option<f64>,
    /// Equal rates share a place; absent without a rate.
    #[oai(skip_serializing_if_is_none)]
    pub place: Option<u32>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceRanking")]
pub struct Ranking {
    pub key: String,
    pub title: String,
    /// The province's rate (from its totals), when shown.
    #[oai(skip_serializing_if_is_none)]
    pub province_rate: Option<f64>,
    pub lines: Vec<RankLine>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceStatistics")]
pub struct ProvinceStatistics {
    pub province_code: String,
    pub period: String,
    pub label: String,
    /// Cells with 0 < n < min_cell are suppressed, and enough others that none can be derived.
    pub min_cell: i64,
    pub counties: Vec<CountyRef>,
    pub frozen: u32,
    pub tables: Vec<ProvinceTable>,
    pub rankings: Vec<Ranking>,
}

/// A period of the trends: the province's rates and each county's.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceTrendPeriod")]
pub struct TrendPeriod {
    pub period: String,
    pub label: String,
    pub frozen: u32,
    pub rankings: Vec<Ranking>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "ProvinceTrends")]
pub struct Trends {
    pub province_code: String,
    /// Oldest first.
    pub periods: Vec<TrendPeriod>,
}

/// The rankings: (key, title, table, numerator columns, whether the numerator is the
/// complement of those columns).
const RATES: [(&str, &str, &str, &[&str], bool); 5] = [
    (
        "party_coverage",
        "党组织覆盖率",
        "businesses_party_coverage",
        &["party_org"],
        false,
    ),
    (
        "campaign_survey",
        "百日攻坚摸底率",
        "businesses_party_coverage",
        &["not_surveyed"],
        true,
    ),
    (
        "deadlines_on_time",
        "到期事项按时完成率",
        "deadlines_summary",
        &["on_time"],
        false,
    ),
    (
        "training",
        "党员培训达标率",
        "members_training",
        &["affiliated.trained", "local.trained", "floating.trained"],
        false,
    ),
    (
        "reporting_done",
        "双向报到完成率",
        "reporting_handbooks",
        &["both"],
        false,
    ),
];

/// Marks the province's cached tables stale: a county of it froze a snapshot.
pub async fn published(state: &AppState, province: &str) {
    let stamp = chrono::Utc::now().timestamp_millis().to_string();
    // A lost stamp only costs a recomputation: the key below then misses.
    let _ = state
        .sessions
        .kv()
        .set(&stamp_key(state, province), &stamp)
        .await;
}

fn stamp_key(state: &AppState, province: &str) -> String {
    format!(
        "{}:province-stats-stamp:{province}",
        state.settings.redis.key_prefix
    )
}

/// The province's counties: (tenant id, code, name, status).
type Tenant = (String, String, String, String);

async fn tenants(state: &AppState, province: &str) -> AppResult<Vec<Tenant>> {
    let p = province.to_owned();
    Ok(state
        .db
        .platform(Mode::Read, move |tx| {
            Ok(t::table
                .filter(t::province_code.eq(p))
                .order(t::code.asc())
                .select((t::id, t::code, t::name, t::status))
                .load(tx.conn())?)
        })
        .await?)
}

/// Each county's frozen figures for `half`, read in its own transaction.
async fn frozen_figures(
    state: &AppState,
    tenants: &[Tenant],
    half: HalfYear,
) -> (Vec<CountyRef>, Vec<(usize, Figures)>) {
    let mut refs = Vec::with_capacity(tenants.len());
    let mut figures = Vec::new();
    for (id, code, name, status) in tenants {
        let mut r = CountyRef {
            code: code.clone(),
            name: name.clone(),
            revision: None,
            missing: None,
        };
        let tid = crate::tenant::TenantId::parse(id);
        match (tid, status.as_str()) {
            (Some(tid), "active") => {
                let read = state
                    .db
                    .tenant(tid, Mode::Read, move |tx| {
                        repo::frozen(tx, half)?
                            .map(|row| Ok((row.revision, row.figures()?)))
                            .transpose()
                    })
                    .await;
                match read {
                    Ok(Some((rev, f))) => {
                        r.revision = Some(rev);
                        figures.push((refs.len(), f));
                    }
                    Ok(None) => r.missing = Some("not_frozen".into()),
                    Err(e) => {
                        let e = AppError::from(e);
                        r.missing = Some(if e.code == "tenant_suspended" {
                            "tenant_suspended".into()
                        } else {
                            tracing::error!(tenant = %code, error = %e, "provincial statistics: a county could not be read");
                            "county_unavailable".into()
                        });
                    }
                }
            }
            _ => r.missing = Some("tenant_suspended".into()),
        }
        refs.push(r);
    }
    (refs, figures)
}

/// The cross-county tables of the frozen counties, protected family by family.
pub fn tables(counties: &[CountyRef], figures: &[(usize, Figures)], k: i64) -> Vec<ProvinceTable> {
    // Table keys and their columns, in the order the counties' figures give them.
    let mut order: Vec<(String, String, String)> = Vec::new();
    let mut cols: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    for (_, f) in figures {
        for t in f.tables.iter().filter(|t| t.provincial) {
            let (labels, _) = t.flattened();
            let known = cols.entry(t.key.clone()).or_default();
            if known.is_empty() {
                order.push((t.key.clone(), t.title.clone(), t.population.clone()));
            }
            for l in labels {
                if !known.iter().any(|k| k.key == l.key) {
                    known.push(l);
                }
            }
        }
    }
    let values = |key: &str| -> Vec<Vec<i64>> {
        let cols = &cols[key];
        figures
            .iter()
            .map(|(_, f)| {
                let Some(t) = f.table(key) else {
                    return vec![0; cols.len()];
                };
                let (labels, vals) = t.flattened();
                cols.iter()
                    .map(|c| {
                        labels
                            .iter()
                            .position(|l| l.key == c.key)
                            .map_or(0, |i| vals[i])
                    })
                    .collect()
            })
            .collect()
    };
    // Tables of one population share each county's total, so they are protected together; a
    // table some county's snapshot lacks (computed before it existed) stands alone, as its
    // zeros there do not add up to that total.
    let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (key, _, pop)) in order.iter().enumerate() {
        let everywhere = figures.iter().all(|(_, f)| f.table(key).is_some());
        let family = if everywhere {
            pop.clone()
        } else {
            format!("{pop}:{key}")
        };
        families.entry(family).or_default().push(i);
    }
    let mut out: Vec<Option<ProvinceTable>> = vec![None; order.len()];
    for members in families.values() {
        let cells: Vec<Vec<Vec<i64>>> = members.iter().map(|&i| values(&order[i].0)).collect();
        let published = disclosure::protect_family(&cells, k);
        for (&i, p) in members.iter().zip(published) {
            let (key, title, population) = order[i].clone();
            out[i] = Some(table(
                key,
                title,
                population,
                cols[&order[i].0].clone(),
                counties,
                figures,
                p,
            ));
        }
    }
    out.into_iter().flatten().collect()
}

fn table(
    key: String,
    title: String,
    population: String,
    cols: Vec<Label>,
    counties: &[CountyRef],
    figures: &[(usize, Figures)],
    p: Published,
) -> ProvinceTable {
    ProvinceTable {
        key,
        title,
        population,
        cols,
        rows: figures
            .iter()
            .zip(p.cells)
            .zip(p.row_totals)
            .map(|(((c, _), cells), total)| Row {
                code: counties[*c].code.clone(),
                name: counties[*c].name.clone(),
                cells: shown(cells),
                total: Shown(total),
            })
            .collect(),
        col_totals: shown(p.col_totals),
        total: Shown(p.total),
    }
}

/// A rate from shown counts only: `part` of `whole`, or its complement.
fn rate(part: Option<i64>, whole: Option<i64>, complement: bool) -> Option<f64> {
    let (p, w) = (part?, whole?);
    (w > 0).then(|| {
        let p = if complement { w - p } else { p };
        p as f64 / w as f64
    })
}

/// The rankings over the protected tables.
pub fn rankings(tables: &[ProvinceTable]) -> Vec<Ranking> {
    RATES
        .iter()
        .filter_map(|(key, title, table, cols, complement)| {
            let t = tables.iter().find(|t| t.key == *table)?;
            let idx: Vec<usize> = cols
                .iter()
                .filter_map(|c| t.cols.iter().position(|l| l.key == *c))
                .collect();
            let part = |cells: &[Shown]| -> Option<i64> {
                idx.iter().map(|&i| cells.get(i).and_then(|c| c.0)).sum()
            };
            let mut lines: Vec<RankLine> = t
                .rows
                .iter()
                .map(|r| RankLine {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    rate: rate(part(&r.cells), r.total.0, *complement),
                    place: None,
                })
                .collect();
            lines.sort_by(|a, b| {
                b.rate
                    .partial_cmp(&a.rate)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| a.code.cmp(&b.code))
            });
            let mut place = 0;
            let mut last: Option<f64> = None;
            for (i, l) in lines.iter_mut().enumerate() {
                if let Some(r) = l.rate {
                    if last != Some(r) {
                        place = u32::try_from(i + 1).unwrap_or(u32::MAX);
                        last = Some(r);
                    }
                    l.place = Some(place);
                }
            }
            Some(Ranking {
                key: (*key).to_owned(),
                title: (*title).to_owned(),
                province_rate: rate(part(&t.col_totals), t.total.0, *complement),
                lines,
            })
        })
        .collect()
}

impl ProvinceStatisticsApi {
    /// One period of the province, from the cache when nothing it depends on changed.
    async fn period(&self, province: &str, half: HalfYear) -> AppResult<ProvinceStatistics> {
        let k = self.state.settings.statistics.min_cell;
        let kv = self.state.sessions.kv().clone();
        let tenants = tenants(&self.state, province).await?;
        let stamp = kv
            .get(&stamp_key(&self.state, province))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "0".into());
        let statuses: String = tenants
            .iter()
            .map(|(id, _, _, s)| format!("{id}={s};"))
            .collect();
        let key = format!(
            "{}:province-stats:{province}:{half}:k{k}:{stamp}:{}",
            self.state.settings.redis.key_prefix,
            shuanglian_core::security::digest(&statuses)
        );
        if let Ok(Some(hit)) = kv.get(&key).await
            && let Ok(v) = serde_json::from_str::<ProvinceStatistics>(&hit)
        {
            return Ok(v);
        }
        let (counties, figures) = frozen_figures(&self.state, &tenants, half).await;
        let tables = tables(&counties, &figures, k);
        let complete = !counties
            .iter()
            .any(|c| c.missing.as_deref() == Some("county_unavailable"));
        let out = ProvinceStatistics {
            province_code: province.to_owned(),
            period: half.to_string(),
            label: half.label_zh(),
            min_cell: k,
            frozen: u32::try_from(figures.len()).unwrap_or(u32::MAX),
            rankings: rankings(&tables),
            counties,
            tables,
        };
        if complete && let Ok(s) = serde_json::to_string(&out) {
            let _ = kv.set(&key, &s).await;
        }
        Ok(out)
    }
}

#[OpenApi(
    prefix_path = "/province/statistics",
    tag = "ApiTags::ProvinceStatistics"
)]
impl ProvinceStatisticsApi {
    /// 各县半年统计（仅汇总数）/ The province's counties' frozen half-year figures
    ///
    /// Provincial users see their own province; platform operators name one. Only frozen
    /// snapshots; small cells suppressed. `period` defaults to the last half-year whose cut-off
    /// has passed.
    #[oai(path = "/", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        province: Query<Option<String>>,
        period: Query<Option<String>>,
    ) -> AppResult<Json<ProvinceStatistics>> {
        let province = crate::deadlines::province::readable_province(&auth, province.0)?;
        let half = match period.0 {
            Some(p) => HalfYear::parse("period", &p)?,
            None => HalfYear::of(crate::clock::today()).previous(),
        };
        Ok(Json(self.period(&province, half).await?))
    }

    /// 趋势 / The rankings' rates over the last six half-years, oldest first
    #[oai(path = "/trends", method = "get")]
    async fn trends(&self, auth: Auth, province: Query<Option<String>>) -> AppResult<Json<Trends>> {
        let province = crate::deadlines::province::readable_province(&auth, province.0)?;
        let mut half = HalfYear::of(crate::clock::today()).previous();
        let mut periods = Vec::new();
        for _ in 0..6 {
            let p = self.period(&province, half).await?;
            periods.push(TrendPeriod {
                period: p.period,
                label: p.label,
                frozen: p.frozen,
                rankings: p.rankings,
            });
            half = half.previous();
        }
        periods.reverse();
        Ok(Json(Trends {
            province_code: province,
            periods,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Table;

    fn county(code: &str, party_org: i64, others: i64, gender: (i64, i64)) -> Figures {
        Figures {
            period: "2026H1".into(),
            cutoff: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("d"),
            tables: vec![
                Table::flat(
                    "businesses_party_coverage",
                    "覆盖",
                    "businesses",
                    vec![
                        (Label::new("party_org", "已建"), party_org),
                        (Label::new("not_surveyed", "未摸底"), others),
                    ],
                ),
                Table::flat(
                    "members_gender",
                    "性别",
                    "members",
                    vec![
                        (Label::new("male", "男"), gender.0),
                        (Label::new("female", "女"), gender.1),
                    ],
                ),
                Table {
                    provincial: false,
                    ..Table::flat(code, "本县组织", "members_held", vec![])
                },
            ],
        }
    }

    fn refs(codes: &[&str]) -> Vec<CountyRef> {
        codes
            .iter()
            .map(|c| CountyRef {
                code: (*c).into(),
                name: format!("{c}县"),
                revision: Some(1),
                missing: None,
            })
            .collect()
    }

    #[test]
    fn small_cells_are_hidden_county_tables_stay_home_and_rates_use_shown_counts_only() {
        let counties = refs(&["330521", "330522", "330523"]);
        let figures = vec![
            (0, county("330521", 40, 60, (3, 97))),
            (1, county("330522", 30, 70, (50, 50))),
            (2, county("330523", 30, 70, (60, 40))),
        ];
        let t = tables(&counties, &figures, 5);
        assert_eq!(t.len(), 2, "the county-only table is not sent");
        let gender = t.iter().find(|t| t.key == "members_gender").expect("g");
        assert_eq!(gender.rows[0].cells[0], Shown(None), "3 < 5 is hidden");
        let hidden: usize = gender
            .rows
            .iter()
            .map(|r| r.cells.iter().filter(|c| c.0.is_none()).count())
            .sum();
        assert!(hidden >= 4, "and enough others: {gender:?}");
        let r = rankings(&t);
        let cov = r.iter().find(|r| r.key == "party_coverage").expect("cov");
        assert_eq!(cov.province_rate, Some(100.0 / 300.0));
        let places: Vec<(&str, Option<u32>)> = cov
            .lines
            .iter()
            .map(|l| (l.code.as_str(), l.place))
            .collect();
        assert_eq!(
            places,
            vec![
                ("330521", Some(1)),
                ("330522", Some(2)),
                ("330523", Some(2))
            ]
        );
        let survey = r.iter().find(|r| r.key == "campaign_survey").expect("s");
        assert_eq!(survey.lines[0].rate, Some(0.4));
    }
}
