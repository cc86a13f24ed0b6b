//! Who records for which unit, and for which members.
//!
//! A recorder acts for the recording units (AIC office, party branch, village) their binding
//! names: a village recorder for their village; an AIC recorder for their office (or, bound to
//! a market, the office it sits under); branch staff for their party branch, or, bound to a
//! branch or a service centre, for the branch's party branches (they name one when there are
//! several).
//!
//! A unit records for the members it is responsible for: a village for the members whose
//! membership or organisational life it holds; an AIC office for the members whose business
//! place lies in its grid; a party branch for the members whose business place lies in a grid
//! it is linked to, and for the members whose membership or organisational life it holds. The
//! business place is the members' grid filter's (`members::api::MemberQuery::filter`): the
//! member's market, else their organisational-life unit, inside the grid's AIC office or one
//! of its current townships.

use diesel::prelude::*;

use super::model::recorder_of;
use crate::auth::{Principal, Role};
use crate::db::schema::{grids as g, org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::handler::Resolve;
use crate::members::repo::MemberRow;
use crate::org::model::OrgKind;
use crate::org::repo::{self as org, OrgUnitRow};
use crate::org::scope::Visibility;

/// What the caller sees and the recording units they act for, read once per request.
pub struct Caller {
    pub principal: Principal,
    pub vis: Visibility,
    pub units: Vec<OrgUnitRow>,
}

impl Resolve for Caller {
    fn resolve(tx: &mut TenantTx<'_>, p: Principal) -> DbResult<Caller> {
        let vis = crate::org::scope::visibility(tx, p.role, &p.user_id)?;
        let units = recorder_units(tx, p.role, &p.user_id)?;
        Ok(Caller {
            principal: p,
            vis,
            units,
        })
    }
}

impl Caller {
    pub fn acts_for(&self, unit_id: &str) -> bool {
        self.units.iter().any(|u| u.id == unit_id)
    }

    /// Whether the caller sees a unit: in their subtree, or one they record for.
    pub fn sees_unit(&self, unit: &OrgUnitRow) -> bool {
        self.vis.sees(unit) || self.acts_for(&unit.id)
    }
}

/// The recording units a user acts for (empty for every other role or binding).
pub fn recorder_units(
    tx: &mut TenantTx<'_>,
    role: Role,
    user_id: &str,
) -> DbResult<Vec<OrgUnitRow>> {
    if !matches!(
        role,
        Role::AicRecorder | Role::BranchStaff | Role::VillageRecorder
    ) {
        return Ok(vec![]);
    }
    let tid = tx.tid().to_owned();
    let bound: Option<Option<String>> = u::table
        .filter(u::tenant_id.eq(&tid).and(u::id.eq(user_id)))
        .select(u::org_unit_id)
        .first(tx.conn())
        .optional()?;
    let Some(Some(bound)) = bound else {
        return Ok(vec![]);
    };
    let Some(unit) = org::get(tx, &bound)?.filter(|u| u.active) else {
        return Ok(vec![]);
    };
    let units = match unit.kind() {
        OrgKind::Village | OrgKind::AicOffice | OrgKind::PartyBranch => vec![unit],
        OrgKind::Market => match &unit.parent_id {
            Some(p) => org::get(tx, p)?
                .filter(|p| p.active && p.kind() == OrgKind::AicOffice)
                .into_iter()
                .collect(),
            None => vec![],
        },
        OrgKind::Branch => party_branches_under(tx, &unit.id)?,
        OrgKind::ServiceCentre => match &unit.parent_id {
            Some(branch) => party_branches_under(tx, branch)?,
            None => vec![],
        },
        _ => vec![],
    };
    // The binding rules keep roles on their kinds; this keeps a unit's recorder its own.
    Ok(units
        .into_iter()
        .filter(|u| recorder_of(u.kind()) == Some(role))
        .collect())
}

fn party_branches_under(tx: &mut TenantTx<'_>, branch_id: &str) -> DbResult<Vec<OrgUnitRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::parent_id.eq(branch_id))
        .filter(o::kind.eq(OrgKind::PartyBranch.as_str()))
        .filter(o::active.eq(true))
        .select(OrgUnitRow::as_select())
        .order(o::id.asc())
        .load(tx.conn())?)
}

fn not_a_recorder() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_a_recorder",
        "您的账号未绑定可记实、报送的单位（工商所、分会支部或村/社区）",
        "Your account is not bound to a recording unit (AIC office, party branch or village)",
    )
}

/// The unit a request acts for: the one named (it must be one of the caller's), or the
/// caller's only one.
pub fn pick_unit(units: Vec<OrgUnitRow>, requested: Option<&str>) -> Result<OrgUnitRow, AppError> {
    if units.is_empty() {
        return Err(not_a_recorder());
    }
    match requested {
        Some(id) => units.into_iter().find(|u| u.id == id).ok_or_else(|| {
            AppError::field(
                "recording_unit_id",
                "not_your_unit",
                "recording_unit_id：只能以本人所属的记录单位记实、报送",
                "recording_unit_id: not a recording unit you act for",
            )
        }),
        None if units.len() == 1 => Ok(units.into_iter().next().expect("one unit")),
        None => Err(AppError::field(
            "recording_unit_id",
            "required",
            "recording_unit_id：您可代表多个支部，请指定记录单位",
            "recording_unit_id: you act for several party branches; name one",
        )),
    }
}

/// The paths of a grid's business places: its AIC office and its current townships.
fn grid_paths(tx: &mut TenantTx<'_>, grid_id: &str, office_id: &str) -> DbResult<Vec<String>> {
    let mut paths = Vec::new();
    if let Some(office) = org::get(tx, office_id)? {
        paths.push(office.path);
    }
    for p in crate::grids::repo::periods(tx, grid_id, false)? {
        if let Some(t) = org::get(tx, &p.township_id)? {
            paths.push(t.path);
        }
    }
    Ok(paths)
}

/// The business places of the grids a recording unit is linked to (an AIC office's grid, or
/// the grids linked to a party branch).
pub fn unit_grid_paths(tx: &mut TenantTx<'_>, unit: &OrgUnitRow) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let grids: Vec<(String, String)> = match unit.kind() {
        OrgKind::AicOffice => g::table
            .filter(g::tenant_id.eq(&tid).and(g::aic_office_id.eq(&unit.id)))
            .select((g::id, g::aic_office_id))
            .load(tx.conn())?,
        OrgKind::PartyBranch => g::table
            .filter(g::tenant_id.eq(&tid).and(g::party_branch_id.eq(&unit.id)))
            .select((g::id, g::aic_office_id))
            .load(tx.conn())?,
        _ => vec![],
    };
    let mut paths = Vec::new();
    for (grid, office) in grids {
        paths.extend(grid_paths(tx, &grid, &office)?);
    }
    Ok(paths)
}

/// The path of a member's business place: their market, else their org-life unit.
fn place_path(tx: &mut TenantTx<'_>, m: &MemberRow) -> DbResult<Option<String>> {
    let unit = m.market_id.as_ref().or(m.org_life_unit_id.as_ref());
    Ok(match unit {
        Some(id) => org::get(tx, id)?.map(|u| u.path),
        None => None,
    })
}

/// Whether `unit` records for member `m` (see the module documentation).
pub fn member_in_scope(tx: &mut TenantTx<'_>, unit: &OrgUnitRow, m: &MemberRow) -> DbResult<bool> {
    let holds = m.membership_unit_id.as_deref() == Some(unit.id.as_str())
        || m.org_life_unit_id.as_deref() == Some(unit.id.as_str());
    match unit.kind() {
        OrgKind::Village => Ok(holds),
        OrgKind::PartyBranch if holds => Ok(true),
        OrgKind::PartyBranch | OrgKind::AicOffice => {
            let paths = unit_grid_paths(tx, unit)?;
            if paths.is_empty() {
                return Ok(false);
            }
            Ok(place_path(tx, m)?.is_some_and(|p| paths.iter().any(|g| p.starts_with(g.as_str()))))
        }
        _ => Ok(false),
    }
}

/// Whether a caller may read a member's records: they see the member in the register, or one
/// of their recording units records for the member.
pub fn may_read_member(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    units: &[OrgUnitRow],
    m: &MemberRow,
) -> DbResult<bool> {
    if crate::members::repo::visible(tx, vis, m)? {
        return Ok(true);
    }
    for unit in units {
        if member_in_scope(tx, unit, m)? {
            return Ok(true);
        }
    }
    Ok(false)
}
