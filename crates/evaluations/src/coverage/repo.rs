//! Campaigns, surveys, plans and issued reports in storage; and the businesses register's facts
//! the campaign counts (every organisation not closed, with its place).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::rules::{PlanFacts, SurveyFacts};
use crate::db::schema::{
    businesses as b, coverage_campaigns as cc, coverage_plans as cp, coverage_reports as cr,
    coverage_surveys as cs,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, DbError};

/// A campaign's surveys and plans are read whole: a county's register, bounded.
pub const ROWS_MAX: i64 = 200_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cc)]
pub struct CampaignRow {
    pub tenant_id: String,
    pub id: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub days: i32,
    pub cycle_days: i32,
    pub owner_unit_id: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CampaignRow {
    pub fn cycles(&self) -> Vec<(u32, NaiveDate)> {
        super::model::cycles(
            self.starts_on,
            u32::try_from(self.days).unwrap_or(1),
            u32::try_from(self.cycle_days).unwrap_or(1),
        )
    }

    pub fn ends_on(&self) -> NaiveDate {
        self.cycles().last().map_or(self.starts_on, |c| c.1)
    }
}

/// A survey's values as written (every value checked).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = cs)]
#[diesel(treat_none_as_null = true)]
pub struct SurveyValues {
    pub employees: i32,
    pub party_full: i32,
    pub party_probationary: i32,
    pub league_members: i32,
    pub party_org: String,
    pub league_org: String,
    pub instructor: bool,
    pub owner_identity: String,
    pub management: Option<String>,
    pub activities: bool,
    pub venue: bool,
    pub surveyed_on: NaiveDate,
    pub surveyed_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cs)]
pub struct SurveyRow {
    pub tenant_id: String,
    pub id: String,
    pub campaign_id: String,
    pub business_id: String,
    pub employees: i32,
    pub party_full: i32,
    pub party_probationary: i32,
    pub league_members: i32,
    pub party_org: String,
    pub league_org: String,
    pub instructor: bool,
    pub owner_identity: String,
    pub management: Option<String>,
    pub activities: bool,
    pub venue: bool,
    pub surveyed_on: NaiveDate,
    pub surveyed_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SurveyRow {
    pub fn facts(&self) -> SurveyFacts {
        use super::model::OrgSetup;
        SurveyFacts {
            surveyed_on: self.surveyed_on,
            party_org: OrgSetup::parse(&self.party_org).unwrap_or(OrgSetup::None),
            league_org: OrgSetup::parse(&self.league_org).unwrap_or(OrgSetup::None),
            instructor: self.instructor,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = cp)]
#[diesel(treat_none_as_null = true)]
pub struct PlanValues {
    pub form: String,
    pub owner_unit_id: String,
    pub owner_name: String,
    pub status: String,
    pub target_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub updated_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cp)]
pub struct PlanRow {
    pub tenant_id: String,
    pub id: String,
    pub campaign_id: String,
    pub business_id: String,
    pub body: String,
    pub form: String,
    pub owner_unit_id: String,
    pub owner_name: String,
    pub status: String,
    pub target_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub updated_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PlanRow {
    pub fn facts(&self) -> Option<PlanFacts> {
        use super::model::{Body, Form, PlanStatus};
        Some(PlanFacts {
            body: Body::parse(&self.body)?,
            form: Form::parse(&self.form)?,
            status: PlanStatus::parse(&self.status)?,
            done_on: self.done_on,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cr)]
pub struct ReportRow {
    pub tenant_id: String,
    pub id: String,
    pub campaign_id: String,
    pub cycle: i32,
    pub as_of: NaiveDate,
    pub figures: String,
    pub issued_by: String,
    pub issued_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

/// A business as the campaign counts it.
#[derive(Debug, Clone, Queryable)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub market_id: Option<String>,
    pub township_id: Option<String>,
    pub grid_id: Option<String>,
    pub industry: Option<String>,
}

// ---- campaigns ---------------------------------------------------------------------------

pub fn campaigns(tx: &mut TenantTx<'_>) -> DbResult<Vec<CampaignRow>> {
    let tid = tx.tid().to_owned();
    Ok(cc::table
        .filter(cc::tenant_id.eq(tid))
        .order((cc::starts_on.desc(), cc::id.desc()))
        .limit(1000)
        .select(CampaignRow::as_select())
        .load(tx.conn())?)
}

pub fn campaign(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<CampaignRow>> {
    let tid = tx.tid().to_owned();
    Ok(cc::table
        .filter(cc::tenant_id.eq(tid).and(cc::id.eq(id)))
        .select(CampaignRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub struct NewCampaign<'a> {
    pub title: &'a str,
    pub starts_on: NaiveDate,
    pub days: i32,
    pub cycle_days: i32,
    pub owner_unit_id: &'a str,
    pub by: &'a str,
}

pub fn insert_campaign(tx: &mut TenantTx<'_>, n: &NewCampaign<'_>) -> DbResult<CampaignRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(cc::table)
        .values((
            cc::tenant_id.eq(&tid),
            cc::id.eq(&id),
            cc::title.eq(n.title),
            cc::starts_on.eq(n.starts_on),
            cc::days.eq(n.days),
            cc::cycle_days.eq(n.cycle_days),
            cc::owner_unit_id.eq(n.owner_unit_id),
            cc::created_by.eq(n.by),
            cc::version.eq(1i64),
            cc::created_at.eq(now),
            cc::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    campaign(tx, &id)?.ok_or_else(|| AppError::not_found().into())
}

// ---- the register's organisations ---------------------------------------------------------

/// Every business of the county not closed (the campaign's denominator), by name.
pub fn orgs(tx: &mut TenantTx<'_>) -> DbResult<Vec<Org>> {
    let tid = tx.tid().to_owned();
    Ok(b::table
        .filter(b::tenant_id.eq(tid).and(b::status.ne("closed")))
        .order((b::name.asc(), b::id.asc()))
        .limit(ROWS_MAX)
        .select((
            b::id,
            b::name,
            b::kind,
            b::market_id,
            b::township_id,
            b::grid_id,
            b::industry,
        ))
        .load(tx.conn())?)
}

// ---- surveys ------------------------------------------------------------------------------

pub fn surveys(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<SurveyRow>> {
    let tid = tx.tid().to_owned();
    Ok(cs::table
        .filter(cs::tenant_id.eq(tid).and(cs::campaign_id.eq(campaign_id)))
        .limit(ROWS_MAX)
        .select(SurveyRow::as_select())
        .load(tx.conn())?)
}

pub fn survey(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    business_id: &str,
) -> DbResult<Option<SurveyRow>> {
    let tid = tx.tid().to_owned();
    Ok(cs::table
        .filter(cs::tenant_id.eq(tid).and(cs::campaign_id.eq(campaign_id)))
        .filter(cs::business_id.eq(business_id))
        .select(SurveyRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes a survey: a new one, or the existing one at `expected` (412 otherwise).
pub fn save_survey(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    business_id: &str,
    existing: Option<(&SurveyRow, i64)>,
    v: &SurveyValues,
) -> DbResult<SurveyRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    match existing {
        Some((row, expected)) => {
            let n = diesel::update(
                cs::table.filter(
                    cs::tenant_id
                        .eq(&tid)
                        .and(cs::id.eq(&row.id))
                        .and(cs::version.eq(expected)),
                ),
            )
            .set((v, cs::version.eq(expected + 1), cs::updated_at.eq(now)))
            .execute(tx.conn())?;
            if n == 0 {
                return Err(AppError::precondition_failed().into());
            }
        }
        None => {
            diesel::insert_into(cs::table)
                .values((
                    cs::tenant_id.eq(&tid),
                    cs::id.eq(uuid::Uuid::now_v7().to_string()),
                    cs::campaign_id.eq(campaign_id),
                    cs::business_id.eq(business_id),
                    v,
                    cs::version.eq(1i64),
                    cs::created_at.eq(now),
                    cs::updated_at.eq(now),
                ))
                .execute(tx.conn())
                .map_err(|e| DbError::from(e).unique_as(AppError::precondition_failed))?;
        }
    }
    survey(tx, campaign_id, business_id)?.ok_or_else(|| AppError::not_found().into())
}

// ---- plans --------------------------------------------------------------------------------

pub fn plans(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<PlanRow>> {
    let tid = tx.tid().to_owned();
    Ok(cp::table
        .filter(cp::tenant_id.eq(tid).and(cp::campaign_id.eq(campaign_id)))
        .limit(ROWS_MAX)
        .select(PlanRow::as_select())
        .load(tx.conn())?)
}

pub fn plans_of(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    business_id: &str,
) -> DbResult<Vec<PlanRow>> {
    let tid = tx.tid().to_owned();
    Ok(cp::table
        .filter(cp::tenant_id.eq(tid).and(cp::campaign_id.eq(campaign_id)))
        .filter(cp::business_id.eq(business_id))
        .order(cp::body.desc())
        .select(PlanRow::as_select())
        .load(tx.conn())?)
}

/// Writes a plan for a body: a new one, or the existing one at `expected` (412 otherwise).
pub fn save_plan(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    business_id: &str,
    body: super::model::Body,
    existing: Option<(&PlanRow, i64)>,
    v: &PlanValues,
) -> DbResult<PlanRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    match existing {
        Some((row, expected)) => {
            let n = diesel::update(
                cp::table.filter(
                    cp::tenant_id
                        .eq(&tid)
                        .and(cp::id.eq(&row.id))
                        .and(cp::version.eq(expected)),
                ),
            )
            .set((v, cp::version.eq(expected + 1), cp::updated_at.eq(now)))
            .execute(tx.conn())?;
            if n == 0 {
                return Err(AppError::precondition_failed().into());
            }
        }
        None => {
            diesel::insert_into(cp::table)
                .values((
                    cp::tenant_id.eq(&tid),
                    cp::id.eq(uuid::Uuid::now_v7().to_string()),
                    cp::campaign_id.eq(campaign_id),
                    cp::business_id.eq(business_id),
                    cp::body.eq(body.as_str()),
                    v,
                    cp::version.eq(1i64),
                    cp::created_at.eq(now),
                    cp::updated_at.eq(now),
                ))
                .execute(tx.conn())
                .map_err(|e| DbError::from(e).unique_as(AppError::precondition_failed))?;
        }
    }
    plans_of(tx, campaign_id, business_id)?
        .into_iter()
        .find(|p| p.body == body.as_str())
        .ok_or_else(|| AppError::not_found().into())
}

// ---- reports ------------------------------------------------------------------------------

pub fn reports(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<ReportRow>> {
    let tid = tx.tid().to_owned();
    Ok(cr::table
        .filter(cr::tenant_id.eq(tid).and(cr::campaign_id.eq(campaign_id)))
        .order(cr::cycle.asc())
        .limit(400)
        .select(ReportRow::as_select())
        .load(tx.conn())?)
}

pub fn insert_report(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    cycle: u32,
    as_of: NaiveDate,
    figures: &str,
    by: &str,
    on: NaiveDate,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(cr::table)
        .values((
            cr::tenant_id.eq(&tid),
            cr::id.eq(uuid::Uuid::now_v7().to_string()),
            cr::campaign_id.eq(campaign_id),
            cr::cycle.eq(i32::try_from(cycle).unwrap_or(i32::MAX)),
            cr::as_of.eq(as_of),
            cr::figures.eq(figures),
            cr::issued_by.eq(by),
            cr::issued_on.eq(on),
            cr::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            DbError::from(e).unique_as(|| {
                AppError::conflict(
                    "cycle_already_issued",
                    "本轮进展通报已经发布",
                    "This cycle's report is already issued",
                )
            })
        })?;
    Ok(())
}
