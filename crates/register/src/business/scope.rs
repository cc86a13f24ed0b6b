//! What a signed-in user reaches among businesses and markets (SPEC §1): their unit's subtree
//! and the grids linked to it. A grid is linked to the units it joins — its AIC office, its
//! party branch and the townships it serves now — and so to a village in one of those
//! townships. County-wide roles reach everything; an unbound scoped role reaches nothing.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::{grid_townships as gt, grids as g, org_units as o};
use crate::db::{DbResult, TenantTx};
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

#[derive(Debug, Clone)]
pub enum Reach {
    County,
    Nothing,
    Scoped {
        vis: Visibility,
        /// The bound unit's path.
        path: String,
        /// Ids of the grids linked to the subtree.
        grids: Vec<String>,
    },
}

impl Reach {
    pub fn visibility(&self) -> Visibility {
        match self {
            Reach::County => Visibility::County,
            Reach::Nothing => Visibility::Nothing,
            Reach::Scoped { vis, .. } => vis.clone(),
        }
    }

    pub fn sees_unit(&self, unit: &OrgUnitRow) -> bool {
        self.visibility().sees(unit)
    }

    pub fn sees_grid(&self, grid_id: &str) -> bool {
        match self {
            Reach::County => true,
            Reach::Nothing => false,
            Reach::Scoped { grids, .. } => grids.iter().any(|g| g == grid_id),
        }
    }
}

/// A grid named in a body (a business's or a market's): one of this county's that the caller
/// reaches. Linking to a grid widens who sees the linked row, so a grid outside the caller's
/// reach answers exactly as a grid that does not exist.
pub fn grid_arg(tx: &mut TenantTx<'_>, reach: &Reach, id: &str) -> DbResult<String> {
    let found = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::grids::repo::get(tx, id))
        .transpose()?
        .flatten()
        .filter(|g| reach.sees_grid(&g.id));
    found.map(|g| g.id).ok_or_else(|| {
        AppError::field(
            "grid_id",
            "grid_not_found",
            "grid_id：网格不存在",
            "grid_id: no such grid",
        )
        .into()
    })
}

/// Whether a grid whose units have these paths is linked to the subtree at `path`: one of
/// them lies in the subtree, or (for a township) the subtree lies in it.
pub fn grid_linked(path: &str, office: &str, branch: Option<&str>, townships: &[&str]) -> bool {
    let within = |p: &str| p >= path && p < subtree_end(path).as_str();
    within(office)
        || branch.is_some_and(within)
        || townships.iter().any(|t| within(t) || path.starts_with(t))
}

pub fn reach(tx: &mut TenantTx<'_>, role: Role, user_id: &str) -> DbResult<Reach> {
    let vis = scope::visibility(tx, role, user_id)?;
    let path = match &vis {
        Visibility::County => return Ok(Reach::County),
        Visibility::Nothing => return Ok(Reach::Nothing),
        Visibility::Subtree(p) => p.clone(),
    };
    // A county has a grid per AIC office (a handful): reading them all is cheaper than asking
    // the question in SQL.
    let tid = tx.tid().to_owned();
    let grids: Vec<(String, String, Option<String>)> = g::table
        .filter(g::tenant_id.eq(&tid))
        .select((g::id, g::aic_office_id, g::party_branch_id))
        .load(tx.conn())?;
    let periods: Vec<(String, String)> = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select((gt::grid_id, gt::township_id))
        .load(tx.conn())?;
    let mut ids: Vec<String> = grids
        .iter()
        .flat_map(|(_, office, branch)| std::iter::once(office.clone()).chain(branch.clone()))
        .chain(periods.iter().map(|(_, t)| t.clone()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let paths: HashMap<String, String> = o::table
        .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(&ids)))
        .select((o::id, o::path))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect();
    let path_of = |id: &str| paths.get(id).map_or("", String::as_str);
    let linked = grids
        .iter()
        .filter(|(id, office, branch)| {
            let towns: Vec<&str> = periods
                .iter()
                .filter(|(g, _)| g == id)
                .map(|(_, t)| path_of(t))
                .filter(|p| !p.is_empty())
                .collect();
            grid_linked(
                &path,
                path_of(office),
                branch.as_deref().map(path_of),
                &towns,
            )
        })
        .map(|(id, _, _)| id.clone())
        .collect();
    Ok(Reach::Scoped {
        vis,
        path,
        grids: linked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_are_linked_through_any_of_their_units() {
        let office = "/o1/";
        let branch = "/c/b1/p1/";
        let towns = ["/t1/", "/t2/"];
        // The office's recorder, the branch's staff, a township committee and a village
        // recorder inside a served township all reach the grid.
        for p in ["/o1/", "/c/b1/", "/c/b1/p1/", "/t2/", "/t1/v9/"] {
            assert!(grid_linked(p, office, Some(branch), &towns), "{p}");
        }
        // Another branch, another township, or a village elsewhere do not.
        for p in ["/c/b2/", "/t3/", "/t3/v1/", "/o2/"] {
            assert!(!grid_linked(p, office, Some(branch), &towns), "{p}");
        }
        assert!(!grid_linked("/c/b1/", office, None, &towns));
    }
}
