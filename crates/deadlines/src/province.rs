//! Deadline compliance across a province's counties, for the provincial office: counts only,
//! per county and kind — never a member, a name of a person or an identifier. One narrow,
//! explicit cross-tenant path: it reads each county inside that county's own transaction.

use std::time::Duration;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use poem_openapi::Object;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::ObligationKind;
use crate::AppState;
use crate::auth::{Auth, Role};
use crate::db::schema::{obligations as o, tenants as t};
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantId;

#[derive(Tags)]
enum ApiTags {
    /// 省级汇总：期限完成情况 / Provincial aggregates: deadline compliance
    Province,
}

pub struct ProvinceDeadlineApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Default, Object, Serialize, Deserialize)]
pub struct KindCounts {
    pub kind: String,
    pub kind_label: String,
    /// Open, not yet due.
    pub due: i64,
    /// Open, past due.
    pub overdue: i64,
    /// Met by the due date.
    pub done_on_time: i64,
    /// Met after the due date.
    pub done_late: i64,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct CountyCompliance {
    pub code: String,
    pub name: String,
    pub status: String,
    pub due: i64,
    pub overdue: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    /// Share of obligations already due (overdue or met) that were met on time, 0–1; absent
    /// when nothing has fallen due yet.
    #[oai(skip_serializing_if_is_none)]
    pub on_time_rate: Option<f64>,
    pub by_kind: Vec<KindCounts>,
    /// Present when this county's counts could not be read, with why: `tenant_suspended` (the
    /// platform suspended the county; its counts are left out) or `county_unavailable` (reading
    /// it failed; retry later). Its counts are then zero and not part of any total.
    #[oai(skip_serializing_if_is_none)]
    pub unavailable: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ProvinceCompliance {
    pub province_code: String,
    pub as_of: NaiveDate,
    /// Counties ranked: most overdue first.
    pub counties: Vec<CountyCompliance>,
}

/// The province a caller may read across counties: a provincial user's own (whatever they
/// ask for), the one a platform operator names (422 without it); 403 for anyone else. Every
/// provincial view asks here.
pub fn readable_province(auth: &Auth, asked: Option<String>) -> AppResult<String> {
    auth.0
        .require(&[Role::ProvincialOffice, Role::PlatformOperator])?;
    let province = match (auth.0.role, &auth.0.province_code) {
        (Role::ProvincialOffice, Some(own)) => own.clone(),
        (Role::ProvincialOffice, None) => return Err(AppError::forbidden()),
        _ => asked.ok_or_else(|| {
            AppError::field(
                "province",
                "required",
                "province：请指定省级区划代码",
                "province: the province code is required",
            )
        })?,
    };
    if province.len() != 6 || !province.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::field(
            "province",
            "invalid_division_code",
            "province：省级区划代码应为6位数字",
            "province: a 6-digit division code",
        ));
    }
    Ok(province)
}

/// One county's counts, computed inside its tenant transaction.
pub fn county_counts(tx: &mut TenantTx<'_>, as_of: NaiveDate) -> DbResult<Vec<KindCounts>> {
    let tid = tx.tid().to_owned();
    let open_due: Vec<(String, i64)> = o::table
        .filter(o::tenant_id.eq(&tid).and(o::done_at.is_null()))
        .filter(o::due_on.ge(as_of))
        .group_by(o::kind)
        .select((o::kind, count_star()))
        .load(tx.conn())?;
    let open_over: Vec<(String, i64)> = o::table
        .filter(o::tenant_id.eq(&tid).and(o::done_at.is_null()))
        .filter(o::due_on.lt(as_of))
        .group_by(o::kind)
        .select((o::kind, count_star()))
        .load(tx.conn())?;
    // Met: on time when the day it was met (China time) is not after the due date.
    let done: Vec<(String, NaiveDate, chrono::NaiveDateTime)> = o::table
        .filter(o::tenant_id.eq(&tid).and(o::done_at.is_not_null()))
        .select((o::kind, o::due_on, o::done_at.assume_not_null()))
        .load(tx.conn())?;
    let mut by: std::collections::BTreeMap<String, KindCounts> = Default::default();
    fn entry<'a>(
        by: &'a mut std::collections::BTreeMap<String, KindCounts>,
        k: &str,
    ) -> &'a mut KindCounts {
        by.entry(k.to_owned()).or_insert_with(|| KindCounts {
            kind: k.to_owned(),
            kind_label: ObligationKind::parse(k)
                .map_or(k, |k| k.label_zh())
                .to_owned(),
            ..Default::default()
        })
    }
    for (k, n) in open_due {
        entry(&mut by, &k).due += n;
    }
    for (k, n) in open_over {
        entry(&mut by, &k).overdue += n;
    }
    for (k, due, at) in done {
        let c = entry(&mut by, &k);
        if crate::clock::china_date_of(at) <= due {
            c.done_on_time += 1;
        } else {
            c.done_late += 1;
        }
    }
    Ok(by.into_values().collect())
}

fn summarise(
    code: String,
    name: String,
    status: String,
    by_kind: Vec<KindCounts>,
) -> CountyCompliance {
    let sum = |f: fn(&KindCounts) -> i64| by_kind.iter().map(f).sum::<i64>();
    let (due, overdue, on_time, late) = (
        sum(|k| k.due),
        sum(|k| k.overdue),
        sum(|k| k.done_on_time),
        sum(|k| k.done_late),
    );
    let fallen_due = overdue + on_time + late;
    CountyCompliance {
        code,
        name,
        status,
        due,
        overdue,
        done_on_time: on_time,
        done_late: late,
        on_time_rate: (fallen_due > 0).then(|| on_time as f64 / fallen_due as f64),
        by_kind,
        unavailable: None,
    }
}

/// A county shown without counts, and why.
fn unavailable(code: String, name: String, status: String, why: &str) -> CountyCompliance {
    CountyCompliance {
        unavailable: Some(why.to_owned()),
        ..summarise(code, name, status, Vec::new())
    }
}

#[OpenApi(tag = "ApiTags::Province")]
impl ProvinceDeadlineApi {
    /// 各县期限完成情况（仅汇总数）/ Deadline compliance of a province's counties (counts only)
    ///
    /// Provincial users see their own province; platform operators name one. Counts per county
    /// and kind of obligation; no row of any county is returned. Cached for five minutes.
    #[oai(path = "/province/deadlines", method = "get")]
    async fn compliance(
        &self,
        auth: Auth,
        province: Query<Option<String>>,
        as_of: Query<Option<NaiveDate>>,
    ) -> AppResult<Json<ProvinceCompliance>> {
        let province = readable_province(&auth, province.0)?;
        let as_of = as_of.0.unwrap_or_else(crate::clock::today);
        let kv = self.state.sessions.kv().clone();
        let key = format!(
            "{}:province-deadlines:{province}:{as_of}",
            self.state.settings.redis.key_prefix
        );
        if let Ok(Some(hit)) = kv.get(&key).await
            && let Ok(v) = serde_json::from_str::<ProvinceCompliance>(&hit)
        {
            return Ok(Json(v));
        }
        let p = province.clone();
        let tenants: Vec<(String, String, String, String)> = self
            .state
            .db
            .platform(Mode::Read, move |tx| {
                Ok(t::table
                    .filter(t::province_code.eq(p))
                    .order(t::code.asc())
                    .select((t::id, t::code, t::name, t::status))
                    .load(tx.conn())?)
            })
            .await?;
        // One county never fails the province's view: a suspended county is listed as such
        // without its counts, and one whose read fails is listed as unavailable.
        let mut counties = Vec::with_capacity(tenants.len());
        let mut complete = true;
        for (id, code, name, status) in tenants {
            let Some(tid) = TenantId::parse(&id) else {
                continue;
            };
            if status != "active" {
                counties.push(unavailable(code, name, status, "tenant_suspended"));
                continue;
            }
            match self
                .state
                .db
                .tenant(tid, Mode::Read, move |tx| county_counts(tx, as_of))
                .await
            {
                Ok(by_kind) => counties.push(summarise(code, name, status, by_kind)),
                Err(e) => {
                    let e = AppError::from(e);
                    // Suspended between the two reads: shown as such, not as a failure.
                    let why = if e.code == "tenant_suspended" {
                        "tenant_suspended"
                    } else {
                        tracing::error!(tenant = %code, error = %e, "provincial view: a county could not be read");
                        complete = false;
                        "county_unavailable"
                    };
                    counties.push(unavailable(code, name, status, why));
                }
            }
        }
        // Counted counties first, most overdue first; the unavailable ones after them.
        counties.sort_by(|a, b| {
            (a.unavailable.is_some(), b.overdue, &a.code).cmp(&(
                b.unavailable.is_some(),
                a.overdue,
                &b.code,
            ))
        });
        let out = ProvinceCompliance {
            province_code: province,
            as_of,
            counties,
        };
        if complete && let Ok(s) = serde_json::to_string(&out) {
            // A cache failure only costs the next request a recomputation.
            let _ = kv.set_ex(&key, &s, Duration::from_secs(300)).await;
        }
        Ok(Json(out))
    }
}
