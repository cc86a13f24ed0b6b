//! Market checklists, spot checks and targets in storage; and the facts the register keeps
//! about a market (its members, its party organisation).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{Item, met_count};
use crate::db::schema::{
    market_spot_checks as sc, market_standard_targets as mt, market_standards as ms, members as m,
    org_units as o,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, DbError};
use crate::org::model::OrgKind;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ms)]
pub struct StandardRow {
    pub tenant_id: String,
    pub id: String,
    pub market_id: String,
    pub year: i32,
    pub items: String,
    pub met_count: i32,
    pub updated_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl StandardRow {
    pub fn items(&self) -> DbResult<Vec<Item>> {
        serde_json::from_str(&self.items)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored market checklist: {e}")).into())
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sc)]
pub struct SpotCheckRow {
    pub tenant_id: String,
    pub id: String,
    pub standard_id: String,
    pub checked_on: NaiveDate,
    pub checked_by: String,
    pub result: String,
    pub failed_items: Option<String>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn get(tx: &mut TenantTx<'_>, market_id: &str, year: i32) -> DbResult<Option<StandardRow>> {
    let tid = tx.tid().to_owned();
    Ok(ms::table
        .filter(ms::tenant_id.eq(tid).and(ms::market_id.eq(market_id)))
        .filter(ms::year.eq(year))
        .select(StandardRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn of_year(tx: &mut TenantTx<'_>, year: i32) -> DbResult<Vec<StandardRow>> {
    let tid = tx.tid().to_owned();
    Ok(ms::table
        .filter(ms::tenant_id.eq(tid).and(ms::year.eq(year)))
        .limit(10_000)
        .select(StandardRow::as_select())
        .load(tx.conn())?)
}

/// Writes the checklist: a new one, or the existing one at `expected` (412 otherwise).
pub fn save(
    tx: &mut TenantTx<'_>,
    existing: Option<(&StandardRow, i64)>,
    market_id: &str,
    year: i32,
    items: &[Item],
    by: &str,
) -> DbResult<StandardRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let body = serde_json::to_string(items).map_err(AppError::internal)?;
    match existing {
        Some((row, expected)) => {
            let n = diesel::update(
                ms::table.filter(
                    ms::tenant_id
                        .eq(&tid)
                        .and(ms::id.eq(&row.id))
                        .and(ms::version.eq(expected)),
                ),
            )
            .set((
                ms::items.eq(body),
                ms::met_count.eq(met_count(items)),
                ms::updated_by.eq(by),
                ms::version.eq(expected + 1),
                ms::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
            if n == 0 {
                return Err(AppError::precondition_failed().into());
            }
        }
        None => {
            diesel::insert_into(ms::table)
                .values((
                    ms::tenant_id.eq(&tid),
                    ms::id.eq(uuid::Uuid::now_v7().to_string()),
                    ms::market_id.eq(market_id),
                    ms::year.eq(year),
                    ms::items.eq(body),
                    ms::met_count.eq(met_count(items)),
                    ms::updated_by.eq(by),
                    ms::version.eq(1i64),
                    ms::created_at.eq(now),
                    ms::updated_at.eq(now),
                ))
                .execute(tx.conn())
                .map_err(|e| DbError::from(e).unique_as(AppError::precondition_failed))?;
        }
    }
    get(tx, market_id, year)?.ok_or_else(|| AppError::not_found().into())
}

pub fn spot_checks(tx: &mut TenantTx<'_>, standard_ids: &[String]) -> DbResult<Vec<SpotCheckRow>> {
    let tid = tx.tid().to_owned();
    let mut out = Vec::new();
    for chunk in standard_ids.chunks(500) {
        out.extend(
            sc::table
                .filter(sc::tenant_id.eq(&tid).and(sc::standard_id.eq_any(chunk)))
                .order((sc::checked_on.asc(), sc::id.asc()))
                .select(SpotCheckRow::as_select())
                .load(tx.conn())?,
        );
    }
    Ok(out)
}

pub fn add_spot_check(
    tx: &mut TenantTx<'_>,
    standard_id: &str,
    on: NaiveDate,
    by: &str,
    result: &str,
    failed: Option<String>,
    note: Option<&str>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(sc::table)
        .values((
            sc::tenant_id.eq(&tid),
            sc::id.eq(uuid::Uuid::now_v7().to_string()),
            sc::standard_id.eq(standard_id),
            sc::checked_on.eq(on),
            sc::checked_by.eq(by),
            sc::result.eq(result),
            sc::failed_items.eq(failed),
            sc::note.eq(note),
            sc::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// The county's own targets, by year.
pub fn targets(tx: &mut TenantTx<'_>) -> DbResult<Vec<(i32, i32)>> {
    let tid = tx.tid().to_owned();
    Ok(mt::table
        .filter(mt::tenant_id.eq(tid))
        .order(mt::year.asc())
        .limit(200)
        .select((mt::year, mt::permille))
        .load(tx.conn())?)
}

pub fn set_target(tx: &mut TenantTx<'_>, year: i32, permille: i32, by: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let n = diesel::update(mt::table.filter(mt::tenant_id.eq(&tid).and(mt::year.eq(year))))
        .set((
            mt::permille.eq(permille),
            mt::updated_by.eq(by),
            mt::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    if n == 0 {
        diesel::insert_into(mt::table)
            .values((
                mt::tenant_id.eq(&tid),
                mt::year.eq(year),
                mt::permille.eq(permille),
                mt::updated_by.eq(by),
                mt::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// The county's active markets, in tree order.
pub fn markets(tx: &mut TenantTx<'_>) -> DbResult<Vec<crate::org::repo::OrgUnitRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(tid).and(o::active.eq(true)))
        .filter(o::kind.eq(OrgKind::Market.as_str()))
        .order(o::path.asc())
        .limit(10_000)
        .select(crate::org::repo::OrgUnitRow::as_select())
        .load(tx.conn())?)
}

/// The register's facts about a market: its members' ids, and whether a party organisation of
/// its own is in the tree.
pub fn facts(tx: &mut TenantTx<'_>, market_id: &str) -> DbResult<(Vec<String>, bool)> {
    let tid = tx.tid().to_owned();
    let members: Vec<String> = m::table
        .filter(m::tenant_id.eq(&tid).and(m::market_id.eq(market_id)))
        .limit(100_000)
        .select(m::id)
        .load(tx.conn())?;
    let orgs: i64 = o::table
        .filter(o::tenant_id.eq(&tid).and(o::parent_id.eq(market_id)))
        .filter(
            o::kind
                .eq(OrgKind::MarketPartyOrg.as_str())
                .and(o::active.eq(true)),
        )
        .count()
        .get_result(tx.conn())?;
    Ok((members, orgs > 0))
}
