//! Queries and rules for grids and their township periods.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{grid_townships as gt, grids as g};
use crate::db::{DbError, DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};
use crate::org::model::OrgKind;
use crate::org::repo::{self as org, OrgUnitRow};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = g)]
pub struct GridRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub aic_office_id: String,
    pub party_branch_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = gt)]
pub struct PeriodRow {
    pub tenant_id: String,
    pub id: String,
    pub grid_id: String,
    pub township_id: String,
    pub valid_from: NaiveDateTime,
    pub valid_to: Option<NaiveDateTime>,
    pub recorded_by: String,
}

/// An org unit named by a request field: it must be an active unit of `kind` in this county.
pub fn unit_of_kind(
    tx: &mut TenantTx<'_>,
    field: &str,
    id: &str,
    kind: OrgKind,
) -> DbResult<OrgUnitRow> {
    let unit = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| org::get(tx, id))
        .transpose()?
        .flatten();
    match unit {
        Some(u) if u.active && u.kind() == kind => Ok(u),
        Some(u) if u.kind() != kind => Err(AppError::field(
            field,
            "wrong_org_kind",
            format!("{field}：应为{}", kind.label_zh()),
            format!("{field} must be a {}", kind.as_str()),
        )
        .into()),
        _ => Err(unit_not_found(field).into()),
    }
}

/// The answer for a unit that does not exist, is inactive, or lies outside the caller's scope
/// (which must not be told apart).
pub fn unit_not_found(field: &str) -> AppError {
    AppError::field(
        field,
        "org_unit_not_found",
        format!("{field}：组织不存在或已停用"),
        format!("{field}: no such active org unit"),
    )
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<GridRow>> {
    let tid = tx.tid().to_owned();
    Ok(g::table
        .filter(g::tenant_id.eq(tid).and(g::id.eq(id)))
        .select(GridRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn list(tx: &mut TenantTx<'_>, page: &PageRequest) -> DbResult<Vec<GridRow>> {
    let tid = tx.tid().to_owned();
    let mut q = g::table
        .filter(g::tenant_id.eq(tid))
        .select(GridRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(g::id.gt(after.clone()));
    }
    Ok(q.order(g::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

pub fn create(
    tx: &mut TenantTx<'_>,
    name: &str,
    office_id: &str,
    party_branch_id: Option<&str>,
) -> DbResult<GridRow> {
    unit_of_kind(tx, "aic_office_id", office_id, OrgKind::AicOffice)?;
    if let Some(p) = party_branch_id {
        unit_of_kind(tx, "party_branch_id", p, OrgKind::PartyBranch)?;
    }
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(g::table)
        .values((
            g::tenant_id.eq(&tid),
            g::id.eq(&id),
            g::name.eq(name),
            g::aic_office_id.eq(office_id),
            g::party_branch_id.eq(party_branch_id),
            g::version.eq(1i64),
            g::created_at.eq(now),
            g::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                AppError::conflict(
                    "grid_exists",
                    "该工商所已有网格（每个工商所一个网格）",
                    "This AIC office already has its grid",
                )
                .with_field(FieldError::new(
                    "aic_office_id",
                    "taken",
                    "该工商所已有网格",
                    "office already has a grid",
                ))
                .into()
            } else {
                e
            }
        })?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted grid vanished")).into())
}

/// Renames and/or re-links the party branch if the grid is at `expected`.
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    name: Option<&str>,
    party_branch_id: Option<&str>,
) -> DbResult<GridRow> {
    let cur = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if cur.version != expected {
        return Err(AppError::precondition_failed().into());
    }
    if let Some(p) = party_branch_id {
        unit_of_kind(tx, "party_branch_id", p, OrgKind::PartyBranch)?;
    }
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        g::table.filter(
            g::tenant_id
                .eq(&tid)
                .and(g::id.eq(id))
                .and(g::version.eq(expected)),
        ),
    )
    .set((
        g::name.eq(name.unwrap_or(&cur.name)),
        g::party_branch_id.eq(party_branch_id.or(cur.party_branch_id.as_deref())),
        g::version.eq(expected + 1),
        g::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

fn touch(tx: &mut TenantTx<'_>, grid_id: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::update(g::table.filter(g::tenant_id.eq(tid).and(g::id.eq(grid_id))))
        .set((
            g::version.eq(g::version + 1),
            g::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Open periods (current townships) of a grid, or every period with `all`.
pub fn periods(tx: &mut TenantTx<'_>, grid_id: &str, all: bool) -> DbResult<Vec<PeriodRow>> {
    let tid = tx.tid().to_owned();
    let mut q = gt::table
        .filter(gt::tenant_id.eq(tid).and(gt::grid_id.eq(grid_id)))
        .select(PeriodRow::as_select())
        .into_boxed();
    if !all {
        q = q.filter(gt::valid_to.is_null());
    }
    Ok(q.order(gt::id.asc()).load(tx.conn())?)
}

/// Puts a township into a grid from now on; if another grid serves it, that period ends now.
pub fn assign(
    tx: &mut TenantTx<'_>,
    grid_id: &str,
    township_id: &str,
    actor: &str,
) -> DbResult<()> {
    unit_of_kind(tx, "township_id", township_id, OrgKind::Township)?;
    let tid = tx.tid().to_owned();
    let open: Option<PeriodRow> = gt::table
        .filter(
            gt::tenant_id
                .eq(&tid)
                .and(gt::township_id.eq(township_id))
                .and(gt::valid_to.is_null()),
        )
        .select(PeriodRow::as_select())
        .first(tx.conn())
        .optional()?;
    let now = Utc::now().naive_utc();
    if let Some(p) = open {
        if p.grid_id == grid_id {
            return Err(AppError::conflict(
                "already_assigned",
                "该乡镇已在本网格内",
                "The township is already in this grid",
            )
            .into());
        }
        diesel::update(gt::table.filter(gt::tenant_id.eq(&tid).and(gt::id.eq(&p.id))))
            .set(gt::valid_to.eq(Some(now)))
            .execute(tx.conn())?;
        touch(tx, &p.grid_id)?;
    }
    diesel::insert_into(gt::table)
        .values((
            gt::tenant_id.eq(&tid),
            gt::id.eq(uuid::Uuid::now_v7().to_string()),
            gt::grid_id.eq(grid_id),
            gt::township_id.eq(township_id),
            gt::valid_from.eq(now),
            gt::valid_to.eq(None::<NaiveDateTime>),
            gt::recorded_by.eq(actor),
        ))
        .execute(tx.conn())?;
    touch(tx, grid_id)
}

/// Ends the township's period in this grid now; 404 when it is not in the grid.
pub fn unassign(tx: &mut TenantTx<'_>, grid_id: &str, township_id: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        gt::table.filter(
            gt::tenant_id
                .eq(&tid)
                .and(gt::grid_id.eq(grid_id))
                .and(gt::township_id.eq(township_id))
                .and(gt::valid_to.is_null()),
        ),
    )
    .set(gt::valid_to.eq(Some(Utc::now().naive_utc())))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::not_found().into());
    }
    touch(tx, grid_id)
}
