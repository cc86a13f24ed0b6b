//! The business register import's reads and writes: every business and owner link of the
//! county read once, and the new businesses and links written in batches, inside the import's
//! one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use super::model::PersonRole;
use super::repo::{BusinessRow, BusinessValues};
use crate::db::schema::{
    business_people as bp, businesses as b, grid_townships as gt, markets as mk,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;

/// Every business of the county.
pub fn all(tx: &mut TenantTx<'_>) -> DbResult<Vec<BusinessRow>> {
    let tid = tx.tid().to_owned();
    Ok(b::table
        .filter(b::tenant_id.eq(tid))
        .select(BusinessRow::as_select())
        .load(tx.conn())?)
}

/// The open owner links, as (business, member).
pub fn open_owners(tx: &mut TenantTx<'_>) -> DbResult<HashSet<(String, String)>> {
    let tid = tx.tid().to_owned();
    Ok(bp::table
        .filter(
            bp::tenant_id
                .eq(tid)
                .and(bp::role.eq(PersonRole::Owner.as_str()))
                .and(bp::until.is_null()),
        )
        .select((bp::business_id, bp::member_id))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect())
}

/// Where a new business is placed by default: its market's grid, else the grid serving its
/// township now. (market id → grid, township id → grid)
pub type DefaultGrids = (HashMap<String, String>, HashMap<String, String>);

pub fn default_grids(tx: &mut TenantTx<'_>) -> DbResult<DefaultGrids> {
    let tid = tx.tid().to_owned();
    let markets = mk::table
        .filter(mk::tenant_id.eq(&tid).and(mk::grid_id.is_not_null()))
        .select((mk::id, mk::grid_id))
        .load::<(String, Option<String>)>(tx.conn())?
        .into_iter()
        .filter_map(|(m, g)| g.map(|g| (m, g)))
        .collect();
    let towns = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select((gt::township_id, gt::grid_id))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect();
    Ok((markets, towns))
}

/// Inserts businesses with the ids the plan gave them. The plan has already matched every
/// credit code and stall; the unique indexes stay the last word.
pub fn insert_many(tx: &mut TenantTx<'_>, vs: &[(String, BusinessValues)]) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    // 17 columns a row: 500 rows stay under both backends' bind-parameter limits.
    for chunk in vs.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, v)| {
                (
                    b::tenant_id.eq(&tid),
                    b::id.eq(id),
                    v,
                    b::version.eq(1i64),
                    b::created_at.eq(now),
                    b::updated_at.eq(now),
                )
            })
            .collect();
        crate::insert_rows!(tx.conn(), b::table, rows).map_err(|e| {
            let e = crate::db::DbError::from(e);
            if e.is_unique_violation() {
                AppError::conflict(
                    "duplicate_business",
                    "本县已有相同统一社会信用代码或相同摊位号的经营主体",
                    "A business with this credit code or stall number already exists in the county",
                )
                .into()
            } else {
                e
            }
        })?;
    }
    Ok(())
}

/// Links owners to businesses from `since`: (business, member) pairs with no open owner link.
pub fn link_owners(
    tx: &mut TenantTx<'_>,
    links: &[(String, String)],
    since: NaiveDate,
    actor: &str,
) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let ids: Vec<String> = links
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    for (i, chunk) in links.chunks(500).enumerate() {
        let rows: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(j, (business, member))| {
                (
                    bp::tenant_id.eq(&tid),
                    bp::id.eq(&ids[i * 500 + j]),
                    bp::business_id.eq(business),
                    bp::member_id.eq(member),
                    bp::role.eq(PersonRole::Owner.as_str()),
                    bp::since.eq(since),
                    bp::until.eq(None::<NaiveDate>),
                    bp::recorded_by.eq(actor),
                    bp::created_at.eq(now),
                )
            })
            .collect();
        crate::insert_rows!(tx.conn(), bp::table, rows)?;
    }
    Ok(ids)
}
