//! The county's deadline settings: its rules per kind of obligation and its holiday calendar
//! (the State Council's notice), with the due dates they give in a year.

use chrono::NaiveDate;
use diesel::prelude::*;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::api::{ApiTags, county_admin, parse_kind};
use super::calendar::DayKind;
use super::model::{ObligationKind, Rule};
use super::repo;
use super::rules::{RuleFields, parse_rule};
use crate::AppState;
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::db::schema::{calendar_days as cd, deadline_settings as ds};
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use shuanglian_http::api::{JsonBody, parse_date};

pub struct DeadlineSettingsApi {
    pub state: AppState,
}

/// One kind's rule as the county has it, and its due dates in a year.
#[derive(Debug, Clone, Object)]
pub struct KindCalendar {
    pub kind: ObligationKind,
    pub kind_label: String,
    pub kind_label_en: String,
    /// `days_after`, `working_days_after`, `quarter_first_month_day`, `half_yearly`, `annual`.
    pub rule: String,
    #[oai(skip_serializing_if_is_none)]
    pub days: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub month: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub day: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub month2: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub day2: Option<i32>,
    /// Whether the seeds' default is in force (no county override).
    pub is_default: bool,
    /// The periods whose due date falls in the year (none for kinds dated from their subject).
    pub due: Vec<DueDate>,
}

#[derive(Debug, Clone, Object)]
pub struct DueDate {
    pub period: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Object)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    /// Shipped with the State Council notice (false: entered by the county).
    pub shipped: bool,
}

#[derive(Debug, Clone, Object)]
pub struct YearCalendar {
    pub year: i32,
    /// Whether the year's holidays are known (shipped or entered); if not, only weekends count
    /// as days off until the county enters the State Council's notice.
    pub holidays_known: bool,
    pub days: Vec<CalendarDay>,
    pub deadlines: Vec<KindCalendar>,
}

/// A county's override of one kind's rule; which fields apply follows the kind.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    pub days: Option<i32>,
    pub month: Option<i32>,
    pub day: Option<i32>,
    pub month2: Option<i32>,
    pub day2: Option<i32>,
}

#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DayRequest {
    /// holiday | workday (a weekend day worked) | normal (undo a shipped entry)
    pub kind: DayKind,
    /// e.g. 春节, 春节调休上班
    pub name: String,
}

#[derive(Debug, Clone, Object)]
pub struct WorkingDays {
    pub from: NaiveDate,
    pub days: u32,
    pub due_on: NaiveDate,
    pub holidays_known: bool,
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::DaysAfter(_) => "days_after",
        Rule::WorkingDaysAfter(_) => "working_days_after",
        Rule::QuarterFirstMonthDay(_) => "quarter_first_month_day",
        Rule::HalfYearly { .. } => "half_yearly",
        Rule::Annual(..) => "annual",
    }
}

fn parse_day(s: &str) -> AppResult<NaiveDate> {
    parse_date("day", s).map_err(|e| AppError::validation(vec![e]))
}

fn year_calendar(tx: &mut TenantTx<'_>, year: i32) -> DbResult<YearCalendar> {
    let rules = repo::rules(tx)?;
    let cal = repo::calendar(tx)?;
    let days = cal
        .year(year)
        .map(|(d, e)| CalendarDay {
            day: *d,
            kind: e.kind,
            name: e.name.clone(),
            shipped: e.shipped,
        })
        .collect();
    let deadlines = ObligationKind::ALL
        .iter()
        .copied()
        .map(|kind| {
            let rule = rules.rule(kind);
            let f = RuleFields::of(rule);
            KindCalendar {
                kind,
                kind_label: kind.label_zh().to_owned(),
                kind_label_en: kind.label_en().to_owned(),
                rule: rule_name(rule).to_owned(),
                days: f.days,
                month: f.month,
                day: f.day,
                month2: f.month2,
                day2: f.day2,
                is_default: rules.is_default(kind),
                due: rules
                    .periods_due_in(kind, year)
                    .into_iter()
                    .map(|(p, d)| DueDate {
                        period: p.to_string(),
                        due_on: d,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(YearCalendar {
        year,
        holidays_known: cal.knows_year(year),
        days,
        deadlines,
    })
}

#[OpenApi(tag = "ApiTags::Deadlines")]
impl DeadlineSettingsApi {
    /// 年度期限与工作日历 / The county's deadlines and working-day calendar for a year
    #[oai(path = "/deadlines/calendar", method = "get")]
    async fn calendar(
        &self,
        auth: Auth,
        year: Query<Option<i32>>,
    ) -> AppResult<Json<YearCalendar>> {
        let tid = auth.0.tenant()?;
        let year = year
            .0
            .unwrap_or_else(|| chrono::Datelike::year(&crate::clock::today()));
        if !(2000..=2200).contains(&year) {
            return Err(AppError::field(
                "year",
                "out_of_range",
                "year：年份应在2000到2200之间",
                "year must be between 2000 and 2200",
            ));
        }
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| year_calendar(tx, year))
            .await?;
        Ok(Json(out))
    }

    /// 按工作日推算期限 / The date `days` working days after `from`, by the county's calendar
    #[oai(path = "/deadlines/working-days", method = "get")]
    async fn working_days(
        &self,
        auth: Auth,
        from: Query<String>,
        days: Query<u32>,
    ) -> AppResult<Json<WorkingDays>> {
        let tid = auth.0.tenant()?;
        let from = parse_date("from", &from.0).map_err(|e| AppError::validation(vec![e]))?;
        let days = days.0;
        if !(1..=366).contains(&days) {
            return Err(AppError::field(
                "days",
                "out_of_range",
                "days：应为1到366",
                "days must be between 1 and 366",
            ));
        }
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let cal = repo::calendar(tx)?;
                let due_on = cal.add_working_days(from, days);
                Ok(WorkingDays {
                    from,
                    days,
                    due_on,
                    holidays_known: cal.knows_year(chrono::Datelike::year(&from))
                        && cal.knows_year(chrono::Datelike::year(&due_on)),
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 设置某类期限（县级管理员）/ Override one kind's rule (county admin)
    #[oai(path = "/deadlines/rules/:kind", method = "put")]
    async fn set_rule(
        &self,
        auth: Auth,
        kind: Path<String>,
        body: JsonBody<RuleRequest>,
    ) -> AppResult<Json<YearCalendar>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let kind = parse_kind(&kind.0).map_err(|_| AppError::not_found())?;
        if kind == ObligationKind::QqJoin {
            return Err(AppError::conflict(
                "managed_by_qq_settings",
                "QQ群入群截止日期在“实名制党建QQ群”设置中修改（PUT /qq-settings）",
                "The QQ join date is set in the QQ group settings (PUT /qq-settings)",
            ));
        }
        let b = body.0;
        let f = RuleFields {
            days: b.days,
            month: b.month,
            day: b.day,
            month2: b.month2,
            day2: b.day2,
        };
        let rule = parse_rule(kind, f).map_err(|e| AppError::validation(vec![e]))?;
        let stored = RuleFields::of(rule);
        let actor = Actor::of(&auth.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                let before = repo::rules(tx)?.rule(kind);
                let now = chrono::Utc::now().naive_utc();
                diesel::delete(
                    ds::table.filter(ds::tenant_id.eq(&tid).and(ds::kind.eq(kind.as_str()))),
                )
                .execute(tx.conn())?;
                diesel::insert_into(ds::table)
                    .values((
                        ds::tenant_id.eq(&tid),
                        ds::kind.eq(kind.as_str()),
                        ds::days.eq(stored.days),
                        ds::month.eq(stored.month),
                        ds::day.eq(stored.day),
                        ds::month2.eq(stored.month2),
                        ds::day2.eq(stored.day2),
                        ds::updated_by.eq(&actor.id),
                        ds::updated_at.eq(now),
                    ))
                    .execute(tx.conn())?;
                audit::record(
                    tx,
                    &actor,
                    "deadline_rule.set",
                    "deadline_rule",
                    kind.as_str(),
                    None,
                    serde_json::json!({ "from": format!("{before:?}"), "to": format!("{rule:?}") }),
                )?;
                year_calendar(tx, chrono::Datelike::year(&crate::clock::today()))
            })
            .await?;
        Ok(Json(out))
    }

    /// 恢复某类期限为默认（县级管理员）/ Back to the seeds' rule for one kind (county admin)
    #[oai(path = "/deadlines/rules/:kind", method = "delete")]
    async fn reset_rule(&self, auth: Auth, kind: Path<String>) -> AppResult<Json<YearCalendar>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let kind = parse_kind(&kind.0).map_err(|_| AppError::not_found())?;
        let actor = Actor::of(&auth.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                let n = diesel::delete(
                    ds::table.filter(ds::tenant_id.eq(&tid).and(ds::kind.eq(kind.as_str()))),
                )
                .execute(tx.conn())?;
                if n > 0 {
                    audit::record(
                        tx,
                        &actor,
                        "deadline_rule.reset",
                        "deadline_rule",
                        kind.as_str(),
                        None,
                        serde_json::json!({}),
                    )?;
                }
                year_calendar(tx, chrono::Datelike::year(&crate::clock::today()))
            })
            .await?;
        Ok(Json(out))
    }

    /// 设置日历中的一天（县级管理员）/ Set one day of the working-day calendar (county admin)
    #[oai(path = "/deadlines/calendar/days/:day", method = "put")]
    async fn set_day(
        &self,
        auth: Auth,
        day: Path<String>,
        body: JsonBody<DayRequest>,
    ) -> AppResult<Json<CalendarDay>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let day = parse_day(&day.0)?;
        let b = body.0;
        let name = b.name.trim().to_owned();
        if name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(AppError::field(
                "name",
                "invalid_name",
                "name：名称不超过40个字符",
                "name: at most 40 characters",
            ));
        }
        let actor = Actor::of(&auth.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                diesel::delete(cd::table.filter(cd::tenant_id.eq(&tid).and(cd::day.eq(day))))
                    .execute(tx.conn())?;
                diesel::insert_into(cd::table)
                    .values((
                        cd::tenant_id.eq(&tid),
                        cd::day.eq(day),
                        cd::kind.eq(b.kind.as_str()),
                        cd::name.eq(&name),
                        cd::updated_by.eq(&actor.id),
                        cd::updated_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .execute(tx.conn())?;
                audit::record(
                    tx,
                    &actor,
                    "calendar_day.set",
                    "calendar_day",
                    &day.to_string(),
                    None,
                    serde_json::json!({ "kind": b.kind.as_str(), "name": name }),
                )?;
                Ok(CalendarDay {
                    day,
                    kind: b.kind,
                    name,
                    shipped: false,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 撤销日历中对某天的设置（县级管理员）/ Remove the county's entry for a day (county admin)
    #[oai(path = "/deadlines/calendar/days/:day", method = "delete")]
    async fn reset_day(&self, auth: Auth, day: Path<String>) -> AppResult<Json<YearCalendar>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let day = parse_day(&day.0)?;
        let actor = Actor::of(&auth.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                let n =
                    diesel::delete(cd::table.filter(cd::tenant_id.eq(&tid).and(cd::day.eq(day))))
                        .execute(tx.conn())?;
                if n == 0 {
                    return Err(AppError::not_found().into());
                }
                audit::record(
                    tx,
                    &actor,
                    "calendar_day.reset",
                    "calendar_day",
                    &day.to_string(),
                    None,
                    serde_json::json!({}),
                )?;
                year_calendar(tx, chrono::Datelike::year(&day))
            })
            .await?;
        Ok(Json(out))
    }
}
