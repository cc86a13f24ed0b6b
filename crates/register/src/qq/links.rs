//! What a QQ group may serve and a roster entry may link to: what is within the caller's
//! reach. A maintainer keeps the groups of their own unit and grids, so a group serves, and an
//! entry links to, an org unit or member of their own subtree or of the townships (with their
//! villages) of the grids relevant to them.
//! Anything else answers exactly as an id that does not exist, so the answers reveal nothing
//! about other units' rows.

use crate::auth::Principal;
use crate::db::{DbResult, TenantTx};
use crate::error::AppError;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

pub struct LinkScope {
    vis: Visibility,
    /// The grids relevant to the caller.
    grids: Vec<String>,
    /// Paths of the current townships of those grids.
    townships: Vec<String>,
}

impl LinkScope {
    pub fn of(tx: &mut TenantTx<'_>, who: &Principal) -> DbResult<Self> {
        let vis = scope::visibility(tx, who.role, &who.user_id)?;
        let (mut grids, mut townships) = (Vec::new(), Vec::new());
        if let Visibility::Subtree(path) = &vis {
            grids = super::repo::relevant_grids(tx, path)?;
            for grid in &grids {
                for p in crate::grids::repo::periods(tx, grid, false)? {
                    if let Some(t) = crate::org::repo::get(tx, &p.township_id)? {
                        townships.push(t.path);
                    }
                }
            }
        }
        Ok(Self {
            vis,
            grids,
            townships,
        })
    }

    fn sees(&self, u: &OrgUnitRow) -> bool {
        match &self.vis {
            Visibility::County => true,
            Visibility::Nothing => false,
            Visibility::Subtree(_) => {
                self.vis.sees(u)
                    || self
                        .townships
                        .iter()
                        .any(|t| u.path.starts_with(t.as_str()))
            }
        }
    }

    fn unit(&self, tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<OrgUnitRow>> {
        Ok(uuid::Uuid::try_parse(id)
            .ok()
            .map(|_| crate::org::repo::get(tx, id))
            .transpose()?
            .flatten()
            .filter(|u| self.sees(u)))
    }

    /// An org unit named in a roster entry: an active unit within reach.
    pub fn check_unit(&self, tx: &mut TenantTx<'_>, field: &str, id: &str) -> DbResult<()> {
        match self.unit(tx, id)? {
            Some(u) if u.active => Ok(()),
            _ => Err(field_err(
                field,
                "org_unit_not_found",
                "组织不存在或已停用",
                "no such active org unit",
            )
            .into()),
        }
    }

    /// A grid named in a body: one of this county's relevant to the caller.
    pub fn check_grid(&self, tx: &mut TenantTx<'_>, id: &str) -> DbResult<()> {
        let found = uuid::Uuid::try_parse(id)
            .ok()
            .map(|_| crate::grids::repo::get(tx, id))
            .transpose()?
            .flatten()
            .filter(|g| match &self.vis {
                Visibility::County => true,
                Visibility::Nothing => false,
                Visibility::Subtree(_) => self.grids.contains(&g.id),
            });
        match found {
            Some(_) => Ok(()),
            None => {
                Err(field_err("grid_id", "grid_not_found", "网格不存在", "no such grid").into())
            }
        }
    }

    /// A member named in a roster entry: one whose org-life or membership unit is within reach.
    pub fn check_member(&self, tx: &mut TenantTx<'_>, id: &str) -> DbResult<()> {
        let found = uuid::Uuid::try_parse(id)
            .ok()
            .map(|_| crate::members::repo::get(tx, id))
            .transpose()?
            .flatten();
        let mut within = false;
        if let Some(m) = found {
            for u in [&m.org_life_unit_id, &m.membership_unit_id]
                .into_iter()
                .flatten()
            {
                if self.unit(tx, u)?.is_some() {
                    within = true;
                    break;
                }
            }
        }
        if within {
            return Ok(());
        }
        Err(field_err(
            "member_id",
            "member_not_found",
            "党员不存在",
            "no such member",
        )
        .into())
    }
}

fn field_err(field: &str, code: &str, zh: &str, en: &str) -> AppError {
    AppError::field(
        field,
        code,
        format!("{field}：{zh}"),
        format!("{field}: {en}"),
    )
}
